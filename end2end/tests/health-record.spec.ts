// A patient reads their own health record on their phone: allergies first, then problems,
// medicines, vaccinations and test results, from the practice's records.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

test('a patient reads their record, allergies first', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.getByRole('link', { name: 'See your health record' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your health record');
  await expect(page).toHaveTitle('Your health record – Open Health');
  // The demo data gives this patient a serious allergy and asthma.
  const allergies = page.getByRole('region', { name: 'Allergies' });
  await expect(allergies).toContainText('Penicillin');
  await expect(allergies).toContainText('High risk. Reaction: Anaphylaxis');
  await expect(page.getByRole('region', { name: 'Health problems' })).toContainText('Asthma');
  await expect(page.getByRole('region', { name: 'Medicines' })).toContainText('Salbutamol');
  await expect(page.getByRole('region', { name: 'Vaccinations' })).toContainText('Flu vaccine');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
});

test('a patient whose identity is not fully checked is told why the record is hidden', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p5');
  await page.goto('/your-record');
  await expect(page.getByText('You need to prove who you are before you can see your health record online.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Allergies' })).toHaveCount(0);
  await expectNoAxeViolations(page);
});

test('test results say in words when a value is outside its normal range, and a repeated one is charted', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/your-record');
  await ready(page, testInfo);
  const results = page.getByRole('region', { name: 'Test results' });
  // The demo data: haemoglobin 131 then 112 g/L (normal 115 to 165); cholesterol 6.1, 5.6, 4.8.
  const haemoglobin = results.locator('.result', { has: page.getByRole('heading', { name: 'Haemoglobin' }) });
  await expect(haemoglobin.locator('.result-newest')).toHaveText('112 g/L Below the normal range');
  await expect(haemoglobin).toContainText('Normal range: 115 to 165 g/L.');
  const cholesterol = results.locator('.result', { has: page.getByRole('heading', { name: 'Total cholesterol' }) });
  await expect(cholesterol.locator('.result-newest')).toHaveText('4.8 mmol/L Within the normal range');
  const chart = cholesterol.getByRole('img', { name: 'Total cholesterol over time', exact: true });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleDescription(/^3 results from \w+ \d{4} to \w+ \d{4}: 6\.1, 5\.6, 4\.8 mmol\/L\. The shaded band is the normal range\.$/);
  await expect(chart.locator('circle')).toHaveCount(3);
  // The chart's text alternative: every value, newest first, judged in words.
  const table = cholesterol.getByRole('table', { name: 'Every total cholesterol result' });
  await expect(table.getByRole('row')).toHaveCount(4);
  await expect(table.getByRole('row').nth(1)).toContainText('4.8 mmol/L');
  await expect(table.getByRole('row').nth(3)).toContainText('6.1 mmol/LAbove the normal range');
  // Measured once: no chart, no table.
  const hba1c = results.locator('.result', { has: page.getByRole('heading', { name: /HbA1c/ }) });
  await expect(hba1c.getByRole('img')).toHaveCount(0);
  await expect(hba1c.getByRole('table')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
});
