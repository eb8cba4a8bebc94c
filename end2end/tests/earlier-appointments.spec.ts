// Earlier appointments: a patient with an appointment asks to be told of an earlier time; another
// system cancels someone else's earlier one through the FHIR API; the patient's home page offers
// it, and taking it moves their appointment there, the later one cancelled.
import { expect, test } from '@playwright/test';
import { clinician, FhirClient } from './fhir-api';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

const SERVICE_KIND = 'https://fhir.openhealth.example/CodeSystem/service-kind';
const DAY = 24 * 60 * 60_000;

// Several pages with an axe scan each, and the wait for the offer.
test.describe.configure({ timeout: 90_000 });

/** An instant as the server writes it: whole seconds, in UTC. */
const instant = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

test('a patient asks for an earlier appointment, is offered one that frees up, and takes it', async ({ page, request }, testInfo) => {
  // A service of this run's own, so that the projects running side by side never meet: waiting
  // is per service. Its times are early in the morning, a minute apart per project.
  const run = Math.random().toString(36).slice(2, 6);
  const code = `travel-${run}`;
  const service = `Travel vaccinations (${testInfo.project.name} ${run})`;
  const serviceType = [{ coding: [{ system: SERVICE_KIND, code }], text: service }];
  const fhir = await FhirClient.connect(request);
  const { role, organization } = await clinician(fhir);
  const [roleResource] = await fhir.search(`PractitionerRole?_id=${role.split('/')[1]}`);
  const location = roleResource.location[0].reference;
  await fhir.create({
    resourceType: 'HealthcareService',
    active: true,
    providedBy: { reference: organization },
    type: serviceType,
    name: service,
    location: [{ reference: location }],
  });
  const schedule = await fhir.create({
    resourceType: 'Schedule',
    active: true,
    serviceType,
    actor: [{ reference: role }, { reference: location }],
  });
  const minute = Math.floor(Math.random() * 50);
  const at = (days: number) => {
    const day = new Date(Date.now() + days * DAY);
    day.setUTCHours(6, minute, 0, 0);
    return day;
  };
  const slot = (start: Date) => fhir.create({
    resourceType: 'Slot',
    serviceType,
    schedule: { reference: `Schedule/${schedule.id}` },
    status: 'free',
    start: instant(start),
    end: instant(new Date(start.getTime() + 10 * 60_000)),
  });
  const [earlyStart, lateStart] = [at(3), at(12)];
  const [early, late] = [await slot(earlyStart), await slot(lateStart)];
  const book = (patient: string, slotId: string) => fhir.create({
    resourceType: 'Appointment',
    status: 'booked',
    serviceType,
    slot: [{ reference: `Slot/${slotId}` }],
    participant: [
      { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
      { actor: { reference: role }, status: 'accepted' },
    ],
  });
  // Someone else has the earlier time; the demo patient has the later one.
  const someoneElse = await fhir.create({
    resourceType: 'Patient',
    name: [{ use: 'official', family: `Test${run}`, given: ['Robin'] }],
    gender: 'unknown',
    birthDate: '1970-01-01',
    generalPractitioner: [{ reference: organization }],
  });
  const theirs = await book(someoneElse.id, early.id);
  const [patient] = await fhir.search('Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018');
  await book(patient.id, late.id);

  // The patient asks to be told of an earlier time.
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/appointments');
  const upcoming = page.getByRole('region', { name: 'Upcoming' });
  const mine = upcoming.getByRole('listitem').filter({ hasText: service });
  await expect(mine.locator('time')).toHaveAttribute('datetime', instant(lateStart));
  await ready(page, testInfo);
  await mine.getByRole('button', { name: /^Tell me if an earlier time comes up/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'We will tell you if an earlier time comes up' })).toBeVisible();
  await expect(mine.getByRole('button', { name: /^Stop looking for an earlier time/ })).toBeVisible();
  await expectNoAxeViolations(page);

  // Another system cancels the earlier appointment: the home page offers its time as soon as the
  // server has heard of it.
  await fhir.update({ ...theirs, status: 'cancelled' });
  const offer = page
    .getByRole('region', { name: 'Earlier appointments' })
    .getByRole('listitem')
    .filter({ has: page.locator(`time[datetime="${instant(earlyStart)}"]`) });
  await expect(async () => {
    await page.goto('/');
    await expect(offer).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(offer).toContainText('The first person to take it gets it');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  // Taking it moves the appointment: the earlier time booked, the later one cancelled.
  await ready(page, testInfo);
  await offer.getByRole('button', { name: /^Take this time/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointment changed');
  await expectNoAxeViolations(page);
  await page.goto('/appointments');
  await expect(mine.locator('time')).toHaveAttribute('datetime', instant(earlyStart));
  const cancelled = page.getByRole('region', { name: 'Past and cancelled' }).getByRole('listitem').filter({ hasText: service });
  await expect(cancelled.locator('time')).toHaveAttribute('datetime', instant(lateStart));
  await expect(cancelled).toContainText('Cancelled');
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Earlier appointments' }).filter({ has: page.locator(`time[datetime="${instant(earlyStart)}"]`) })).toHaveCount(0);
});
