// A GP writes to a patient's record on a laptop (vital signs; an allergy, a problem and a
// vaccination from coded lists); mistakes are caught with an error summary; the patient then
// reads it all on their phone.
import { expect, test, type Browser, type TestInfo } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

// Two people, two browsers, and an axe scan on each step: longer than the default 30 s.
test.describe.configure({ timeout: 90_000 });

// Each project measures its own patient (test NHS login accounts no other journey uses), so that
// the newest values on the patient's page are the ones this run entered.
const patients: Record<string, { account: string; nhsNumber: string }> = {
  'phone-js': { account: 'vitals-1', nhsNumber: '999 000 0158' },
  'phone-no-js': { account: 'vitals-2', nhsNumber: '999 000 0166' },
  'laptop-js': { account: 'vitals-3', nhsNumber: '999 000 0174' },
  'laptop-no-js': { account: 'vitals-4', nhsNumber: '999 000 0182' },
};

/** The patient, signed in with NHS login on a phone, with the project's JavaScript setting. */
async function patientOnPhone(browser: Browser, testInfo: TestInfo, account: string) {
  const { baseURL, javaScriptEnabled } = testInfo.project.use;
  const context = await browser.newContext({
    baseURL, javaScriptEnabled, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Continue to NHS login' }).click();
  await page.getByLabel('Test account').fill(account);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return { page, context };
}

test('a GP records vital signs, a typo is caught, and the patient reads them on their phone', async ({ page, browser }, testInfo) => {
  const { account, nhsNumber } = patients[testInfo.project.name];
  await signInAs(page, testInfo, 'clinician');
  await page.getByRole('link', { name: 'Find a patient' }).click();
  await ready(page, testInfo);
  await page.getByLabel('NHS number').fill(nhsNumber);
  await page.getByRole('button', { name: 'Search by NHS number' }).click();
  await page.getByRole('heading', { level: 3 }).getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Patient' })).toContainText(nhsNumber);
  await page.getByRole('link', { name: 'Record vital signs' }).click();
  await expect(page).toHaveTitle(/^Record vital signs – /);
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // 1280 for 128: caught, linked to its field, nothing saved.
  await page.getByLabel('Systolic (upper number)').fill('1280');
  await page.getByLabel('Diastolic (lower number)').fill('82');
  await page.getByRole('button', { name: 'Save vital signs' }).click();
  const summary = page.getByRole('alert');
  const message = 'Systolic blood pressure must be between 50 and 260 mmHg';
  await expect(summary.getByRole('link', { name: message })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Record vital signs – /);
  // What was typed is still there, with JavaScript and without, to be corrected, not retyped.
  await expect(page.getByLabel('Systolic (upper number)')).toHaveValue('1280');
  await expect(page.getByLabel('Diastolic (lower number)')).toHaveValue('82');
  await expectNoAxeViolations(page);
  await summary.getByRole('link', { name: message }).click();
  await expect(page.getByLabel('Systolic (upper number)')).toBeFocused();

  await page.getByLabel('Systolic (upper number)').fill('128');
  await page.getByLabel('Diastolic (lower number)').fill('82');
  await page.getByLabel('Pulse').fill('72');
  await page.getByLabel('Weight').fill('70.5');
  await page.getByLabel('Height').fill('172');
  await page.getByRole('button', { name: 'Save vital signs' }).click();
  await expect(page.getByRole('heading', { name: 'Vital signs saved' })).toBeVisible();
  const vitals = page.getByRole('region', { name: 'Vital signs' });
  await expect(vitals.locator('.result', { has: page.getByRole('heading', { name: 'Blood pressure' }) }).locator('.result-value')).toHaveText('128/82 mmHg');
  // 70.5 kg at 1.72 m: a BMI of 23.8, worked out and stored with the rest.
  await expect(vitals.locator('.result', { has: page.getByRole('heading', { name: 'Body mass index (BMI)' }) }).locator('.result-value')).toHaveText('23.8 kg/m²');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // The patient sees them at once, on their phone.
  const patient = await patientOnPhone(browser, testInfo, account);
  await patient.page.goto('/your-record');
  await ready(patient.page, testInfo);
  const measurements = patient.page.getByRole('region', { name: 'Health measurements' });
  await expect(measurements.locator('.result', { has: patient.page.getByRole('heading', { name: 'Blood pressure' }) }).locator('.result-value')).toHaveText('128/82 mmHg');
  await expect(measurements.locator('.result', { has: patient.page.getByRole('heading', { name: 'Pulse' }) }).locator('.result-value')).toHaveText('72 beats/minute');
  await expect(measurements).toContainText(/Taken on \d+ \w+ \d{4}\./);
  await expectNoAxeViolations(patient.page);
  await expectNoHorizontalScroll(patient.page);
  await patient.context.close();
});

test('a GP adds an allergy, a problem and a vaccination from coded lists, and the patient reads them', async ({ page, browser }, testInfo) => {
  const { account, nhsNumber } = patients[testInfo.project.name];
  await signInAs(page, testInfo, 'clinician');
  await page.goto(`/patients?nhs-number=${nhsNumber.replace(/ /g, '')}`);
  await page.getByRole('heading', { level: 3 }).getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Patient' })).toContainText(nhsNumber);

  // An allergy: nothing chosen first, and the summary says what is missing.
  await page.getByRole('link', { name: 'Add an allergy' }).click();
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Add the allergy' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: 'Select what the patient is allergic to' })).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Select how serious a reaction could be' })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Add an allergy – /);
  await expectNoAxeViolations(page);
  await page.getByLabel('Allergic to').selectOption({ label: 'Latex' });
  await page.getByLabel('Reaction (optional)').selectOption({ label: 'Urticaria' });
  // The risk forgotten: the substance and reaction chosen stay chosen.
  await page.getByRole('button', { name: 'Add the allergy' }).click();
  await expect(summary.getByRole('link', { name: 'Select how serious a reaction could be' })).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Select what the patient is allergic to' })).toHaveCount(0);
  await expect(page.getByLabel('Allergic to').locator('option:checked')).toHaveText('Latex');
  await expect(page.getByLabel('Reaction (optional)').locator('option:checked')).toHaveText('Urticaria');
  await page.getByLabel('High risk: a reaction could be life-threatening').check();
  await page.getByRole('button', { name: 'Add the allergy' }).click();
  await expect(page.getByRole('heading', { name: 'Allergy added' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Allergies' })).toContainText('LatexHigh risk. Reaction: Urticaria');

  await page.getByRole('link', { name: 'Add a problem' }).click();
  await ready(page, testInfo);
  await page.getByLabel('Problem', { exact: true }).selectOption({ label: 'Migraine' });
  await page.getByLabel('Since (optional)').fill('2019-05-01');
  await page.getByRole('button', { name: 'Add the problem' }).click();
  await expect(page.getByRole('heading', { name: 'Problem added' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('MigraineSince 1 May 2019');

  await page.getByRole('link', { name: 'Record a vaccination' }).click();
  await ready(page, testInfo);
  await page.getByLabel('Vaccine').selectOption('Shingles vaccine');
  await page.getByLabel('Given on').fill('2026-10-05');
  await page.getByRole('button', { name: 'Record the vaccination' }).click();
  await expect(page.getByRole('heading', { name: 'Vaccination recorded' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Vaccinations' })).toContainText('Shingles vaccineGiven on 5 October 2026');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  const patient = await patientOnPhone(browser, testInfo, account);
  await patient.page.goto('/your-record');
  await ready(patient.page, testInfo);
  await expect(patient.page.getByRole('region', { name: 'Allergies' })).toContainText('Latex');
  await expect(patient.page.getByRole('region', { name: 'Health problems' })).toContainText('Migraine');
  await expect(patient.page.getByRole('region', { name: 'Vaccinations' })).toContainText('Shingles vaccine');
  await patient.context.close();
});
