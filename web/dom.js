// DOM building without innerHTML: every piece of data becomes a text node, so nothing a user
// or a customer typed can ever run as markup. h(tag, attrs, ...children).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'required' ||
             k === 'autofocus' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A <select> from [value, label] pairs; `value` is preselected.
export function select(attrs, options, value) {
  const s = h('select', attrs);
  for (const [v, label] of options) {
    const o = h('option', { value: v }, label);
    if (String(v) === String(value ?? '')) o.selected = true;
    s.append(o);
  }
  return s;
}

// A labelled form row: the label is tied to the control by id.
let seq = 0;
export function field(label, control, hint) {
  if (!control.id) control.id = 'f' + (++seq);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control,
           hint ? h('small', { class: 'hint' }, hint) : null);
}

export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
