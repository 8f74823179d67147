// 报表: the report of a period (month, quarter, year or two dates) for the caller's department
// subtree or, for leaders and admins, any department or the whole organisation, from
// GET /reports/summary?charts=1: volume and its change, kesu's own SVG charts (the ones the HTML
// report prints), timeliness per stage, the first 100 entries of the long lists (rows=100: a
// year can have a hundred thousand late stages), quality, the department roll-up, and the whole
// report as XLSX, CSV or HTML to download.
// Exports: reportPage(el, params): renders into el for the route #/report?kind=month&period=
// 2026-11&department=..., (kind: month | quarter | year | range; range uses from and to).
// app.js wires it: nav entry ['#/report', '报表 / Report'] and
// `else if (path === '/report') await reportPage(el, params);`.
// Every figure and name is placed as a text node (dom.js h()); charts are SVG text from the
// server shown as <img> (data: URL), so nothing in them can run.
import { h, field, select, clear } from './dom.js';
import { lang, fmtTime, localDate } from './i18n.js';
import { api, ApiError } from './api.js';
import { session, notify, showProblem, numberLink, deptName } from './ui.js';

const words = {
  report: ['统计报表', 'Report'], kind: ['期间', 'Period'], month: ['月度', 'Month'],
  quarter: ['季度', 'Quarter'], year: ['年度', 'Year'], range: ['起止日期', 'Dates'],
  from: ['起', 'From'], to: ['止（含）', 'To (included)'], department: ['部门', 'Department'],
  all: ['全部', 'Whole organisation'], show: ['生成报表', 'Show report'],
  download: ['下载', 'Download'], as_of: ['统计时点', 'As of'], loading: ['正在统计…', 'Counting…'],
  downloaded: ['已下载 {0}', 'Downloaded {0}'],
  volume: ['投诉总量', 'Volume'], received: ['受理', 'Received'], closed: ['结案', 'Closed'],
  ended: ['不予受理/撤诉/合并', 'Rejected, withdrawn, merged'], open: ['未结', 'Open'],
  previous: ['环比（上期）', 'Previous period'], last_year: ['同比（去年同期）', 'Same period last year'],
  change: ['增减', 'Change'], charts: ['图表', 'Charts'],
  timeliness: ['处理时效', 'Timeliness'], stage: ['阶段', 'Stage'], judged: ['已判定', 'Judged'],
  within: ['按时', 'On time'], share: ['及时率', 'Share on time'], running: ['进行中', 'Running'],
  median: ['中位数(工作日)', 'Median (working days)'], p90: ['P90(工作日)', 'P90 (working days)'],
  overdue: ['超时清单', 'Overdue'], title: ['标题', 'Title'], number: ['编号', 'Number'],
  due_at: ['期限', 'Due'], met_at: ['完成', 'Met'], late: ['超时(工作日)', 'Late (working days)'],
  first_rows: ['仅显示前 {0} 条，全部见下载的报表', 'The first {0} only: the downloaded report has them all'],
  quality: ['服务质量', 'Quality'], answered: ['回访有效', 'Surveys answered'],
  average: ['满意度均分', 'Average score'], satisfied: ['满意率(4-5分)', 'Satisfied (4-5)'],
  reopen_rate: ['重开率', 'Reopen rate'], compensation: ['赔偿与补偿(元)', 'Compensation (yuan)'],
  repeats: ['重复问题（同一客户同一不良≥2次）', 'Repeats (same customer and defect ≥ 2)'],
  customer: ['客户', 'Customer'], defect: ['不良项目', 'Defect'], count: ['次数', 'Count'],
  dissatisfied: ['不满意案例', 'Dissatisfied'], score: ['评分', 'Score'], comment: ['意见', 'Comment'],
  departments: ['部门汇总', 'Departments'], subtree: ['含下级', 'With subtree'],
  overdue_n: ['超时', 'Overdue'], none: ['暂无', 'None'],
  chart_trend: ['受理趋势', 'Received over time'], chart_category: ['按投诉分类', 'By category'],
  chart_channel: ['按投诉渠道', 'By channel'], chart_pareto_defects: ['不良项目排列图', 'Pareto of defects'],
  chart_pareto_causes: ['原因排列图', 'Pareto of causes'], chart_responsibility: ['责任划分', 'Responsibility'],
  chart_departments: ['各部门结案与未结', 'Closed and open by department'],
  calendar_gap: ['注：部分日期超出节假日日历范围，按周一至周五计算工作日。',
    'Note: some days fall outside the holiday calendar and were counted Monday to Friday.'],
};
const w = (key, ...args) => {
  const s = words[key][lang() === 'zh' ? 0 : 1];
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
};

// The charts in the order the HTML report shows them.
const CHARTS = ['trend', 'category', 'channel', 'pareto_defects', 'pareto_causes', 'responsibility', 'departments'];
const ROWS = 100; // entries of each long list (overdue, repeats, dissatisfied) the page asks for
const KINDS = ['month', 'quarter', 'year', 'range'];

const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const wd = (v) => (v === null || v === undefined ? '–' : String(v));

function leads() {
  const r = session.user && session.user.role;
  return r === 'admin' || r === 'leader';
}

// Today's year and month in the deployment's zone, for the defaults.
function today() {
  const [y, m] = localDate(new Date()).split('-').map(Number);
  return { y, m };
}

// The query the server takes for the page's parameters (kind month: period=2026-11 ...).
function toQuery(params) {
  const q = {};
  const kind = params.get('kind') || 'month';
  if (kind === 'range') { q.from = params.get('from'); q.to = params.get('to'); }
  else if (kind === 'quarter') q.quarter = params.get('quarter');
  else if (kind === 'year') q.year = params.get('year');
  else q.period = params.get('period');
  if (params.get('department')) q.department = params.get('department');
  return q;
}

function table(cols, rows) {
  if (!rows.length) return h('p', { class: 'muted' }, w('none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid report-table' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: i > 0 && typeof c === 'number' ? 'n' : null }, c)))))));
}

function chartImg(name, svg) {
  if (!svg) return null;
  return h('figure', { class: 'report-chart', dataset: { chart: name } },
    h('img', { src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg), alt: w('chart_' + name) }));
}

function volume(r) {
  const v = r.volume;
  const change = (c) => (c ? [c.received, (c.change > 0 ? '+' : '') + c.change, pct(c.change_share)] : null);
  return h('section', { class: 'card', id: 'report-volume' },
    h('h2', {}, w('volume')),
    h('div', { class: 'report-figures' },
      [['received', v.received], ['closed', v.closed], ['ended', v.ended], ['open', v.open]].map(([k, n]) =>
        h('div', { class: 'report-figure', dataset: { figure: k } }, h('span', { class: 'n' }, String(n)), h('span', { class: 'muted' }, w(k))))),
    table(['', w('received'), w('change'), '%'],
      [[w('previous'), ...(change(v.previous) || [])], [w('last_year'), ...(change(v.last_year) || [])]]
        .filter((row) => row.length > 1)));
}

// The note under a list the server cut to ROWS entries.
const cut = (list) => (list.length >= ROWS ? h('p', { class: 'muted' }, w('first_rows', ROWS)) : null);

function timeliness(r) {
  const tl = r.timeliness;
  const rows = [...tl.stages, tl.whole].map((s) => [s.label, s.judged, s.within, pct(s.share), s.running, wd(s.median_workdays), wd(s.p90_workdays)]);
  const od = tl.overdue.map((o) => [
    numberLink(o.number), o.title || '', deptName(o.department), o.stage_label, fmtTime(o.due_at), fmtTime(o.met_at), o.late_workdays]);
  return h('section', { class: 'card', id: 'report-timeliness' },
    h('h2', {}, w('timeliness')),
    table([w('stage'), w('judged'), w('within'), w('share'), w('running'), w('median'), w('p90')], rows),
    h('h3', {}, w('overdue')),
    table([w('number'), w('title'), w('department'), w('stage'), w('due_at'), w('met_at'), w('late')], od),
    cut(tl.overdue));
}

function quality(r) {
  const q = r.quality, s = q.satisfaction;
  return h('section', { class: 'card', id: 'report-quality' },
    h('h2', {}, w('quality')),
    table(['', ''], [
      [w('answered'), s.answered], [w('average'), s.answered ? s.average.toFixed(2) : '–'],
      [w('satisfied'), pct(s.share_satisfied)], [w('reopen_rate'), pct(q.reopen_rate)],
      ...q.compensation.map((c) => [`${w('compensation')} · ${c.label}`, `${c.amount.toFixed(2)}（${c.count}）`]),
    ]),
    h('h3', {}, w('repeats')),
    table([w('customer'), w('defect'), w('count')], q.repeats.map((x) => [x.customer, x.defect_label, x.count])),
    cut(q.repeats),
    h('h3', {}, w('dissatisfied')),
    table([w('number'), w('score'), w('comment')], s.dissatisfied.map((x) => [numberLink(x.number), x.score, x.comment || ''])),
    cut(s.dissatisfied));
}

function departments(r) {
  const f = ['received', 'closed', 'open', 'overdue'];
  const rows = r.departments.map((d) => {
    const name = h('span', {}, d.name);
    name.style.paddingLeft = `${d.depth * 1.2}em`; // CSSOM, not a style attribute: the CSP allows it
    return [name, ...f.map((k) => d.own[k]), ...f.map((k) => d.subtree[k])];
  });
  const cols = [w('department'), w('received'), w('closed'), w('open'), w('overdue_n'),
    ...['received', 'closed', 'open', 'overdue_n'].map((k) => `${w('subtree')}${w(k)}`)];
  return h('section', { class: 'card', id: 'report-departments' }, h('h2', {}, w('departments')), table(cols, rows));
}

// Fetches the report in another format and saves it under a name of the period.
async function download(query, format, label) {
  const url = '/api/v1/reports/summary?' + new URLSearchParams({ ...query, format }).toString();
  notify('busy', w('loading'));
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', headers: { 'Accept-Language': lang() === 'zh' ? 'zh-CN' : 'en' } });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e.message || e) });
  }
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, problem);
  }
  const name = `kesu-report-${label.replace(/[^\p{L}\p{N}-]+/gu, '_')}.${format}`;
  const a = h('a', { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  notify('ok', w('downloaded', name));
}

function picker(params) {
  const now = today();
  const kind = KINDS.includes(params.get('kind')) ? params.get('kind') : 'month';
  const c = {
    kind: select({ name: 'kind' }, KINDS.map((k) => [k, w(k)]), kind),
    period: h('input', { name: 'period', type: 'month', value: params.get('period') || `${now.y}-${String(now.m).padStart(2, '0')}` }),
    quarter: h('input', { name: 'quarter', pattern: '\\d{4}Q[1-4]', placeholder: '2026Q4', value: params.get('quarter') || `${now.y}Q${Math.ceil(now.m / 3)}` }),
    year: h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: params.get('year') || String(now.y) }),
    from: h('input', { name: 'from', type: 'date', value: params.get('from') || '' }),
    to: h('input', { name: 'to', type: 'date', value: params.get('to') || '' }),
    department: select({ name: 'department' },
      [...(leads() ? [['', w('all')]] : []), ...session.departments.map((d) => [d.code, '\u3000'.repeat(d.depth) + d.name])],
      params.get('department') || (leads() ? '' : session.user.department || '')),
  };
  const fields = {
    month: [field(w('month'), c.period)], quarter: [field(w('quarter'), c.quarter)],
    year: [field(w('year'), c.year)], range: [field(w('from'), c.from), field(w('to'), c.to)],
  };
  const holder = h('div', { class: 'row report-period' });
  const showKind = () => clear(holder).append(...fields[c.kind.value]);
  c.kind.addEventListener('change', showKind);
  showKind();
  const form = h('form', { class: 'card report-picker', id: 'report-form' },
    h('div', { class: 'row' }, field(w('kind'), c.kind), holder, field(w('department'), c.department),
      h('button', { type: 'submit', class: 'primary' }, w('show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ kind: c.kind.value });
    for (const k of c.kind.value === 'range' ? ['from', 'to'] : [c.kind.value === 'month' ? 'period' : c.kind.value])
      q.set(k, c[k].value);
    if (c.department.value) q.set('department', c.department.value);
    location.hash = '#/report?' + q.toString();
  });
  return form;
}

function ensureStyle() {
  if (document.querySelector('link[data-kesu="report"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/report.css', dataset: { kesu: 'report' } }));
}

export async function reportPage(el, params) {
  ensureStyle();
  el.append(h('h1', {}, w('report')), picker(params));
  if (!params.get('kind')) return; // the picker first; a report can take seconds
  const query = toQuery(params);
  let r;
  try {
    ({ data: r } = await api('GET', '/reports/summary', null, { query: { ...query, charts: 1, rows: ROWS } }));
  } catch (err) {
    showProblem(err, el.querySelector('#report-form'));
    return;
  }
  const save = (format) => () => download(query, format, r.period.label).catch((e) => showProblem(e));
  el.append(
    h('section', { class: 'card report-head', id: 'report-head' },
      h('h2', {}, r.period.label, ' · ', r.department ? r.department.name : w('all')),
      h('p', { class: 'muted' }, `${w('as_of')}：${fmtTime(r.as_of)}`),
      r.calendar_gap ? h('p', { class: 'muted' }, w('calendar_gap')) : null,
      h('div', { class: 'row' }, w('download'), '：',
        ['xlsx', 'csv', 'html'].map((f) => h('button', { type: 'button', dataset: { format: f }, on: { click: save(f) } }, f.toUpperCase())))),
    volume(r),
    h('section', { class: 'card', id: 'report-charts' }, h('h2', {}, w('charts')),
      h('div', { class: 'report-charts' }, CHARTS.map((n) => chartImg(n, r.charts && r.charts[n])))),
    timeliness(r), quality(r), departments(r));
}
