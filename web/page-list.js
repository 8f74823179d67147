// 投诉列表: filters, full-text search (Chinese works), cursor pages, saved views kept in this
// browser (localStorage) and a CSV export built here from the JSON of every page.
import { h, field, select, clear } from './dom.js';
import { t, label, codes, fmtTime, zoneOffset, lang } from './i18n.js';
import { api } from './api.js';
import { session, notify, showProblem, badge, numberLink, userName, categoryName, deptName } from './ui.js';

const VIEWS_KEY = 'kesu.views';
const FILTERS = ['q', 'status', 'severity', 'category', 'channel', 'assignee', 'department', 'received_from', 'received_to', 'overdue', 'open', 'sort'];
const EXPORT_MAX = 10000;
// The columns the table shows: the list asks the server for these only (fields=), so a page
// costs a few columns per row instead of every field.
const LIST_FIELDS = 'received_at,title,customer_name,customer_org,customer_code,severity,status,assignee';

function views() {
  try { return JSON.parse(localStorage.getItem(VIEWS_KEY)) || {}; } catch { return {}; }
}

// Filters as the API takes them: dates become the zone's midnight.
function toQuery(params) {
  const q = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (!v) continue;
    q[k] = (k === 'received_from' || k === 'received_to') && /^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00${zoneOffset()}` : v;
  }
  return q;
}

// One CSV cell: quoted, and a leading = + - @ neutralised so a spreadsheet never runs it.
function cell(v) {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return '"' + s.replace(/"/g, '""') + '"';
}

const CSV_COLUMNS = ['number', 'received_at', 'channel', 'customer_name', 'customer_phone', 'customer_org', 'customer_code',
  'product', 'model', 'batch_no', 'title', 'description', 'category', 'severity', 'urgent', 'response_level', 'status',
  'first_responder', 'assignee', 'department', 'updated_at'];

async function exportCsv(query) {
  const rows = [];
  let cursor = null;
  notify('busy', t('loading'));
  do {
    const { data } = await api('GET', '/complaints', null, { query: { ...query, limit: 200, cursor, fields: CSV_COLUMNS.join(',') } });
    rows.push(...data.items);
    cursor = data.next_cursor;
  } while (cursor && rows.length < EXPORT_MAX);
  const head = CSV_COLUMNS.map((c) => cell(lang() === 'zh' ? label('field', c) : c)).join(',');
  const lines = rows.map((c) => CSV_COLUMNS.map((k) => {
    if (k === 'status') return cell(label('state', c.status));
    if (k === 'severity') return cell(label('severity', c.severity));
    if (k === 'channel') return cell(label('channel', c.channel));
    if (k === 'category') return cell(categoryName(c.category));
    if (k === 'received_at' || k === 'updated_at') return cell(fmtTime(c[k]));
    return cell(c[k]);
  }).join(','));
  const blob = new Blob(['\ufeff' + [head, ...lines].join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `kesu-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  notify('ok', t('exported', rows.length));
}

export async function listPage(el, params) {
  const opt = (kind) => [['', t('any')], ...codes(kind).map((c) => [c, label(kind, c)])];
  const controls = {
    q: h('input', { name: 'q', type: 'search', value: params.get('q') || '', placeholder: t('search') }),
    status: select({ name: 'status' }, opt('state'), params.get('status')),
    severity: select({ name: 'severity' }, opt('severity'), params.get('severity')),
    category: select({ name: 'category' }, [['', t('any')], ...((session.preset && session.preset.categories) || []).map((c) => [c.code, c.name || c.code])], params.get('category')),
    channel: select({ name: 'channel' }, opt('channel'), params.get('channel')),
    assignee: select({ name: 'assignee' }, [['', t('any')], ...session.users.map((u) => [u.login, userName(u.login)])], params.get('assignee')),
    department: select({ name: 'department' }, [['', t('any')], ...session.departments.map((d) => [d.code, '\u3000'.repeat(d.depth) + deptName(d.code)])], params.get('department')),
    received_from: h('input', { name: 'received_from', type: 'date', value: params.get('received_from') || '' }),
    received_to: h('input', { name: 'received_to', type: 'date', value: params.get('received_to') || '' }),
    sort: select({ name: 'sort' }, [['received_desc', t('sort_received_desc')], ['received_asc', t('sort_received_asc')], ['due_asc', t('sort_due_asc')]], params.get('sort') || 'received_desc'),
  };
  const open = h('input', { type: 'checkbox', name: 'open', checked: params.get('open') === 'true' });
  const overdue = h('input', { type: 'checkbox', name: 'overdue', checked: params.get('overdue') === 'true' });
  const saved = views();
  const viewSel = select({ name: 'view', 'aria-label': t('views') }, [['', t('views')], ...Object.keys(saved).map((n) => [n, n])], '');

  function current() {
    const p = new URLSearchParams();
    for (const [k, c] of Object.entries(controls)) if (c.value) p.set(k, c.value);
    if (open.checked) p.set('open', 'true');
    if (overdue.checked) p.set('overdue', 'true');
    return p;
  }
  const form = h('form', { class: 'filters card', id: 'filters' },
    h('div', { class: 'filter-grid' },
      field(t('search'), controls.q), field(t('status'), controls.status), field(t('severity'), controls.severity),
      field(t('category'), controls.category), field(t('channel'), controls.channel), field(t('assignee'), controls.assignee),
      field(t('department'), controls.department), field(t('received_from'), controls.received_from),
      field(t('received_to'), controls.received_to), field(t('sort'), controls.sort),
      h('label', { class: 'check' }, open, ' ', t('open_only')), h('label', { class: 'check' }, overdue, ' ', t('only_overdue'))),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, t('query')),
      h('button', { type: 'button', on: { click: () => { location.hash = '#/list'; } } }, t('reset')),
      viewSel,
      h('button', { type: 'button', id: 'save-view', on: { click: saveView } }, t('save_view')),
      h('button', { type: 'button', id: 'delete-view', on: { click: deleteView } }, t('delete_view')),
      h('button', { type: 'button', id: 'export-csv', on: { click: () => exportCsv(toQuery(current())).catch((e) => showProblem(e)) } }, t('export_csv'))));
  form.addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/list?' + current().toString(); });
  viewSel.addEventListener('change', () => { if (viewSel.value) location.hash = '#/list?' + saved[viewSel.value]; });
  function saveView() {
    const name = prompt(t('view_name'));
    if (!name) return;
    const all = views();
    all[name] = current().toString();
    localStorage.setItem(VIEWS_KEY, JSON.stringify(all));
    viewSel.append(h('option', { value: name }, name));
    notify('ok', t('saved'));
  }
  function deleteView() {
    if (!viewSel.value) return;
    const all = views();
    delete all[viewSel.value];
    localStorage.setItem(VIEWS_KEY, JSON.stringify(all));
    viewSel.querySelector(`option[value="${CSS.escape(viewSel.value)}"]`).remove();
    notify('ok', t('saved'));
  }

  const tbody = h('tbody');
  const countEl = h('p', { class: 'muted', id: 'list-count' });
  const moreBtn = h('button', { type: 'button', hidden: true }, t('more'));
  let cursor = null, shown = 0;
  async function load() {
    const { data } = await api('GET', '/complaints', null, { query: { ...toQuery(params), limit: 50, cursor, fields: LIST_FIELDS } });
    for (const c of data.items)
      tbody.append(h('tr', {},
        h('td', {}, numberLink(c.number)), h('td', {}, fmtTime(c.received_at)), h('td', { class: 'title' }, c.title || ''),
        h('td', {}, c.customer_name || c.customer_org || c.customer_code || ''), h('td', {}, badge('severity', c.severity)),
        h('td', {}, badge('state', c.status)), h('td', {}, userName(c.assignee))));
    shown += data.items.length;
    cursor = data.next_cursor;
    clear(countEl).append(t('count_rows', shown + (cursor ? '+' : '')));
    moreBtn.hidden = !cursor;
  }
  moreBtn.addEventListener('click', () => load().catch((e) => showProblem(e)));
  el.append(h('h1', {}, t('list')), form, countEl,
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'complaint-table' },
      h('thead', {}, h('tr', {}, [t('number'), t('received_at'), t('title'), t('customer'), t('severity'), t('status'), t('assignee')].map((x) => h('th', {}, x)))),
      tbody)), moreBtn);
  await load();
}
