// REST client for /api/v1. Every call resolves to {ok, status, data, error}; it never throws,
// so a failed request is shown in the UI instead of becoming an uncaught error.
// A 401 (no session, or it expired or was revoked) is also handed to the one handler set by
// onUnauthenticated(), which shows the login view; a 401 of POST /auth/login is only a wrong
// password. A 403 (the role may not do it) is an ordinary error.
const BASE = '/api/v1';

let unauthenticated = () => {};
export function onUnauthenticated(fn) { unauthenticated = fn; }

export async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    return { ok: false, status: 0, data: null, error: { code: 'network', message: 'server unreachable' } };
  }
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.ok) return { ok: true, status: res.status, data, error: null };
  const error = (data && data.error) || { code: 'http_' + res.status, message: text || res.statusText };
  if (res.status === 401 && path !== '/auth/login') unauthenticated(error);
  return { ok: false, status: res.status, data, error };
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});
export const patch = (p, b) => api('PATCH', p, b);

export const q = (o) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const str = s.toString();
  return str ? '?' + str : '';
};
