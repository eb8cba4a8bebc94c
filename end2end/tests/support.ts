// Shared steps: the accessibility scan every visited page gets, and page-state helpers.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';

export const javaScriptOn = (testInfo: TestInfo) => testInfo.project.use.javaScriptEnabled !== false;

/**
 * Runs `check` on a page where scripts may run, showing exactly what `page` shows.
 *
 * Playwright evaluates scripts in the page to inspect it, which a page with JavaScript off cannot
 * do. There the exact DOM the person sees is copied into a scripts-on page of the same size, with
 * the app's own scripts blocked so that it stays as the server rendered it.
 */
async function inspect(page: Page, check: (scriptable: Page) => Promise<void>) {
  if (javaScriptOn(test.info())) {
    await check(page);
    return;
  }
  const { copy, shown } = await copier(page.context().browser()!);
  // Without its fragment: that is never part of the request the copy's route must answer.
  shown.url = page.url().split('#')[0];
  shown.html = await page.content();
  await copy.setViewportSize(page.viewportSize()!);
  // From a blank page, so that the same URL as the last copy's loads the new copy.
  await copy.goto('about:blank');
  await copy.goto(shown.url);
  await copy.waitForLoadState('load');
  await expect(copy.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await expect(copy, 'the copy shows the page').toHaveTitle(await page.title());
  await check(copy);
}

/** The page copies are shown in, and what it is to show next. */
interface Copier { copy: Page; shown: { url: string; html: string } }

/**
 * One scripts-on page per browser (each worker has its own), made on first use and kept: a new
 * browser context for every inspection took seconds on a loaded CI machine, and the no-JavaScript
 * journeys inspect every page they visit.
 */
const copiers = new WeakMap<Browser, Promise<Copier>>();

function copier(browser: Browser): Promise<Copier> {
  let made = copiers.get(browser);
  if (!made) {
    made = (async () => {
      const context = await browser.newContext({ javaScriptEnabled: true });
      const copy = await context.newPage();
      const shown = { url: '', html: '' };
      await copy.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
      await copy.route(
        (u) => u.href === shown.url,
        (route) => route.fulfill({ body: shown.html, contentType: 'text/html; charset=utf-8' }),
      );
      return { copy, shown };
    })();
    copiers.set(browser, made);
  }
  return made;
}

/** Fails on any axe-core violation of WCAG 2.0/2.1/2.2 A and AA. */
export async function expectNoAxeViolations(page: Page) {
  await inspect(page, async (scriptable) => {
    expectClean(await new AxeBuilder({ page: scriptable }).withTags(WCAG_A_AA).analyze());
  });
}

const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

function expectClean(results: Awaited<ReturnType<AxeBuilder['analyze']>>) {
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, 'axe-core violations').toEqual([]);
  expect(results.passes.length, 'axe-core ran its checks').toBeGreaterThan(0);
}

/**
 * With JavaScript on, waits until the WASM has hydrated the page's islands; without, there is
 * nothing to wait for. On a loaded two-core CI machine compiling the WASM has taken seconds, so
 * this waits up to 20 s (a wait for a state, not a speed check: `cargo xtask lighthouse` has the
 * figures).
 */
export async function ready(page: Page, testInfo: TestInfo) {
  if (javaScriptOn(testInfo)) await hydrated(page);
}

/**
 * Waits until the WASM has hydrated `page` (see `ready`). Only a page with an island loads the
 * WASM (Leptos' islands mode); any other page is as interactive as it will be once loaded.
 */
export async function hydrated(page: Page) {
  if ((await page.locator('leptos-island').count()) === 0) return;
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 20_000 });
}

/**
 * No sideways scrolling: everything fits the viewport's width, as served and, with
 * `alsoWithTextAt`, again with the text sized as a browser's text-size setting sizes it (the root
 * font size), e.g. 200 %. Both in one inspection: without JavaScript each inspection is a copy of
 * the page, loaded again.
 */
export async function expectNoHorizontalScroll(page: Page, { alsoWithTextAt }: { alsoWithTextAt?: number } = {}) {
  await inspect(page, async (scriptable) => {
    for (const percent of alsoWithTextAt ? [undefined, alsoWithTextAt] : [undefined]) {
      const overflow = await scriptable.evaluate((percent) => {
        if (percent) document.documentElement.style.fontSize = `${percent}%`;
        const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
        document.documentElement.style.fontSize = '';
        return overflow;
      }, percent);
      expect(overflow, `horizontal overflow in px${percent ? ` at ${percent} % text` : ''}`).toBeLessThanOrEqual(0);
    }
  });
}

/** Counts full page loads (document requests) from now on; client-side navigation makes none. */
export function countPageLoads(page: Page) {
  let loads = 0;
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) loads += 1;
  });
  return () => loads;
}

/** Signs in as a demo persona (by its key) through the sign-in page's card for it. */
export async function signInAs(page: Page, testInfo: TestInfo, persona: string) {
  await signIn(page, javaScriptOn(testInfo), persona);
}

/** `signInAs` in a page of a context of the spec's own, with scripts on or off. */
export async function signIn(page: Page, scripts: boolean, persona: string) {
  await page.goto('/sign-in');
  if (scripts) await hydrated(page);
  await page.locator(`form:has(input[name="persona"][value="${persona}"]) button`).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}
