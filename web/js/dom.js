// Building the page from data without innerHTML, so no text from the server is ever markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    // `value` is a property (a textarea has no value attribute); so are non-string props.
    else if (k === 'value' || (k in el && typeof v !== 'string')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the page's content and moves focus to its heading, for screen readers. */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  const title = main.querySelector('h1');
  if (title) {
    document.title = `${title.textContent} · Proeve`;
    title.setAttribute('tabindex', '-1');
    title.focus({ preventScroll: false });
  }
  window.scrollTo(0, 0);
}

/** A labelled field: the label is tied to the control by id. */
let ids = 0;
export function field(label, control, help) {
  const id = control.id || `f${++ids}`;
  control.id = id;
  const helpEl = help ? h('p', { class: 'muted small', id: `${id}-help` }, help) : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  return h('div', {}, h('label', { for: id }, label), helpEl, control);
}

/** A group of radio buttons. `options`: [{value, label, fail}]; `row`: side by side (a
 * scale's levels), else stacked. */
export function radios(name, legend, options, current, onPick, extra, row = false) {
  return h('fieldset', {},
    h('legend', {}, legend, extra ?? null),
    h('div', { class: row ? 'choices row' : 'choices' }, options.map((o) => h('label', { class: `choice${o.fail ? ' fail' : ''}` },
      h('input', {
        type: 'radio', name, value: String(o.value), checked: String(current) === String(o.value),
        onchange: () => onPick(o.value),
      }),
      o.label))));
}

/** An instant as Dutch wall-clock date and time: ['2026-12-08', '09:00'] ('' when absent). */
export function amsterdam(iso) {
  if (!iso) return ['', ''];
  const d = new Date(iso);
  const part = (o) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', ...o }).format(d);
  return [part({ year: 'numeric', month: '2-digit', day: '2-digit' }), part({ hour: '2-digit', minute: '2-digit' })];
}

/** Dutch wall-clock time to an instant (CET/CEST), whatever the phone's zone. */
export function amsterdamInstant(day, time) {
  const guess = new Date(`${day}T${time}:00Z`);
  const shown = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(guess);
  const offset = new Date(`${shown.replace(' ', 'T')}:00Z`) - guess;
  return new Date(guess - offset).toISOString();
}
