// Calls to Proeve's JSON API for this school. A call that cannot reach the server throws an
// Offline error; an answer that is not 2xx throws an ApiError with the Problem's detail.
export const slug = location.pathname.split('/')[2] ?? '';
let csrf = '';
export function setCsrf(token) { csrf = token ?? ''; }

export class Offline extends Error {}
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// How far the phone's clock is off the server's, learned from each answer's Date header and
// kept across reloads, so times recorded offline (start and end of an exam) are in the
// server's time even on a phone whose clock is wrong.
let clockOffset = Number(localStorage.getItem('proeve.clockOffset')) || 0;

/** Now, as the server's clock would say it (ISO 8601). */
export function serverNow() {
  return new Date(Date.now() + clockOffset).toISOString();
}

/** A call that gets no answer in this time counts as offline (a workshop with one bar). */
const TIMEOUT_MS = 10000;


/** One call: the response and its JSON (null without a body). Throws Offline without one. */
async function call(method, path, body, extra = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let r;
  let text;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    r = await fetch(`/api/${slug}${path}`, {
      method, headers, credentials: 'same-origin', cache: 'no-store', signal: abort.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    text = await r.text();
    const date = Date.parse(r.headers.get('Date') ?? '');
    if (Number.isFinite(date)) {
      // The header has whole seconds: only a difference beyond that is worth correcting.
      const off = date - Date.now();
      clockOffset = Math.abs(off) > 2000 ? off : 0;
      localStorage.setItem('proeve.clockOffset', String(clockOffset));
    }
  } catch (e) {
    throw new Offline(String(e));
  } finally {
    clearTimeout(timer);
  }
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { r, json };
}

export async function api(method, path, body) {
  const { r, json } = await call(method, path, body);
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

/** A GET that sends the ETag of what the phone has: `{ unchanged: true }` when the server
 * says it is still so (304, no body), else `{ body, etag }`. */
export async function getIfChanged(path, etag) {
  const { r, json } = await call('GET', path, undefined, etag ? { 'If-None-Match': etag } : {});
  if (r.status === 304) return { unchanged: true };
  if (!r.ok) throw new ApiError(r.status, json);
  return { body: json, etag: r.headers.get('ETag') };
}
