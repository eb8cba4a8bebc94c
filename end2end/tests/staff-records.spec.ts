// Staff and patients' records: a GP of the practice finds a patient by NHS number and reads
// their record; a GP elsewhere must break the glass, and the patient then reads who did and why.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectNoAxeViolations, ready } from './support';

// Whole journeys across five or six pages with an axe scan on most of them; without JavaScript each
// scan copies the page into a second browser context. Measured: 16–31 s on a loaded CI machine, so
// the default 30 s is too close.
test.describe.configure({ timeout: 90_000 });

async function signInAsPersona(page: Page, testInfo: TestInfo, name: string | RegExp) {
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('button', { name }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

async function findPatientA(page: Page, testInfo: TestInfo) {
  await page.getByRole('link', { name: 'Find a patient' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Find a patient');
  await ready(page, testInfo);
  await page.getByLabel('NHS number').fill('999 000 0018');
  await page.getByRole('button', { name: 'Search by NHS number' }).click();
  await expect(page.getByRole('heading', { name: 'Patient found' })).toBeVisible();
}

test('a GP of the practice finds a patient by NHS number and opens their record', async ({ page }, testInfo) => {
  await signInAsPersona(page, testInfo, 'Sign in as Dr Amara Okafor');
  await page.getByRole('link', { name: 'Find a patient' }).click();
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // A mistyped NHS number is caught by its check digit, and the summary says so.
  await page.getByLabel('NHS number').fill('999 000 0019');
  await page.getByRole('button', { name: 'Search by NHS number' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('the check digit does not match');
  await expect(page).toHaveTitle('Error: Find a patient – Open Health');
  await expectNoAxeViolations(page);

  await findPatientA(page, testInfo);
  await expect(page.getByText('At your practice')).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('heading', { level: 3 }).getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Patient' })).toContainText('999 000 0018');
  // The demo data gives this patient a serious allergy: first on the page, in words.
  await expect(page.getByRole('region', { name: 'Allergies' })).toContainText('Penicillin');
  await expect(page.getByRole('region', { name: 'Allergies' })).toContainText('High risk. Reaction: Anaphylaxis');
  await expect(page.getByText('You opened this record in an emergency')).toHaveCount(0);
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
});

test('a GP elsewhere breaks the glass with a reason, and the patient reads it', async ({ page }, testInfo) => {
  await signInAsPersona(page, testInfo, 'Sign in as Dr Tom Hale (another practice)');
  await findPatientA(page, testInfo);
  await expect(page.getByText('At another practice')).toBeVisible();
  await page.getByRole('heading', { level: 3 }).getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'This patient is not registered at your practice' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Patient' })).toContainText('999 000 0018');
  await expect(page.getByRole('heading', { name: 'Allergies' })).toHaveCount(0);
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // No reason: the error summary says what to do and links to the field.
  await expect(page).toHaveTitle(/^Emergency access – Patient record/);
  await page.getByRole('button', { name: 'Open the record' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter why you need to see this record');
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(page).toHaveTitle(/^Error: Emergency access – Patient record/);
  await expectNoAxeViolations(page);

  // Too short: refused, and what was written stays to be finished.
  await ready(page, testInfo);
  await page.getByLabel('Why do you need to see this record?').fill('In A&E');
  await page.getByRole('button', { name: 'Open the record' }).click();
  await expect(page.getByRole('alert')).toContainText('Reason must be at least 10 characters');
  await expect(page.getByLabel('Why do you need to see this record?')).toHaveValue('In A&E');

  const reason = `Seen in A&E (${testInfo.project.name}), unconscious, no history available`;
  await ready(page, testInfo);
  await page.getByLabel('Why do you need to see this record?').fill(reason);
  await page.getByRole('button', { name: 'Open the record' }).click();
  await expect(page.getByRole('heading', { name: 'You opened this record in an emergency' })).toBeVisible();
  await expect(page.getByText(reason)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Allergies' })).toContainText('Penicillin');
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You have signed out');

  // Patient A (the first persona) sees who opened their record, and why.
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('button', { name: /^Sign in as .+/ }).first().click();
  await page.goto('/your-record/who-has-looked');
  await ready(page, testInfo);
  const access = page.getByRole('listitem').filter({ hasText: reason });
  await expect(access.first()).toContainText('Dr Tom Hale (another practice)');
  await expect(access.first()).toContainText('Reason given for emergency access');
  await expectNoAxeViolations(page);
});

test('reception finds a patient by family name and date of birth, and a too-short name is explained', async ({ page }, testInfo) => {
  await signInAsPersona(page, testInfo, 'Sign in as Jo Bennett (practice manager)');
  await findPatientA(page, testInfo);
  // What reception would have from the patient: their name and date of birth.
  const card = page.locator('.card');
  const name = (await card.getByRole('heading', { level: 3 }).textContent())!.trim();
  const born = (await card.locator('.summary-list-row', { hasText: 'Date of birth' }).locator('dd').textContent())!.trim();
  const family = name.split(' ').pop()!;

  await page.getByLabel('Family name').fill(family.slice(0, 1));
  await page.getByRole('button', { name: 'Search by name' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: "Enter at least the first 2 letters of the patient's family name" })).toBeVisible();
  await expect(page).toHaveTitle('Error: Find a patient – Open Health');
  await expectNoAxeViolations(page);

  // Two letters find everyone whose name starts so; the date of birth narrows it to one.
  await page.getByLabel('Family name').fill(family.slice(0, 2));
  await page.getByRole('button', { name: 'Search by name' }).click();
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows.filter({ hasText: '999 000 0018' })).toHaveCount(1);
  const many = await rows.count();
  const date = new Date(`${born} UTC`).toISOString().slice(0, 10);
  await page.getByLabel('Date of birth (optional)').fill(date);
  await page.getByRole('button', { name: 'Search by name' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /patients? found$/ })).toBeVisible();
  await expect(rows.filter({ hasText: '999 000 0018' })).toHaveCount(1);
  expect(await rows.count()).toBeLessThanOrEqual(many);
  await expect(rows.filter({ hasText: '999 000 0018' })).toContainText(born);
  await expect(rows.filter({ hasText: '999 000 0018' })).toContainText('At your practice');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
});
