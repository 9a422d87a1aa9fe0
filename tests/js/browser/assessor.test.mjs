// The assessor's path on a phone, against the real server: plan, then score and sign a whole
// exam with no connection at all (from the identity check until after signing, with a
// reload in between), then reconnect: everything entered arrives. The candidate then sees the
// result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, EARLIER, allSent, browser, check, phone, session, signIn, startProeve } from './harness.mjs';

let proeve;
let chromium;
before(async () => { proeve = await startProeve(); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

async function maartjesCase(api) {
  const list = await api('GET', '/cases');
  const c = list.body.items.find((x) => x.candidate.personId === DEMO.maartje);
  assert.ok(c, 'the demo has an exam case for Maartje');
  return c;
}

test('an assessor plans, scores offline, signs, and everything arrives', async () => {
  const { context, page, errors } = await phone(chromium);
  // The phone's clock runs two hours fast; the app learns the server's time while online.
  await context.clock.install({ time: new Date(Date.now() + 2 * 3600e3) });
  await signIn(page, proeve, 'Jong, Jo de');
  await page.getByRole('heading', { name: 'Nog te plannen' }).waitFor();
  await check(page, 'assessor-home');

  // Plan from the phone: date, time, place at the workplace, both assessors.
  await page.getByRole('link', { name: /Damme, Maartje van/ }).first().click();
  await check(page, 'case-received');
  await page.getByRole('link', { name: 'Plannen' }).click();
  await page.getByLabel('Datum').fill('2026-12-08');
  await page.getByLabel('Begintijd').fill('09:00');
  await page.getByLabel('Eindtijd').fill('08:30');
  await page.getByLabel('Naam (bedrijf of lokaal)').fill('Restaurant De Gouden Pollepel');
  await page.getByLabel('Adres').fill('Markt 1, Eindhoven');
  // What the form knows, it checks before anything is queued: in the form, in Dutch.
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.getByText('De eindtijd moet na de begintijd liggen.').waitFor();
  await page.getByLabel('Eindtijd').fill('12:30');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.getByText('Dit examen heeft 2 beoordelaars nodig.', { exact: true }).waitFor();
  await check(page, 'plan-error');
  await page.getByRole('checkbox', { name: 'Bakker, Kees' }).check();
  await check(page, 'plan');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.locator('.badge.state', { hasText: 'gepland' }).waitFor();
  await allSent(page);
  const office = await session(proeve.base, DEMO.fatima);
  let c = await maartjesCase(office);
  assert.equal(c.state, 'planned');
  assert.equal(c.plannedStart, '2026-12-08T08:00:00Z');
  assert.equal(c.place.name, 'Restaurant De Gouden Pollepel');
  assert.deepEqual(c.assessors.map((a) => a.personId).sort(), [DEMO.jo, DEMO.kees].sort());
  // On a planned exam its assessors move the moment or place; only the office changes who
  // assesses: no checkboxes, and the screen says so.
  await page.getByRole('link', { name: 'Opnieuw plannen' }).click();
  await page.getByText('Alleen het examenbureau wijzigt de beoordelaars van een gepland examen.').waitFor();
  assert.equal(await page.getByRole('checkbox').count(), 0);
  await check(page, 'replan-assessor');

  // The second assessor scores on their own phone (here: through the API), every criterion 2.
  const kees = await session(proeve.base, DEMO.kees);
  const model = (await kees('GET', `/cases/${c.caseId}/model`)).body;
  const criteria = model.sections.flatMap((s) => s.criteria);
  const r = await kees('PUT', `/cases/${c.caseId}/sheets/mine`, {
    revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'Paspoort',
    scores: criteria.map((cr) => ({ criterion: cr.code, level: 2 })), timesReason: EARLIER,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  // Jo opens the exam with reception (the phone keeps model and sheets), then loses it.
  await page.goto(`${proeve.app}#/`);
  await page.getByRole('heading', { name: 'Te beoordelen' }).waitFor();
  await page.getByRole('link', { name: /Damme, Maartje van/ }).first().click();
  await check(page, 'case-planned');
  await page.getByRole('link', { name: 'Beoordelen' }).click();
  await context.setOffline(true);
  const offlineFrom = Date.now();
  // Even a reload without reception opens the app from the phone.
  await page.reload();
  await page.getByRole('heading', { name: 'Identiteit' }).waitFor();
  await check(page, 'score-identity');
  await page.getByLabel('Identiteit gecontroleerd').check();
  await page.getByLabel('Waarmee').selectOption('ID-kaart');
  await page.getByRole('button', { name: /Volgende/ }).click();
  await page.getByLabel('Aanwezig').check();
  await check(page, 'score-attendance');
  await page.getByRole('button', { name: /Volgende/ }).click();
  let first = true;
  for (const section of model.sections) {
    await page.getByRole('heading', { name: section.title, exact: true }).waitFor();
    if (first) {
      // The levels side by side, the note closed until asked for: five criteria fit about
      // one screen (the Pixel 7 shows 915 px of it).
      assert.equal(await page.locator('main textarea:visible').count(), 0, 'no note box open before it is wanted');
    }
    for (const cr of section.criteria) {
      await page.locator(`input[name="c-${cr.code}"][value="2"]`).check();
    }
    if (first) {
      // Under the row: what the chosen level means for this criterion.
      await page.locator('p.descriptor', { hasText: section.criteria[0].descriptors[2] }).waitFor();
      await check(page, 'score-section');
      const tall = await page.evaluate(() => document.querySelector('main').scrollHeight);
      assert.ok(tall < 915 * 2, `a section of ${section.criteria.length} criteria is ${tall} px tall`);
      // A failing score insists on a note before moving on.
      const cr = section.criteria[0];
      await page.locator(`input[name="c-${cr.code}"][value="0"]`).check();
      await page.getByRole('button', { name: /Volgende/ }).click();
      await page.getByText('Een onvoldoende score vraagt een toelichting.').first().waitFor();
      await check(page, 'score-section-note-required');
      await page.locator(`input[name="c-${cr.code}"][value="2"]`).check();
      await page.getByLabel('Toelichting').first().fill('Nette mise-en-place, werkt schoon');
      first = false;
    }
    await page.getByRole('button', { name: /Volgende/ }).click();
  }
  await page.getByRole('heading', { name: 'Bijzonderheden' }).waitFor();
  await page.getByLabel('Bijzonderheden').fill('Geen bijzonderheden');
  await page.getByLabel('Motivering en feedback').fill('Werkt schoon en rustig; let op de timing van de uitgifte.');
  await page.getByRole('button', { name: /Volgende/ }).click();
  await page.getByRole('heading', { name: 'Samenvatting' }).waitFor();
  await page.getByText('Het cijfer volgt zodra er verbinding is.').waitFor();
  // The true begin, as the phone recorded it, for the assessor to see and put right.
  await page.getByRole('heading', { name: 'Werkelijk begin en einde' }).waitFor();
  assert.match(await page.getByLabel('Begintijd').inputValue(), /^\d\d:\d\d$/);
  // Planned for 8 December, taken today: closing asks why, in the form.
  await page.getByRole('button', { name: 'Beoordeling afronden' }).click();
  await page.getByText('Begin of einde ligt meer dan een uur van de planning: zeg waarom.').waitFor();
  await page.getByLabel(/Waarom wijken begin of einde/).fill('Vervroegd op verzoek van het leerbedrijf');
  await check(page, 'score-summary');
  await page.getByRole('button', { name: 'Beoordeling afronden' }).click();
  // Asked once more, saying what it means with two assessors.
  await page.getByText(/Na afronden wacht het examen op Kees Bakker/).waitFor();
  await check(page, 'score-finish-confirm');
  await page.getByRole('button', { name: 'Ja, afronden' }).click();
  // Offline: finished on this phone, to be sent; no error, nothing to throw away.
  await page.getByRole('heading', { name: 'Afronden' }).waitFor();
  await page.getByText(/Je hebt afgerond op dit toestel/).waitFor();
  await check(page, 'finish-offline');
  await page.locator('#sync', { hasText: /Offline \(\d+\)/ }).waitFor();
  // Nothing has reached the server yet.
  c = await maartjesCase(office);
  assert.equal(c.state, 'planned');
  // Meanwhile Kees finishes on his own phone: the exam waits for Jo.
  const keesDone = await kees('POST', `/cases/${c.caseId}/judge`, { revision: c.revision });
  assert.equal(keesDone.status, 200, JSON.stringify(keesDone.body));
  assert.equal(keesDone.body.state, 'planned');
  assert.deepEqual(keesDone.body.finishing.waitingFor.map((p) => p.personId), [DEMO.jo]);

  const offlineUntil = Date.now();
  await context.setOffline(false);
  // Jo's sheet and closing arrive: both finished and agree, so the exam is judged, and the
  // phone moves on to the signatures by itself.
  await page.getByRole('heading', { name: 'Ondertekenen' }).waitFor({ timeout: 45000 });
  await allSent(page);
  c = await maartjesCase(office);
  assert.equal(c.state, 'assessed', 'judged once both had finished');
  await check(page, 'sign');

  // Signatures with a finger, offline again (reception comes and goes): the assessor's, then
  // the candidate's, on this phone (Jo is the first assessor).
  await context.setOffline(true);
  const signFrom = Date.now();
  for (const name of ['Handtekening beoordelaar', 'Handtekening kandidaat (voor gezien)']) {
    const pad = page.getByRole('img', { name: new RegExp(name.replace(/[()]/g, '.')) });
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    await page.mouse.move(box.x + 20, box.y + 100);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 20 + i * 25, box.y + 100 + (i % 2 ? -30 : 30));
    await page.mouse.up();
    await pad.locator('xpath=..').getByRole('button', { name: 'Opslaan' }).click();
    await page.getByText(name.startsWith('Handtekening b') ? 'Jij hebt getekend' : 'Kandidaat heeft getekend').waitFor();
  }
  await page.getByText('Opgeslagen op dit toestel').waitFor();
  await page.locator('#sync', { hasText: /Offline \(\d+\)/ }).waitFor();
  const signUntil = Date.now();
  await context.setOffline(false);
  await allSent(page);
  c = await maartjesCase(office);
  const sheets = (await office('GET', `/cases/${c.caseId}/sheets`)).body.items;
  const jo = sheets.find((s) => s.sheet === DEMO.jo);
  assert.equal(jo.attendance, 'present');
  assert.equal(jo.identityChecked, true);
  assert.equal(jo.identityMethod, 'ID-kaart');
  assert.equal(jo.irregularities, 'Geen bijzonderheden');
  assert.equal(jo.motivation, 'Werkt schoon en rustig; let op de timing van de uitgifte.');
  assert.equal(jo.timesReason, 'Vervroegd op verzoek van het leerbedrijf');
  assert.equal(jo.scores.length, criteria.length);
  assert.ok(jo.scores.every((s) => s.level === 2));
  assert.equal(jo.scores.find((s) => s.criterion === model.sections[0].criteria[0].code).note, 'Nette mise-en-place, werkt schoon');
  // Begin and end are when they happened on the phone, offline, in the server's time: not
  // when they were sent, and not two hours ahead.
  const [began, ended] = [Date.parse(jo.startedAt), Date.parse(jo.endedAt)];
  assert.ok(began >= offlineFrom - 5000 && began <= offlineUntil + 5000, `startedAt ${jo.startedAt}`);
  assert.ok(ended >= began && ended <= offlineUntil + 5000, `endedAt ${jo.endedAt}`);
  const roles = c.signatures.map((s) => `${s.role}:${s.personId}`).sort();
  assert.deepEqual(roles, [`assessor:${DEMO.jo}`, `candidate:${DEMO.maartje}`].sort());
  // Each signature carries when it was drawn, offline, in the server's time (not two hours
  // ahead), beside when the server received it.
  for (const s of c.signatures) {
    const drawn = Date.parse(s.drawnAt);
    assert.ok(drawn >= signFrom - 5000 && drawn <= signUntil + 5000, `drawnAt ${s.drawnAt}`);
    assert.ok(drawn <= Date.parse(s.signedAt) + 5000, `drawn ${s.drawnAt}, received ${s.signedAt}`);
  }

  // The second assessor signs; the exam is signed and the candidate sees the result.
  const signed = await kees('POST', `/cases/${c.caseId}/signatures`, { role: 'assessor', image: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=' });
  assert.equal(signed.body.state, 'signed');
  assert.deepEqual(errors, []);
  await context.close();

  const student = await phone(chromium);
  await signIn(student.page, proeve, 'Damme, Maartje van');
  await student.page.getByRole('heading', { name: 'Mijn examens' }).waitFor();
  await check(student.page, 'student-home');
  await student.page.getByRole('link', { name: /Damme, Maartje van/ }).first().click();
  await student.page.getByText('Geslaagd').waitFor();
  // Signed, not yet determined by the committee: provisional, with how to object or appeal.
  await student.page.getByText('Voorlopig — nog niet vastgesteld door de examencommissie').waitFor();
  await student.page.getByRole('heading', { name: 'Bezwaar en beroep' }).waitFor();
  await student.page.getByText(/binnen zes weken/).waitFor();
  await student.page.getByRole('heading', { name: 'Mijn beoordelingsformulier' }).waitFor();
  // The official documents, to download.
  for (const name of ['Beoordelingsformulier', 'Proces-verbaal']) {
    const link = student.page.getByRole('link', { name });
    await link.waitFor();
    const pdf = await student.page.request.get(new URL(await link.getAttribute('href'), proeve.base).href);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  }
  await check(student.page, 'student-result');
  assert.deepEqual(student.errors, []);
  await student.context.close();
});
