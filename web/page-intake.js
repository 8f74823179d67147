// 登记: the intake form, built for speed at the keyboard: the channel first, then the customer,
// then what happened. As the title and description are typed the server judges severity and
// category (POST /classify, debounced) and the reasons are shown; a repeat warning appears when
// the same customer already complained this month (GET /complaints?customer=&received_from=).
// Ctrl+Enter registers; an Idempotency-Key per form makes a retried submit safe.
import { h, field, select, debounce, clear } from './dom.js';
import { t, label, codes, fmtTime, localDate, zoneOffset } from './i18n.js';
import { api } from './api.js';
import { session, notify, showProblem, guard, markClean, badge, numberLink, categoryName } from './ui.js';

const CUSTOMER = ['customer_name', 'customer_phone', 'customer_email', 'customer_org', 'customer_code'];
const GOODS = ['product', 'model', 'batch_no', 'order_no', 'delivered', 'defective'];

function input(name, attrs = {}) {
  return h('input', { name, autocomplete: 'off', ...attrs });
}

export async function intakePage(el) {
  let key = crypto.randomUUID();
  let judged = null;
  const channel = select({ name: 'channel', required: true, autofocus: true }, codes('channel').filter((c) => c !== 'api').map((c) => [c, label('channel', c)]), 'phone');
  const title = input('title', { maxlength: 200 });
  const description = h('textarea', { name: 'description', rows: 5 });
  const severity = select({ name: 'severity' }, [['', t('auto')], ...codes('severity').map((c) => [c, label('severity', c)])], '');
  const category = select({ name: 'category' }, [['', t('auto')], ...((session.preset && session.preset.categories) || []).map((c) => [c.code, c.name || c.code])], '');
  const department = select({ name: 'department' }, [['', t('any')], ...session.departments.map((d) => [d.code, '\u3000'.repeat(d.depth) + d.name])],
    session.user.department || '');
  const suggestion = h('div', { class: 'suggestion', id: 'suggestion', 'aria-live': 'polite' }, h('p', { class: 'muted' }, t('type_to_suggest')));
  const repeat = h('div', { class: 'repeat', id: 'repeat-warning', 'aria-live': 'polite', hidden: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const inputs = {};
  for (const n of CUSTOMER) inputs[n] = input(n, n === 'customer_phone' ? { type: 'tel', inputmode: 'tel' } : n === 'customer_email' ? { type: 'email' } : {});
  for (const n of GOODS) inputs[n] = input(n, n === 'delivered' || n === 'defective' ? { inputmode: 'numeric' } : {});

  const form = h('form', { class: 'intake', id: 'intake-form', novalidate: true },
    h('h1', {}, t('intake')),
    h('p', { class: 'muted' }, t('intake_hint')),
    h('div', { class: 'intake-grid' },
      h('div', { class: 'intake-main' },
        h('fieldset', {}, h('legend', {}, t('channel')), field(label('field', 'channel'), channel)),
        h('fieldset', { class: 'cols' }, h('legend', {}, t('customer')), CUSTOMER.map((n) => field(label('field', n), inputs[n]))),
        h('fieldset', {}, h('legend', {}, label('field', 'description')),
          field(label('field', 'title'), title), field(label('field', 'description'), description)),
        h('fieldset', { class: 'cols' }, h('legend', {}, label('field', 'product')), GOODS.map((n) => field(label('field', n), inputs[n]))),
        h('fieldset', { class: 'cols' }, h('legend', {}, t('severity')),
          field(t('severity'), severity), field(t('category'), category), field(t('department'), department)),
        error,
        h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'register' }, t('register')))),
      h('aside', { class: 'intake-side' }, h('h2', {}, t('suggestion')), suggestion, repeat)));
  guard(form);

  function body() {
    const b = { channel: channel.value };
    for (const n of [...CUSTOMER, ...GOODS]) {
      const v = inputs[n].value.trim();
      if (!v) continue;
      b[n] = (n === 'delivered' || n === 'defective') && /^\d+$/.test(v) ? Number(v) : v;
    }
    if (title.value.trim()) b.title = title.value.trim();
    if (description.value.trim()) b.description = description.value.trim();
    if (severity.value) b.severity = severity.value;
    if (category.value) b.category = category.value;
    if (department.value) b.department = department.value;
    return b;
  }

  const classify = debounce(async () => {
    const b = body();
    if (!b.title && !b.description) {
      judged = null;
      clear(suggestion).append(h('p', { class: 'muted' }, t('type_to_suggest')));
      return;
    }
    const req = {};
    for (const n of ['title', 'description', 'product', 'delivered', 'defective']) if (b[n] !== undefined) req[n] = b[n];
    try {
      const { data } = await api('POST', '/classify', req);
      judged = data;
      clear(suggestion).append(
        h('p', { class: 'judged' }, badge('severity', data.severity), ' ',
          data.category ? h('span', { class: 'chip', id: 'suggested-category' }, categoryName(data.category)) : '',
          data.urgent ? h('span', { class: 'badge urgent' }, t('urgent')) : '',
          data.response_level ? h('span', { class: 'chip' }, t('response_level'), ' ', String(data.response_level)) : '',
          data.defect_name ? h('span', { class: 'chip' }, label('field', 'defect'), '：', data.defect_name) : ''),
        h('h3', {}, t('reasons')),
        h('ul', { class: 'reasons', id: 'suggested-reasons' }, (data.reasons || []).map((r) => h('li', {}, r.detail || r.rule))),
        data.guidance ? h('p', { class: 'guidance' }, h('strong', {}, t('guidance'), '：'), data.guidance) : '');
      checkRepeat();
    } catch (err) {
      clear(suggestion).append(h('p', { class: 'form-error' }, err.detail || String(err)));
    }
  }, 350);

  const checkRepeat = debounce(async () => {
    const who = inputs.customer_code.value.trim() || inputs.customer_name.value.trim();
    if (!who) { repeat.hidden = true; return; }
    const now = new Date();
    const from = localDate(now).slice(0, 8) + '01T00:00:00' + zoneOffset(now);
    try {
      const { data } = await api('GET', '/complaints', null, { query: { customer: who, received_from: from, limit: 50, fields: 'received_at,title,defect,category' } });
      if (!data.items.length) { repeat.hidden = true; return; }
      const same = (c) => judged && ((judged.defect && c.defect === judged.defect) || (!judged.defect && judged.category && c.category === judged.category));
      clear(repeat).append(
        h('p', {}, h('strong', {}, t('repeat_warning', data.items.length))),
        h('ul', {}, data.items.map((c) => h('li', { class: same(c) ? 'same' : '' },
          numberLink(c.number), ' ', fmtTime(c.received_at), ' ', c.title || '',
          same(c) ? h('span', { class: 'badge severity-serious' }, t('same_problem')) : ''))));
      repeat.hidden = false;
    } catch { repeat.hidden = true; }
  }, 400);

  for (const el2 of [title, description, inputs.delivered, inputs.defective, inputs.product]) el2.addEventListener('input', classify);
  for (const n of ['customer_name', 'customer_code']) inputs[n].addEventListener('input', checkRepeat);

  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    notify('busy', t('registering'));
    error.hidden = true;
    try {
      const { data } = await api('POST', '/complaints', body(), { idempotencyKey: key });
      markClean(form);
      key = crypto.randomUUID();
      notify('ok', t('registered', data.number), h('span', {}, ' ', numberLink(data.number)));
      form.reset();
      department.value = session.user.department || '';
      judged = null;
      clear(suggestion).append(h('p', { class: 'muted' }, t('type_to_suggest')));
      repeat.hidden = true;
      channel.focus();
    } catch (err) {
      showProblem(err, form);
    }
  });
  el.append(form);
}
