// The HTTP API client: JSON in and out, the session cookie plus the X-CSRF-Token every unsafe
// request of a cookie session must carry, ETags for If-Match, and RFC 9457 problems turned into
// ApiError (detail and field shown to the user as they are).
import { lang } from './i18n.js';

const BASE = '/api/v1';
const CSRF_KEY = 'kesu.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.code = problem.code || '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.field = problem.field || '';
    this.problem = problem;
  }
}

export function setCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

export function hasCsrf() { return Boolean(sessionStorage.getItem(CSRF_KEY)); }

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

// api('GET', '/complaints', null, { query: {...}, ifMatch, idempotencyKey }) → { data, etag }
export async function api(method, path, body, opts = {}) {
  let url = BASE + path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query))
      if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
    const s = q.toString();
    if (s) url += '?' + s;
  }
  const headers = { 'Accept': 'application/json', 'Accept-Language': lang() === 'zh' ? 'zh-CN' : 'en' };
  if (body !== null && body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let res;
  try {
    res = await fetch(url, {
      method, headers, credentials: 'same-origin',
      body: body === null || body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e.message || e) });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!res.ok) {
    const err = new ApiError(res.status, data || {});
    if (res.status === 401 && !opts.noRedirect) onUnauthenticated(err);
    throw err;
  }
  return { data, etag: res.headers.get('ETag'), status: res.status };
}
