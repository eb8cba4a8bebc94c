// Signing in for real: Chromium follows the redirect flow to the OpenID Connect provider started
// beside the server (end2end/identity-provider), signs in there, and comes back signed in.
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, ready } from './support';

// A round trip through the identity provider and three axe scans: measured 14–23 s, and 31 s once
// on a loaded CI machine, so the default 30 s is too close.
test.describe.configure({ timeout: 90_000 });

async function signInAtProvider(page: Page, account: string) {
  await page.getByLabel('Test account').fill(account);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a patient signs in with NHS login, sees who has looked at their record, and signs out', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await expect(page).toHaveTitle('Sign in – Open Health');
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Continue to NHS login' }).click();
  await expect(page.getByRole('heading', { name: 'NHS login (test provider)' })).toBeVisible();
  await signInAtProvider(page, 'patient-p9');

  await expect(page.getByRole('banner')).toContainText('Sam Okoro');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Who has looked at your record' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who has looked at your record');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You have signed out');
  await expect(page.getByRole('banner')).not.toContainText('Sam Okoro');
  await expectNoAxeViolations(page);

  // Signed out means signed out: the record page now asks to sign in.
  await page.goto('/your-record/who-has-looked');
  await expect(page.getByText('You need to sign in to see who has looked at your record.')).toBeVisible();
});

test('staff sign in with NHS Care Identity and the header shows their role', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Sign in with NHS Care Identity' }).click();
  await signInAtProvider(page, 'clinician');
  await expect(page.getByRole('banner')).toContainText('Amara Okafor');
  await expect(page.getByRole('banner')).toContainText('Clinician, Y90001');
});

test('in demo mode a clearly labelled persona signs in without a provider', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await expect(page.getByRole('heading', { name: 'Sign in as a demo persona' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in as Jo Bennett (practice manager)' }).click();
  await expect(page.getByRole('banner')).toContainText('Practice administrator, Y90001');
});

test('a patient checked only to P5 is told why the record is hidden and what to do', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Continue to NHS login' }).click();
  await signInAtProvider(page, 'patient-p5');
  await page.goto('/your-record/who-has-looked');
  await ready(page, testInfo);
  await expect(page.getByText('You need to prove who you are')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('a carer with proxy access sees who has looked at the record of the person they care for', async ({ page }, testInfo) => {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('button', { name: /^Sign in as .+/ }).nth(3).click();
  // Signed in (the home page's header says so) before going on: a navigation started earlier
  // would cancel the sign-in's own.
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.goto('/your-record/who-has-looked');
  await ready(page, testInfo);
  const actFor = page.getByRole('region', { name: 'People you act for' });
  await expect(actFor.getByRole('link', { name: 'Your own record' })).toBeVisible();
  await actFor.getByRole('link').nth(1).click();
  await expect(page.getByText(/You are looking at .+'s record, with the proxy access they gave you\./)).toBeVisible();
  // The patient's own looks are left out until asked for: ask for everyone's.
  await expect(page.getByRole('radio', { name: /^Everyone except / })).toBeChecked();
  await page.getByRole('radio', { name: 'Everyone', exact: true }).check();
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('radio', { name: 'Everyone', exact: true })).toBeChecked();
  await expect(page.getByText(/You are looking at .+'s record, with the proxy access they gave you\./)).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'looked through the list of who has looked at their record' }).first()).toBeVisible();
  await expectNoAxeViolations(page);
});
