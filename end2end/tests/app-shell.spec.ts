// The frame every page shares: served complete, accessible, and without code it does not need.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, javaScriptOn, ready } from './support';

test('home page shows the practice, its services and the app shell', async ({ page }, testInfo) => {
  const code: string[] = [];
  page.on('request', (r) => {
    if (/\.(js|wasm)$/.test(new URL(r.url()).pathname)) code.push(new URL(r.url()).pathname);
  });
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await ready(page, testInfo);

  await expect(page).toHaveTitle('Book appointments and see your health record – Open Health');
  await expect(page.getByRole('banner')).toContainText('Open Health');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Riverside Medical Practice');
  for (const service of ['GP appointment', 'Practice nurse appointment', 'Blood test']) {
    await expect(page.getByRole('heading', { level: 3, name: service })).toBeVisible();
  }
  await expect(page.getByRole('contentinfo')).toBeVisible();
  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page);
  // Nothing on it is interactive, so it loads no script and no WASM (islands mode: only pages
  // with an island do), with JavaScript on or off.
  expect(code, 'scripts and WASM loaded').toEqual([]);
});

test('a page with an island hydrates it from the hashed WASM bundle when scripts run', async ({ page }, testInfo) => {
  const wasm: number[] = [];
  page.on('response', (r) => {
    if (/\/pkg\/health\.[\w-]+\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(r.status());
  });
  await page.goto('/check-an-nhs-number');
  await ready(page, testInfo);
  await expect(page.locator('leptos-island')).toHaveCount(1);
  if (javaScriptOn(testInfo)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    expect(wasm).toEqual([200]);
  } else {
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  }
});

test('the skip link is the first stop for keyboard users and jumps to the main content', async ({ page }, testInfo) => {
  await page.goto('/');
  await ready(page, testInfo);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  // The NHS.UK focus style: yellow background, so focus never relies on colour of text alone.
  await expect(skip).toHaveCSS('background-color', 'rgb(255, 235, 59)');
  await page.keyboard.press('Enter');
  await expect(page.locator('main#maincontent')).toBeFocused();
});

test('an unknown address gets the page-not-found page with status 404', async ({ page }, testInfo) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await ready(page, testInfo);
  await expect(page).toHaveTitle('Page not found – Open Health');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Go to the homepage' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Riverside Medical Practice');
  await expectNoAxeViolations(page);
});
