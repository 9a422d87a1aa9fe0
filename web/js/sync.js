// The outbox: every change is written on the device first and queued; the queue is sent in
// order whenever there is a connection. A sheet is sent whole, with the revision the server
// last gave, so a stale save is refused (409) and shown as a conflict, never overwriting
// someone else's work. A case with a conflict or a refused change waits; other cases go on.
import { abortAll, api, ApiError, Offline } from './api.js';
import * as store from './store.js';

const listeners = new Set();
export function onChange(fn) { listeners.add(fn); }
async function changed() { const s = await status(); for (const fn of listeners) fn(s); }

/** What is waiting: {pending, conflicts, errors, online}. */
export async function status() {
  const ops = await store.values('outbox');
  const conflicts = await store.values('conflicts');
  return {
    pending: ops.length,
    errors: ops.filter((o) => o.error).length,
    conflicts: conflicts.length,
    online: navigator.onLine,
  };
}

/** Queues a change and tries to send it. Sheet saves of one case are merged. */
export async function enqueue(op) {
  if (op.type === 'sheet') {
    // One waiting save carries every edit, as long as it has not left yet.
    const waiting = (await store.entries('outbox'))
      .some(([k, o]) => o.type === 'sheet' && o.caseId === op.caseId && !o.error && k !== inFlight);
    if (!waiting) await store.put('outbox', undefined, { ...op, at: new Date().toISOString() });
  } else {
    await store.put('outbox', undefined, { ...op, at: new Date().toISOString() });
  }
  await changed();
  kick();
}

/** The draft of the assessor's own sheet as the API wants it. */
export function sheetBody(draft) {
  const body = { revision: draft.revision ?? 0 };
  for (const k of ['attendance', 'identityChecked', 'identityMethod', 'irregularities']) {
    if (draft[k] !== undefined && draft[k] !== null) body[k] = draft[k];
  }
  body.scores = Object.entries(draft.scores ?? {})
    .filter(([, s]) => Number.isInteger(s.level))
    .map(([criterion, s]) => ({ criterion, level: s.level, note: s.note || undefined }));
  return body;
}

async function send(op) {
  const path = `/cases/${op.caseId}`;
  switch (op.type) {
    case 'sheet': {
      const draft = await store.get('drafts', op.caseId);
      if (!draft) return;
      const r = await api('PUT', `${path}/sheets/mine`, sheetBody(draft));
      // Edits made meanwhile stay in the draft (and in a newer queued save).
      const now = (await store.get('drafts', op.caseId)) ?? draft;
      await store.put('drafts', op.caseId, { ...now, revision: r.revision });
      return;
    }
    case 'judge':
    case 'plan':
    case 'sign': {
      const c = await store.get('cases', op.caseId);
      const body = { ...op.body };
      if (op.type !== 'sign') body.revision = c?.revision ?? 0;
      const url = { judge: `${path}/judge`, plan: `${path}/plan`, sign: `${path}/signatures` }[op.type];
      const view = await api('POST', url, body);
      await store.put('cases', op.caseId, view);
      return;
    }
    default:
      throw new Error(`unknown change ${op.type}`);
  }
}

let running = null;
let inFlight = null;

/** Sends what is waiting, if it can. */
export function kick() {
  running ??= drain().then((reachedServer) => {
    // Without an answer, try again soon, then less often (5 s doubling to a minute): in
    // a workshop the phone may believe it is online while nothing gets through.
    clearTimeout(retry);
    delay = reachedServer ? 5000 : Math.min(delay * 2, 60000);
    if (!reachedServer) retry = setTimeout(kick, delay);
  }).finally(() => { running = null; changed(); });
  return running;
}

let retry = null;
let delay = 2500;

async function drain() {
  // navigator.onLine only knows whether there is a network, not whether Proeve answers:
  // the first call that cannot get through stops the round.
  const blocked = new Set((await store.values('conflicts')).map((c) => c.caseId));
  for (const [key, op] of await store.entries('outbox')) {
    if (op.error || blocked.has(op.caseId)) { blocked.add(op.caseId); continue; }
    inFlight = key;
    try {
      await send(op);
      await store.del('outbox', key);
    } catch (e) {
      if (e instanceof Offline) return false;
      blocked.add(op.caseId);
      if (e instanceof ApiError && e.status === 409) {
        await recordConflict(op, e);
      } else {
        await store.put('outbox', key, { ...op, error: e.message });
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
  else await store.put('outbox', key, { ...op, error: undefined });
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
    scores,
  };
}

addEventListener('online', () => { abortAll(); setTimeout(kick, 100); });
addEventListener('offline', () => changed());
setInterval(() => kick(), 30000);
