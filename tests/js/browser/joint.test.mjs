// Two assessors who disagree: the joint judgement screen shows both sheets side by side and
// records the judgement that decides. And the app at 360 px and on a tablet, without
// sideways scrolling.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, EARLIER, browser, check, phone, session, signIn, startProeve } from './harness.mjs';

let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

test('assessors who disagree record a joint judgement side by side', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  let c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.maartje);
  c = (await office('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-10T08:00:00Z', end: '2026-12-10T11:00:00Z',
    place: { kind: 'school', location: 'Leerrestaurant' }, assessors: [DEMO.jo, DEMO.kees],
  })).body;
  const jo = await session(proeve.base, DEMO.jo);
  const kees = await session(proeve.base, DEMO.kees);
  const model = (await jo('GET', `/cases/${c.caseId}/model`)).body;
  const criteria = model.sections.flatMap((s) => s.criteria);
  const disputed = criteria[1];
  for (const [who, level] of [[jo, 2], [kees, 3]]) {
    const scores = criteria.map((cr) => ({ criterion: cr.code, level: cr === disputed ? level : 2 }));
    const r = await who('PUT', `/cases/${c.caseId}/sheets/mine`, { revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'ID-kaart', scores, timesReason: EARLIER });
    assert.equal(r.status, 200);
  }
  // Without a joint judgement the exam cannot be closed.
  assert.equal((await jo('POST', `/cases/${c.caseId}/judge`, { revision: c.revision })).status, 400);

  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.goto(`${proeve.app}#/case/${c.caseId}`);
  await page.getByRole('link', { name: 'Gezamenlijk oordeel' }).click();
  await page.getByRole('heading', { name: disputed.text }).waitFor();
  // Only the disputed criterion is asked, with both assessors' levels.
  assert.equal(await page.locator('main section').count(), 1);
  await page.getByText('Beoordelaar 2').waitFor();
  await page.locator(`input[name="j-${disputed.code}"][value="3"]`).check();
  await page.getByLabel('Toelichting').fill('Samen besproken: zelfstandig en foutloos');
  await page.getByLabel('Onderbouwing van het gezamenlijke oordeel').fill('Kees zag het serveren, Jo niet: het telt als goed.');
  await check(page, 'joint');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.getByText('Gezamenlijk oordeel opgeslagen.').waitFor();

  // Kees, on his own phone, confirms the joint judgement Jo recorded.
  const second = await phone(chromium);
  await signIn(second.page, proeve, 'Bakker, Kees');
  await second.page.goto(`${proeve.app}#/case/${c.caseId}/joint`);
  await second.page.getByLabel('Onderbouwing van het gezamenlijke oordeel').waitFor();
  assert.equal(await second.page.getByLabel('Onderbouwing van het gezamenlijke oordeel').inputValue(), 'Kees zag het serveren, Jo niet: het telt als goed.');
  await check(second.page, 'joint-confirm');
  await second.page.getByRole('button', { name: 'Gezamenlijk oordeel bevestigen' }).click();
  await second.page.getByText('Je staat achter dit gezamenlijke oordeel.').waitFor();
  const joint = (await kees('GET', `/cases/${c.caseId}/sheets`)).body.items.find((x) => x.sheet === 'joint');
  assert.deepEqual(joint.backedBy, [DEMO.jo, DEMO.kees]);
  assert.deepEqual(second.errors, []);
  await second.context.close();
  const judged = await jo('POST', `/cases/${c.caseId}/judge`, { revision: c.revision });
  assert.equal(judged.status, 200, JSON.stringify(judged.body));
  const raw = criteria.length * 2 + 1;
  assert.equal(judged.body.outcome.rawScore, raw, 'the joint level decides');
  assert.deepEqual(errors, []);
  await context.close();
});

test('no sideways scrolling at 360 px or on a tablet', async () => {
  for (const [name, viewport] of [['360', { width: 360, height: 740 }], ['tablet', { width: 820, height: 1180 }]]) {
    const context = await chromium.newContext({ viewport, locale: 'nl-NL', hasTouch: true });
    const page = await context.newPage();
    await signIn(page, proeve, 'El Amrani, Fatima');
    await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= viewport.width, `${name}: ${wide} px wide`);
    await check(page, `office-${name}`);
    await context.close();
  }
});

test('signed out: the app offers the ways in, and the demo page lists the people', async () => {
  const { context, page, errors } = await phone(chromium);
  await page.goto(proeve.app);
  await page.getByRole('heading', { name: 'Inloggen bij Demo ROC' }).waitFor();
  await check(page, 'signed-out');
  await page.getByRole('link', { name: 'Demo: kies wie je bent' }).click();
  await page.getByRole('button', { name: 'Damme, Maartje van' }).waitFor();
  await check(page, 'demo-sign-in');
  assert.deepEqual(errors, []);
  await context.close();
});

test('online, the summary shows the scoring engine\'s result', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  let c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  c = (await office('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-11T08:00:00Z', end: '2026-12-11T11:00:00Z',
    place: { kind: 'school', location: 'Leerrestaurant' }, assessors: [DEMO.jo, DEMO.kees],
  })).body;
  const jo = await session(proeve.base, DEMO.jo);
  const model = (await jo('GET', `/cases/${c.caseId}/model`)).body;
  const scores = model.sections.flatMap((s) => s.criteria).map((cr) => ({ criterion: cr.code, level: 2 }));
  // Scored earlier on another device: the phone picks the sheet up as its draft.
  const r = await jo('PUT', `/cases/${c.caseId}/sheets/mine`, { revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'ID-kaart', scores, timesReason: EARLIER });
  assert.equal(r.status, 200);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.goto(`${proeve.app}#/case/${c.caseId}/score/summary`);
  await page.getByText('Uitslag: 6.5 · Geslaagd').waitFor();
  await check(page, 'score-summary-online');
  assert.deepEqual(errors, []);
  await context.close();
});
