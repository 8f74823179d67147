// Admin pages: users (add, change role or department, disable), departments (the tree, add)
// and the preset: the one in force, and a text (typed, pasted or read from a .yaml file) that
// leaders and admins can validate with the server's own loader (a mistake is shown with its
// line, which is selected in the text) and an admin can then upload as the next version. The
// upload carries, as If-Match, the version the validation saw, so it is refused when someone
// else uploaded in between; it is possible only for the text exactly as validated.
import { h, field, select, clear } from './dom.js';
import { t, label, codes } from './i18n.js';
import { api } from './api.js';
import { session, notify, showProblem, guard, markClean, flattenDepartments, deptName } from './ui.js';

function tabs(active) {
  return h('nav', { class: 'tabs', 'aria-label': t('admin') },
    [['users', t('users')], ['departments', t('departments')], ['preset', t('preset')]].map(([k, txt]) =>
      h('a', { href: '#/admin/' + k, class: k === active ? 'active' : '', 'aria-current': k === active ? 'page' : null }, txt)));
}

// Shows a tab again after a change. The router rendered the first view into a holder whose
// children it then moved into #main, so a page re-renders into a holder of its own likewise.
async function reload(which) {
  const holder = h('div');
  await adminPage(holder, which);
  clear(document.getElementById('main')).append(...holder.childNodes);
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
        await reload('users');
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
      await reload('users');
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
      await reload('departments');
    } catch (err) { showProblem(err, form); }
  });
  el.append(form);
}

// Selects line n (1-based) of a textarea and scrolls it into view.
function selectLine(area, n) {
  const lines = area.value.split('\n');
  if (n < 1 || n > lines.length) return;
  const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + lines[n - 1].length);
  const lh = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, (n - 3) * lh);
}

function summaryText(d) {
  const c = d.counts || {};
  return t('preset_summary', d.title || d.name, c.categories, c.keywords, c.products, c.defects,
           c.limits, (d.survey || {}).dissatisfied_max);
}

async function presetPage(el) {
  const { data } = await api('GET', '/presets/current');
  const role = session.user.role;
  el.append(h('section', { class: 'card', id: 'preset' },
    h('h2', {}, data.title || data.name),
    h('dl', { class: 'fields' }, h('dt', {}, t('preset')), h('dd', {}, data.name),
      data.version ? [h('dt', {}, t('preset_version')), h('dd', { id: 'preset-version' }, t('preset_version_n', data.version))] : null,
      h('dt', {}, t('timezone')), h('dd', {}, data.timezone),
      h('dt', {}, t('categories')), h('dd', {}, (data.categories || []).map((c) => `${c.name || c.code} (${c.code})`).join('、'))),
    data.yaml ? h('details', {}, h('summary', {}, t('preset_text')), h('pre', { class: 'yaml' }, data.yaml)) : ''));
  if (role !== 'admin' && role !== 'leader') return;

  const area = h('textarea', { name: 'yaml', rows: 18, spellcheck: 'false', class: 'mono', 'aria-describedby': 'preset-result' });
  area.value = data.yaml || '';
  const file = h('input', { type: 'file', name: 'file', accept: '.yaml,.yml,text/yaml,text/plain' });
  const note = h('input', { name: 'note', maxlength: 200, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const result = h('p', { id: 'preset-result', class: 'notice', 'aria-live': 'polite', hidden: true });
  const validateBtn = h('button', { type: 'button', id: 'preset-validate' }, t('validate'));
  const uploadBtn = role === 'admin' ? h('button', { type: 'submit', class: 'primary', id: 'preset-upload', disabled: true }, t('upload_version')) : null;
  const form = h('form', { class: 'card', id: 'preset-form' }, h('h2', {}, t('preset_new_version')),
    h('p', { class: 'muted' }, t(role === 'admin' ? 'preset_upload_help' : 'preset_validate_help')),
    field(t('preset_file'), file), field(t('preset_text'), area),
    role === 'admin' ? field(t('version_note'), note) : '', error, result,
    h('div', { class: 'row' }, validateBtn, uploadBtn));
  guard(form);
  // What was validated last and against which version: the upload sends exactly that.
  let checked = null;
  const invalidate = () => { checked = null; if (uploadBtn) uploadBtn.disabled = true; };
  area.addEventListener('input', invalidate);
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    area.value = await f.text();
    invalidate();
    area.focus();
  });
  const showError = (err) => {
    const msg = showProblem(err, form);
    result.hidden = true;
    const line = err && err.problem && Number.isInteger(err.problem.line) ? err.problem.line : 0;
    if (line) {
      if (!err.detail.includes(String(line))) clear(error).append(t('preset_error_line', line, err.detail));
      selectLine(area, line);
    } else if (msg && err && err.field && err.field !== 'note') {
      area.classList.add('invalid');
    }
  };
  validateBtn.addEventListener('click', async () => {
    invalidate();
    error.hidden = true;
    area.classList.remove('invalid');
    notify('busy', t('validating'));
    try {
      const text = area.value;
      const { data: d, etag } = await api('POST', '/presets/validate', { yaml: text });
      checked = { text, etag };
      clear(result).append(t('preset_valid', d.current_version), ' ', summaryText(d));
      result.hidden = false;
      if (uploadBtn) uploadBtn.disabled = false;
      notify('ok', t('preset_valid_short'));
    } catch (err) { showError(err); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checked || checked.text !== area.value) { invalidate(); return; }
    notify('busy', t('saving'));
    try {
      const body = { yaml: checked.text };
      if (note.value.trim()) body.note = note.value.trim();
      const { data: d } = await api('PUT', '/presets/current', body, { ifMatch: checked.etag });
      markClean(form);
      const fresh = await api('GET', '/presets/current');
      session.preset = fresh.data;
      notify('ok', t('preset_uploaded', d.version));
      await reload('preset');
    } catch (err) { invalidate(); showError(err); }
  });
  el.append(form);
}

export async function adminPage(el, which) {
  el.append(h('h1', {}, t('admin')), tabs(which));
  if (which === 'users') await usersPage(el);
  else if (which === 'departments') await departmentsPage(el);
  else if (which === 'preset') await presetPage(el);
  else el.append(h('p', {}, t('not_found')));
}
