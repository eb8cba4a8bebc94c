// Phone first: the patient's pages fit a 320-pixel-wide screen, and still fit with text at 200 %,
// without sideways scrolling; so do the staff's, for a receptionist or a clinician on a phone.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, ready, signInAs } from './support';

const pagesOf = {
  'patient-p9': ['/', '/book', '/appointments', '/your-record', '/your-record/who-has-looked'],
  administrator: ['/availability', '/availability/open', '/availability/block', '/practice', '/practice/places/new'],
  clinician: ['/clinic', '/patients'],
};

for (const [persona, pages] of Object.entries(pagesOf)) {
  test(`the pages of ${persona} fit a 320-pixel screen, also with text at 200 %`, async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await signInAs(page, testInfo, persona);
    for (const address of pages) {
      await page.goto(address);
      await ready(page, testInfo);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });
    }
  });
}
