// Phone first: the patient's pages fit a 320-pixel-wide screen, and still fit with text at 200 %,
// without sideways scrolling.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, ready, signInAs } from './support';

const pages = ['/', '/book', '/appointments', '/your-record', '/your-record/who-has-looked'];

test('the patient pages fit a 320-pixel screen, also with text at 200 %', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await signInAs(page, testInfo, 'patient-p9');
  for (const address of pages) {
    await page.goto(address);
    await ready(page, testInfo);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });
  }
});
