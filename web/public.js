// The customer's own pages, without login: 进度查询 (the number and the phone's last four
// digits give the status and the expected answer date) and 满意度调查 (the one-time link from
// the reply: a score 1–5 and a comment). Nothing personal is shown beyond what the customer
// typed; the survey token travels in the URL fragment, so it is never sent in a Referer.
import { h, clear, field } from './dom.js';
import { t, setLang, lang, label, fmtTime } from './i18n.js';
import { api } from './api.js';
import { notify, showProblem, guard, markClean } from './ui.js';

const main = document.getElementById('main');

function langSwitch(render) {
  return h('button', { type: 'button', class: 'link', id: 'lang-switch', on: { click: () => { setLang(lang() === 'zh' ? 'en' : 'zh'); render(); } } }, t('language'));
}

function progress() {
  const number = h('input', { name: 'number', required: true, autocomplete: 'off', placeholder: 'KS20261128-0001', autofocus: true });
  const tail = h('input', { name: 'phone_tail', required: true, inputmode: 'numeric', maxlength: 4, pattern: '[0-9]{4}', autocomplete: 'off' });
  const result = h('div', { id: 'progress-result', 'aria-live': 'polite' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card narrow', id: 'progress-form' },
    h('h1', {}, t('progress_title')), field(t('number'), number), field(t('phone_tail'), tail), error,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, t('lookup')), langSwitch(progress)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    clear(result);
    try {
      const { data } = await api('POST', '/public/progress', { number: number.value.trim(), phone_tail: tail.value.trim() });
      document.getElementById('status').hidden = true;
      result.append(h('section', { class: 'card narrow' }, h('dl', { class: 'fields' },
        h('dt', {}, t('number')), h('dd', {}, data.number),
        h('dt', {}, t('current_stage')), h('dd', { id: 'progress-status' }, h('span', { class: 'badge state-' + data.status }, label('state', data.status))),
        h('dt', {}, t('received_at')), h('dd', {}, fmtTime(data.received_at)),
        data.expected_by ? [h('dt', {}, t('expected_by')), h('dd', { id: 'progress-expected' }, fmtTime(data.expected_by))] : null,
        h('dt', {}, t('updated_at')), h('dd', {}, fmtTime(data.updated_at)))));
    } catch (err) { showProblem(err, form); }
  });
  clear(main).append(form, result);
  number.focus();
}

async function survey() {
  const token = new URLSearchParams(location.hash.slice(1)).get('t') || location.hash.slice(1);
  clear(main);
  let info;
  try {
    ({ data: info } = await api('GET', '/public/survey/' + encodeURIComponent(token)));
  } catch (err) {
    main.append(h('section', { class: 'card narrow' }, h('h1', {}, t('survey_title')), h('p', { class: 'form-error', id: 'survey-error' }, err.detail || String(err))));
    return;
  }
  const head = [h('h1', {}, t('survey_title')), h('p', { class: 'muted' }, t('number'), '：', info.number, info.title ? ' · ' + info.title : ''),
    info.reply ? h('div', { class: 'reply' }, h('h2', {}, t('our_reply')), h('p', { class: 'pre' }, info.reply)) : null];
  if (!info.open) {
    main.append(h('section', { class: 'card narrow', id: 'survey-closed' }, head, h('p', {}, t('survey_closed')), langSwitch(survey)));
    return;
  }
  const names = t('score_labels').split('|');
  const choices = [1, 2, 3, 4, 5].map((n) => h('label', { class: 'score' },
    h('input', { type: 'radio', name: 'score', value: String(n), required: true }), ' ', names[n - 1]));
  const comment = h('textarea', { name: 'comment', rows: 4, maxlength: 600 });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'card narrow', id: 'survey-form' }, head,
    h('fieldset', { class: 'scores' }, h('legend', {}, t('survey_question')), choices),
    field(t('survey_comment'), comment), error,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, t('submit')), langSwitch(survey)));
  guard(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = form.querySelector('input[name="score"]:checked');
    const body = { score: picked ? Number(picked.value) : 0 };
    if (comment.value.trim()) body.comment = comment.value.trim();
    notify('busy', t('saving'));
    try {
      const { data } = await api('POST', '/public/survey/' + encodeURIComponent(token), body);
      markClean(form);
      document.getElementById('status').hidden = true;
      clear(main).append(h('section', { class: 'card narrow', id: 'survey-done' }, h('h1', {}, t('survey_thanks')),
        data.reopened ? h('p', {}, t('survey_reopened')) : null));
    } catch (err) { showProblem(err, form); }
  });
  main.append(form);
}

setLang(lang());
if (document.body.dataset.page === 'survey') survey();
else progress();
