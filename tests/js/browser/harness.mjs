// What the browser tests share: a real Proeve (the demo, on its own SQLite file and port),
// Debian's Chromium driven by playwright-core as a Pixel 7, API sessions for the people
// the test plays outside the browser, axe-core on every screen and a screenshot of each.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, devices } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = process.env.PROEVE_BIN ?? join(repo, 'target/debug/proeve');
const shots = join(repo, 'test-artifacts/screens');
mkdirSync(shots, { recursive: true });

export const DEMO = {
  offering: '6a1f0c2e-5b3d-4e8f-9a7b-2c4d6e8f0a12',
  maartje: '0e5d1f3a-2b4c-4d6e-8f0a-1b2c3d4e5f60',
  yilmaz: '1f6e2a4b-3c5d-4e7f-9a1b-2c3d4e5f6a71',
  jo: '2a7f3b5c-4d6e-4f80-8b2c-3d4e5f6a7b82',
  kees: '3b804c6d-5e7f-4091-9c3d-4e5f6a7b8c93',
  fatima: '4c915d7e-6f80-4a12-8d4e-5f6a7b8c9da4',
  pieter: '5da26e8f-7091-4b23-9e5f-6a7b8c9daeb5',
};

/** Why the tests' exams are taken today although planned for December: an exam far from its
 * plan closes only with a reason. */
export const EARLIER = 'Vervroegd: het leerbedrijf kon alleen vandaag.';

/** A drawn signature, as small as a PNG gets. */
export const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** A planned exam (`revision` as planned) scored by each of its assessors' API sessions
 * (`team`, lead first) with `scores`, judged, signed by them, and acknowledged by the
 * candidate on the lead's device. */
export async function scoreAndSign(caseId, revision, team, scores) {
  for (const who of team) {
    const s = await who('PUT', `/cases/${caseId}/sheets/mine`, { revision: 0, attendance: 'present', identityChecked: true, identityMethod: 'ID-kaart', scores, timesReason: EARLIER });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }
  for (const who of team) {
    const j = await who('POST', `/cases/${caseId}/judge`, { revision });
    assert.equal(j.status, 200, JSON.stringify(j.body));
  }
  for (const [who, role] of [...team.map((w) => [w, 'assessor']), [team[0], 'candidate']]) {
    const g = await who('POST', `/cases/${caseId}/signatures`, { role, image: PNG });
    assert.equal(g.status, 200, JSON.stringify(g.body));
  }
}

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

/** A fresh database: a SQLite file, or with PROEVE_TEST_DATABASE_URL (a PostgreSQL role that
 * may create databases) a new PostgreSQL database. */
function freshDatabase(dir) {
  const admin = process.env.PROEVE_TEST_DATABASE_URL;
  if (!admin?.startsWith('postgres')) return `sqlite://${join(dir, 'proeve.db')}?mode=rwc`;
  const name = `proeve_browser_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', [admin, '-qc', `CREATE DATABASE ${name}`]);
  return `${admin.slice(0, admin.lastIndexOf('/'))}/${name}`;
}

/** Starts a mail server (Python's aiosmtpd) that keeps what it receives in a Maildir;
 * `mails()` gives each message's text, decoded. */
async function startMail(dir) {
  const port = await freePort();
  const maildir = join(dir, 'mail');
  const child = spawn('python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    const up = await new Promise((ok) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.end(); ok(true); });
      s.on('error', () => ok(false));
    });
    if (up) break;
    if (i > 150) throw new Error('aiosmtpd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const mails = () => JSON.parse(execFileSync('python3', ['-c', `
import email, email.policy, glob, json, sys
out = []
for f in sorted(glob.glob(sys.argv[1] + '/new/*')):
    with open(f, 'rb') as m:
        out.append(email.message_from_binary_file(m, policy=email.policy.default).get_body().get_content())
print(json.dumps(out))
`, maildir]).toString());
  return { port, mails, stop: () => child.kill() };
}

/** Starts the demo on a fresh database; `stop()` ends it. With `mail`, it mails sign-in
 * links to a mail server of its own (`mails()`). */
export async function startProeve({ mail = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'proeve-browser-'));
  const port = await freePort();
  const smtp = mail ? await startMail(dir) : null;
  const env = {
    ...process.env,
    PROEVE_BIND: `127.0.0.1:${port}`,
    PROEVE_DATABASE_URL: freshDatabase(dir),
    PROEVE_DEMO_KEY_FILE: join(dir, 'demo-key.pem'),
    PROEVE_CATALOG_DIR: join(repo, 'catalog'),
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
    ...(smtp ? {
      PROEVE_SMTP_HOST: '127.0.0.1', PROEVE_SMTP_PORT: String(smtp.port), PROEVE_SMTP_SECURITY: 'none',
      PROEVE_SMTP_FROM: 'Proeve <noreply@demo-roc.example>', PROEVE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    } : {}),
  };
  const child = spawn(bin, [], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const database = env.PROEVE_DATABASE_URL;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch { /* not yet */ }
    if (i > 300) throw new Error('Proeve did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = execFileSync(bin, ['demo-token', '--scope', 'nl-test-admin-flow-0', '--scope', 'nl-test-admin-flow-1-5'], { env, cwd: dir }).toString().trim();
  return {
    base,
    app: `${base}/app/demo/`,
    /** A call as the demo school's SIS. */
    sis: (method, path, body) => fetch(`${base}/ooapi/demo${path}`, {
      method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    }),
    /** Moves the clock for a person's sessions: as if last used `seconds` ago (the server's
     * time cannot be moved, so the session is aged in its database). */
    ageSessions: (personId, seconds) => {
      if (database.startsWith('postgres')) {
        execFileSync('psql', [database, '-qc',
          `UPDATE session SET last_seen_at = now() - interval '${Number(seconds)} seconds' WHERE person_id = '${personId}'`]);
      } else {
        const file = database.replace(/^sqlite:\/\//, '').replace(/\?.*$/, '');
        execFileSync('python3', ['-c', `
import sqlite3, sys, datetime
at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=int(sys.argv[3]))).isoformat()
with sqlite3.connect(sys.argv[1]) as db:
    # (SQLite keeps a UUID as its 16 bytes.)
    db.execute("UPDATE session SET last_seen_at = ? WHERE person_id = ?", (at, bytes.fromhex(sys.argv[2].replace('-', ''))))
`, file, personId, String(Number(seconds))]);
      }
    },
    mails: () => smtp?.mails() ?? [],
    stop: () => { child.kill(); smtp?.stop(); },
  };
}

/** An API session for a demo person, outside the browser. */
export async function session(base, personId) {
  const r = await fetch(`${base}/api/demo/demo/sign-in`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ personId }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await r.json();
  return async (method, path, body) => {
    const res = await fetch(`${base}/api/demo${path}`, {
      method,
      headers: { cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone: a Pixel 7 in Dutch, in Amsterdam. */
export async function phone(b) {
  const context = await b.newContext({ ...devices['Pixel 7'], locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(m.text())) errors.push(m.text()); });
  return { context, page, errors };
}

/** Signs in through the demo page, by the name shown there. */
export async function signIn(page, proeve, name) {
  await page.goto(`${proeve.base}/app/demo/sign-in`);
  await page.getByRole('button', { name }).click();
  await page.waitForURL(`${proeve.app}**`);
  await page.locator('main h1').first().waitFor();
}

/** axe-core finds no WCAG 2.1 A/AA violations; a screenshot is kept as an artefact: the
 * whole page, or (`at`) the screen showing that element, for a page too long to picture. */
export async function check(page, name, { at } = {}) {
  await page.locator('main h1').first().waitFor();
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe on ${name}`);
  if (at) await at.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: !at });
}

/** Waits until the sync indicator says everything is sent. */
export async function allSent(page) {
  try {
    await page.locator('#sync', { hasText: 'Alles verzonden' }).waitFor({ timeout: 45000 });
  } catch (e) {
    await page.evaluate(() => { location.hash = '#/sync'; });
    await page.waitForTimeout(500);
    const text = await page.locator('main').innerText();
    throw new Error(`not everything was sent: ${text}`);
  }
}
