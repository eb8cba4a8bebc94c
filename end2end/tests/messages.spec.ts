// Messages with the practice: a patient writes (a problem comes back in an error summary with
// what was typed kept), the practice's office finds it in its inbox, takes it and replies, and the
// patient reads the reply.
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll, javaScriptOn, ready, signIn, signInAs } from './support';

// Two people's pages with an axe scan each (without JavaScript each scan copies the page into a
// second browser context). Measured: 20–31 s on a loaded CI machine, so the default 30 s is too close.
test.describe.configure({ timeout: 90_000 });

test('a patient writes to the practice, the office replies from its inbox, and the patient reads it', async ({ page, browser, baseURL }, testInfo) => {
  // Unique to this run: projects run side by side on one server.
  const subject = `Fit note ${Math.random().toString(36).slice(2, 8)}`;
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/');
  await page.getByRole('link', { name: 'Send a message to the practice' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Messages');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Write to the practice' }).click();
  await expect(page).toHaveTitle('Write to the practice – Messages – Open Health');
  await ready(page, testInfo);

  // Only the message typed: the rest is asked for, and the message kept.
  await page.getByLabel('Your message').fill('Can I have a fit note for last week?');
  await page.getByRole('button', { name: 'Send message' }).click();
  const summary = page.getByRole('alert');
  await expect(summary.getByRole('link', { name: 'Select what your message is about' })).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Enter a subject' })).toBeVisible();
  await expect(page).toHaveTitle(/^Error: Write to the practice/);
  await expect(page.getByLabel('Your message')).toHaveValue('Can I have a fit note for last week?');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page, { alsoWithTextAt: 200 });

  await page.getByLabel('Admin, such as a sick note, a letter or your details').check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByRole('status')).toHaveText('Your message has been sent');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expect(page.getByText('Can I have a fit note for last week?')).toBeVisible();
  await expectNoAxeViolations(page);

  // The office, on a laptop (scripts as in this run), finds it unassigned, takes it and replies.
  const scripts = javaScriptOn(testInfo);
  const officeContext = await browser.newContext({ baseURL, viewport: { width: 1366, height: 768 }, javaScriptEnabled: scripts });
  const office = await officeContext.newPage();
  await signIn(office, scripts, 'administrator');
  await office.getByRole('link', { name: 'Inbox' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Inbox');
  await expectNoAxeViolations(office);
  await office.getByRole('link', { name: subject }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expect(office.getByText('999 000 0018')).toBeVisible();
  await ready(office, testInfo);
  await office.getByRole('button', { name: 'Assign to me' }).click();
  await expect(office.getByRole('status')).toHaveText('The conversation is assigned to you');
  await ready(office, testInfo);
  await office.getByLabel('Reply').fill('Yes. It will be ready to collect on Friday.');
  await office.getByRole('button', { name: 'Send reply' }).click();
  await expect(office.getByRole('status')).toHaveText('Your message has been sent');
  await expectNoAxeViolations(office);
  await officeContext.close();

  // The patient sees that the practice has replied, and reads it.
  await page.goto('/messages');
  const conversation = page.getByRole('listitem').filter({ hasText: subject });
  await expect(conversation).toContainText('Message from the practice');
  await conversation.getByRole('link', { name: subject }).click();
  await expect(page.getByText('Yes. It will be ready to collect on Friday.')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('a patient who finds the inbox is told it is for the practice', async ({ page }, testInfo) => {
  await signInAs(page, testInfo, 'patient-p9');
  await page.goto('/inbox');
  await expect(page.getByText('The inbox is for the practice\'s staff.')).toBeVisible();
  await expectNoAxeViolations(page);
});

test('the practice\'s office finds a patient and writes to them', async ({ page }, testInfo) => {
  const subject = `Your results ${Math.random().toString(36).slice(2, 8)}`;
  await signInAs(page, testInfo, 'administrator');
  await page.goto('/patients');
  await ready(page, testInfo);
  await page.getByLabel('NHS number').fill('999 000 0018');
  await page.getByRole('button', { name: 'Search by NHS number' }).click();
  await page.getByRole('link', { name: 'Send them a message' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Send a message to Oliver Evans');
  await ready(page, testInfo);
  await expectNoAxeViolations(page);
  await page.getByLabel('Test results').check();
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Your message').fill('Please book a review of your blood test.');
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByRole('status')).toHaveText('Your message has been sent');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
  await expectNoAxeViolations(page);
});
