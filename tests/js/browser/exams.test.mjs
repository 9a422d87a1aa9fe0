// The exam committee approves (vaststellen) an exam for use at the school, and withdraws the
// approval with a reason; the SIS sees it in the catalogue (flow 0). At 360 px, in Dutch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, check, phone, signIn, startProeve } from './harness.mjs';

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
