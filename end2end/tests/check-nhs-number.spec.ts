// "Check an NHS number": a plain GET form, whose field (an island) also checks as you type with JavaScript.
import { expect, test } from '@playwright/test';
import { countPageLoads, expectNoAxeViolations, expectNoHorizontalScroll, javaScriptOn, ready } from './support';

test('a valid number is confirmed and shown in 3-3-4 groups', async ({ page }, testInfo) => {
  await page.goto('/check-an-nhs-number');
  await ready(page, testInfo);
  await expect(page).toHaveTitle('Check an NHS number – Open Health');
  await expectNoAxeViolations(page);

  const pageLoads = countPageLoads(page);
  await page.getByLabel('NHS number').fill('999-000-0018');
  await page.getByRole('button', { name: 'Check' }).click();

  await expect(page.getByRole('heading', { name: 'This is a valid NHS number' })).toBeVisible();
  await expect(page.getByText('999 000 0018', { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\?nhs-number=999-000-0018$/);
  // The browser sends the form and the server answers with a new page, scripts or not.
  expect(pageLoads(), 'full page loads').toBe(1);
  await expectNoHorizontalScroll(page);
  await expectNoAxeViolations(page);
});

test('a wrong check digit gets an error summary that links to the field', async ({ page }, testInfo) => {
  await page.goto('/check-an-nhs-number');
  await ready(page, testInfo);
  await page.getByLabel('NHS number').fill('999 000 0019');
  await page.getByLabel('NHS number').press('Enter');

  const summary = page.getByRole('alert');
  await expect(summary).toContainText('There is a problem');
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle('Error: Check an NHS number – Open Health');
  const link = summary.getByRole('link', { name: 'Enter a valid NHS number: the check digit does not match' });
  await expect(link).toHaveAttribute('href', '#nhs-number');
  await expect(page.getByLabel('NHS number')).toHaveValue('999 000 0019');
  await expect(page.getByRole('heading', { name: 'This is a valid NHS number' })).toHaveCount(0);
  await expectNoAxeViolations(page);
});

test('with JavaScript the number is checked as you type; without, the Check button does it', async ({ page }, testInfo) => {
  await page.goto('/check-an-nhs-number');
  await ready(page, testInfo);
  const field = page.getByLabel('NHS number');
  const verdict = page.locator('#nhs-number-as-you-type');
  await field.pressSequentially('999000');
  await expect(verdict).toHaveText('');
  await field.pressSequentially('0018');
  if (!javaScriptOn(testInfo)) {
    // Nothing runs in the page without scripts: the verdict stays empty until the form is sent.
    await expect(verdict).toHaveText('');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByRole('heading', { name: 'This is a valid NHS number' })).toBeVisible();
    return;
  }
  await expect(verdict).toHaveText('That looks like a valid NHS number.');
  await field.press('Backspace');
  await field.pressSequentially('9');
  await expect(verdict).toHaveText('Enter a valid NHS number: the check digit does not match.');
  await expectNoAxeViolations(page);
});
