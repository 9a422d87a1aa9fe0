// An assessor enrolled on a test selection with many exams nobody planned yet: the phone keeps
// the first twenty and asks the server for more when asked, at 360 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { browser, check, DEMO, phone, session, signIn, startProeve } from './harness.mjs';

let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

test('an assessor sees the first exams to plan and more on request', async () => {
  // The SIS enrols thirty more students on the demo's test selection.
  for (let i = 0; i < 30; i++) {
    const person = randomUUID();
    const r = await proeve.sis('PUT', `/persons/${person}`, {
      personId: person, primaryCode: { codeType: 'studentNumber', code: `L${1000 + i}` },
      givenName: 'Sam', surname: `Visser ${i + 1}`, displayName: `Visser ${i + 1}, Sam`,
      activeEnrollment: true, affiliations: ['student'], mail: `sam${i}@student.demo-roc.example`,
      consumers: [{ consumerKey: 'nl-test-admin', preferredName: 'Sam', idCheckName: `Visser ${i + 1}, Sam` }],
    });
    assert.ok(r.ok, `person ${r.status}: ${await r.text()}`);
    const a = randomUUID();
    const e = await proeve.sis('PUT', `/associations/${a}`, {
      associationId: a, associationType: 'componentOfferingAssociation', role: 'student',
      state: 'associated', person, offering: DEMO.offering,
      consumers: [{ consumerKey: 'nl-test-admin', attempt: 1, attemptLeft: 2 }],
    });
    assert.ok(e.ok, `association ${e.status}: ${await e.text()}`);
  }
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'Jong, Jo de');
  await page.getByRole('heading', { name: 'Nog te plannen' }).waitFor();
  const toPlan = page.locator('h2:has-text("Nog te plannen") + ul.cards > li');
  const first = await toPlan.count();
  assert.equal(first, 20, 'the first twenty are on the phone');
  await check(page, 'to-plan-first-page');
  await page.getByRole('button', { name: 'Meer tonen' }).click();
  await page.getByText(/Visser 30\b/).first().waitFor();
  assert.ok(await toPlan.count() > first);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 412, `the list is ${wide} px wide`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the exam office counts on the server and opens the history when asked', async () => {
  const office = await session(proeve.base, DEMO.fatima);
  // One exam canceled: history, not kept on the phone.
  const c = (await office('GET', '/cases?list=toPlan&limit=1')).body.items[0];
  const r = await office('POST', `/cases/${c.caseId}/cancel`, { revision: c.revision, reason: 'Leerbedrijf failliet' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { context, page, errors } = await phone(chromium);
  await signIn(page, proeve, 'El Amrani, Fatima');
  const canceled = page.getByRole('button', { name: /geannuleerd/ });
  await canceled.waitFor();
  assert.match(await canceled.innerText(), /^1\s/);
  await canceled.click();
  await page.locator('ul.cards > li').filter({ hasText: c.candidate.displayName }).waitFor();
  await check(page, 'office-history');
  assert.deepEqual(errors, []);
  await context.close();
});
