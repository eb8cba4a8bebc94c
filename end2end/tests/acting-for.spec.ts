// Acting for someone you care for: the demo persona "proxy" holds the first patient's (Oliver
// Evans's) proxy grant. They choose whose record to use; every page then says so in a banner and
// is about that person, until they choose themselves again. (Booking for them, narrower grants,
// refusals and the audit are checked in server/tests/api/acting_for.rs.)
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

// Many pages, most with an axe scan (without JavaScript each scan copies the page into a second
// browser context). Measured: up to 23 s on a loaded CI machine, close to the default 30 s.
test.describe.configure({ timeout: 90_000 });

const BANNER = 'You are acting for Oliver Evans';

test('a carer chooses to act for the person they care for, and every page says so until they switch back', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'proxy');
  await page.goto('/');
  await ready(page, testInfo);
  await expect(page.getByText(BANNER)).toHaveCount(0);
  await page.getByRole('link', { name: 'Act for someone you care for' }).click();
  await expect(page).toHaveTitle('Whose record do you want to use? – Open Health');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  const oliver = page.getByRole('radio', { name: /^Oliver Evans \(Carer with proxy access\)/ });
  await expect(page.getByText('You can see their health record, book and manage their appointments, message their GP practice and order their repeat prescriptions.')).toBeVisible();
  await expect(page.getByRole('radio', { name: /^Yourself/ })).toBeChecked();
  await oliver.check();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Home, their record and their appointments: all Oliver's, each saying so.
  const banner = page.getByRole('region', { name: 'Acting for someone' });
  await expect(banner).toContainText(BANNER);
  await expect(page.getByRole('heading', { name: "Oliver Evans's next appointment" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'See their health record' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Oliver Evans's health record");
  await expect(banner).toContainText(BANNER);
  await expect(page.locator('.lede')).toHaveText('Oliver Evans');
  await expectNoAxeViolations(page);
  await page.goto('/appointments');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Oliver Evans's appointments");
  await expect(banner).toContainText(BANNER);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  // The banner's link, by keyboard: back to their own record.
  await ready(page, testInfo);
  await banner.getByRole('link', { name: 'Change whose record you are using' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('radio', { name: /^Oliver Evans/ })).toBeChecked();
  await ready(page, testInfo);
  await page.getByRole('radio', { name: /^Yourself/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Your next appointment' })).toBeVisible();
  await expect(page.getByText(BANNER)).toHaveCount(0);
  await page.goto('/your-record');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your health record');
  await expect(page.locator('.lede')).not.toHaveText('Oliver Evans');
});

test('a patient nobody has given access is told how to get it', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-b-p9');
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Act for someone you care for' })).toHaveCount(0);
  await page.goto('/acting-for');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Act for someone you care for');
  await expect(page.getByText('Nobody has given you access to act for them.')).toBeVisible();
  await expectNoAxeViolations(page);
});
