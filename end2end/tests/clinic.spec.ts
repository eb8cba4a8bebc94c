// The practice's clinic list: reception marks where patients are, and every open list follows
// without a reload; a mark that makes no sense yet is refused with an error summary.
import { expect, test } from '@playwright/test';
import { bookedWithDrOkafor, FhirClient } from './fhir-api';
import { countPageLoads, expectNoAxeViolations, expectNoHorizontalScroll, hydrated, ready, signIn, signInAs } from './support';

/** This minute, on the whole minute: an appointment starting now. */
function thisMinute() {
  const now = new Date();
  now.setSeconds(0, 0);
  return now;
}

test('reception marks a patient arrived and the clinician\'s open list shows it without a reload', async ({ page, browser, request, baseURL }, testInfo) => {
  const fhir = await FhirClient.connect(request);
  const patient = await bookedWithDrOkafor(fhir, thisMinute());

  // Dr Okafor has today's list open in a browser with JavaScript: her own, by default.
  const clinicianContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 768 }, javaScriptEnabled: true });
  const clinician = await clinicianContext.newPage();
  await signIn(clinician, true, 'clinician');
  await clinician.getByRole('link', { name: 'Clinic list' }).click();
  await expect(clinician.getByRole('heading', { level: 1 })).toContainText('Today,');
  await hydrated(clinician);
  const hers = clinician.getByRole('row').filter({ hasText: patient });
  await expect(hers.getByRole('cell').nth(2)).toHaveText('Booked');
  const loads = countPageLoads(clinician);

  // Reception (this project's browser) chooses her list and marks the patient arrived.
  await signInAs(page, testInfo, 'administrator');
  await page.goto('/clinic');
  await ready(page, testInfo);
  await expect(page).toHaveTitle(/^Clinic list, \w+day \d+ \w+ \d{4} – Open Health$/);
  await page.getByLabel('Clinician', { exact: true }).selectOption({ label: 'Dr Amara Okafor' });
  await page.getByRole('button', { name: 'Show list' }).click();
  await expect(page.getByRole('table')).toHaveAccessibleName(/ for Dr Amara Okafor \(\d+\)$/);
  const row = page.getByRole('row').filter({ hasText: patient });
  // Reception marks arrivals; consultation notes are the clinician's.
  await expect(row.getByRole('link', { name: /^Write a note/ })).toHaveCount(0);
  await expect(hers.getByRole('link', { name: /^Write a note/ })).toHaveCount(1);
  await row.getByLabel(`New status for ${patient}`).selectOption('Arrived');
  await row.getByRole('button', { name: `Save status for ${patient}` }).click();
  await expect(page.getByRole('row').filter({ hasText: patient }).getByRole('cell').nth(2)).toHaveText('Arrived');
  await expect(page).toHaveURL(/clinician=PractitionerRole/);
  await expectNoAxeViolations(page);

  // Her list followed, by itself, and said so.
  await expect(hers.getByRole('cell').nth(2)).toHaveText('Arrived', { timeout: 10_000 });
  await expect(clinician.getByRole('status')).toHaveText('The list has been updated.');
  expect(loads(), 'no reload').toBe(0);
  await clinicianContext.close();
});

test('marking a patient as not attending before their appointment has started is refused, and says why', async ({ page, request }, testInfo) => {
  const fhir = await FhirClient.connect(request);
  const tomorrow = new Date(thisMinute().getTime() + 24 * 3600_000);
  const patient = await bookedWithDrOkafor(fhir, tomorrow);
  const day = tomorrow.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

  await signInAs(page, testInfo, 'administrator');
  await page.goto(`/clinic?date=${day}&clinician=all`);
  await ready(page, testInfo);
  const row = page.getByRole('row').filter({ hasText: patient });
  // A long list scrolls sideways in its own box, never the page: a page wider than the phone
  // shifted what a tap met away from what was drawn (the Save button's place was another row's).
  await expectNoHorizontalScroll(page);
  await row.getByLabel(`New status for ${patient}`).selectOption('Did not attend');
  await row.getByRole('button', { name: `Save status for ${patient}` }).click();

  const summary = page.getByRole('alert');
  await expect(summary).toContainText('There is a problem');
  const message = 'A patient can be marked as did not attend only once their appointment has started';
  await expect(summary.getByRole('link', { name: message })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Clinic list/);
  await expect(page.getByRole('row').filter({ hasText: patient }).getByRole('cell').nth(2)).toHaveText('Booked');
  await expect(page.getByRole('row').filter({ hasText: patient })).toContainText(`Error: ${message}`);
  // The status chosen stays chosen in the row, to change or to save later.
  await expect(page.getByRole('row').filter({ hasText: patient }).getByLabel(`New status for ${patient}`).locator('option:checked')).toHaveText('Did not attend');
  await expectNoAxeViolations(page);
});

test('a patient who finds the clinic list is told it is for practice staff', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/clinic');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The clinic list is for practice staff');
  await expectNoAxeViolations(page);
});

test('a GP writes a consultation note from the clinic list, and it is in the record', async ({ page, request }, testInfo) => {
  const fhir = await FhirClient.connect(request);
  const patient = await bookedWithDrOkafor(fhir, thisMinute());
  await signInAs(page, testInfo, 'clinician');
  await page.goto('/clinic');
  await ready(page, testInfo);
  await page.getByRole('row').filter({ hasText: patient }).getByRole('link', { name: `Write a note for ${patient}` }).click();
  await expect(page).toHaveTitle(new RegExp(`^Write a consultation note – ${patient}`));
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Save the note' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Enter the consultation note' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel('Consultation note').fill('Cough for three weeks. Chest clear. Safety-netted.');
  await page.getByRole('button', { name: 'Save the note' }).click();
  await expect(page.getByRole('heading', { name: 'Consultation note saved' })).toBeVisible();
  const documents = page.getByRole('region', { name: 'Documents' });
  await expect(documents).toContainText('Consultation note,');
  await expect(documents).toContainText('by Dr Amara Okafor');
  await expect(documents).toContainText('Cough for three weeks. Chest clear. Safety-netted.');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
});
