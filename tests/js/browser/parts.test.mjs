// An exam taken in parts over weeks, as the exam office and an assessor see it at 360 px: the
// whole says it waits for its parts (and cannot be planned as one), each part is an exam of
// its own, named by its part.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { browser, check, DEMO, phone, scoreAndSign, session, signIn, startProeve } from './harness.mjs';

const EMEI = '5d0c8e27-93fa-4b16-b7d4-6e1a2f9c0835';
const PARTS = [
  ['A', '5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08a1'],
  ['B', '5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08b2'],
  ['C', '5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08c3'],
  ['D', '5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08d4'],
];

let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

const VIG = ['a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b58', 'a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b61', 'a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b62'];

/** A new student of the demo school. */
async function student(code, givenName, surname) {
  const id = randomUUID();
  const p = await proeve.sis('PUT', `/persons/${id}`, {
    personId: id, primaryCode: { codeType: 'studentNumber', code },
    givenName, surname, displayName: `${surname}, ${givenName}`,
    activeEnrollment: true, affiliations: ['student'], mail: `${code}@student.demo-roc.example`,
    consumers: [{ consumerKey: 'nl-test-admin', preferredName: givenName, idCheckName: `${surname}, ${givenName}` }],
  });
  assert.ok(p.ok, `person ${p.status}: ${await p.text()}`);
  return id;
}

/** A planbare toets for `component` (the whole, or a part), the student and the assessors
 * (Jo, and whoever else is named) on it. */
async function enrol(component, name, student, { type = '0-10', assessors = [DEMO.jo] } = {}) {
  const offering = randomUUID();
  const o = await proeve.sis('PUT', `/offerings/${offering}`, {
    offeringId: offering, primaryCode: { codeType: 'offeringCode', code: `EMEI-${name}` },
    offeringType: 'component', name: [{ language: 'nl-NL', value: name }],
    description: [{ language: 'nl-NL', value: name }], teachingLanguage: 'nld',
    modeOfDelivery: ['situated'], resultExpected: true, resultValueType: type,
    consumers: [{ consumerKey: 'nl-test-admin', offeringState: 'active', finalResultsAllowed: true,
      testsToBeUsed: [{ testProvider: 'Proeve', componentId: component }] }],
    startDateTime: '2026-11-30T08:00:00+01:00', endDateTime: '2027-03-26T17:00:00+01:00',
  });
  assert.ok(o.ok, `offering ${o.status}: ${await o.text()}`);
  for (const [person, role] of [[student, 'student'], ...assessors.map((a) => [a, 'assessor'])]) {
    const a = randomUUID();
    const r = await proeve.sis('PUT', `/associations/${a}`, {
      associationId: a, associationType: 'componentOfferingAssociation', role,
      state: 'associated', person, offering,
      consumers: [{ consumerKey: 'nl-test-admin', attempt: 1, attemptLeft: 2 }],
    });
    assert.ok(r.ok, `association ${r.status}: ${await r.text()}`);
  }
}

test('the whole of an exam in parts waits for them, and each part is planned on its own', async () => {
  const noor = await student('L4242', 'Noor', 'Bakker');
  await enrol(EMEI, 'Proeve Eerste monteur', noor);
  for (const [code, id] of PARTS) await enrol(id, `Onderdeel ${code}`, noor);
  const office = await session(proeve.base, DEMO.fatima);
  const mine = (await office('GET', '/cases?list=all&limit=500')).body.items
    .filter((c) => c.candidate.personId === noor);
  assert.equal(mine.length, 5);
  const whole = mine.find((c) => !c.exam.part);
  const partA = mine.find((c) => c.exam.part?.code === 'A');
  // The office plans part A for next week.
  const r = await office('POST', `/cases/${partA.caseId}/plan`, {
    revision: partA.revision, start: '2026-12-09T08:00:00Z', end: '2026-12-09T12:00:00Z',
    place: { kind: 'workplace', name: 'Installatiebedrijf Volt', address: 'Stationsweg 4, Utrecht' },
    assessors: [DEMO.jo],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const { context, page, errors } = await phone(chromium);
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.goto(`${proeve.app}#/case/${whole.caseId}`);
  await page.getByText('Dit examen wordt per onderdeel afgenomen').waitFor();
  const parts = page.locator('section.parts li');
  assert.equal(await parts.count(), 4);
  assert.match(await parts.first().innerText(), /Onderdeel A: Werkvoorbereiding\s+gepland/);
  // Not planned as one performance: no button for it.
  assert.equal(await page.getByRole('link', { name: 'Plannen' }).count(), 0);
  await check(page, 'exam-in-parts-whole');
  // Each part opens as its own exam, named by its part.
  await parts.first().getByRole('link').click();
  await page.getByRole('heading', { name: /onderdeel A: Werkvoorbereiding/ }).waitFor();
  await check(page, 'exam-in-parts-part-a');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the screen is ${wide} px wide`);
  assert.deepEqual(errors, []);
  await context.close();

  // The assessor's phone: the part among their exams, by its name.
  const jo = await phone(chromium);
  await jo.page.setViewportSize({ width: 360, height: 740 });
  await signIn(jo.page, proeve, 'Jong, Jo de');
  await jo.page.getByText(/onderdeel A: Werkvoorbereiding/).first().waitFor();
  await check(jo.page, 'exam-in-parts-assessor');
  assert.deepEqual(jo.errors, []);
  await jo.context.close();
});

test('one proceeding for three core-task enrolments shows each core task its own result', async () => {
  const sem = await student('L4343', 'Sem', 'Visser');
  const ovg = { type: 'insufficient-satisfactory-good', assessors: [DEMO.jo, DEMO.kees] };
  await enrol(VIG[0], 'Proeve VIG', sem, ovg);
  await enrol(VIG[1], 'Kerntaak B1-K1', sem, ovg);
  await enrol(VIG[2], 'Kerntaak B1-K2', sem, ovg);
  const office = await session(proeve.base, DEMO.fatima);
  const jo = await session(proeve.base, DEMO.jo);
  const kees = await session(proeve.base, DEMO.kees);
  const c = (await office('GET', '/cases?list=all&limit=500')).body.items
    .find((x) => x.candidate.personId === sem);
  const r = await office('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-09T08:00:00Z', end: '2026-12-09T15:00:00Z',
    place: { kind: 'school', location: 'Skillslab' }, assessors: [DEMO.jo, DEMO.kees],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // B1-K1 shown well throughout; B1-K2 not at all.
  const model = (await office('GET', `/cases/${c.caseId}/model`)).body;
  const scores = model.sections.flatMap((s) => s.criteria.map((cr) => (s.code.startsWith('B1-K2')
    ? { criterion: cr.code, level: 0, note: 'niet laten zien' } : { criterion: cr.code, level: 2 })));
  await scoreAndSign(c.caseId, r.body.revision, [jo, kees], scores);
  const { context, page, errors } = await phone(chromium);
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.goto(`${proeve.app}#/case/${c.caseId}`);
  const units = page.locator('dt:has-text("Deelresultaten") + dd li');
  await units.first().waitFor();
  assert.equal(await units.count(), 2);
  const text = await page.locator('dt:has-text("Deelresultaten") + dd').innerText();
  assert.match(text, /onvoldoende/);
  assert.match(text, /goed/);
  await page.getByRole('link', { name: /Beoordelingsformulier Kerntaak B1-K2/ }).waitFor();
  await check(page, 'core-tasks-results');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the screen is ${wide} px wide`);
  assert.deepEqual(errors, []);
  await context.close();
});
