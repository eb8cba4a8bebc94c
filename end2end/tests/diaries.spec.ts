// The practice's diaries: an administrator opens six weeks of mornings from a template (exactly
// the times it describes), then blocks time off over a booked appointment, which is listed for
// someone to rearrange, never cancelled.
import { expect, test } from '@playwright/test';
import { bookedWith, FhirClient, londonTime } from './fhir-api';
import { expectNoAxeViolations, ready, signInAs } from './support';

test.describe.configure({ timeout: 90_000 });

// Each project works on its own clinician's diary, past the seeded four weeks, so that the
// template meets no time already there.
const clinicians: Record<string, { name: string; sdsUserId: string }> = {
  'phone-js': { name: 'Dr Amara Okafor', sdsUserId: '555000000000' },
  'phone-no-js': { name: 'Dr James Whitfield', sdsUserId: '555000000001' },
  'laptop-js': { name: 'Dr Priya Raman', sdsUserId: '555000000002' },
  'laptop-no-js': { name: 'Nurse Sarah Collins', sdsUserId: '555000000003' },
};

test('a template opens exactly its times, and time off over a booked appointment lists it instead of cancelling it', async ({ page, request }, testInfo) => {
  const { name, sdsUserId } = clinicians[testInfo.project.name];
  const firstDay = new Date(Date.now() + 35 * 24 * 3600_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

  await signInAs(page, testInfo, 'administrator');
  await page.getByRole('link', { name: 'Diaries' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Diaries');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Open appointment times' }).click();
  await expect(page).toHaveTitle('Open appointment times – Diaries – Open Health');
  await ready(page, testInfo);

  // Mondays to Fridays (ticked already), 9am to 12pm, 10-minute appointments; 20 weeks is too many.
  await page.getByLabel('Clinician').selectOption({ label: name });
  await page.getByLabel('Kind of appointment').selectOption({ label: 'GP appointment' });
  await page.getByLabel('First day').fill(firstDay);
  await page.getByLabel('For how many weeks').fill('20');
  await page.getByRole('button', { name: 'Open appointment times' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: 'Enter a number of weeks between 1 and 12' })).toBeVisible();
  await expect(page).toHaveTitle('Error: Open appointment times – Diaries – Open Health');
  await expectNoAxeViolations(page);
  // Everything chosen is still chosen, with JavaScript and without: only the weeks to correct.
  await expect(page.getByLabel('Clinician').locator('option:checked')).toHaveText(name);
  await expect(page.getByLabel('Kind of appointment').locator('option:checked')).toHaveText('GP appointment');
  await expect(page.getByLabel('First day')).toHaveValue(firstDay);
  await expect(page.getByLabel('For how many weeks')).toHaveValue('20');
  await expect(page.getByLabel('Saturday')).not.toBeChecked();
  await expect(page.getByLabel('Friday')).toBeChecked();

  await page.getByLabel('For how many weeks').fill('6');
  await page.getByRole('button', { name: 'Open appointment times' }).click();
  // 5 days × 6 weeks × 18 ten-minute times from 9 to 12.
  await expect(page.getByRole('heading', { name: '540 appointment times opened' })).toBeVisible();
  await expect(page.getByRole('table')).toContainText(name);
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // A patient is booked at 9:30 on a weekday of the new times (another system booked it).
  const fhir = await FhirClient.connect(request);
  let day = new Date(`${firstDay}T12:00:00Z`);
  while ([0, 6].includes(day.getUTCDay())) day = new Date(day.getTime() + 24 * 3600_000);
  const weekday = day.toISOString().slice(0, 10);
  const patient = await bookedWith(fhir, sdsUserId, londonTime(weekday, '09:30'));

  await page.goto('/availability/block');
  await ready(page, testInfo);
  await page.getByLabel('Clinician').selectOption({ label: name });
  await page.getByLabel('From (day)').fill(weekday);
  await page.getByLabel('From (time)').fill('09:00');
  await page.getByLabel('Until (day)').fill(weekday);
  await page.getByLabel('Until (time)').fill('10:00');
  await page.getByLabel('Why').fill('Training');
  await page.getByRole('button', { name: 'Block time off' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Time off blocked');
  // Six free ten-minute times from 9 to 10 closed; the booked patient is listed, still booked.
  await expect(page.getByText('6 free times closed.')).toBeVisible();
  await expect(page.getByRole('heading', { name: '1 appointment is still booked in that time' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Appointments still booked' })).toContainText(patient);
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // Still on that day's clinic list, still booked.
  await page.goto(`/clinic?date=${weekday}&clinician=all`);
  await expect(page.getByRole('row').filter({ hasText: patient }).getByRole('cell').nth(2)).toHaveText('Booked');
});
