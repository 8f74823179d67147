// Admin pages: users (add, change role or department, disable), departments (the tree, add)
// and the preset in force, shown read-only because the API has no way yet to validate or
// upload a new one.
import { h, field, select, clear } from './dom.js';
import { t, label, codes } from './i18n.js';
import { api } from './api.js';
import { session, notify, showProblem, guard, markClean, flattenDepartments, deptName } from './ui.js';

function tabs(active) {
  return h('nav', { class: 'tabs', 'aria-label': t('admin') },
    [['users', t('users')], ['departments', t('departments')], ['preset', t('preset')]].map(([k, txt]) =>
      h('a', { href: '#/admin/' + k, class: k === active ? 'active' : '', 'aria-current': k === active ? 'page' : null }, txt)));
}

function deptOptions() {
  return [['', '—'], ...session.departments.map((d) => [d.code, '\u3000'.repeat(d.depth) + d.name + ' (' + d.code + ')'])];
}

async function usersPage(el) {
  const { data } = await api('GET', '/users');
  session.users = data.items;
  const isAdmin = session.user.role === 'admin';
  const rows = data.items.map((u) => h('tr', { class: u.disabled ? 'disabled' : '' },
    h('td', {}, u.login), h('td', {}, u.name || ''), h('td', {}, label('role', u.role)), h('td', {}, deptName(u.department)),
    h('td', {}, u.phone || ''), h('td', {}, u.email || ''), h('td', {}, u.disabled ? t('disabled') : ''),
    h('td', {}, isAdmin && u.login !== session.user.login ? h('button', { type: 'button', class: 'quiet', on: { click: async () => {
      notify('busy', t('saving'));
      try {
        await api('PATCH', '/users/' + encodeURIComponent(u.login), { disabled: !u.disabled });
        notify('ok', t('saved'));
        clear(el);
        await adminPage(el, 'users');
      } catch (err) { showProblem(err); }
    } } }, u.disabled ? t('enable') : t('disable')) : '')));
  el.append(h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'users' },
    h('thead', {}, h('tr', {}, [t('login_name'), t('name'), t('role'), t('department'), t('phone'), t('email'), '', ''].map((x) => h('th', {}, x)))),
    h('tbody', {}, rows))));
  if (!isAdmin) return;
  const f = {
    login: h('input', { name: 'login', required: true, autocomplete: 'off' }),
    name: h('input', { name: 'name', required: true }),
    role: select({ name: 'role' }, codes('role').map((r) => [r, label('role', r)]), 'handler'),
    department: select({ name: 'department' }, deptOptions(), ''),
    phone: h('input', { name: 'phone', type: 'tel' }),
    email: h('input', { name: 'email', type: 'email' }),
    password: h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }),
  };
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card', id: 'user-form' }, h('h2', {}, t('add_user')),
    h('div', { class: 'filter-grid' }, Object.entries(f).map(([k, c]) => field(k === 'login' ? t('login_name') : t(k), c))), error,
    h('button', { type: 'submit', class: 'primary' }, t('add_user')));
  guard(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, c] of Object.entries(f)) if (c.value.trim()) body[k] = c.value.trim();
    notify('busy', t('saving'));
    try {
      await api('POST', '/users', body);
      markClean(form);
      notify('ok', t('saved'));
      clear(el);
      await adminPage(el, 'users');
    } catch (err) { showProblem(err, form); }
  });
  el.append(form);
}

async function departmentsPage(el) {
  const { data } = await api('GET', '/departments');
  session.departments = flattenDepartments(data.items);
  el.append(h('ul', { class: 'tree', id: 'departments' }, session.departments.map((d) =>
    h('li', { class: 'depth-' + Math.min(d.depth, 5) }, h('strong', {}, d.name), ' ', h('code', {}, d.code),
      d.head ? h('span', { class: 'muted' }, ' · ', t('head'), '：', d.head) : ''))));
  if (session.user.role !== 'admin') return;
  const f = {
    code: h('input', { name: 'code', required: true, autocomplete: 'off' }),
    name: h('input', { name: 'name', required: true }),
    parent: select({ name: 'parent' }, deptOptions(), ''),
    head: select({ name: 'head' }, [['', '—'], ...session.users.map((u) => [u.login, u.name ? `${u.name} (${u.login})` : u.login])], ''),
  };
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card', id: 'department-form' }, h('h2', {}, t('add_department')),
    h('div', { class: 'filter-grid' }, Object.entries(f).map(([k, c]) => field(t(k), c))), error,
    h('button', { type: 'submit', class: 'primary' }, t('add_department')));
  guard(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, c] of Object.entries(f)) if (c.value.trim()) body[k] = c.value.trim();
    notify('busy', t('saving'));
    try {
      await api('POST', '/departments', body);
      markClean(form);
      notify('ok', t('saved'));
      clear(el);
      await adminPage(el, 'departments');
    } catch (err) { showProblem(err, form); }
  });
  el.append(form);
}

async function presetPage(el) {
  const { data } = await api('GET', '/presets/current');
  el.append(h('section', { class: 'card', id: 'preset' },
    h('h2', {}, data.title || data.name), h('p', { class: 'notice' }, t('preset_readonly')),
    h('dl', { class: 'fields' }, h('dt', {}, t('preset')), h('dd', {}, data.name), h('dt', {}, t('timezone')), h('dd', {}, data.timezone),
      h('dt', {}, t('categories')), h('dd', {}, (data.categories || []).map((c) => `${c.name || c.code} (${c.code})`).join('、'))),
    data.yaml ? h('pre', { class: 'yaml' }, data.yaml) : ''));
}

export async function adminPage(el, which) {
  el.append(h('h1', {}, t('admin')), tabs(which));
  if (which === 'users') await usersPage(el);
  else if (which === 'departments') await departmentsPage(el);
  else if (which === 'preset') await presetPage(el);
  else el.append(h('p', {}, t('not_found')));
}
