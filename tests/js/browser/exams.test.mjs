// The exam committee approves (vaststellen) an exam for use at the school, and withdraws the
// approval with a reason; the SIS sees it in the catalogue (flow 0). At 360 px, in Dutch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEMO, browser, check, phone, signIn, startProeve } from './harness.mjs';

let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

const approvedInCatalogue = async () => {
  const r = await proeve.sis('GET', '/components?approved=true');
  assert.equal(r.status, 200);
  return (await r.json()).items.map((c) => c.name[0].value);
};

test('the exam committee approves an exam for the school and withdraws it with a reason', async () => {
  assert.deepEqual(await approvedInCatalogue(), []);
  const { context, page, errors } = await phone(chromium);
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, proeve, 'Vermeulen, Pieter');
  await page.getByRole('link', { name: 'Examens van de school' }).click();
  await page.getByRole('heading', { name: 'Examens van de school' }).waitFor();
  const kok = page.locator('li.card', { hasText: 'Proeve van bekwaamheid Kok' });
  await kok.getByText('Niet vastgesteld').waitFor();
  await kok.getByText('crebo 25180 · niveau 2').waitFor();
  await check(page, 'committee-exams');
  await kok.getByRole('button', { name: 'Vaststellen voor de school' }).click();
  await kok.getByText(/Vastgesteld .* door Pieter Vermeulen/).waitFor();
  assert.deepEqual(await approvedInCatalogue(), ['Proeve van bekwaamheid Kok (niveau 2)']);
  await check(page, 'committee-exams-approved');
  // Withdrawn: a reason is asked, and shown.
  await kok.getByRole('button', { name: 'Vaststelling intrekken' }).click();
  await kok.getByLabel('Reden').fill('De leverancier bracht een nieuwe versie uit; nog niet beoordeeld.');
  await kok.getByRole('button', { name: 'Ja, intrekken' }).click();
  await kok.getByText('Niet vastgesteld').waitFor();
  await kok.getByText(/De leverancier bracht een nieuwe versie uit/).waitFor();
  assert.deepEqual(await approvedInCatalogue(), []);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the screen is ${wide} px wide`);
  assert.equal(await page.getByText(/[0-9a-f]{8}-[0-9a-f]{4}-/).count(), 0, 'no ids on the screen');
  assert.deepEqual(errors, []);
  await context.close();

  // The exam office reads along, without the committee's buttons.
  const desk = await phone(chromium);
  await signIn(desk.page, proeve, 'El Amrani, Fatima');
  await desk.page.getByRole('link', { name: 'Examens van de school' }).click();
  await desk.page.locator('li.card', { hasText: 'Proeve van bekwaamheid Kok' }).getByText('Niet vastgesteld').waitFor();
  assert.equal(await desk.page.getByRole('button', { name: 'Vaststellen voor de school' }).count(), 0);
  assert.deepEqual(desk.errors, []);
  await desk.context.close();
});

test('one exam for two enrolments of the SIS: the exam office sees both, and plans it once', async () => {
  // The SIS enrols Maartje for the same Kok exam under a second programme.
  const offering = randomUUID();
  const o = await proeve.sis('PUT', `/offerings/${offering}`, {
    offeringId: offering, primaryCode: { codeType: 'offeringCode', code: 'PVB-KOK2-BBL-2026' }, offeringType: 'component',
    name: [{ language: 'nl-NL', value: 'Proeve Kok niveau 2 - BBL 2026' }], description: [{ language: 'nl-NL', value: 'Planbare toets Kok, BBL' }],
    teachingLanguage: 'nld', modeOfDelivery: ['situated'], resultExpected: true, resultValueType: '0.0-10.0',
    startDateTime: '2026-11-30T08:00:00+01:00', endDateTime: '2027-01-29T17:00:00+01:00',
    consumers: [{ consumerKey: 'nl-test-admin', offeringState: 'active', finalResultsAllowed: true,
      testsToBeUsed: [{ testProvider: 'Proeve', componentId: '3f6b2a9e-7c41-4d8a-9e2f-1b5c8d7a6e40' }] }],
  });
  assert.ok(o.ok, `offering ${o.status}: ${await o.text()}`);
  const a = randomUUID();
  const e = await proeve.sis('PUT', `/associations/${a}`, {
    associationId: a, associationType: 'componentOfferingAssociation', role: 'student', state: 'associated',
    person: DEMO.maartje, offering, consumers: [{ consumerKey: 'nl-test-admin', attempt: 1, attemptLeft: 2 }],
  });
  assert.ok(e.ok, `association ${e.status}: ${await e.text()}`);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  // One exam for her, not two.
  assert.equal(await page.locator('.pipeline + ul.cards > li', { hasText: 'Damme, Maartje van' }).count(), 1);
  await page.locator('.pipeline + ul.cards > li', { hasText: 'Damme, Maartje van' }).getByRole('link').click();
  await page.getByText('Telt voor').waitFor();
  await page.getByText('Proeve Kok niveau 2 - periode 3 2026').waitFor();
  await page.getByText('Proeve Kok niveau 2 - BBL 2026').waitFor();
  await check(page, 'office-case-two-enrolments');
  assert.deepEqual(errors, []);
  await context.close();
});
