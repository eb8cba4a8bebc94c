// Emails from the practice: a patient chooses what they are emailed about; the practice's office
// cancels an appointment for the practice (with a reason the patient reads) and sees the emails
// the mail server refused. (What arrives by email is checked against a real SMTP server in
// server/tests/api/notifications.rs.)
import { expect, test } from '@playwright/test';
import { bookedWithDrOkafor, FhirClient } from './fhir-api';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

test('a patient chooses the emails we send them, and the page keeps the choice', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/');
  await page.getByRole('link', { name: 'Choose the emails we send you' }).click();
  await expect(page).toHaveTitle('Emails we send you – Open Health');
  await ready(page, testInfo);
  // Where emails go: the address on the patient's record.
  await expect(page.getByText('We send emails to oliver.evans@example.com')).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  // Every run makes the same choice, so that runs in parallel agree on what is kept.
  const appointments = page.getByRole('checkbox', { name: 'Appointments' });
  const emergency = page.getByRole('checkbox', { name: 'Your record opened in an emergency' });
  await appointments.check();
  await emergency.uncheck();
  await page.getByRole('button', { name: 'Save your choices' }).click();
  await expect(page.getByRole('status')).toContainText('Your choices are saved');
  await expect(page).toHaveURL(/\/settings\/emails\?saved=yes$/);
  await expect(appointments).toBeChecked();
  await expect(emergency).not.toBeChecked();
  await expectNoAxeViolations(page);
});

test('the practice cancels an appointment for a patient, giving a reason, and is told to contact them', async ({ page, request }, testInfo) => {
  const fhir = await FhirClient.connect(request);
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  tomorrow.setSeconds(0, 0);
  const patient = await bookedWithDrOkafor(fhir, tomorrow);
  const day = tomorrow.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

  await signInAs(page, testInfo, 'administrator');
  await page.goto(`/clinic?date=${day}&clinician=all`);
  await ready(page, testInfo);
  await page.getByRole('row').filter({ hasText: patient }).getByRole('link', { name: `Cancel appointment for ${patient}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cancel an appointment for the practice');
  await expect(page.getByRole('definition').filter({ hasText: patient })).toBeVisible();
  await ready(page, testInfo);

  // No reason: refused, and the patient's appointment stands.
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: 'Enter why the practice is cancelling the appointment' })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Cancel an appointment for the practice/);
  await expectNoAxeViolations(page);

  await page.getByLabel('Why is the practice cancelling it?').fill('Dr Okafor is away on a course');
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointment cancelled');
  await expect(page.getByText(`${patient} has not been told. Contact them to tell them`)).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Dr Okafor is away on a course' })).toBeVisible();
  await expectNoAxeViolations(page);

  // Off the clinic list's bookings, and the time is free again.
  await page.goto(`/clinic?date=${day}&clinician=all`);
  await expect(page.getByRole('row').filter({ hasText: patient })).toHaveCount(0);
});

test('the practice\'s office sees the emails that could not be sent', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'administrator');
  await page.goto('/practice');
  await page.getByRole('link', { name: 'Emails that could not be sent' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Emails that could not be sent');
  // The demo sends no email (no mail server is set), so none has failed.
  await expect(page.getByText('Every email has been sent.')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('a patient who finds the office\'s pages is told they are for the practice', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/practice/emails');
  await expect(page.getByText('Only the practice\'s administrators can see the emails')).toBeVisible();
  await expectNoAxeViolations(page);
});
