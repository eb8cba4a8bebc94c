// "Choose a time" on a phone: a busy day's times narrowed to one clinician and a part of the day,
// the earliest first and the rest behind "Show all", with JavaScript and without.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

test('a patient narrows a busy day to the clinician they want to see, in the afternoon', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/book/day?service=gp');
  await ready(page, testInfo);
  // The busiest day (the seed's GP days are busy; late in the day, today's are few), by its hint.
  const free = (await page.locator('.radios-hint').allInnerTexts()).map((hint) => Number(hint.match(/\d+/)![0]));
  await page.getByRole('radio').nth(free.indexOf(Math.max(...free))).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Choose a time on /);

  // The earliest ten, and a way to the rest.
  await expect(page.getByRole('radio')).toHaveCount(10);
  const showAll = page.getByRole('link', { name: /^Show all \d+ times$/ });
  const total = Number((await showAll.innerText()).match(/\d+/)![0]);
  expect(total).toBeGreaterThan(10);
  // Each part of the day is a group named with its size, as a screen reader announces it.
  await expect(page.getByRole('group', { name: /^(Morning|Afternoon), \d+ times?$/ }).first()).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // The afternoon, then one clinician of those free then.
  const clinician = page.getByLabel('Who would you like to see?');
  expect(await clinician.locator('option').count()).toBeGreaterThan(2);
  await ready(page, testInfo);
  await page.getByLabel('Time of day').selectOption('Afternoon');
  await page.getByRole('button', { name: 'Show these times' }).click();
  await expect(page).toHaveURL(/[?&]part=afternoon/);
  await expect(page.getByRole('group', { name: /^Afternoon/ })).toBeVisible();
  await expect(page.getByRole('group', { name: /^Morning/ })).toHaveCount(0);
  const name = (await page.locator('.radios-hint').first().innerText()).split(',')[0];
  await ready(page, testInfo);
  await page.getByLabel('Who would you like to see?').selectOption(name);
  await page.getByRole('button', { name: 'Show these times' }).click();
  await expect(page.getByLabel('Who would you like to see?')).toHaveValue(name);
  await expect(page.getByLabel('Time of day')).toHaveValue('afternoon');
  await expect(page.getByRole('group', { name: /^Morning/ })).toHaveCount(0);
  const hints = await page.locator('.radios-hint').allInnerTexts();
  expect(hints.length).toBeGreaterThan(0);
  for (const hint of hints) expect(hint).toContain(name);
  await expectNoAxeViolations(page);

  // Back to every clinician and every time: all of them, after "Show all".
  await ready(page, testInfo);
  await page.getByLabel('Who would you like to see?').selectOption('Anyone');
  await page.getByLabel('Time of day').selectOption('Any time');
  await page.getByRole('button', { name: 'Show these times' }).click();
  await ready(page, testInfo);
  await page.getByRole('link', { name: /^Show all \d+ times$/ }).click();
  await expect(page.getByRole('link', { name: /^Show all/ })).toHaveCount(0);
  expect(await page.getByRole('radio').count()).toBeGreaterThan(10);
});
