// The practice's services and places: an administrator adds a place and a service that runs
// there (the forms say what is wrong first), changes the service, finds it in the diaries'
// template form, a patient is offered it when they book, and not once it is stopped for now.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, ready, signInAs } from './support';

test.describe.configure({ timeout: 90_000 });

test('an administrator adds a place and a service, and patients are offered it', async ({ page }, testInfo) => {
  // Each run adds its own, so that the four projects (and repeated runs) never meet.
  const project = `${testInfo.project.name} ${Math.random().toString(36).slice(2, 6)}`;
  const place = `Kirkstall branch (${project})`;
  const service = `Physiotherapy (${project})`;
  const description = `Backs, knees and shoulders (${project}): an assessment and exercises to do at home.`;

  await signInAs(page, testInfo, 'administrator');
  await page.getByRole('link', { name: 'Services and places' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Services and places');
  await expect(page.getByRole('table', { name: "The practice's services" })).toContainText('GP appointment');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // A place: nothing entered first, then a postcode that is not one.
  await page.getByRole('link', { name: 'Add a place' }).click();
  await expect(page).toHaveTitle('Add a place – Services and places – Open Health');
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Save the place' }).click();
  const summary = page.getByRole('alert');
  for (const problem of [
    'Enter a name for the place',
    'Enter the first line of the address',
    'Enter the town or city',
    'Enter the postcode',
    'Enter the phone number patients should call',
  ]) {
    await expect(summary.getByRole('link', { name: problem })).toBeVisible();
  }
  await expect(page).toHaveTitle('Error: Add a place – Services and places – Open Health');
  await expectNoAxeViolations(page);
  await page.getByLabel('Name').fill(place);
  await page.getByLabel('Building and street', { exact: true }).fill('2 Kirkstall Road');
  await page.getByLabel('Town or city').fill('Leeds');
  await page.getByLabel('Postcode').fill('LS4');
  await page.getByLabel('Phone number').fill('0113 496 0123');
  await page.getByLabel('How to get there and in (optional)').fill('Ramp at the side door; bus 33 stops outside.');
  await page.getByRole('button', { name: 'Save the place' }).click();
  await expect(summary.getByRole('link', { name: 'Enter a real postcode, like LS6 2AB' })).toBeVisible();
  // Without JavaScript the form comes back as stored: enter it again.
  if (!testInfo.project.use.javaScriptEnabled) {
    await page.getByLabel('Name').fill(place);
    await page.getByLabel('Building and street', { exact: true }).fill('2 Kirkstall Road');
    await page.getByLabel('Town or city').fill('Leeds');
    await page.getByLabel('Phone number').fill('0113 496 0123');
  }
  await page.getByLabel('Postcode').fill('ls4 2bb');
  await page.getByRole('button', { name: 'Save the place' }).click();
  await expect(page.getByRole('heading', { name: `${place} saved` })).toBeVisible();
  const places = page.getByRole('table', { name: "The practice's places" });
  await expect(places.getByRole('row', { name: new RegExp(place.replace(/[()]/g, '\\$&')) })).toContainText('2 Kirkstall Road, Leeds, LS4 2BB');

  // A service that runs at the new place.
  await page.getByRole('link', { name: 'Add a service' }).click();
  await ready(page, testInfo);
  await page.getByLabel('Name').fill(service);
  await page.getByLabel('What it is for').fill(description);
  await page.getByLabel(place).check();
  await page.getByLabel('Online cancelling closes').fill('24');
  await page.getByRole('button', { name: 'Save the service' }).click();
  await expect(page.getByRole('heading', { name: `${service} saved` })).toBeVisible();
  const row = page.getByRole('table', { name: "The practice's services" }).getByRole('row', { name: new RegExp(service.replace(/[()]/g, '\\$&')) });
  await expect(row).toContainText(place);
  await expect(row).toContainText('24 hours before');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);

  // Changed: the form shows what is stored, and says what is wrong with the change.
  await page.getByRole('link', { name: `Change ${service}` }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Change ${service}`);
  await ready(page, testInfo);
  await expect(page.getByLabel('Name')).toHaveValue(service);
  await expect(page.getByLabel(place)).toBeChecked();
  await page.getByLabel('Online cancelling closes').fill('200');
  await page.getByRole('button', { name: 'Save the service' }).click();
  await expect(summary.getByRole('link', { name: 'The cut-off must be between 0 and 168 hours' })).toBeVisible();
  await expect(page).toHaveTitle('Error: Change a service – Services and places – Open Health');
  await expectNoAxeViolations(page);
  await page.getByLabel('Online cancelling closes').fill('48');
  await page.getByRole('button', { name: 'Save the service' }).click();
  await expect(page.getByRole('heading', { name: `${service} saved` })).toBeVisible();
  await expect(row).toContainText('48 hours before');

  // The diaries can open times for it at once.
  await page.goto('/availability/open');
  await ready(page, testInfo);
  await expect(page.getByLabel('Kind of appointment').locator('option', { hasText: service })).toHaveCount(1);
  await expect(page.getByLabel('Place', { exact: true }).locator('option', { hasText: place })).toHaveCount(1);

  // A patient choosing what to book is offered it, with what it is for.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/book');
  await ready(page, testInfo);
  await expect(page.getByLabel(service)).toBeVisible();
  await expect(page.getByText(description)).toBeVisible();
  await expectNoAxeViolations(page);

  // Stopped for now: patients are no longer offered it.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInAs(page, testInfo, 'administrator');
  await page.goto('/practice');
  await page.getByRole('link', { name: `Change ${service}` }).click();
  await ready(page, testInfo);
  await expect(page.getByLabel('Yes, patients can book it online')).toBeChecked();
  await page.getByLabel(/^No, not for now/).check();
  await page.getByRole('button', { name: 'Save the service' }).click();
  await expect(page.getByRole('heading', { name: `${service} saved` })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/book');
  await ready(page, testInfo);
  await expect(page.getByLabel('GP appointment')).toBeVisible();
  await expect(page.getByLabel(service)).toHaveCount(0);
});

test('clinicians and patients cannot change the services and places', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'clinician');
  await expect(page.getByRole('link', { name: 'Services and places' })).toHaveCount(0);
  await page.goto('/practice');
  await expect(page.getByText("Only the practice's administrators can change its services and places.")).toBeVisible();
  await page.goto('/practice/places/new');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Only the practice's administrators can change its services and places");
  await expect(page.getByRole('button', { name: 'Save the place' })).toHaveCount(0);
});
