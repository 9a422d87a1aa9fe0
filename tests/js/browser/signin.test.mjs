// A workplace assessor signs in by a mailed link that opens in the mail app's browser, and
// hands the session over to the installed app with the code the link's page shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, check, phone, startProeve } from './harness.mjs';

let proeve;
let chromium;
before(async () => { proeve = await startProeve({ mail: true }); chromium = await browser(); });
after(async () => { await chromium?.close(); proeve?.stop(); });

test('a mailed link opened in another browser hands the session to the installed app by a code', async () => {
  // The installed app (its own storage), signed out: it asks for a link.
  const app = await phone(chromium);
  await app.page.goto(proeve.app);
  await app.page.getByRole('heading', { name: 'Inloggen bij Demo ROC' }).waitFor();
  await app.page.getByLabel('E-mailadres').fill('kees@restaurant-de-gouden-pollepel.nl');
  await app.page.getByRole('button', { name: 'Stuur mij een inloglink' }).click();
  let mails = [];
  for (let i = 0; i < 100 && !mails.length; i++) {
    mails = proeve.mails();
    if (!mails.length) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mails.length, 1);
  const link = mails[0].match(/https?:\/\/\S+/)[0];
  // The mail app opens the link in a browser of its own.
  const mailBrowser = await phone(chromium);
  await mailBrowser.page.goto(link);
  await mailBrowser.page.getByRole('button', { name: 'Inloggen' }).click();
  await mailBrowser.page.getByRole('heading', { name: 'Je bent ingelogd' }).waitFor();
  await check(mailBrowser.page, 'signin-link-landing');
  const code = (await mailBrowser.page.locator('.code strong').innerText()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  // In the installed app: "Ik heb een inlogcode", typed as people type.
  await app.page.getByText('Ik heb een inlogcode').click();
  await app.page.getByLabel('Inlogcode').fill(code.toLowerCase().replace('-', ' '));
  await check(app.page, 'signin-code');
  await app.page.getByRole('button', { name: 'Inloggen' }).click();
  await app.page.getByRole('heading', { name: 'Bakker, Kees' }).waitFor();
  // Once only.
  const again = await app.page.request.post(`${proeve.base}/api/demo/sign-in/code`, { data: { code } });
  assert.equal(again.status(), 400);
  assert.deepEqual(app.errors, []);
  await app.context.close();
  await mailBrowser.context.close();
});

test('asking for links again and again is told, in Dutch, to wait', async () => {
  const app = await phone(chromium);
  await app.page.goto(proeve.app);
  // Someone on this network has asked many times (the first test asked once).
  for (let i = 0; i < 29; i++) {
    const r = await app.page.request.post(`${proeve.base}/api/demo/sign-in/link`, { data: { email: `iemand${i}@example.nl` } });
    assert.equal(r.status(), 202);
  }
  await app.page.getByLabel('E-mailadres').fill('kees@restaurant-de-gouden-pollepel.nl');
  await app.page.getByRole('button', { name: 'Stuur mij een inloglink' }).click();
  await app.page.getByText('Dat is vaak geprobeerd vanaf dit netwerk. Probeer het over tien minuten opnieuw.').waitFor();
  await check(app.page, 'signin-link-too-often');
  await app.context.close();
});
