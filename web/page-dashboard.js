// 工作台: what needs the user now: their open complaints, what is due today, due within three
// days, overdue, and (for leaders) the plans awaiting approval, each with its count.
import { h } from './dom.js';
import { t, fmtTime, localDate, zoneOffset } from './i18n.js';
import { api } from './api.js';
import { session, badge, numberLink, userName } from './ui.js';

function table(items) {
  if (!items.length) return h('p', { class: 'muted' }, t('none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
    h('thead', {}, h('tr', {}, [t('number'), t('title'), t('severity'), t('status'), t('assignee'), t('received_at')].map((x) => h('th', {}, x)))),
    h('tbody', {}, items.map((c) => h('tr', {},
      h('td', {}, numberLink(c.number)), h('td', { class: 'title' }, c.title || ''), h('td', {}, badge('severity', c.severity)),
      h('td', {}, badge('state', c.status)), h('td', {}, userName(c.assignee)), h('td', {}, fmtTime(c.received_at)))))));
}

function section(id, title, items, more) {
  return h('section', { class: 'card', id },
    h('h2', {}, title, ' ', h('span', { class: 'count', 'data-count': String(items.length) }, String(items.length), more ? '+' : '')),
    table(items.slice(0, 10)));
}

export async function dashboardPage(el) {
  const u = session.user;
  el.append(h('h1', {}, t('dashboard')));
  const now = new Date();
  const endOfToday = localDate(now) + 'T23:59:59' + zoneOffset(now);
  const soon = new Date(now.getTime() + 3 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  const q = (query) => api('GET', '/complaints', null, { query: { limit: 200, fields: 'title,severity,status,assignee,received_at', ...query } })
    .then((r) => r.data).catch(() => ({ items: [], next_cursor: null }));
  const leader = u.role === 'leader' || u.role === 'admin';
  const [mine, today, within, overdue, approval] = await Promise.all([
    q({ assignee: u.login, open: true, sort: 'due_asc' }),
    q({ due_before: endOfToday, sort: 'due_asc' }),
    q({ due_before: soon, sort: 'due_asc' }),
    q({ overdue: true, sort: 'due_asc' }),
    leader ? q({ status: 'proposed', sort: 'due_asc' }) : Promise.resolve({ items: [] }),
  ]);
  const late = new Set(overdue.items.map((c) => c.number));
  const todayOnly = today.items.filter((c) => !late.has(c.number));
  const dueToday = new Set(today.items.map((c) => c.number));
  const soonOnly = within.items.filter((c) => !dueToday.has(c.number) && !late.has(c.number));
  el.append(h('div', { class: 'cards' },
    section('dash-mine', t('my_open'), mine.items, mine.next_cursor),
    section('dash-today', t('due_today'), todayOnly, today.next_cursor),
    section('dash-soon', t('due_soon'), soonOnly, within.next_cursor),
    section('dash-overdue', t('overdue'), overdue.items, overdue.next_cursor),
    leader ? section('dash-approval', t('awaiting_approval'), approval.items, approval.next_cursor) : null));
}
