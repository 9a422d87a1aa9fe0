// A conflict shown to the assessor, never overwritten silently; the exam office's pipeline,
// a correction with a reason and the audit trail; the committee finalising; English.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, EARLIER, allSent, browser, check, phone, session, signIn, startProeve } from './harness.mjs';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

async function planned(office, who) {
  const c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === who);
  const r = await office('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-09T08:00:00Z', end: '2026-12-09T11:00:00Z',
    place: { kind: 'school', location: 'Leerrestaurant' }, assessors: [DEMO.jo, DEMO.kees],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

test('a stale save becomes a conflict the assessor resolves', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  const c = await planned(office, DEMO.yilmaz);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.goto(`${proeve.app}#/case/${c.caseId}/score/attendance`);
  await page.getByLabel('Aanwezig').check();
  await page.getByRole('button', { name: /Volgende/ }).click();
  const model = (await office('GET', `/cases/${c.caseId}/model`)).body;
  const code = model.sections[0].criteria[0].code;
  await page.locator(`input[name="c-${code}"][value="2"]`).check();
  await allSent(page);

  // Offline, Jo changes the score; meanwhile the same sheet is changed elsewhere.
  await context.setOffline(true);
  await page.locator(`input[name="c-${code}"][value="3"]`).check();
  const elsewhere = await session(proeve.base, DEMO.jo);
  const mine = (await elsewhere('GET', `/cases/${c.caseId}/sheets`)).body.items.find((s) => s.sheet === 'mine');
  const r = await elsewhere('PUT', `/cases/${c.caseId}/sheets/mine`, {
    revision: mine.revision, scores: [{ criterion: code, level: 1, note: 'op papier ingevuld' }],
  });
  assert.equal(r.status, 200);
  await context.setOffline(false);
  await page.locator('#sync', { hasText: 'Actie nodig' }).waitFor({ timeout: 45000 });

  await page.evaluate(() => { location.hash = '#/sync'; });
  await page.getByText('Iemand anders heeft dit intussen gewijzigd.').waitFor();
  await check(page, 'sync-conflict');
  await page.getByRole('button', { name: 'Mijn versie bewaren' }).click();
  await allSent(page);
  const now = (await elsewhere('GET', `/cases/${c.caseId}/sheets`)).body.items.find((s) => s.sheet === 'mine');
  assert.equal(now.scores.find((s) => s.criterion === code).level, 3, 'the version Jo chose');
  assert.ok(now.revision > mine.revision + 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the exam office changes the assessors of a scored exam with a reason, in the trail', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  // Yilmaz's exam: planned with Jo and Kees, and Jo has scored (the test above).
  const c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.goto(`${proeve.app}#/case/${c.caseId}/plan`);
  const reason = page.getByLabel('Waarom wijzigen de beoordelaars? (Verplicht zodra er beoordeeld is.)');
  await reason.waitFor();
  await check(page, 'replan-office');
  await page.getByRole('checkbox', { name: 'Jong, Jo de' }).uncheck();
  await page.getByRole('checkbox', { name: 'Jong, Jo de' }).check();
  await reason.fill('Jo en Kees wisselen van rol');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/#\/case\/[^/]+$/);
  // The change goes through the phone's outbox: wait until the server has it.
  let last;
  for (let i = 0; i < 100 && last?.action !== 'replanned'; i++) {
    if (i) await new Promise((r) => setTimeout(r, 200));
    const trail = (await office('GET', `/cases/${c.caseId}/audit`)).body.items;
    last = trail[trail.length - 1];
  }
  await allSent(page);
  assert.equal(last.action, 'replanned');
  assert.equal(last.reason, 'Jo en Kees wisselen van rol');
  assert.deepEqual(last.after.assessors, [DEMO.kees, DEMO.jo]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the exam office sees the pipeline, corrects with a reason; the committee finalises', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  const c = await planned(office, DEMO.maartje);
  const jo = await session(proeve.base, DEMO.jo);
  const kees = await session(proeve.base, DEMO.kees);
  const model = (await jo('GET', `/cases/${c.caseId}/model`)).body;
  const scores = model.sections.flatMap((s) => s.criteria).map((cr) => ({ criterion: cr.code, level: 2 }));
  for (const who of [jo, kees]) {
    const r = await who('PUT', `/cases/${c.caseId}/sheets/mine`, { revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'ID-kaart', scores, timesReason: EARLIER });
    assert.equal(r.status, 200);
  }
  // Both finish; the exam is judged once the second has.
  for (const who of [jo, kees]) assert.equal((await who('POST', `/cases/${c.caseId}/judge`, { revision: c.revision })).status, 200);
  for (const [who, role] of [[jo, 'assessor'], [kees, 'assessor'], [jo, 'candidate']]) {
    assert.equal((await who('POST', `/cases/${c.caseId}/signatures`, { role, image: PNG })).status, 200);
  }

  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  await check(page, 'office-pipeline');
  await page.getByRole('button', { name: /getekend/ }).click();
  await page.getByRole('link', { name: /Damme, Maartje van/ }).click();
  await check(page, 'office-case');
  await page.getByRole('link', { name: 'Corrigeren' }).click();
  await page.getByRole('heading', { name: 'Corrigeren' }).waitFor();
  const first = model.sections[0].criteria[0].code;
  await page.locator(`input[name="k-${first}"][value="3"]`).check();
  await page.getByLabel('Reden').fill('Telfout bij criterium 1, vastgesteld na bezwaar');
  await page.getByLabel('Besluit van de examencommissie').check();
  await check(page, 'office-correction');
  await page.getByRole('button', { name: 'Corrigeren' }).click();
  await page.getByText('Telfout bij criterium 1, vastgesteld na bezwaar').waitFor();
  await page.getByRole('link', { name: 'Logboek' }).click();
  // The trail in people's words: names, Dutch verbs, the criterion with before → after.
  await page.getByText('corrigeerde de uitslag').waitFor();
  await page.getByText(/El Amrani|Fatima El Amrani/).first().waitFor();
  await page.getByText('27 criteria').first().click();
  await page.getByText(`${model.sections[0].criteria[0].text}: – → 2`).first().waitFor();
  await page.getByText(/versie 2: 6,5 · Geslaagd → 6,\d · Geslaagd/).waitFor();
  await page.getByText(/beoordeelde/).first().waitFor();
  // What a sitting changed besides the scores, in words.
  await page.getByText('Aanwezigheid: Aanwezig').first().waitFor();
  assert.equal(await page.getByText(/[0-9a-f]{8}-[0-9a-f]{4}-/).count(), 0, 'no ids in the trail');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 412, `the trail is ${wide} px wide`);
  await check(page, 'office-audit');
  // English on request.
  await page.getByRole('button', { name: 'EN' }).click();
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
  await check(page, 'office-audit-en');
  await page.getByRole('button', { name: 'NL' }).click();
  assert.deepEqual(errors, []);
  await context.close();

  const committee = await phone(chromium);
  await signIn(committee.page, proeve, 'Vermeulen, Pieter');
  await committee.page.getByRole('heading', { name: 'Vaststellen' }).waitFor();
  // Each exam with what to look at, and the way to its record.
  await committee.page.getByText('Gecorrigeerd', { exact: true }).waitFor();
  await committee.page.getByText('Anders dan gepland', { exact: true }).first().waitFor();
  await committee.page.getByRole('link', { name: 'Examen, formulier en proces-verbaal' }).first().waitFor();
  await check(committee.page, 'committee');
  await committee.page.getByLabel('Alles selecteren').check();
  await committee.page.getByRole('button', { name: /Geselecteerde vaststellen \(\d+\)/ }).click();
  // Asked once more, naming what is determined.
  await committee.page.getByText(/Je stelt \d+ uitslag\(en\) vast namens de examencommissie/).waitFor();
  await check(committee.page, 'committee-confirm');
  await committee.page.getByRole('button', { name: 'Ja, vaststellen' }).click();
  await committee.page.getByText('Niets om vast te stellen.').waitFor();
  // What was determined, when and by whom.
  await committee.page.getByRole('heading', { name: 'Vastgesteld' }).waitFor();
  await committee.page.getByText(/door Pieter Vermeulen/).first().waitFor();
  await committee.page.getByText('1 uitslag(en) vastgesteld.').waitFor();
  assert.equal(await committee.page.getByText('null', { exact: true }).count(), 0);
  await check(committee.page, 'committee-done');
  const after = (await office('GET', `/cases/${c.caseId}`)).body;
  assert.equal(after.state, 'final');
  assert.equal(after.corrections.length, 1);
  assert.deepEqual(committee.errors, []);
  await committee.context.close();

  // Jo signed before the correction: the app tells him, and he countersigns it.
  const assessor = await phone(chromium);
  await signIn(assessor.page, proeve, 'Jong, Jo de');
  await assessor.page.getByRole('heading', { name: 'Correcties om mede te ondertekenen' }).waitFor();
  await assessor.page.getByRole('link', { name: /Damme, Maartje van/ }).first().click();
  await assessor.page.getByText('Telfout bij criterium 1, vastgesteld na bezwaar').waitFor();
  await check(assessor.page, 'assessor-countersign');
  await assessor.page.getByRole('button', { name: /medeondertekenen/ }).click();
  await assessor.page.getByText(/Medeondertekend door Jong, Jo de/).waitFor();
  assert.equal(await assessor.page.getByRole('button', { name: /medeondertekenen/ }).count(), 0);
  assert.deepEqual(assessor.errors, []);
  await assessor.context.close();

  // The demo's own SIS (on the OKE 1.1 draft) got the planned moment, attendance, the signed
  // result, the correction and the final result, in that order; the exam office sees each as
  // delivered. (Her enrolment's `pending` waits five minutes after it arrived, and planning
  // her replaced it.)
  const reasons = ['planned', 'attendance', 'signed', 'corrected', 'finalised', 'countersigned'];
  let items = [];
  for (let i = 0; i < 200; i++) {
    items = (await office('GET', `/cases/${c.caseId}/deliveries`)).body.items;
    if (items.length === 6 && items.every((m) => m.state === 'delivered')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(items.map((m) => m.reason), reasons);
  assert.ok(items.every((m) => m.state === 'delivered'), JSON.stringify(items));
  assert.equal(items[0].body.consumers[0].planningState, 'associated');
  const moment = items[0].body.consumers[0].testMomentEnrollmentDetails;
  assert.ok(moment.startDateTime && moment.endDateTime && moment.coordinatorId, JSON.stringify(moment));
  assert.equal(items[0].body.result, undefined);
  assert.equal(items[4].body.consumers[0].planningState, 'finished');
  const last = items[4].body.result;
  assert.equal(last.state, 'completed');
  assert.equal(last.consumers[0].final, true);
  assert.equal(last.consumers[0].documents.length, 2);
  const desk = await phone(chromium);
  await signIn(desk.page, proeve, 'El Amrani, Fatima');
  await desk.page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  await desk.page.goto(`${proeve.app}#/case/${c.caseId}/sis`);
  await desk.page.getByRole('heading', { name: 'Naar het SIS' }).waitFor();
  await desk.page.getByText('Uitslag (vastgesteld)').waitFor();
  assert.equal(await desk.page.getByText('afgeleverd').count(), 6);
  await desk.page.getByText('Gepland (OKE 1.1)').waitFor();
  await check(desk.page, 'office-sis');
  assert.deepEqual(desk.errors, []);
  await desk.page.goto(`${proeve.base}/demo-sis/demo`);
  await desk.page.getByRole('heading', { name: 'Demo-SIS' }).waitFor();
  // (Other exams the browser tests planned are there too.)
  assert.equal(await desk.page.locator('tbody tr', { hasText: items[0].associationId }).count(), 6);
  await desk.context.close();
});

test('a session that ends keeps unsent work until the same person signs in again', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  let c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  if (c.state === 'received') c = await planned(office, DEMO.yilmaz);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.goto(`${proeve.app}#/case/${c.caseId}/score/irregularities`);
  await page.getByRole('heading', { name: 'Bijzonderheden' }).waitFor();
  await context.setOffline(true);
  await page.getByLabel('Bijzonderheden').fill('Brandalarm om 10:15, examen 20 minuten onderbroken');
  // Meanwhile the session ends on the server.
  const cookie = (await context.cookies()).find((k) => k.name === 'proeve_session');
  const me = await (await fetch(`${proeve.base}/api/demo/me`, { headers: { cookie: `proeve_session=${cookie.value}` } })).json();
  const out = await fetch(`${proeve.base}/api/demo/sign-out`, {
    method: 'POST', headers: { cookie: `proeve_session=${cookie.value}`, 'X-CSRF-Token': me.csrfToken },
  });
  assert.equal(out.status, 204);
  await context.setOffline(false);
  await page.locator('#sync', { hasText: 'Log opnieuw in' }).waitFor({ timeout: 45000 });
  await check(page, 'session-ended');
  // Signing in again sends what was kept.
  await signIn(page, proeve, 'Jong, Jo de');
  await page.locator('#sync', { hasText: 'Alles verzonden' }).waitFor({ timeout: 45000 });
  const jo = await session(proeve.base, DEMO.jo);
  const mine = (await jo('GET', `/cases/${c.caseId}/sheets`)).body.items.find((s) => s.sheet === 'mine');
  assert.equal(mine.irregularities, 'Brandalarm om 10:15, examen 20 minuten onderbroken');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an assessor stays signed in through a six-hour exam; the exam office is asked to sign in again after half an hour', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  let c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  if (c.state === 'received') c = await planned(office, DEMO.yilmaz);
  const jo = await phone(chromium);
  await signIn(jo.page, proeve, 'Jong, Jo de');
  await jo.page.goto(`${proeve.app}#/case/${c.caseId}/score/irregularities`);
  await jo.page.getByRole('heading', { name: 'Bijzonderheden' }).waitFor();
  const desk = await phone(chromium);
  await signIn(desk.page, proeve, 'El Amrani, Fatima');
  await desk.page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  // Six hours later for Jo, the phone in a pocket; 31 minutes for the office.
  proeve.ageSessions(DEMO.jo, 6 * 3600);
  proeve.ageSessions(DEMO.fatima, 31 * 60);
  await jo.page.getByLabel('Bijzonderheden').fill('Om 14:00 korte pauze na zes uur');
  // The save arrives: the session held.
  const other = await session(proeve.base, DEMO.jo);
  let mine;
  for (let i = 0; i < 300; i++) {
    mine = (await other('GET', `/cases/${c.caseId}/sheets`)).body.items.find((s) => s.sheet === 'mine');
    if (mine?.irregularities === 'Om 14:00 korte pauze na zes uur') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mine?.irregularities, 'Om 14:00 korte pauze na zes uur');
  await jo.page.locator('#sync', { hasText: 'Alles verzonden' }).waitFor();
  await desk.page.reload();
  await desk.page.getByRole('heading', { name: /Inloggen bij/ }).waitFor();
  assert.deepEqual(jo.errors, []);
  await jo.context.close();
  await desk.context.close();
});
