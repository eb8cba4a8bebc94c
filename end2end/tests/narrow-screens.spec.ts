// Phone first: every page fits a 320-pixel-wide screen, and still fits with text at 200 %,
// without sideways scrolling: the patients' and the signed-out ones, and the staff's, for a
// receptionist or a clinician on a phone. Pages that need a record or a choice are reached the way
// people reach them, through the links and questions before them.
import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { expectNoHorizontalScroll, ready, signInAs } from './support';

// Many pages, each inspected twice (and copied into a scripted browser without JavaScript).
test.describe.configure({ timeout: 180_000 });

async function fits(page: Page, testInfo: TestInfo, address?: string) {
  if (address) await page.goto(address);
  await ready(page, testInfo);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });
}

/** The address a link leads to, followed, checked to fit. */
async function follow(page: Page, testInfo: TestInfo, link: Locator) {
  const href = await link.first().getAttribute('href');
  expect(href, 'the link has an address').toBeTruthy();
  await fits(page, testInfo, href!);
  return href!;
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
});

test('the pages anyone can open fit a 320-pixel screen, also with text at 200 %', async ({ page }, testInfo) => {
  for (const address of ['/', '/check-an-nhs-number', '/sign-in', '/signed-out', '/no-such-page']) {
    await fits(page, testInfo, address);
  }
});

test('the pages of a patient fit a 320-pixel screen, also with text at 200 %', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  for (const address of ['/', '/book', '/appointments', '/your-record', '/your-record/who-has-looked',
    '/messages', '/messages/new', '/settings/emails', '/prescriptions']) {
    await fits(page, testInfo, address);
  }
  // An appointment of theirs, and cancelling it (the page, not the cancelling).
  await page.goto('/appointments');
  const cancel = await follow(page, testInfo, page.getByRole('link', { name: /^Cancel this appointment/ }));
  await fits(page, testInfo, cancel.replace(/\/cancel$/, '/booked'));
  await fits(page, testInfo, cancel.replace(/\/cancel$/, '/cancelled'));
  // The booking questions, answered the way a patient answers them (GET forms: nothing held).
  await page.goto('/book');
  await page.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await fits(page, testInfo);
  await page.getByRole('radio').last().check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await fits(page, testInfo);
});

test('the pages of an administrator fit a 320-pixel screen, also with text at 200 %', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'administrator');
  for (const address of ['/availability', '/availability/open', '/availability/block', '/practice',
    '/practice/places/new', '/practice/services/new', '/practice/emails', '/inbox',
    '/inbox?queue=closed']) {
    await fits(page, testInfo, address);
  }
  await page.goto('/practice');
  await follow(page, testInfo, page.locator('a[href^="/practice/services/"]:not([href$="/new"])'));
  await page.goto('/practice');
  await follow(page, testInfo, page.locator('a[href^="/practice/places/"]:not([href$="/new"])'));
});

test('the pages of a clinician fit a 320-pixel screen, also with text at 200 %', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'clinician');
  // The patient found last: their record is followed from there.
  for (const address of ['/clinic', '/prescriptions/requests', '/patients', '/patients?nhs-number=9990000018']) {
    await fits(page, testInfo, address);
  }
  const record = await follow(page, testInfo, page.getByRole('heading', { level: 3 }).getByRole('link'));
  for (const add of ['add/allergy', 'add/problem', 'add/vaccination', 'add/note', 'vital-signs', 'message']) {
    await fits(page, testInfo, `${record}/${add}`);
  }
});
