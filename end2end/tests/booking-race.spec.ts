// Two patients choose the same time at the same moment: exactly one gets it, and the other is
// told so kindly and offered the nearest other times, never an error page.
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { expectNoAxeViolations, ready } from './support';

test.describe.configure({ timeout: 120_000 });

// Each project races its own pair of patients (accounts of the test NHS login provider that no
// other journey signs in as: holds are per patient) on a day no other journey books.
const racers: Record<string, { accounts: [string, string]; day: number }> = {
  'phone-js': { accounts: ['race-1', 'race-2'], day: 6 },
  'phone-no-js': { accounts: ['race-3', 'race-4'], day: 7 },
  'laptop-js': { accounts: ['race-5', 'race-6'], day: 8 },
  'laptop-no-js': { accounts: ['race-7', 'race-8'], day: 9 },
};

/** A browser context of the project's kind, signed in with NHS login as `account`. */
async function patientPage(browser: Browser, testInfo: TestInfo, account: string): Promise<Page> {
  const { baseURL, viewport, isMobile, hasTouch, javaScriptEnabled } = testInfo.project.use;
  const context = await browser.newContext({ baseURL, viewport, isMobile, hasTouch, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Continue to NHS login' }).click();
  await page.getByLabel('Test account').fill(account);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}

test('two patients race for one time: one gets it, the other is offered the nearest others', async ({ browser }, testInfo) => {
  const { accounts, day } = racers[testInfo.project.name];
  const pages = await Promise.all(accounts.map((account) => patientPage(browser, testInfo, account)));

  // Both on the same day's times, both choosing the first one.
  await pages[0].goto('/book/day?service=gp');
  const date = await pages[0].getByRole('radio').nth(day).getAttribute('value');
  for (const page of pages) {
    await page.goto(`/book/time?service=gp&day=${date}`);
    await ready(page, testInfo);
  }
  const wanted = await pages[0].getByRole('radio').first().getAttribute('value');
  for (const page of pages) {
    await page.locator(`input[type="radio"][value="${wanted}"]`).check();
  }
  await Promise.all(pages.map((page) => page.getByRole('button', { name: 'Continue' }).click()));

  const won = (page: Page) => page.getByRole('heading', { level: 1, name: 'Check your answers before booking' });
  const lost = (page: Page) => page.getByRole('heading', { name: 'Sorry, that time has just been booked' });
  for (const page of pages) {
    await expect(won(page).or(lost(page))).toBeVisible();
  }
  const winners = [];
  for (const page of pages) {
    if (await won(page).isVisible()) winners.push(page);
  }
  expect(winners).toHaveLength(1);
  const loser = pages.find((page) => page !== winners[0])!;

  // The loser chooses from the nearest free times, the time they wanted not among them.
  await expect(loser.getByRole('heading', { level: 1 })).toHaveText('Choose another time');
  await expect(loser.locator(`input[type="radio"][value="${wanted}"]`)).toHaveCount(0);
  await expect(loser.getByRole('radio').first()).toBeVisible();
  await expectNoAxeViolations(loser);

  // The winner books it.
  await ready(winners[0], testInfo);
  await winners[0].getByLabel('Phone call').check();
  await winners[0].getByRole('button', { name: 'Book appointment' }).click();
  await expect(winners[0].getByRole('heading', { level: 1 })).toHaveText('Appointment booked');

  for (const page of pages) await page.context().close();
});
