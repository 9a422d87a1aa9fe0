// Lighthouse (mobile profile: a mid-range phone on slow 4G, simulated) on the assessor's main
// screens of the phone app, against the real server running the demo on a fresh SQLite file.
// Debian's Chromium via CHROME_PATH; never a downloaded browser.
//
//   node benches/lighthouse/run.mjs [path/to/proeve]     (scripts/bench lighthouse)
//
// Prints one line per screen (scores and bytes transferred) and a summary line; the full
// reports go to test-artifacts/lighthouse/.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.argv[2] ?? join(repo, 'target/release/proeve');
const out = join(repo, 'test-artifacts/lighthouse');
mkdirSync(out, { recursive: true });

// The demo's people and exam (catalog/demo).
const FATIMA = '4c915d7e-6f80-4a12-8d4e-5f6a7b8c9da4'; // exam office
const JO = '2a7f3b5c-4d6e-4f80-8b2c-3d4e5f6a7b82'; // assessor
const KEES = '3b804c6d-5e7f-4091-9c3d-4e5f6a7b8c93'; // assessor
const YILMAZ = '1f6e2a4b-3c5d-4e7f-9a1b-2c3d4e5f6a71'; // candidate

const port = await new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const dir = mkdtempSync(join(tmpdir(), 'proeve-lighthouse-'));
const env = {
  ...process.env,
  PROEVE_BIND: `127.0.0.1:${port}`,
  PROEVE_DATABASE_URL: `sqlite://${join(dir, 'proeve.db')}?mode=rwc`,
  PROEVE_DEMO_KEY_FILE: join(dir, 'demo-key.pem'),
  PROEVE_CATALOG_DIR: join(repo, 'catalog'),
  RUST_LOG: process.env.RUST_LOG ?? 'warn',
};
const server = spawn(bin, [], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
let chrome;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error('Proeve did not start');
    await new Promise((r) => setTimeout(r, 100));
  }

  // The exam office plans Yılmaz's exam with Jo and Kees; Jo is the one on the phone.
  const office = await session(FATIMA);
  const c = (await office.call('GET', '/cases')).items.find((x) => x.candidate.personId === YILMAZ);
  const planned = await office.call('POST', `/cases/${c.caseId}/plan`, {
    revision: c.revision, start: '2026-12-09T08:00:00Z', end: '2026-12-09T11:00:00Z',
    place: { kind: 'school', location: 'Leerrestaurant' }, assessors: [JO, KEES],
  });
  const jo = await session(JO);
  const app = `${base}/app/demo/`;
  const screens = [
    ['my exams', app],
    ['exam', `${app}#/case/${planned.caseId}`],
    ['attendance', `${app}#/case/${planned.caseId}/score/attendance`],
    ['criteria', `${app}#/case/${planned.caseId}/score/section-0`],
  ];

  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  for (const [name, url] of screens) {
    const r = await lighthouse(url, {
      port: chrome.port, output: 'json', logLevel: 'error', extraHeaders: { Cookie: jo.cookie },
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    });
    const lhr = r.lhr;
    if (lhr.runtimeError) throw new Error(`${name}: ${lhr.runtimeError.message}`);
    writeFileSync(join(out, `${name.replace(/ /g, '-')}.json`), r.report);
    const score = (k) => Math.round((lhr.categories[k].score ?? 0) * 100);
    const ms = (k) => Math.round(lhr.audits[k].numericValue);
    const row = {
      name,
      performance: score('performance'), accessibility: score('accessibility'),
      bestPractices: score('best-practices'), seo: score('seo'),
      fcpMs: ms('first-contentful-paint'), lcpMs: ms('largest-contentful-paint'),
      tbtMs: ms('total-blocking-time'), cls: lhr.audits['cumulative-layout-shift'].numericValue,
      bytes: lhr.audits['total-byte-weight'].numericValue,
      requests: lhr.audits['network-requests'].details?.items?.length ?? 0,
    };
    rows.push(row);
    console.log(`lighthouse ${name}: performance ${row.performance} accessibility ${row.accessibility} `
      + `best-practices ${row.bestPractices} seo ${row.seo}; FCP ${row.fcpMs} ms LCP ${row.lcpMs} ms `
      + `TBT ${row.tbtMs} ms CLS ${row.cls.toFixed(3)}; ${(row.bytes / 1024).toFixed(1)} KiB in ${row.requests} requests`);
  }
  writeFileSync(join(out, 'summary.json'), JSON.stringify({ lighthouse: lhVersion(), rows }, null, 2));
  const min = (k) => Math.min(...rows.map((r) => r[k]));
  console.log(`lighthouse (mobile, ${rows.length} screens): lowest performance ${min('performance')}, `
    + `accessibility ${min('accessibility')}, best-practices ${min('bestPractices')}, seo ${min('seo')}; `
    + `most bytes ${(Math.max(...rows.map((r) => r.bytes)) / 1024).toFixed(1)} KiB`);
} finally {
  await chrome?.kill();
  server.kill();
}

/** Signs a demo person in; their session cookie and a caller of the app API. */
async function session(personId) {
  const r = await fetch(`${base}/api/demo/demo/sign-in`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ personId }),
  });
  if (r.status !== 200) throw new Error(`sign-in: ${r.status} ${await r.text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await r.json();
  return {
    cookie,
    call: async (method, path, body) => {
      const res = await fetch(`${base}/api/demo${path}`, {
        method,
        headers: { cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
  };
}

function lhVersion() {
  return execFileSync('node', [join(dirname(fileURLToPath(import.meta.url)), 'node_modules/lighthouse/cli/index.js'), '--version']).toString().trim();
}
