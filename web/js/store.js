// What the app keeps on the device (IndexedDB), per school: cases, models and sheets as the
// server last sent them, the assessor's drafts, the outbox of changes not yet sent, and
// conflicts waiting for the assessor.
const STORES = ['kv', 'cases', 'models', 'sheets', 'drafts', 'conflicts'];
let dbp;

function open(slug) {
  dbp ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(`proeve-${slug}`, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const s of STORES) db.createObjectStore(s);
      db.createObjectStore('outbox', { autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbp;
}

let slugOf = '';
export function init(slug) { slugOf = slug; return open(slug); }

async function run(store, mode, fn) {
  const db = await open(slugOf);
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    let result;
    Promise.resolve(fn(tx.objectStore(store))).then((r) => { result = r; });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

export const get = (store, key) => run(store, 'readonly', (s) => req(s.get(key)));
export const put = (store, key, value) => run(store, 'readwrite', (s) => req(store === 'outbox' && key === undefined ? s.add(value) : s.put(value, key)));
export const del = (store, key) => run(store, 'readwrite', (s) => req(s.delete(key)));
export const values = (store) => run(store, 'readonly', (s) => req(s.getAll()));

/** Every [key, value] of a store, in key order. */
export const entries = (store) => run(store, 'readonly', async (s) => {
  const [keys, vals] = await Promise.all([req(s.getAllKeys()), req(s.getAll())]);
  return keys.map((k, i) => [k, vals[i]]);
});

/** Forgets everything (sign-out). */
export async function clear() {
  const db = await open(slugOf);
  await Promise.all([...STORES, 'outbox'].map((name) => new Promise((resolve, reject) => {
    const tx = db.transaction(name, 'readwrite');
    tx.objectStore(name).clear();
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  })));
}

// Drafts are read, changed and written back by the screens, by the outbox and by refresh;
// they take turns, so no change is ever lost between a read and a write.
let turn = Promise.resolve();
export function locked(fn) {
  const run = turn.then(fn);
  turn = run.catch(() => {});
  return run;
}

/** Changes a draft in turn with every other change; returns the new draft. */
export function updateDraft(caseId, change) {
  return locked(async () => {
    const draft = (await get('drafts', caseId)) ?? { revision: 0, scores: {} };
    const next = { ...draft, ...change(draft) };
    await put('drafts', caseId, next);
    return next;
  });
}
