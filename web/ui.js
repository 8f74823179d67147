// What every page shares: the status line (saving, saved, refused and why), problems shown
// with their detail and the field at fault, badges, the guard against losing typed input, and
// the session (the user, the preset) the pages read.
import { h, clear } from './dom.js';
import { t, label } from './i18n.js';
import { ApiError } from './api.js';

export const session = { user: null, preset: null, users: [], departments: [] };

// Kinds: 'busy' | 'ok' | 'error'. The status line is an ARIA live region.
export function notify(kind, text, extra) {
  const bar = document.getElementById('status');
  clear(bar);
  bar.className = 'status ' + kind;
  bar.append(h('span', { class: 'status-text' }, text));
  if (extra) bar.append(extra);
  bar.hidden = false;
  if (kind === 'ok') {
    const shown = bar.dataset.seq = String(Number(bar.dataset.seq || 0) + 1);
    setTimeout(() => { if (bar.dataset.seq === shown) bar.hidden = true; }, 6000);
  }
}

// Shows why the server refused, marks the field at fault inside form (when given) and
// returns the message shown.
export function showProblem(err, form) {
  let msg;
  if (err instanceof ApiError) {
    if (err.status === 0) msg = t('network_error') + '：' + err.detail;
    else if (err.status === 412) msg = t('version_conflict') + '（' + err.detail + '）';
    else msg = (err.title ? err.title + '：' : '') + err.detail;
    if (err.field) msg += '（' + t('field_at_fault') + ' ' + err.field + '）';
  } else {
    msg = String(err && err.message ? err.message : err);
  }
  notify('error', t('refused_reason', msg));
  if (form) {
    for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
    if (err && err.field) {
      const name = err.field.replace(/^set\./, '');
      const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (el) { el.classList.add('invalid'); el.setAttribute('aria-invalid', 'true'); el.focus(); }
    }
    const box = form.querySelector('.form-error');
    if (box) { clear(box).append(msg); box.hidden = false; }
  }
  return msg;
}

export function badge(kind, code) {
  return code ? h('span', { class: `badge ${kind}-${code}` }, label(kind, code)) : '';
}

// Forms with unsaved input: leaving the page or the view asks first.
const dirty = new Set();
export function guard(form) {
  form.addEventListener('input', () => dirty.add(form));
  form.addEventListener('change', () => dirty.add(form));
}
export function markClean(form) { dirty.delete(form); }
export function isDirty() {
  for (const f of dirty) if (!f.isConnected) dirty.delete(f);
  return dirty.size > 0;
}
export function forgetAll() { dirty.clear(); }

// A login that runs out while someone types (the session's lifetime or idle limit) sends them
// to the login page; the typed values of the unsaved forms (by form id and field name, never
// passwords or files) wait in this tab's sessionStorage and are put back into the same forms
// when the same user draws the same view after logging in again.
const DRAFTS_KEY = 'kesu.drafts';
export function saveDrafts() {
  const drafts = {};
  for (const f of dirty) {
    if (!f.isConnected || !f.id) continue;
    const values = {};
    for (const el of f.elements) {
      if (!el.name || el.type === 'password' || el.type === 'file' || el.type === 'submit' || el.type === 'button') continue;
      if (el.type === 'checkbox') values[el.name] = el.checked;
      else if (el.type === 'radio') { if (el.checked) values[el.name] = el.value; }
      else if (el.value !== '') values[el.name] = el.value;
    }
    drafts[f.id] = values;
  }
  if (Object.keys(drafts).length) sessionStorage.setItem(DRAFTS_KEY, JSON.stringify({ login: session.user && session.user.login, hash: location.hash, drafts }));
}
export function restoreDrafts() {
  const raw = sessionStorage.getItem(DRAFTS_KEY);
  if (!raw) return;
  sessionStorage.removeItem(DRAFTS_KEY);
  let saved;
  try { saved = JSON.parse(raw); } catch { return; }
  if (!saved || saved.hash !== location.hash || !session.user || saved.login !== session.user.login) return;
  let restored = false;
  for (const [id, values] of Object.entries(saved.drafts || {})) {
    const f = document.getElementById(id);
    if (!f || f.tagName !== 'FORM') continue;
    for (const [name, v] of Object.entries(values)) {
      const el = f.elements.namedItem(name);
      if (!el) continue;
      if (el instanceof RadioNodeList) el.value = v;
      else if (el.type === 'checkbox') el.checked = Boolean(v);
      else el.value = v;
    }
    // As if typed: the form counts as unsaved again and live suggestions run.
    f.dispatchEvent(new Event('input', { bubbles: true }));
    restored = true;
  }
  if (restored) notify('ok', t('drafts_restored'));
}
window.addEventListener('beforeunload', (e) => {
  if (isDirty()) { e.preventDefault(); e.returnValue = ''; }
});

export function userName(login) {
  if (!login) return '';
  const u = session.users.find((x) => x.login === login);
  return u && u.name ? `${u.name}（${login}）` : login;
}

export function categoryName(code) {
  if (!code) return '';
  const c = session.preset && session.preset.categories.find((x) => x.code === code);
  return c && c.name ? c.name : code;
}

export function deptName(code) {
  if (!code) return '';
  const d = session.departments.find((x) => x.code === code);
  return d ? d.name : code;
}

// Departments flattened from the tree, with their depth.
export function flattenDepartments(items, depth = 0, out = []) {
  for (const d of items) {
    out.push({ code: d.code, name: d.name, parent: d.parent, head: d.head, depth });
    flattenDepartments(d.children || [], depth + 1, out);
  }
  return out;
}

// A link to a complaint.
export function numberLink(number) {
  return h('a', { href: '#/c/' + encodeURIComponent(number), class: 'num' }, number);
}
