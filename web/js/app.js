// Proeve's phone app: the shell, the router and the data it keeps for offline use.
import { api, ApiError, getIfChanged, Offline, setCsrf, slug } from './api.js';
import { h, show } from './dom.js';
import { lang, say, setLang, t } from './i18n.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { assessorRoutes } from './assess.js';
import { caseRoutes, home } from './cases.js';
import { officeRoutes } from './office.js';

/** The app's state shared by the screens. */
export const app = { me: null, methods: null };

/** Cached case, model and sheets for a case. */
export async function caseData(id) {
  const [c, model, sheets, draft] = await Promise.all([
    store.get('cases', id), store.get('models', id), store.get('sheets', id), store.get('drafts', id),
  ]);
  return { c, model, sheets: sheets ?? [], draft };
}

/** Fetches a case's model and visible sheets and keeps them; returns the sheets. */
export async function fetchDetails(caseId) {
  await store.put('models', caseId, await api('GET', `/cases/${caseId}/model`));
  const sheets = (await api('GET', `/cases/${caseId}/sheets`)).items;
  await store.put('sheets', caseId, sheets);
  return sheets;
}

/** The case with its model and sheets: from the phone, fetched first when online. */
export async function caseDetails(id) {
  try {
    const c = await api('GET', `/cases/${id}`);
    await store.put('cases', id, c);
    if (c.modelVersion) await fetchDetails(id);
  } catch (e) {
    if (!(e instanceof Offline)) throw e;
  }
  return caseData(id);
}

/** How the signed-in person stands to a case. */
export function relation(c) {
  const me = app.me?.personId;
  return {
    candidate: c.candidate?.personId === me,
    assessor: (c.assessors ?? []).some((a) => a.personId === me),
    enrolled: (c.assessorOptions ?? []).some((a) => a.personId === me),
    office: !!app.me?.examOffice,
    committee: !!app.me?.examCommittee,
  };
}

/** The states of exams still under way: the exam office keeps the first of each on the phone. */
export const ACTIVE = ['received', 'planned', 'assessed', 'signed'];

/** How many exams to plan the home screen shows before "Meer tonen". */
export const TO_PLAN_PAGE = 20;

/** How many exams of each state under way the exam office and committee keep on the phone
 * before "Meer tonen" (a school has thousands; the phone holds what a screen shows). */
export const STATE_PAGE = 50;

/** The lists the phone keeps a first page of, and shows more of on request. */
export const LISTS = {
  toPlan: `list=toPlan&limit=${TO_PLAN_PAGE}`,
  ...Object.fromEntries(ACTIVE.map((s) => [s, `state=${s}&limit=${STATE_PAGE}`])),
  // Planned exams soonest first: the first page holds tomorrow's, not the oldest received.
  planned: `state=planned&order=start&limit=${STATE_PAGE}`,
};

/** The cases of a list, page by page (at most `most` pages), each page fetched only when it
 * changed since the phone last had it (its ETag). Remembers where the list goes on. */
async function pages(query, most, used) {
  const items = [];
  let after = null;
  for (let n = 0; n < most; n++) {
    const path = `/cases?${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const kept = await store.get('kv', `page ${path}`);
    const got = await getIfChanged(path, kept?.etag);
    const page = got.unchanged && kept ? kept.page : got.body;
    if (!got.unchanged) await store.put('kv', `page ${path}`, { etag: got.etag, page });
    used.add(`page ${path}`);
    items.push(...page.items);
    after = page.next;
    if (!after) break;
  }
  await store.put('kv', `more ${query}`, after ?? null);
  return items;
}

/** Forgets the kept pages (and where lists went on) that this refresh did not use: a list got
 * shorter, its pages moved, or the phone keeps other lists now (a new version of the app, or
 * the person's roles changed). */
async function forgetPagesBut(used, queries) {
  for (const [key] of await store.entries('kv')) {
    const k = String(key);
    const kind = k.slice(0, k.indexOf(' '));
    if (kind === 'page' ? !used.has(k) : ['more', 'opened'].includes(kind) && !queries.has(k.slice(kind.length + 1))) {
      await store.del('kv', key);
    }
  }
}

/** Whether a kept list goes on beyond what the phone has. */
export async function hasMore(list) {
  return !!(await store.get('kv', `more ${LISTS[list]}`));
}

/** The next page of a kept list (online only): kept on the phone, and kept at the next
 * refresh too (it fetches as many pages as were opened). */
export async function showMore(list) {
  const query = LISTS[list];
  const after = await store.get('kv', `more ${query}`);
  if (!after) return [];
  const page = await api('GET', `/cases?${query}&after=${encodeURIComponent(after)}`);
  for (const c of page.items) await store.put('cases', c.caseId, c);
  await store.put('kv', `more ${query}`, page.next ?? null);
  await store.put('kv', `opened ${query}`, ((await store.get('kv', `opened ${query}`)) ?? 1) + 1);
  return page.items;
}

/** Fetches what the person needs, and keeps it on the device. Offline: keeps what is there. */
export async function refresh() {
  const me = await api('GET', '/me');
  const before = await store.get('kv', 'me');
  if (before && before.personId !== me.personId) {
    // Someone else signed in on this phone: nothing of the previous person stays, and
    // nothing of theirs is sent under this person's name.
    await store.clear();
  }
  app.me = me;
  setCsrf(me.csrfToken);
  await store.put('kv', 'me', me);
  if (await store.get('kv', 'signIn')) {
    await store.del('kv', 'signIn');
    sync.kick();
  }
  // Everyone keeps the exams they assess or sit. The exam office and committee keep the
  // first exams of each state under way (more as they open them) and the latest determined
  // ones; the overview's counts and the exams with signed results come from the server,
  // and the history (final, canceled) is fetched when they open it. Anyone else keeps the
  // first exams to plan.
  // (A committee member who also assesses keeps the exams they may plan, as any assessor;
  // the exam office plans every exam and has them all under "received".)
  const staff = me.examOffice || me.examCommittee;
  const used = new Set();
  const queries = new Set();
  const kept = async (query, most) => { queries.add(query); return pages(query, most, used); };
  const list = { items: await kept('list=mine&limit=500', Infinity) };
  const add = (more) => list.items.push(...more.filter((c) => !list.items.some((m) => m.caseId === c.caseId)));
  const opened = async (name) => (await store.get('kv', `opened ${LISTS[name]}`)) ?? 1;
  const names = me.examOffice ? ACTIVE : me.examCommittee ? [...ACTIVE, 'toPlan'] : ['toPlan'];
  for (const name of names) add(await kept(LISTS[name], await opened(name)));
  if (staff) {
    add(await kept('list=recentlyFinalised&limit=20', 1));
    const counts = await getIfChanged('/cases/counts?state=signed', (await store.get('kv', 'counts'))?.etag);
    if (!counts.unchanged) await store.put('kv', 'counts', { etag: counts.etag, counts: counts.body.counts, signedExams: counts.body.exams });
  }
  await forgetPagesBut(used, queries);
  const ids = new Set();
  for (const c of list.items) {
    ids.add(c.caseId);
    await store.put('cases', c.caseId, c);
  }
  for (const [id] of await store.entries('cases')) {
    if (!ids.has(id)) await store.del('cases', id);
  }
  // Ready for a day without reception: the model and the sheets of every exam to assess.
  for (const c of list.items) {
    const r = relation(c);
    // Kept for offline use: the exams this person assesses or sits. The exam office and
    // committee (who may see every exam of the school) fetch the details when they open one.
    const needed = (r.assessor && ['planned', 'assessed'].includes(c.state)) || r.candidate;
    if (!needed || !c.modelVersion) continue;
    try {
      const sheets = await fetchDetails(c.caseId);
      const mine = sheets.find((s) => s.sheet === 'mine');
      if (r.assessor) {
        // The server's sheet replaces the phone's draft only when the phone has nothing
        // unsent for it and the server's is newer (saved from another device).
        await store.locked(async () => {
          if (await sync.sheetBusy(c.caseId) || await store.get('conflicts', c.caseId)) return;
          const draft = await store.get('drafts', c.caseId);
          if (!draft || (mine && mine.revision > (draft.revision ?? 0))) {
            await store.put('drafts', c.caseId, sync.draftFrom(mine, mine?.revision ?? 0));
          }
        });
      }
    } catch (e) {
      if (e instanceof Offline) throw e;
    }
  }
}

function signInScreen(why) {
  const m = app.methods ?? {};
  const email = h('input', { type: 'email', autocomplete: 'email', required: true });
  const note = h('p', { role: 'status' });
  const parts = [h('h1', {}, t('signInAt', m.school ?? 'Proeve'))];
  if (why) parts.push(h('p', { class: 'notice' }, why));
  if (m.schoolAccount) {
    parts.push(h('p', {}, h('a', { class: 'button', href: `/app/${slug}/sign-in/school` }, t('schoolAccount'))));
  }
  if (m.mailedLink) {
    parts.push(h('h2', {}, t('mailLink')), h('p', { class: 'muted' }, t('mailLinkHelp')),
      h('form', {
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('POST', '/sign-in/link', { email: email.value });
            note.textContent = t('linkSent');
          } catch (err) {
            note.textContent = err instanceof Offline ? t('onlineOnly') : say(err);
          }
        },
      }, h('label', { for: 'signin-email' }, t('email')), Object.assign(email, { id: 'signin-email' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('sendLink')))), note);
  }
  if (m.mailedLink) {
    // A mailed link opened in the mail app's browser shows a code for this app.
    const code = h('input', { type: 'text', id: 'signin-code', autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: false });
    const said = h('p', { role: 'status' });
    parts.push(h('details', {}, h('summary', {}, t('haveCode')),
      h('p', { class: 'muted' }, t('haveCodeHelp')),
      h('form', {
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('POST', '/sign-in/code', { code: code.value });
            location.hash = '';
            location.reload();
          } catch (err) {
            said.textContent = err instanceof Offline ? t('onlineOnly') : err.status === 429 ? t('tooManyTries') : t('codeWrong');
          }
        },
      }, h('label', { for: 'signin-code' }, t('code')), code,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('signIn')))), said));
  }
  if (m.demo) {
    parts.push(h('p', {}, h('a', { class: 'button secondary', href: `/app/${slug}/sign-in` }, t('demoSignIn'))));
  }
  show(parts);
}

function syncBadge(s) {
  const el = document.getElementById('sync');
  el.setAttribute('href', s.signIn ? '#/sign-in' : '#/sync');
  el.removeAttribute('aria-label');
  if (s.signIn) {
    el.classList.add('trouble');
    el.textContent = `⚠ ${t('signInAgain')}`;
    return;
  }
  el.classList.toggle('pending', s.pending > 0 && !s.conflicts && !s.errors);
  el.classList.toggle('trouble', s.conflicts > 0 || s.errors > 0);
  if (s.conflicts || s.errors) el.textContent = `⚠ ${t('trouble')}`;
  else if (s.pending) el.textContent = s.online ? `↻ ${t('pending', s.pending)}` : `${t('offline')} (${s.pending})`;
  else el.textContent = s.online ? `✓ ${t('synced')}` : t('offline');
  // Short on a narrow bar; whole for a screen reader.
  if (s.pending && !s.online && !s.conflicts && !s.errors) el.setAttribute('aria-label', `${el.textContent}: ${t('pending', s.pending)}`);
  else el.removeAttribute('aria-label');
}

const routes = [
  [/^\/sign-in$/, () => signInScreen(t('sessionEnded'))],
  ...assessorRoutes,
  ...officeRoutes,
  ...caseRoutes,
];

async function route() {
  const path = location.hash.replace(/^#/, '') || '/';
  for (const [pattern, screen] of routes) {
    const m = path.match(pattern);
    if (m) {
      try {
        await screen(...m.slice(1));
      } catch (e) {
        show(h('h1', {}, t('error', '')), h('p', { class: 'error' }, e instanceof Offline ? t('onlineOnly') : say(e)));
      }
      return;
    }
  }
  await home();
}

export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

async function boot() {
  setLang(lang);
  document.getElementById('lang').addEventListener('click', () => {
    setLang(lang === 'nl' ? 'en' : 'nl');
    document.getElementById('lang').textContent = lang === 'nl' ? 'EN' : 'NL';
    document.getElementById('lang').setAttribute('lang', lang === 'nl' ? 'en' : 'nl');
    document.querySelector('.skip').textContent = t('skip');
    sync.status().then(syncBadge);
    route();
  });
  await store.init(slug);
  sync.onChange(syncBadge);
  // When the last change has gone out, a list or exam page shows the server's answer.
  let before = 0;
  sync.onChange(async (s) => {
    const done = before > 0 && s.pending === 0;
    before = s.pending;
    if (!done) return;
    try { await refresh(); } catch { /* keeps what it has */ }
    if (/^#?\/?$|^#\/case\/[0-9a-f-]{36}$/.test(location.hash)) route();
  });
  sync.status().then(syncBadge);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
  // Unsent work lives in IndexedDB: ask the browser not to evict it on a full cheap phone.
  navigator.storage?.persist?.().catch(() => {});
  try {
    app.methods = await api('GET', '/sign-in/methods');
    await store.put('kv', 'methods', app.methods);
  } catch {
    app.methods = await store.get('kv', 'methods');
  }
  try {
    await refresh();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      // Signed out or the session ended: what is not sent yet stays on the phone until
      // the same person signs in again.
      const unsent = (await sync.status()).pending;
      signInScreen(unsent ? t('sessionEnded') : undefined);
      return;
    }
    app.me = await store.get('kv', 'me');
    if (!app.me) {
      show(h('h1', {}, 'Proeve'), h('p', { class: 'notice' }, t('offlineNoData')));
      return;
    }
    setCsrf(app.me.csrfToken);
  }
  // One line at 360 px: the school's name (Proeve is the icon and the title).
  document.getElementById('brand').textContent = app.methods?.school ?? 'Proeve';
  addEventListener('hashchange', route);
  addEventListener('online', async () => {
    try { await sync.kick(); await refresh(); } catch { /* stays offline */ }
  });
  await sync.kick();
  await route();
}

export async function signOut() {
  const { pending } = await sync.status();
  // eslint-disable-next-line no-alert
  if (pending && !window.confirm(t('unsentOnSignOut', pending))) return;
  try { await api('POST', '/sign-out'); } catch { /* gone anyway */ }
  await store.clear();
  location.hash = '';
  location.reload();
}

boot();
