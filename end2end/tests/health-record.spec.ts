// A patient reads their own health record on their phone: allergies first, then problems and
// medicines, from the practice's records.
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
