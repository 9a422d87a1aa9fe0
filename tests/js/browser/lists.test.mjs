// An assessor enrolled on a test selection with many exams nobody planned yet: the phone keeps
// the first twenty and asks the server for more when asked, at 360 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { browser, check, DEMO, phone, signIn, startProeve } from './harness.mjs';

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
