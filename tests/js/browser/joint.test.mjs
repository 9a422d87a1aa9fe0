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

test('two assessors finish on their own phones: waiting, the joint judgement, one confirmation', async () => {
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
  // Each scored on their own phone earlier (here through the API); they differ on one point.
  for (const [who, level] of [[jo, 2], [kees, 3]]) {
    const scores = criteria.map((cr) => ({ criterion: cr.code, level: cr === disputed ? level : 2 }));
    const r = await who('PUT', `/cases/${c.caseId}/sheets/mine`, { revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'ID-kaart', scores, timesReason: EARLIER });
    assert.equal(r.status, 200);
  }
  const finishOn = async (page) => {
    await page.goto(`${proeve.app}#/case/${c.caseId}/score/summary`);
    await page.getByRole('button', { name: 'Beoordeling afronden' }).click();
    await page.getByRole('button', { name: 'Ja, afronden' }).click();
    await page.getByRole('heading', { name: 'Afronden' }).waitFor();
  };

  // Jo finishes first: no error, the screen says whom it waits for.
  const first = await phone(chromium);
  await signIn(first.page, proeve, 'Jong, Jo de');
  await finishOn(first.page);
  await first.page.getByText(/Wachten op Kees Bakker/).waitFor();
  await check(first.page, 'finish-waiting');

  // Kees, on a tablet, finishes next: they differ, so the joint judgement is the next step.
  const context = await chromium.newContext({ viewport: { width: 820, height: 1180 }, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', hasTouch: true });
  const second = { context, page: await context.newPage(), errors: [] };
  second.page.on('pageerror', (e) => second.errors.push(String(e)));
  await signIn(second.page, proeve, 'Bakker, Kees');
  // Kees finishes without reception: it waits on his tablet, and goes once it is back.
  await second.page.goto(`${proeve.app}#/`);
  await second.page.locator('#sync', { hasText: 'Alles verzonden' }).waitFor();
  await context.setOffline(true);
  await finishOn(second.page);
  await second.page.getByText(/Je hebt afgerond op dit toestel/).waitFor();
  const waiting = (await jo('GET', `/cases/${c.caseId}`)).body.finishing.waitingFor.map((p) => p.personId);
  assert.deepEqual(waiting, [DEMO.kees], 'nothing of Kees reached the server yet');
  await context.setOffline(false);
  await second.page.getByText('Jullie oordelen verschillen op 1 punt(en). Stel samen met Jo de Jong het gezamenlijk oordeel vast.').waitFor();
  await check(second.page, 'finish-differ');
  await second.page.getByRole('link', { name: 'Naar het gezamenlijk oordeel' }).click();
  await second.page.getByRole('heading', { name: disputed.text }).waitFor();
  // Only the disputed criterion, with both names and levels; nothing chosen for them.
  assert.equal(await second.page.locator('main section.differ').count(), 1);
  await second.page.getByText('Jo de Jong', { exact: true }).waitFor();
  await second.page.getByText('Kees Bakker (jij)').waitFor();
  assert.equal(await second.page.locator(`input[name="j-${disputed.code}"]:checked`).count(), 0);
  // Without a rationale it is not recorded, and it says so in the form.
  await second.page.locator(`input[name="j-${disputed.code}"][value="3"]`).check();
  await second.page.getByRole('button', { name: 'Vastleggen' }).click();
  await second.page.getByText('Schrijf op waarom jullie tot dit oordeel kwamen.').waitFor();
  await second.page.getByLabel('Toelichting').fill('Samen besproken: zelfstandig en foutloos');
  await second.page.getByLabel('Onderbouwing van het gezamenlijke oordeel').fill('Kees zag het serveren, Jo niet: het telt als goed.');
  await check(second.page, 'joint');
  await second.page.getByRole('button', { name: 'Vastleggen' }).click();
  await second.page.getByText('Je hebt het gezamenlijk oordeel vastgelegd. Wachten tot Jo de Jong het bevestigt.').waitFor();
  assert.equal((await office('GET', `/cases/${c.caseId}`)).body.state, 'planned', 'not judged before Jo confirms');

  // Jo's phone, still on the closing screen, picks it up by itself; Jo confirms once.
  await first.page.getByText('Kees Bakker legde het gezamenlijk oordeel vast. Bekijk het en bevestig het.').waitFor({ timeout: 30000 });
  await first.page.getByRole('link', { name: 'Naar het gezamenlijk oordeel' }).click();
  await first.page.getByText('Kees zag het serveren, Jo niet: het telt als goed.').first().waitFor();
  await check(first.page, 'joint-confirm');
  await first.page.getByRole('button', { name: 'Bevestigen en afronden' }).click();
  // Judged: Jo (the first assessor) collects the candidate's signature; Kees's phone says so.
  await first.page.getByRole('heading', { name: 'Ondertekenen' }).waitFor();
  await first.page.getByRole('img', { name: /Handtekening kandidaat/ }).waitFor();
  await check(first.page, 'sign-lead');
  const judged = (await office('GET', `/cases/${c.caseId}`)).body;
  assert.equal(judged.state, 'assessed');
  assert.equal(judged.outcome.rawScore, criteria.length * 2 + 1, 'the joint level decides');
  const joint = (await kees('GET', `/cases/${c.caseId}/sheets`)).body.items.find((x) => x.sheet === 'joint');
  assert.deepEqual(joint.backedBy, [DEMO.kees, DEMO.jo]);
  await second.page.goto(`${proeve.app}#/case/${c.caseId}/score/sign`);
  await second.page.getByText('De kandidaat tekent één keer, op de telefoon van Jo de Jong.').waitFor();
  assert.equal(await second.page.getByRole('img', { name: /Handtekening kandidaat/ }).count(), 0);
  await check(second.page, 'sign-second');
  assert.deepEqual(first.errors, []);
  assert.deepEqual(second.errors, []);
  await first.context.close();
  await second.context.close();
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
  await page.getByText('Jouw uitslag (nog niet samen vastgesteld): 6,5 · Geslaagd').waitFor();
  await check(page, 'score-summary-online');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a student sees what to bring, what was granted and whom to contact; the calendar entry says so too', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  const c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  assert.equal(c.state, 'planned', 'planned by the test before');
  const student = await session(proeve.base, DEMO.yilmaz);
  const seen = (await student('GET', `/cases/${c.caseId}`)).body;
  assert.deepEqual(seen.candidateDetails.personalNeeds, ['Extra tijd: 30 minuten']);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, seen.candidate.displayName);
  await page.goto(`${proeve.app}#/case/${c.caseId}`);
  await page.getByRole('heading', { name: 'Voor je examen' }).waitFor();
  await page.getByText(/Neem een geldig identiteitsbewijs mee/).waitFor();
  await page.getByText('Extra tijd: 30 minuten').waitFor();
  await page.getByText(/examenbureau@demo-roc\.example/).waitFor();
  await check(page, 'student-planned');
  const ics = await page.request.get(`${proeve.base}/api/demo/cases/${c.caseId}/calendar.ics`);
  const text = (await ics.text()).replace(/\r\n /g, '');
  assert.match(text, /Neem een geldig identiteitsbewijs mee/);
  assert.match(text, /examenbureau@demo-roc\.example/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 412, `${wide} px wide`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a refusal is said in Dutch from its code, with names and criteria, never the English text', async () => {
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  // The server's own answer to closing half a sheet, said as the app says it.
  const office = await session(proeve.base, DEMO.fatima);
  const c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  const said = await page.evaluate(async ({ slug, caseId, revision }) => {
    const { say } = await import(`/app/${slug}/js/i18n.js`);
    const r = await fetch(`/api/${slug}/cases/${caseId}/plan`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': (await (await fetch(`/api/${slug}/me`)).json()).csrfToken },
      body: JSON.stringify({ revision, start: '2026-12-09T10:00:00Z', end: '2026-12-09T09:00:00Z', place: { kind: 'school', location: 'L' }, assessors: [] }),
    });
    const body = await r.json();
    return [say({ message: body.detail, code: body.code, params: body.params }),
      say({ message: 'your sheet: criteria not scored: X1', code: 'notScored', params: { criteria: ['X1'] } }, { criterion: () => 'Leest de receptuur' }),
      say('something the app has no words for')];
  }, { slug: 'demo', caseId: c.caseId, revision: c.revision });
  assert.deepEqual(said, ['De eindtijd moet na de begintijd liggen.', 'Nog niet beoordeeld: Leest de receptuur.',
    'Dit kon niet worden opgeslagen. Vraag het examenbureau om hulp.']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an identity that could not be checked asks what happened, and then the exam goes on', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  const c = (await office('GET', '/cases')).body.items.find((x) => x.candidate.personId === DEMO.yilmaz);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.goto(`${proeve.app}#/case/${c.caseId}/score/identity`);
  await page.getByRole('heading', { name: 'Identiteit' }).first().waitFor();
  await page.getByLabel('Niet kunnen controleren').check();
  await page.getByRole('button', { name: /Volgende/ }).click();
  await page.getByText('De identiteit is niet gecontroleerd: schrijf op wat er gebeurde.').waitFor();
  await page.getByLabel('Wat is er gebeurd?').fill('Geen identiteitsbewijs bij zich; herkend door de praktijkopleider.');
  await check(page, 'identity-not-checked');
  await page.getByRole('button', { name: /Volgende/ }).click();
  await page.getByRole('heading', { name: 'Aanwezigheid' }).waitFor();
  // On the summary it is no wall: nothing asks to check the identity first.
  await page.goto(`${proeve.app}#/case/${c.caseId}/score/summary`);
  await page.getByRole('heading', { name: 'Samenvatting' }).waitFor();
  assert.equal(await page.getByText('Controleer eerst de identiteit van de kandidaat.').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
