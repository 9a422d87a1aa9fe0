// A school with more exams than a phone should hold: the exam office sees the first fifty of
// each state and more on request; the exam committee determines more than a hundred signed
// results, a page at a time, filtered on the server, each one named before it is determined.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEMO, browser, check, phone, scoreAndSign, session, signIn, startProeve } from './harness.mjs';

/** More than two pages of fifty, and more than one finalise request of a hundred. */
const SIGNED = 105;
let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

/** `n` more students enrolled by the SIS on the demo's test selection; their names. */
async function enrol(n, prefix) {
  const names = [];
  for (let i = 0; i < n; i++) {
    const person = randomUUID();
    const name = `${prefix} ${String(i + 1).padStart(3, '0')}, Noor`;
    const r = await proeve.sis('PUT', `/persons/${person}`, {
      personId: person, primaryCode: { codeType: 'studentNumber', code: `${prefix[0]}${2000 + i}` },
      givenName: 'Noor', surname: `${prefix} ${i + 1}`, displayName: name,
      activeEnrollment: true, affiliations: ['student'], mail: `noor${prefix}${i}@student.demo-roc.example`,
      consumers: [{ consumerKey: 'nl-test-admin', preferredName: 'Noor', idCheckName: name }],
    });
    assert.ok(r.ok, `person ${r.status}: ${await r.text()}`);
    const a = randomUUID();
    const e = await proeve.sis('PUT', `/associations/${a}`, {
      associationId: a, associationType: 'componentOfferingAssociation', role: 'student',
      state: 'associated', person, offering: DEMO.offering,
      consumers: [{ consumerKey: 'nl-test-admin', attempt: 1, attemptLeft: 2 }],
    });
    assert.ok(e.ok, `association ${e.status}: ${await e.text()}`);
    names.push(name);
  }
  return names;
}

/** All pages of a list, through the API. */
async function all(who, query) {
  const items = [];
  let after = null;
  do {
    const page = (await who('GET', `/cases?${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`)).body;
    items.push(...page.items);
    after = page.next;
  } while (after);
  return items;
}

/** Planned, scored by both assessors, judged and signed: ready for the committee. */
async function signedExam(c, office, jo, kees) {
  const r = await office('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-09T08:00:00Z', end: '2026-12-09T11:00:00Z',
    place: { kind: 'school', location: 'Leerrestaurant' }, assessors: [DEMO.jo, DEMO.kees],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const model = (await office('GET', `/cases/${c.caseId}/model`)).body;
  const scores = model.sections.flatMap((s) => s.criteria).map((cr) => ({ criterion: cr.code, level: 2 }));
  await scoreAndSign(c.caseId, r.body.revision, [jo, kees], scores);
}

test('the exam office sees the first fifty of a state and more when asked, kept after a reload', async () => {
  const names = await enrol(60, 'Bakker');
  const office = await session(proeve.base, DEMO.fatima);
  const received = (await office('GET', '/cases/counts')).body.counts.received;
  // One more page holds the rest.
  assert.ok(received >= 60 && received <= 100, `${received} to plan`);
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'El Amrani, Fatima');
  await page.getByRole('heading', { name: 'Overzicht' }).waitFor();
  const cards = page.locator('.pipeline + ul.cards > li');
  await cards.first().waitFor();
  assert.equal(await cards.count(), 50, 'the first fifty are on the phone');
  await page.getByText(`50 van ${received} getoond.`).waitFor();
  await check(page, 'office-first-fifty', { at: page.getByRole('button', { name: 'Meer tonen' }) });
  await page.getByRole('button', { name: 'Meer tonen' }).click();
  await page.getByText(names.at(-1)).waitFor();
  assert.equal(await cards.count(), received);
  assert.equal(await page.getByRole('button', { name: 'Meer tonen' }).count(), 0, 'nothing more to show');
  // The phone keeps what was opened: after a reload all of them are there again.
  await page.reload();
  await page.getByText(names.at(-1)).waitFor();
  assert.equal(await cards.count(), received);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 412, `the list is ${wide} px wide`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the committee determines more than a hundred results, a page at a time, each named', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  const jo = await session(proeve.base, DEMO.jo);
  const kees = await session(proeve.base, DEMO.kees);
  await enrol(50, 'Smit');
  const toPlan = await all(office, 'state=received&limit=500');
  assert.ok(toPlan.length >= SIGNED, `${toPlan.length} exams to plan`);
  // Four at a time: a school's exam week, compressed.
  const queue = toPlan.slice(0, SIGNED);
  await Promise.all([0, 1, 2, 3].map(async () => {
    for (let c = queue.shift(); c; c = queue.shift()) await signedExam(c, office, jo, kees);
  }));

  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Vermeulen, Pieter');
  await page.getByRole('heading', { name: 'Vaststellen' }).waitFor();
  const rows = page.locator('#finalise-h ~ ul.cards > li');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50, 'a page of fifty');
  await page.getByText(`50 van ${SIGNED} getoond.`).waitFor();
  // The filters ask the server: no exam on 10 December; all of them on the 9th.
  await page.getByLabel('Vanaf').fill('2026-12-10');
  await page.getByText('Niets om vast te stellen.').waitFor();
  await page.getByLabel('Vanaf').fill('2026-12-09');
  await page.getByLabel('Tot en met').fill('2026-12-09');
  await rows.nth(49).waitFor();
  assert.equal(await rows.count(), 50);
  // The exam filter names each exam with how many are signed.
  const options = await page.getByLabel('Examen', { exact: true }).locator('option').allInnerTexts();
  assert.ok(options.some((o) => o.endsWith(`(${SIGNED})`)), options.join(' | '));
  // All pages, then all selected.
  await page.getByRole('button', { name: 'Meer tonen' }).click();
  await rows.nth(99).waitFor();
  await page.getByRole('button', { name: 'Meer tonen' }).click();
  await rows.nth(SIGNED - 1).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Meer tonen' }).count(), 0);
  await page.getByLabel('Alles selecteren').check();
  await page.getByRole('button', { name: `Geselecteerde vaststellen (${SIGNED})` }).click();
  // Every one named: ten in sight, the rest under their number.
  await page.getByText(`Je stelt ${SIGNED} uitslag(en) vast namens de examencommissie`).waitFor();
  await page.getByText(`en nog ${SIGNED - 10}`).click();
  await check(page, 'committee-confirm-many', { at: page.getByText(`Je stelt ${SIGNED} uitslag(en)`) });
  await page.getByRole('button', { name: 'Ja, vaststellen' }).click();
  // (Each result gets its documents before the answer: on PostgreSQL in a debug build that is
  // over a second each.)
  await page.getByText(`${SIGNED} uitslag(en) vastgesteld.`).waitFor({ timeout: 400000 });
  await page.getByText('Niets om vast te stellen.').waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 412, `the list is ${wide} px wide`);
  await check(page, 'committee-done-many');
  assert.equal((await office('GET', '/cases/counts')).body.counts.final, SIGNED);
  assert.deepEqual(errors, []);
  await context.close();
});
