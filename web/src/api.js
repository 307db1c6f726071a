// The public API (/api/v1) with the user's key. The key lives in this tab's
// sessionStorage only: it is sent in the Authorization header, never put
// in a URL, never logged.
const KEY = 'rg.apiKey';

export const session = { role: null, insecure: false, keyId: null };

export function getKey() { return sessionStorage.getItem(KEY) || ''; }
export function setKey(k) { if (k) sessionStorage.setItem(KEY, k); else sessionStorage.removeItem(KEY); }

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  const k = getKey();
  if (k) h.Authorization = 'Bearer ' + k;
  return h;
}

export class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function fail(r) {
  let msg = r.statusText || 'HTTP ' + r.status;
  try { msg = (await r.json()).error.message || msg; } catch { /* not JSON */ }
  return new APIError(r.status, msg);
}

// api GETs (or POSTs) a JSON answer from /api/v1.
export async function api(path, { method = 'GET', body, signal } = {}) {
  const r = await fetch('/api/v1' + path, {
    method, signal, headers: headers(body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw await fail(r);
  return r.json();
}

// apiBlob fetches a non-JSON answer (report CSV/HTML) as a Blob.
export async function apiBlob(path, accept) {
  const r = await fetch('/api/v1' + path, { headers: headers({ Accept: accept || '*/*' }) });
  if (!r.ok) throw await fail(r);
  return r.blob();
}

// whoami asks the server which role the stored key has (or whether it
// runs in insecure dev mode). Returns false when there is no usable key.
export async function whoami() {
  const r = await fetch('/ui/session', { headers: headers() });
  if (r.status === 401) { setKey(''); return false; }
  if (!r.ok) throw await fail(r);
  const s = await r.json();
  session.insecure = !!s.insecure_dev;
  if (!s.authenticated) return false;
  session.role = s.role; session.keyId = s.key_id;
  return true;
}

export function can(what) {
  const r = session.role;
  if (r === 'admin') return true;
  switch (what) {
    case 'explorer': case 'reports': case 'review': case 'duplicates': case 'cases': return r === 'inspector';
    case 'dashboard': case 'match': return r === 'inspector' || r === 'dashboard';
    case 'checks': return r === 'inspector' || r === 'checker';
    case 'recordActions': return r === 'inspector'; // objections and repairs of records
    case 'creditReport': return r === 'inspector' || r === 'checker'; // all three formats (dashboards: masked JSON only)
    default: return false;
  }
}

export const enc = encodeURIComponent;
