// Shared steps: the accessibility scan every visited page gets, and page-state helpers.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Fails on any axe-core violation of WCAG 2.0/2.1/2.2 A and AA. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, 'axe-core violations').toEqual([]);
}

export const javaScriptOn = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

/** With JavaScript on, waits until the WASM has hydrated the page; without, there is nothing to wait for. */
export async function ready(page: Page, testInfo: TestInfo) {
  if (javaScriptOn(testInfo)) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
}

/** No sideways scrolling: everything fits the viewport's width. */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}
