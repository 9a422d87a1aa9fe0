// The outbox: every change is written on the device first and queued; the queue is sent in
// order whenever there is a connection. A sheet is sent whole, with the revision the server
// last gave, so a stale save is refused (409) and shown as a conflict, never overwriting
// someone else's work. A case with a conflict or a refused change waits; other cases go on.
import { api, ApiError, Offline } from './api.js';
import * as store from './store.js';

export { say } from './i18n.js';

const listeners = new Set();
export function onChange(fn) { listeners.add(fn); }
async function changed() { const s = await status(); for (const fn of listeners) fn(s); }

/** What is waiting: {pending, conflicts, errors, online, signIn}. */
export async function status() {
  const ops = await store.values('outbox');
  const conflicts = await store.values('conflicts');
  return {
    pending: ops.length,
    errors: ops.filter((o) => o.error).length,
    conflicts: conflicts.length,
    online: navigator.onLine,
    signIn: !!(await store.get('kv', 'signIn')),
  };
}

/** Whether a change to this case's sheet is queued or on its way. */
export async function sheetBusy(caseId) {
  return (await store.entries('outbox')).some(([k, o]) => o.caseId === caseId && (o.type === 'sheet' || k === inFlight));
}

/** Queues a change and tries to send it. Sheet saves of one case are merged. */
export async function enqueue(op) {
  if (op.type === 'sheet') {
    // One waiting save carries every edit, as long as it has not left yet; a save the
    // server refused is tried again with the newer draft.
    const waiting = (await store.entries('outbox'))
      .find(([k, o]) => o.type === 'sheet' && o.caseId === op.caseId && k !== inFlight);
    if (!waiting) await store.put('outbox', undefined, { ...op, at: new Date().toISOString() });
    else if (waiting[1].error) await store.put('outbox', waiting[0], { ...waiting[1], error: undefined, code: undefined, params: undefined });
  } else {
    // A closing the server refused is replaced by the new one (after the assessor put the
    // sheet right) in its place: before the signatures queued behind it.
    const refused = op.type === 'judge'
      && (await store.entries('outbox')).find(([, o]) => o.type === 'judge' && o.caseId === op.caseId && o.error);
    await store.put('outbox', refused ? refused[0] : undefined, { ...op, at: new Date().toISOString() });
  }
  await changed();
  kick();
}

/** The draft of the assessor's own sheet as the API accepts it: what is not finished yet
 * (a failing score still without its note, a method without the check) waits on the phone. */
export function sheetBody(draft) {
  const body = { revision: draft.revision ?? 0 };
  for (const k of ['attendance', 'irregularities', 'motivation', 'startedAt', 'endedAt', 'timesReason']) {
    if (draft[k] !== undefined && draft[k] !== null) body[k] = draft[k];
  }
  if (typeof draft.identityChecked === 'boolean') {
    body.identityChecked = draft.identityChecked;
    body.identityMethod = draft.identityMethod ?? '';
  }
  body.scores = Object.entries(draft.scores ?? {})
    .filter(([, s]) => Number.isInteger(s.level) && !(s.fails && !(s.note ?? '').trim()))
    .map(([criterion, s]) => ({ criterion, level: s.level, note: s.note || undefined }));
  return body;
}

/** Whether the server already holds what this op would do (a send whose answer got lost). */
async function alreadyDone(op) {
  try {
    const c = await api('GET', `/cases/${op.caseId}`);
    const me = (await store.get('kv', 'me'))?.personId;
    const done = op.type === 'judge'
      ? c.state !== 'planned'
      : op.type === 'sign' && (c.signatures ?? []).some((s) => (op.body.role === 'assessor'
        ? s.role === 'assessor' && s.personId === me
        : s.role === 'candidate'));
    if (done) await store.put('cases', op.caseId, c);
    return done;
  } catch {
    return false;
  }
}

async function send(op, key) {
  const path = `/cases/${op.caseId}`;
  switch (op.type) {
    case 'sheet': {
      const draft = await store.get('drafts', op.caseId);
      if (!draft) return;
      let body = sheetBody(draft);
      try {
        const r = await api('PUT', `${path}/sheets/mine`, body).catch(async (e) => {
          // Times the server finds impossible (a phone clock far off before it was ever
          // corrected) must not hold the scores back: send without them, the server then
          // records its own.
          if (!(e instanceof ApiError && e.status === 400 && /startedAt|endedAt/.test(e.message))) throw e;
          await store.updateDraft(op.caseId, () => ({ startedAt: undefined, endedAt: undefined }));
          body = sheetBody({ ...draft, startedAt: undefined, endedAt: undefined });
          return api('PUT', `${path}/sheets/mine`, body);
        });
        // Edits made meanwhile stay in the draft (and in a newer queued save).
        await store.updateDraft(op.caseId, () => ({ revision: r.revision }));
      } catch (e) {
        // A save whose answer got lost comes back as a conflict with itself: adopt it.
        if (!(e instanceof ApiError && e.status === 409)) throw e;
        const server = (await api('GET', `${path}/sheets`)).items.find((s) => s.sheet === 'mine');
        const same = server && JSON.stringify(sheetBody(draftFrom(server)).scores) === JSON.stringify(body.scores)
          && (server.attendance ?? undefined) === body.attendance;
        if (!same) throw e;
        await store.updateDraft(op.caseId, () => ({ revision: server.revision }));
      }
      return;
    }
    case 'judge':
    case 'plan':
    case 'sign': {
      const url = { judge: `${path}/judge`, plan: `${path}/plan`, sign: `${path}/signatures` }[op.type];
      let view;
      try {
        view = await api('POST', url, op.body);
      } catch (e) {
        if (e instanceof ApiError && [400, 409].includes(e.status) && op.type !== 'plan' && (await alreadyDone(op))) return;
        // A drawing time the server finds impossible (a phone clock far off before it was ever
        // corrected): the signature still counts, with the server's time of receipt only.
        if (!(op.type === 'sign' && e instanceof ApiError && e.status === 400 && /drawnAt/.test(e.message) && op.body.drawnAt)) throw e;
        const body = { ...op.body };
        delete body.drawnAt;
        view = await api('POST', url, body);
      }
      const before = (await store.get('cases', op.caseId))?.revision;
      await store.put('cases', op.caseId, view);
      // Changes queued after this one were made against the revision this one replaced.
      for (const [k, later] of await store.entries('outbox')) {
        const stale = later.body?.revision !== undefined && [op.body.revision, before].includes(later.body.revision);
        if (k !== key && later.caseId === op.caseId && stale) {
          await store.put('outbox', k, { ...later, body: { ...later.body, revision: view.revision } });
        }
      }
      return;
    }
    default:
      throw new Error(`unknown change ${op.type}`);
  }
}

let running = null;
let again = false;
let inFlight = null;

/** Sends what is waiting, if it can. */
export function kick() {
  if (running) {
    again = true; // a change queued during a round goes out right after it
    return running;
  }
  again = false;
  running = drain().then((reachedServer) => {
    // Without an answer, try again soon, then less often (5 s doubling to a minute): in
    // a workshop the phone may believe it is online while nothing gets through.
    clearTimeout(retry);
    delay = reachedServer ? 5000 : Math.min(delay * 2, 60000);
    if (!reachedServer) retry = setTimeout(kick, delay);
  }).finally(() => {
    running = null;
    changed();
    if (again) kick();
  });
  return running;
}

let retry = null;
let delay = 2500;

async function drain() {
  if (await store.get('kv', 'signIn')) return true;
  // navigator.onLine only knows whether there is a network, not whether Proeve answers:
  // the first call that cannot get through stops the round.
  const blocked = new Set((await store.values('conflicts')).map((c) => c.caseId));
  for (const [key, op] of await store.entries('outbox')) {
    if (op.error || blocked.has(op.caseId)) { blocked.add(op.caseId); continue; }
    inFlight = key;
    try {
      await send(op, key);
      await store.del('outbox', key);
    } catch (e) {
      // No answer, or the server is having a moment: try again later, nothing is lost.
      if (e instanceof Offline || (e instanceof ApiError && (e.status >= 500 || [408, 429].includes(e.status)))) return false;
      // The session has ended: keep everything and ask the person to sign in again.
      if (e instanceof ApiError && (e.status === 401 || (e.status === 403 && /CSRF/.test(e.message)))) {
        await store.put('kv', 'signIn', true);
        return true;
      }
      blocked.add(op.caseId);
      if (e instanceof ApiError && e.status === 409) {
        await recordConflict(op, e);
      } else {
        // The reason as the server gave it: its code and parameters too, for the app's words.
        await store.put('outbox', key, { ...op, error: e.message, code: e.body?.code, params: e.body?.params });
      }
    } finally {
      inFlight = null;
    }
    await changed();
  }
  return true;
}

async function recordConflict(op, e) {
  const conflict = { caseId: op.caseId, type: op.type, currentRevision: e.body?.currentRevision, detail: e.message };
  try {
    if (op.type === 'sheet') {
      const sheets = await api('GET', `/cases/${op.caseId}/sheets`);
      conflict.server = sheets.items.find((s) => s.sheet === 'mine') ?? null;
    } else {
      conflict.server = await api('GET', `/cases/${op.caseId}`);
      await store.put('cases', op.caseId, conflict.server);
    }
  } catch { /* shown without the server's side */ }
  await store.put('conflicts', op.caseId, conflict);
}

/** Resolves a conflict: `mine` sends ours again over the server's revision; `theirs` drops ours. */
export async function resolve(caseId, choice) {
  const conflict = await store.get('conflicts', caseId);
  if (!conflict) return;
  if (conflict.type === 'sheet') {
    const draft = (await store.get('drafts', caseId)) ?? {};
    if (choice === 'mine') {
      await store.put('drafts', caseId, { ...draft, revision: conflict.currentRevision });
    } else {
      await store.put('drafts', caseId, draftFrom(conflict.server, conflict.currentRevision));
      await dropOps(caseId, (o) => o.type === 'sheet');
    }
  } else if (choice === 'theirs') {
    await dropOps(caseId, (o) => o.type === conflict.type);
  } else {
    // Mine again, knowing the change made meanwhile.
    for (const [key, op] of await store.entries('outbox')) {
      if (op.caseId === caseId && op.type === conflict.type) {
        await store.put('outbox', key, { ...op, body: { ...op.body, revision: conflict.server?.revision ?? conflict.currentRevision } });
      }
    }
  }
  await store.del('conflicts', caseId);
  await changed();
  return kick();
}

async function dropOps(caseId, which) {
  for (const [key, op] of await store.entries('outbox')) {
    if (op.caseId === caseId && which(op)) await store.del('outbox', key);
  }
}

/** Retries (clears the error) or discards a refused change. */
export async function settle(key, discard) {
  const op = await store.get('outbox', key);
  if (!op) return;
  if (discard) await store.del('outbox', key);
  else await store.put('outbox', key, { ...op, error: undefined, code: undefined, params: undefined });
  await changed();
  return kick();
}

/** A local draft from a sheet as the server shows it. */
export function draftFrom(sheet, revision) {
  const scores = {};
  for (const s of sheet?.scores ?? []) scores[s.criterion] = { level: s.level, note: s.note ?? '' };
  return {
    revision: revision ?? sheet?.revision ?? 0,
    attendance: sheet?.attendance ?? undefined,
    identityChecked: sheet?.identityChecked ?? undefined,
    identityMethod: sheet?.identityMethod ?? undefined,
    irregularities: sheet?.irregularities ?? undefined,
    motivation: sheet?.motivation ?? undefined,
    startedAt: sheet?.startedAt ?? undefined,
    endedAt: sheet?.endedAt ?? undefined,
    timesReason: sheet?.timesReason ?? undefined,
    scores,
  };
}

addEventListener('online', () => kick());
addEventListener('offline', () => changed());
setInterval(() => kick(), 30000);
