// The staff UI's entry: the session (who is logged in), the header with navigation and the
// language switch, and a hash router (#/, #/new, #/list?..., #/c/NUMBER, #/report?...,
// #/admin/...) that asks before leaving a form with unsaved input.
import { h, clear } from './dom.js';
import { t, setLang, lang, setZone, label } from './i18n.js';
import { api, setCsrf, hasCsrf, whenUnauthenticated } from './api.js';
import { session, notify, showProblem, isDirty, forgetAll, flattenDepartments, saveDrafts, restoreDrafts } from './ui.js';
import { dashboardPage } from './page-dashboard.js';
import { intakePage } from './page-intake.js';
import { listPage } from './page-list.js';
import { complaintPage } from './page-complaint.js';
import { adminPage } from './page-admin.js';
import { reportPage } from './page-report.js';

const main = () => document.getElementById('main');
let lastHash = location.hash;
let routeGen = 0;

function loginPage() {
  const top = document.getElementById('top');
  top.hidden = true;
  const login = h('input', { name: 'login', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card login', id: 'login-form' },
    h('h1', {}, t('app'), ' · ', t('login')),
    h('div', { class: 'field' }, h('label', { for: 'login-name' }, t('login_name')), login),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('password')), password),
    error,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, t('login')),
      h('button', { type: 'button', class: 'link', on: { click: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); loginPage(); } } }, t('language'))));
  login.id = 'login-name';
  password.id = 'login-password';
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    notify('busy', t('logging_in'));
    try {
      const { data } = await api('POST', '/sessions', { login: login.value, password: password.value }, { noRedirect: true });
      setCsrf(data.csrf_token);
      notify('ok', t('welcome', data.user.name || data.user.login));
      await start();
    } catch (err) {
      showProblem(err, form);
    }
  });
  clear(main()).append(form);
  login.focus();
}

function header() {
  const top = document.getElementById('top');
  const u = session.user;
  const nav = [
    ['#/', t('dashboard')], ['#/new', t('intake')], ['#/list', t('list')], ['#/report', t('report')],
  ];
  if (u.role === 'admin' || u.role === 'leader') nav.push(['#/admin/users', t('admin')]);
  clear(top).append(
    h('span', { class: 'brand' }, '客诉 kesu'),
    h('nav', { 'aria-label': 'main' }, nav.map(([href, text]) => h('a', { href, dataset: { nav: href } }, text))),
    h('span', { class: 'who' }, u.name || u.login, ' · ', label('role', u.role)),
    h('button', { type: 'button', class: 'link', id: 'lang-switch', on: { click: switchLang } }, t('language')),
    h('button', { type: 'button', class: 'link', id: 'logout', on: { click: logout } }, t('logout')));
  top.hidden = false;
}

// The view is drawn again in the other language, so typed input would be lost: ask first.
function switchLang() {
  if (isDirty() && !confirm(t('dirty_confirm'))) return;
  forgetAll();
  setLang(lang() === 'zh' ? 'en' : 'zh');
  header();
  route();
}

async function logout() {
  if (isDirty() && !confirm(t('dirty_confirm'))) return;
  forgetAll();
  try { await api('DELETE', '/sessions/current', null, { noRedirect: true }); } catch { /* gone already */ }
  setCsrf(null);
  session.user = null;
  location.hash = '#/';
  loginPage();
}

async function route() {
  if (!session.user) return;
  const hash = location.hash || '#/';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  for (const a of document.querySelectorAll('#top nav a'))
    a.classList.toggle('active', path === a.dataset.nav.slice(1) ||
      (a.dataset.nav === '#/admin/users' && path.startsWith('/admin')));
  // Each view renders into its own holder, swapped in only if no later navigation started,
  // so two quick navigations never leave two pages on screen.
  const gen = ++routeGen;
  const el = h('div', { class: 'page' });
  clear(main()).append(h('p', { class: 'loading muted' }, t('loading')));
  try {
    if (path === '/' || path === '') await dashboardPage(el);
    else if (path === '/new') await intakePage(el);
    else if (path === '/list') await listPage(el, params);
    else if (path.startsWith('/c/')) await complaintPage(el, decodeURIComponent(path.slice(3)));
    else if (path === '/report') await reportPage(el, params);
    else if (path.startsWith('/admin/')) await adminPage(el, path.slice(7));
    else el.append(h('p', {}, t('not_found')));
  } catch (err) {
    if (gen === routeGen) showProblem(err);
  }
  if (gen !== routeGen) return;
  clear(main()).append(...el.childNodes);
  const first = main().querySelector('[autofocus]');
  if (first) first.focus();
}

window.addEventListener('hashchange', () => {
  if (location.hash === lastHash) return;
  if (isDirty() && !confirm(t('dirty_confirm'))) {
    history.replaceState(null, '', lastHash || '#/');
    return;
  }
  forgetAll();
  lastHash = location.hash;
  route();
});

async function loadReference() {
  const [preset, users, depts] = await Promise.allSettled([
    api('GET', '/presets/current'), api('GET', '/users'), api('GET', '/departments'),
  ]);
  if (preset.status === 'fulfilled') { session.preset = preset.value.data; setZone(session.preset.timezone); }
  session.users = users.status === 'fulfilled' ? users.value.data.items : [];
  session.departments = depts.status === 'fulfilled' ? flattenDepartments(depts.value.data.items) : [];
}

async function start() {
  // A cookie session without its CSRF token (a new tab) cannot change anything: log in again.
  if (!hasCsrf()) { loginPage(); return; }
  try {
    const { data } = await api('GET', '/me', null, { noRedirect: true });
    session.user = data;
  } catch {
    loginPage();
    return;
  }
  await loadReference();
  header();
  lastHash = location.hash;
  await route();
  restoreDrafts();
}

whenUnauthenticated(() => { saveDrafts(); session.user = null; forgetAll(); loginPage(); });
setLang(lang());
start();
