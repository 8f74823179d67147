// One complaint: every field, the severity with its reasons and the override, each stage's
// deadline with the time left, the whole timeline, the moves the workflow allows this user
// (workflow.js; the server has the last word and its refusal is shown), comments, hand-over
// (PATCH assignee with If-Match) and the satisfaction-survey link for the reply. The customer's
// phone and e-mail come masked; 显示客户信息 (shown to admins, leaders and the complaint's
// assignee and first responder) fetches them again with ?reveal=personal, which the server
// records in the audit trail, and the page keeps showing them after the user's own changes.
import { h, field, select, clear } from './dom.js';
import { t, label, codes, fmtTime, fmtDuration, fmtPeriod } from './i18n.js';
import { api } from './api.js';
import { allowedMoves } from './workflow.js';
import { session, notify, showProblem, guard, markClean, badge, userName, categoryName, deptName } from './ui.js';

const SHOWN_FIELDS = ['number', 'received_at', 'channel', 'customer_name', 'customer_phone', 'customer_email',
  'customer_org', 'customer_code', 'product', 'model', 'batch_no', 'order_no', 'delivered', 'defective',
  'category', 'defect', 'severity', 'urgent', 'response_level', 'status', 'first_responder', 'assignee', 'department',
  'responsibility.party', 'responsibility.department', 'responsibility.root_cause', 'plan', 'approval.by',
  'approval.at', 'approval.note', 'reply', 'compensation.amount', 'compensation.kind', 'compensation.agreement',
  'satisfaction.score', 'satisfaction.comment', 'satisfaction.waived_reason', 'duplicate_of', 'related', 'incident',
  'created_at', 'updated_at', 'version'];
const LONG = new Set(['description', 'plan', 'reply', 'responsibility.root_cause', 'compensation.agreement']);

function get(c, name) {
  return name.split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), c);
}

function show(c, name) {
  const v = get(c, name);
  if (v === null || v === undefined || v === '') return '';
  if (name === 'channel') return label('channel', v);
  if (name === 'severity') return badge('severity', v);
  if (name === 'status') return badge('state', v);
  if (name === 'category') return categoryName(v);
  if (name === 'department' || name === 'responsibility.department') return deptName(v);
  if (['first_responder', 'assignee', 'approval.by'].includes(name)) return userName(v);
  if (name.endsWith('_at') || name.endsWith('.at')) return fmtTime(v);
  if (typeof v === 'boolean') return v ? '是 ✓' : '否';
  if (Array.isArray(v)) return v.join('、');
  return String(v);
}

// {"responsibility.party": x} → {"responsibility": {"party": x}}
function nest(flat) {
  const out = {};
  for (const [k, v] of Object.entries(flat)) {
    const [a, b] = k.split('.');
    if (b) (out[a] = out[a] || {})[b] = v;
    else out[k] = v;
  }
  return out;
}

function reasonsOf(c) {
  const evs = (c.events || []).filter((e) => (e.kind === 'classified' || e.kind === 'override') && e.details);
  const judged = [...evs].reverse().find((e) => e.kind === 'classified');
  return { reasons: (judged && judged.details.reasons) || [], overrides: evs.filter((e) => e.kind === 'override') };
}

function staffOptions() {
  return session.users.filter((u) => !u.disabled && u.role !== 'viewer').map((u) => [u.login, userName(u.login) + ' · ' + label('role', u.role)]);
}

function deadlineRow(d) {
  const now = Date.now();
  let left;
  if (d.met_at) left = h('span', { class: d.breached ? 'late' : 'ok' }, t('done'), d.breached ? ' · ' + t('breached') : '');
  else if (d.paused) left = h('span', { class: 'muted' }, t('paused'));
  else {
    const ms = new Date(d.due_at).getTime() - now;
    left = ms >= 0 ? h('span', { class: ms < 86400000 ? 'soon' : 'ok' }, t('left', fmtDuration(ms)))
      : h('span', { class: 'late' }, t('late_by', fmtDuration(ms)));
  }
  return h('tr', { class: d.met_at ? 'met' : 'open' },
    h('td', {}, label('state', d.stage)), h('td', {}, fmtPeriod(d.period), d.extended ? ' (+)' : ''),
    h('td', {}, fmtTime(d.due_at)), h('td', {}, left), h('td', {}, fmtTime(d.met_at)), h('td', { class: 'muted' }, d.rule || ''));
}

function detailsText(e) {
  const d = e.details;
  if (!d || typeof d !== 'object') return d ? String(d) : '';
  if (e.kind === 'classified') return [label('severity', d.severity), categoryName(d.category), d.urgent ? t('urgent') : ''].filter(Boolean).join(' · ');
  if (e.kind === 'deadline') return [label('state', d.stage), fmtPeriod(d.period), d.due_at ? '→ ' + fmtTime(d.due_at) : ''].filter(Boolean).join(' ');
  if (e.kind === 'handover') return `${userName(d.from)} → ${userName(d.to)}`;
  if (e.kind === 'transition') return d.event ? label('event', d.event) : '';
  if (e.kind === 'edit' && d.changed) {
    const names = Array.isArray(d.changed) ? d.changed : Object.keys(d.changed);
    return names.map((n) => label('field', typeof n === 'string' ? n : n.field || JSON.stringify(n))).join('、');
  }
  return Object.entries(d).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => `${k}: ${v}`).join(' · ');
}

function timeline(c) {
  return h('ol', { class: 'timeline', id: 'timeline' }, (c.events || []).map((e) => h('li', { class: 'ev-' + e.kind, dataset: { kind: e.kind } },
    h('time', { datetime: e.at }, fmtTime(e.at)), ' ',
    h('strong', {}, label('kind', e.kind)), ' ',
    e.from || e.to ? h('span', { class: 'move' }, e.from ? label('state', e.from) + ' → ' : '', label('state', e.to)) : '', ' ',
    h('span', { class: 'actor' }, userName(e.actor)),
    detailsText(e) ? h('div', { class: 'details' }, detailsText(e)) : '',
    e.note ? h('div', { class: 'note' }, e.note) : '')));
}

// Whether u may ask for c's personal data unmasked (the server checks again: docs/security.md).
function mayReveal(c, u) {
  if (!c.customer_phone && !c.customer_email) return false;
  if (u.role === 'viewer') return false;
  return ['admin', 'leader'].includes(u.role) || c.assignee === u.login || c.first_responder === u.login;
}

// The complaint, with personal data unmasked when reveal is asked for and still allowed (after
// a hand-over the user may no longer see it: then masked, as for anyone else).
async function load(number, reveal) {
  const path = '/complaints/' + encodeURIComponent(number);
  if (reveal) {
    try {
      return { ...(await api('GET', path, null, { query: { reveal: 'personal' } })), revealed: true };
    } catch (err) {
      if (!(err.status === 403 && err.field === 'reveal')) throw err;
    }
  }
  return { ...(await api('GET', path)), revealed: false };
}

export async function complaintPage(el, number, opts = {}) {
  const { data: c, etag, revealed } = await load(number, Boolean(opts.reveal));
  const u = session.user;
  const rerender = async (msg, reveal = revealed) => {
    const scroll = window.scrollY;
    const fresh = h('div');
    await complaintPage(fresh, number, { reveal });
    if (decodeURIComponent(location.hash) !== '#/c/' + number) return;
    // Into the page's container, not el: el may be an earlier render's detached holder.
    clear(document.getElementById('main')).append(...fresh.childNodes);
    window.scrollTo(0, scroll);
    if (msg) notify('ok', msg);
  };

  // ---- moves
  const movePanel = h('div', { class: 'move-panel', id: 'move-panel' });
  function moveForm(m) {
    const controls = {};
    const rows = [];
    for (const f of m.fields) {
      let ctl;
      const cur = get(c, f);
      if (f === 'assignee') ctl = select({ name: f }, [['', '—'], ...staffOptions()], cur || '');
      else if (f === 'satisfaction.score') ctl = select({ name: f }, [['', '—'], ...[1, 2, 3, 4, 5].map((n) => [n, String(n)])], cur || '');
      else if (LONG.has(f)) ctl = h('textarea', { name: f, rows: 4, value: cur || '' });
      else ctl = h('input', { name: f, value: cur || '' });
      controls[f] = ctl;
      rows.push(field(label('field', f), ctl));
      if (f === 'reply') rows.push(h('button', { type: 'button', id: 'insert-survey-link', on: { click: async () => {
        try {
          const { data } = await api('GET', `/complaints/${encodeURIComponent(c.number)}/survey-link`);
          ctl.value += (ctl.value ? '\n' : '') + '满意度调查：' + location.origin + data.path;
          ctl.dispatchEvent(new Event('input', { bubbles: true }));
        } catch (err) { showProblem(err); }
      } } }, t('insert_survey_link')));
    }
    const note = h('textarea', { name: 'note', rows: 2 });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'card', id: 'move-' + m.event },
      h('h3', {}, label('event', m.event), ' → ', label('state', m.to)), rows,
      field(m.note ? t('note_required') : t('note'), note), error,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, t('submit')),
        h('button', { type: 'button', on: { click: () => { markClean(form); clear(movePanel); } } }, t('cancel'))));
    guard(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const set = {};
      for (const [f, ctl] of Object.entries(controls)) {
        const v = ctl.value.trim();
        if (v === '' && !get(c, f)) continue;
        set[f] = v === '' ? null : f === 'satisfaction.score' ? Number(v) : v;
      }
      const body = { to: m.to };
      if (note.value.trim()) body.note = note.value.trim();
      if (Object.keys(set).length) body.set = nest(set);
      notify('busy', t('saving'));
      try {
        await api('POST', `/complaints/${encodeURIComponent(c.number)}/transitions`, body, { ifMatch: etag });
        markClean(form);
        await rerender(t('saved') + '：' + label('event', m.event) + ' → ' + label('state', m.to));
      } catch (err) { showProblem(err, form); }
    });
    clear(movePanel).append(form);
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  }
  const moves = allowedMoves(c.status, u.role);
  const actions = h('section', { class: 'card', id: 'actions' }, h('h2', {}, t('actions')),
    moves.length ? h('div', { class: 'row wrap' }, moves.map((m) => h('button', {
      type: 'button', class: ['withdraw', 'reject', 'merge'].includes(m.event) ? 'quiet' : 'primary',
      dataset: { event: m.event }, on: { click: () => moveForm(m) } }, label('event', m.event)))) : h('p', { class: 'muted' }, t('no_actions')),
    movePanel);

  // ---- severity and override
  const { reasons, overrides } = reasonsOf(c);
  let overrideForm = null;
  if (['admin', 'leader', 'handler'].includes(u.role)) {
    const sev = select({ name: 'severity' }, [['', '—'], ...codes('severity').map((s) => [s, label('severity', s)])], '');
    const cat = select({ name: 'category' }, [['', '—'], ...((session.preset && session.preset.categories) || []).map((x) => [x.code, x.name || x.code])], '');
    const reason = h('input', { name: 'reason' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    overrideForm = h('form', { class: 'inline', id: 'override-form' },
      field(t('severity'), sev), field(t('category'), cat), field(t('override_reason'), reason), error,
      h('button', { type: 'submit' }, t('override')));
    guard(overrideForm);
    overrideForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { reason: reason.value.trim() || null };
      if (sev.value) body.severity = sev.value;
      if (cat.value) body.category = cat.value;
      notify('busy', t('saving'));
      try {
        await api('POST', `/complaints/${encodeURIComponent(c.number)}/classification`, body);
        markClean(overrideForm);
        await rerender(t('saved'));
      } catch (err) { showProblem(err, overrideForm); }
    });
  }
  const severity = h('section', { class: 'card', id: 'severity' }, h('h2', {}, t('severity')),
    h('p', { class: 'judged' }, badge('severity', c.severity), ' ', c.category ? h('span', { class: 'chip' }, categoryName(c.category)) : '',
      c.urgent ? h('span', { class: 'badge urgent' }, t('urgent')) : '',
      c.response_level ? h('span', { class: 'chip' }, t('response_level'), ' ', String(c.response_level)) : ''),
    h('h3', {}, t('reasons')),
    h('ul', { class: 'reasons', id: 'reasons' }, reasons.map((r) => h('li', {}, r.detail || r.rule)),
      overrides.map((o) => h('li', { class: 'override' }, t('override'), '：', detailsText(o), o.note ? '（' + o.note + '）' : '', ' · ', userName(o.actor)))),
    overrideForm);

  // ---- hand-over
  let handover = null;
  if (u.role !== 'viewer' && !['closed', 'rejected', 'withdrawn', 'merged'].includes(c.status)) {
    const who = select({ name: 'assignee' }, [['', '—'], ...staffOptions()], c.assignee || '');
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    handover = h('form', { class: 'inline', id: 'handover-form' }, field(t('handover_to'), who), error, h('button', { type: 'submit' }, t('handover')));
    guard(handover);
    handover.addEventListener('submit', async (e) => {
      e.preventDefault();
      notify('busy', t('saving'));
      try {
        await api('PATCH', '/complaints/' + encodeURIComponent(c.number), { assignee: who.value || null }, { ifMatch: etag });
        markClean(handover);
        await rerender(t('saved') + '：' + t('handover') + ' → ' + userName(who.value));
      } catch (err) { showProblem(err, handover); }
    });
  }

  // ---- comment
  const text = h('textarea', { name: 'note', rows: 3 });
  const cerror = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const comment = h('form', { class: 'card', id: 'comment-form' }, h('h2', {}, t('comments')), field(t('add_comment'), text), cerror,
    h('button', { type: 'submit' }, t('add_comment')));
  guard(comment);
  comment.addEventListener('submit', async (e) => {
    e.preventDefault();
    notify('busy', t('saving'));
    try {
      await api('POST', `/complaints/${encodeURIComponent(c.number)}/comments`, { note: text.value });
      markClean(comment);
      await rerender(t('saved'));
    } catch (err) { showProblem(err, comment); }
  });

  // ---- survey link
  let survey = null;
  if (['admin', 'leader', 'handler'].includes(u.role)) {
    const out = h('p', { class: 'survey-url', id: 'survey-url' });
    survey = h('section', { class: 'card', id: 'survey' }, h('h2', {}, t('survey_link')),
      h('button', { type: 'button', id: 'get-survey-link', on: { click: async () => {
        try {
          const { data } = await api('GET', `/complaints/${encodeURIComponent(c.number)}/survey-link`);
          const url = location.origin + data.path;
          clear(out).append(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url));
        } catch (err) { showProblem(err); }
      } } }, t('get_survey_link')), out);
  }

  el.append(
    h('div', { class: 'complaint-head' },
      h('h1', {}, h('span', { class: 'num', id: 'complaint-number' }, c.number), ' ', c.title || ''),
      h('p', {}, badge('state', c.status), ' ', badge('severity', c.severity), c.urgent ? h('span', { class: 'badge urgent' }, t('urgent')) : '',
        ' ', h('span', { class: 'muted' }, t('assignee'), '：', userName(c.assignee) || '—'))),
    h('div', { class: 'complaint-grid' },
      h('div', { class: 'col-main' },
        actions,
        h('section', { class: 'card', id: 'description' }, h('h2', {}, label('field', 'description')), h('p', { class: 'pre' }, c.description || '')),
        h('section', { class: 'card', id: 'deadlines' }, h('h2', {}, t('deadlines')),
          h('div', { class: 'table-wrap' }, h('table', { class: 'grid' },
            h('thead', {}, h('tr', {}, [t('stage'), t('period'), t('due_at'), t('time_left'), t('met_at'), ''].map((x) => h('th', {}, x)))),
            h('tbody', {}, (c.deadlines || []).map(deadlineRow))))),
        h('section', { class: 'card', id: 'history' }, h('h2', {}, t('timeline')), timeline(c)),
        comment),
      h('div', { class: 'col-side' },
        severity,
        handover ? h('section', { class: 'card' }, h('h2', {}, t('handover')), handover) : null,
        survey,
        h('section', { class: 'card', id: 'fields' }, h('h2', {}, t('fields')),
          !revealed && mayReveal(c, u) ? h('p', { class: 'reveal' }, h('span', { class: 'muted' }, t('reveal_note')), ' ',
            h('button', { type: 'button', id: 'reveal-personal', on: { click: async () => {
              try { await rerender(null, true); } catch (err) { showProblem(err); }
            } } }, t('reveal_personal'))) : null,
          h('dl', { class: 'fields' }, SHOWN_FIELDS.filter((f) => show(c, f) !== '').map((f) => [h('dt', {}, label('field', f)), h('dd', { class: LONG.has(f) ? 'pre' : '' }, show(c, f))]))))));
}
