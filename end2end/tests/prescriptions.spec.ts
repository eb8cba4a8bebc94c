// Repeat prescriptions: a patient orders a repeat medicine for a pharmacy (a problem comes back in
// an error summary), a medicine due for review is set apart with why, a GP of the practice finds
// the request in the queue and approves it (a refusal needs a reason), and the patient reads it.
import { expect, test } from '@playwright/test';
import { FhirClient } from './fhir-api';
import { expectNoAxeViolations, expectNoHorizontalScroll, javaScriptOn, ready, signIn, signInAs } from './support';

// Two people's pages with an axe scan each (without JavaScript each scan copies the page into a
// second browser context). Measured: 18–30 s on a loaded CI machine, so the default 30 s is too close.
test.describe.configure({ timeout: 90_000 });

test('a patient orders a repeat prescription, a GP approves it, and the patient reads where it went', async ({ page, browser, baseURL, request }, testInfo) => {
  // A repeat of the demo patient's own, unique to this run: projects run side by side on one server.
  const fhir = await FhirClient.connect(request);
  const [patient] = await fhir.search('Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018');
  const medicine = `Amlodipine 5mg tablets, batch ${Math.random().toString(36).slice(2, 8)}`;
  await fhir.create({
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    courseOfTherapyType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' }] },
    medicationCodeableConcept: { text: medicine },
    subject: { reference: `Patient/${patient.id}` },
    dosageInstruction: [{ text: 'One tablet each morning' }],
  });

  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/');
  await page.getByRole('link', { name: 'Order a repeat prescription' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Repeat prescriptions');
  await expect(page.getByRole('heading', { name: 'Due for a review' })).toBeVisible();
  await expect(page.getByText('Clenil Modulite 100micrograms/dose inhaler')).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  // Nothing ticked: the error summary says so, and the note typed stays.
  await ready(page, testInfo);
  await page.getByLabel('Anything the practice should know? (optional)').fill('Going away on Friday');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Select the medicines you need' })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Repeat prescriptions/);
  await expect(page.getByLabel('Anything the practice should know? (optional)')).toHaveValue('Going away on Friday');
  await expectNoAxeViolations(page);

  await page.getByLabel(medicine).check();
  await page.getByLabel('Boots, High Street').check();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByRole('status')).toContainText('Your request has been sent');
  const request_ = page.getByRole('listitem').filter({ hasText: medicine });
  await expect(request_).toContainText('Requested');
  await expect(page.getByLabel(medicine)).toHaveCount(0);
  await expectNoAxeViolations(page);

  // A GP of the practice, on a laptop (scripts as in this run), decides it.
  const scripts = javaScriptOn(testInfo);
  const gpContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 768 }, javaScriptEnabled: scripts });
  const gp = await gpContext.newPage();
  await signIn(gp, scripts, 'clinician');
  await gp.getByRole('link', { name: 'Prescriptions' }).click();
  await expect(gp.getByRole('heading', { level: 1 })).toHaveText('Prescription requests');
  await expectNoAxeViolations(gp);
  await gp.getByRole('link', { name: medicine }).click();
  await expect(gp.getByRole('heading', { level: 1 })).toHaveText(medicine);
  await expect(gp.getByText('Going away on Friday')).toBeVisible();
  await expect(gp.getByText('999 000 0018')).toBeVisible();
  await ready(gp, testInfo);
  await gp.getByLabel('Refuse').check();
  await gp.getByRole('button', { name: 'Save decision' }).click();
  await expect(gp.getByRole('alert').getByRole('link', { name: 'Enter the reason for refusing, which the patient will read' })).toBeVisible();
  await expect(gp).toHaveTitle(/^Error: /);
  await expectNoAxeViolations(gp);
  await ready(gp, testInfo);
  await gp.getByLabel('Approve').check();
  await gp.getByRole('button', { name: 'Save decision' }).click();
  await expect(gp.getByRole('status')).toHaveText("The request is approved and sent to the patient's pharmacy");
  await expect(gp.getByRole('link', { name: medicine })).toHaveCount(0);
  await gpContext.close();

  // The patient reads where it went.
  await page.goto('/prescriptions');
  await expect(page.getByRole('listitem').filter({ hasText: medicine })).toContainText('Approved: sent to Boots, High Street');
  await expectNoAxeViolations(page);
});

test('a patient who finds the prescription requests is told they are for the practice', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/prescriptions/requests');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("This is for the practice's staff");
  await expectNoAxeViolations(page);
});
