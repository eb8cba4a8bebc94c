// Patients book, see and cancel appointments, on a phone and a laptop, with JavaScript and
// without: one question per page, errors in a summary that takes focus, a confirmation with a
// reference, and cancellation within the service's cut-off.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, ready, signInAs } from './support';

// Twelve pages, most with an axe scan (without JavaScript each scan copies the page into a second
// browser context): up to 46 s measured on a loaded two-core machine before the change step was added.
test.describe.configure({ timeout: 180_000 });

// The four projects share one server and its demo data, and run at the same time: each books as
// a patient of its own, on a day of its own, so that no project takes another's time.
const bookers: Record<string, { persona: string; day: number }> = {
  'phone-js': { persona: 'patient-p9', day: 1 },
  'phone-no-js': { persona: 'patient-b-p9', day: 2 },
  'laptop-js': { persona: 'proxy', day: 3 },
  'laptop-no-js': { persona: 'patient-c-p9', day: 4 },
};

async function continueOn(page: Page, testInfo: TestInfo) {
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('a patient books an appointment, moves it to another time and cancels it', async ({ page }, testInfo) => {
  const { persona, day } = bookers[testInfo.project.name];
  await signInAs(page, testInfo, persona);

  await page.getByRole('link', { name: 'Appointments', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appointments');
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Book an appointment' }).click();

  // 1. The kind of appointment: nothing chosen is an error that names the question.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('What kind of appointment do you need?');
  await expect(page).toHaveTitle('Choose the kind of appointment – Book an appointment – Open Health');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await continueOn(page, testInfo);
  await expect(page.getByRole('alert')).toContainText('Select the kind of appointment you need');
  await expect(page).toHaveTitle(/^Error: Choose the kind of appointment/);
  await expectNoAxeViolations(page);
  await page.getByLabel('GP appointment').check();
  await continueOn(page, testInfo);

  // 2. The day: the earliest first, each with how many times are free.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a day');
  await expect(page).toHaveTitle('Choose a day – Book an appointment – Open Health');
  await expectNoAxeViolations(page);
  const dayRadio = page.getByRole('radio').nth(day);
  const dayLabel = (await page.locator(`label[for="${await dayRadio.getAttribute('id')}"]`).innerText()).trim();
  await dayRadio.check();
  await continueOn(page, testInfo);

  // 3. The time, morning and afternoon apart, each naming the clinician and the place.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Choose a time on ${dayLabel}`);
  await expect(page).toHaveTitle('Choose a time – Book an appointment – Open Health');
  await expect(page.getByRole('heading', { name: 'Morning' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await continueOn(page, testInfo);
  await expect(page.getByRole('alert')).toContainText('Select a time');
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(page).toHaveTitle('Error: Choose a time – Book an appointment – Open Health');
  await ready(page, testInfo);
  const timeRadio = page.getByRole('radio').first();
  const timeId = await timeRadio.getAttribute('id');
  const time = (await page.locator(`label[for="${timeId}"]`).innerText()).trim();
  await timeRadio.check();
  await continueOn(page, testInfo);

  // 4. Check the answers; the time is kept meanwhile. Without a way to contact them: an error,
  // and what they wrote about the appointment is still there.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before booking');
  await expect(page).toHaveTitle('Check your answers – Book an appointment – Open Health');
  await expect(page.getByText(`${dayLabel}`, { exact: false }).first()).toBeVisible();
  await expect(page.getByText(time, { exact: false }).first()).toBeVisible();
  await expect(page.getByText(/We are keeping this time for you until/)).toBeVisible();
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  const about = 'A cough that has lasted three weeks';
  await page.getByLabel('What is the appointment about? (optional)').fill(about);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await expect(page.getByRole('alert')).toContainText('Select how we should contact you about this appointment');
  await expect(page.getByLabel('What is the appointment about? (optional)')).toHaveValue(about);
  await expect(page.getByRole('alert')).toBeFocused();
  await expect(page).toHaveTitle('Error: Check your answers – Book an appointment – Open Health');
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await page.getByLabel('Text message').check();
  await page.getByRole('button', { name: 'Book appointment' }).click();

  // 5. Booked: a reference to quote, and everything needed to get there.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointment booked');
  await expect(page).toHaveTitle('Appointment booked – Open Health');
  const reference = (await page.locator('.panel-confirmation strong').innerText()).trim();
  expect(reference).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await expect(page.getByText('A cough that has lasted three weeks')).toBeVisible();
  await expect(page.getByText(/step-free access/)).toBeVisible();
  // Nothing sends reminders yet, so the page promises none.
  await expect(page.getByText(/reminder/i)).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Add to your calendar' })).toHaveAttribute(
    'href',
    /\/appointments\/.+\/calendar\.ics$/,
  );
  await expectNoAxeViolations(page);

  // 6. The home page now leads with the next appointment and the ways to the rest; the list of
  // upcoming appointments has this one, with ways to change and cancel it.
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'Home', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your next appointment' })).toBeVisible();
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'See and manage your appointments' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appointments');
  const card = page.getByRole('listitem').filter({ hasText: reference });
  await expect(card).toContainText(dayLabel);
  await expect(card).toContainText(time);
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await card.getByRole('link', { name: /Change this appointment/ }).click();

  // 7. Move it to another time that day: the new one is booked and the old one cancelled together.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a day');
  await page.getByRole('radio').nth(day).check();
  await continueOn(page, testInfo);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Choose a time on ${dayLabel}`);
  await ready(page, testInfo);
  // The booked time is no longer free, so the first one offered is another (perhaps the same
  // hour with another clinician).
  await expect(page.locator(`[id="${timeId}"]`)).toHaveCount(0);
  const laterRadio = page.getByRole('radio').first();
  const laterTime = (await page.locator(`label[for="${await laterRadio.getAttribute('id')}"]`).innerText()).trim();
  await laterRadio.check();
  await continueOn(page, testInfo);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before booking');
  await expect(page.getByText('Your current appointment will be cancelled when you confirm')).toBeVisible();
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await page.getByRole('button', { name: 'Change appointment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointment changed');
  const newReference = (await page.locator('.panel-confirmation strong').innerText()).trim();
  expect(newReference).not.toEqual(reference);
  await expect(page.getByText('A cough that has lasted three weeks')).toBeVisible();
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'See and manage your appointments' }).click();
  const upcoming = page.getByRole('region', { name: 'Upcoming' });
  await expect(upcoming.getByRole('listitem').filter({ hasText: newReference })).toContainText(laterTime);
  await expect(upcoming.getByRole('listitem').filter({ hasText: reference })).toHaveCount(0);
  const pastList = page.getByRole('region', { name: 'Past and cancelled' });
  await expect(pastList.getByRole('listitem').filter({ hasText: reference })).toContainText('Cancelled');

  // 8. Cancel the new one: the time goes back, and the list says it is cancelled.
  await ready(page, testInfo);
  await upcoming
    .getByRole('listitem')
    .filter({ hasText: newReference })
    .getByRole('link', { name: /Cancel this appointment/ })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cancel your appointment');
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await page.getByLabel('Why are you cancelling? (optional)').fill('Feeling better');
  await page.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointment cancelled');
  await expect(page.getByText('Feeling better')).toBeVisible();
  await expectNoAxeViolations(page);
  await ready(page, testInfo);
  await page.getByRole('link', { name: 'See your appointments' }).click();
  const past = page.getByRole('region', { name: 'Past and cancelled' });
  await expect(past.getByRole('listitem').filter({ hasText: newReference })).toContainText('Cancelled');
});

test('a patient whose identity is not fully checked is told why they cannot book', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p5');
  await page.goto('/book');
  await expect(page.getByText('You need to prove who you are before you can book appointments online.')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('signed out, booking asks you to sign in', async ({ page }) => {
  await page.goto('/book');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to continue');
  await expectNoAxeViolations(page);
});
