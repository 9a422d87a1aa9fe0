// The exam office and the exam committee: the pipeline, corrections with a reason, the
// audit trail, and finalising one or many.
import { api, Offline } from './api.js';
import { field, h, radios, show } from './dom.js';
import { stateName, t, when } from './i18n.js';
import * as store from './store.js';
import { app, caseDetails, go, refresh } from './app.js';
import { card } from './cases.js';

const STATES = ['received', 'planned', 'assessed', 'signed', 'final', 'canceled'];
let selected = 'received';

export function pipeline(cases) {
  const counts = Object.fromEntries(STATES.map((s) => [s, cases.filter((c) => c.state === s).length]));
  const listEl = h('ul', { class: 'cards' });
  const buttons = STATES.map((s) => h('button', {
    type: 'button', 'aria-pressed': String(s === selected),
    onclick: () => {
      selected = s;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.state === selected));
      draw();
    },
    'data-state': s,
  }, h('span', { class: 'count' }, String(counts[s])), stateName(s)));
  const draw = () => {
    const shown = cases.filter((c) => c.state === selected);
    listEl.replaceChildren(...(shown.length ? shown.map(card) : [h('li', { class: 'muted' }, t('noCases'))]));
  };
  draw();
  return [h('h2', {}, t('pipeline')), h('div', { class: 'pipeline', role: 'group', 'aria-label': t('pipeline') }, buttons), listEl];
}

export function finaliseList(cases) {
  const signed = cases.filter((c) => c.state === 'signed');
  if (!signed.length) return [h('h2', {}, t('finalise')), h('p', { class: 'muted' }, t('nothingToFinalise'))];
  const chosen = new Set();
  const status = h('p', { role: 'status' });
  return [h('h2', {}, t('finalise')),
    h('fieldset', {}, h('legend', {}, t('finalise')), h('div', { class: 'choices' }, signed.map((c) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', onchange: (e) => (e.target.checked ? chosen.add(c.caseId) : chosen.delete(c.caseId)) }),
      `${c.candidate?.displayName ?? ''} · ${c.exam?.name ?? ''} · ${c.outcome?.score ?? ''}`)))),
    status,
    h('div', { class: 'actions' }, h('button', {
      type: 'button',
      onclick: async () => {
        if (!chosen.size) return;
        try {
          const r = await api('POST', '/finalise', { caseIds: [...chosen] });
          const failed = r.items.filter((i) => i.error);
          status.textContent = failed.map((f) => f.error).join('; ');
          await refresh();
          if (!failed.length) go('/');
        } catch (e) {
          status.textContent = e instanceof Offline ? t('onlineOnly') : e.message;
        }
      },
    }, t('finaliseSelected')))];
}

async function correctScreen(id) {
  const { c, model, sheets } = await caseDetails(id);
  if (!c || !model) return go(`/case/${id}`);
  const deciding = [...sheets].reverse().find((s) => s.sheet.startsWith('correction-'))
    ?? sheets.find((s) => s.sheet === 'joint') ?? sheets[0];
  const scores = Object.fromEntries((deciding?.scores ?? []).map((s) => [s.criterion, { level: s.level, note: s.note ?? '' }]));
  let attendance = c.outcome?.attendance ?? 'present';
  const scales = Object.fromEntries(model.scales.map((s) => [s.id, s]));
  const reason = h('textarea', { required: true });
  let authority = 'examCommittee';
  const error = h('p', { class: 'error', role: 'alert' });
  const blocks = model.sections.map((s) => h('section', {}, h('h2', {}, s.title), s.criteria.map((cr) => {
    scores[cr.code] ??= { level: undefined, note: '' };
    return h('div', {},
      radios(`k-${cr.code}`, cr.text, scales[cr.scale].levels.map((l) => ({ value: l.value, label: `${l.value} ${l.label}`, fail: l.value < cr.failsBelow })),
        scores[cr.code].level ?? '', (v) => { scores[cr.code].level = Number(v); }),
      field(t('note'), h('textarea', { rows: 2, value: scores[cr.code].note, oninput: (e) => { scores[cr.code].note = e.target.value; } })));
  })));
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('correct')),
    h('p', {}, c.candidate?.displayName ?? '', ' · ', c.exam?.name ?? '', ' · ', c.outcome?.score ?? ''),
    h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        const body = {
          revision: c.revision, attendance, reason: reason.value, authority,
          scores: attendance === 'present'
            ? Object.entries(scores).filter(([, s]) => Number.isInteger(s.level)).map(([criterion, s]) => ({ criterion, level: s.level, note: s.note || undefined }))
            : [],
        };
        try {
          const view = await api('POST', `/cases/${id}/corrections`, body);
          await store.put('cases', id, view);
          go(`/case/${id}`);
        } catch (err) {
          error.textContent = err instanceof Offline ? t('onlineOnly') : err.message;
        }
      },
    },
    radios('k-att', t('attendance'), ['present', 'notPresent', 'notStarted', 'notFinished', 'notKnown'].map((a) => ({ value: a, label: t(a) })), attendance, (v) => { attendance = v; }),
    blocks,
    radios('k-authority', t('authority'), [{ value: 'examCommittee', label: t('byCommittee') }, { value: 'appeal', label: t('byAppeal') }], authority, (v) => { authority = v; }),
    field(t('reason'), reason), error,
    h('div', { class: 'actions sticky' }, h('button', { type: 'submit' }, t('correct')))));
}

async function auditScreen(id) {
  const { c } = await caseDetails(id);
  let items = [];
  try {
    items = (await api('GET', `/cases/${id}/audit`)).items;
  } catch (e) {
    return show(h('h1', {}, t('audit')), h('p', { class: 'notice bad' }, e instanceof Offline ? t('onlineOnly') : e.message));
  }
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('audit')),
    h('p', {}, c?.candidate?.displayName ?? '', ' · ', c?.exam?.name ?? ''),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('when')), h('th', { scope: 'col' }, t('who')), h('th', { scope: 'col' }, t('what')))),
      h('tbody', {}, items.map((e) => h('tr', {},
        h('td', {}, when(e.at)), h('td', { class: 'small' }, e.actor),
        h('td', {}, h('strong', {}, e.action), e.reason ? [h('br'), h('em', {}, e.reason)] : null))))));
}

const REASONS = { planned: 'sisPlanned', attendance: 'sisAttendance', signed: 'sisSigned', finalised: 'sisFinalised', corrected: 'sisCorrected', countersigned: 'sisCountersigned' };

function deliveryRow(m, office, again) {
  const when_ = m.state === 'delivered' ? when(m.deliveredAt)
    : m.state === 'waiting' ? (m.waitingFor ? t(`sisWait_${m.waitingFor}`) : `${t('sisNext')} ${when(m.nextAttemptAt)}`) : '';
  const problem = [m.lastStatus ? `HTTP ${m.lastStatus}` : '', m.lastError ?? ''].filter(Boolean).join(' · ');
  return h('tr', {},
    h('td', {}, t(REASONS[m.reason] ?? m.reason), h('br'), h('span', { class: 'small' }, when(m.createdAt))),
    h('td', {}, h('span', { class: `badge ${m.state === 'parked' ? 'bad' : m.state === 'delivered' ? 'ok' : ''}` }, t(`sis_${m.state}`)),
      ` ${when_}`, m.attempts > 1 ? h('span', { class: 'small' }, ` (${m.attempts}×)`) : null),
    h('td', { class: 'small' }, problem, m.lastResponse && m.state !== 'delivered' ? [h('br'), h('code', {}, m.lastResponse)] : null,
      office && m.state === 'parked' ? h('div', {}, h('button', { type: 'button', class: 'secondary', onclick: () => again(m) }, t('sisRetry'))) : null));
}

function deliveryTable(items, office, again) {
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('what')), h('th', { scope: 'col' }, t('state')), h('th', { scope: 'col' }, t('sisAnswer')))),
    h('tbody', {}, items.map((m) => deliveryRow(m, office, again))));
}

/** What went to the SIS for one exam, and what it answered; a parked message can go again. */
async function deliveriesScreen(id) {
  const { c } = await caseDetails(id);
  const office = !!app.me?.examOffice;
  const status = h('p', { role: 'status' });
  let items;
  try {
    items = (await api('GET', `/cases/${id}/deliveries`)).items;
  } catch (e) {
    return show(h('h1', {}, t('sisTitle')), h('p', { class: 'notice bad' }, e instanceof Offline ? t('onlineOnly') : e.message));
  }
  const again = async (m) => {
    try {
      await api('POST', `/deliveries/${m.messageId}/retry`);
      deliveriesScreen(id);
    } catch (e) {
      status.textContent = e instanceof Offline ? t('onlineOnly') : e.message;
    }
  };
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('sisTitle')),
    h('p', {}, c?.candidate?.displayName ?? '', ' · ', c?.exam?.name ?? ''), status,
    items.length ? deliveryTable(items, office, again) : h('p', { class: 'muted' }, t('sisNothing')));
}

/** For the exam office's home: results that have not reached the SIS yet, if any. */
export async function undelivered() {
  let items;
  try {
    items = (await api('GET', '/deliveries')).items;
  } catch {
    return [];
  }
  if (!items.length) return [];
  const parked = items.filter((m) => m.state === 'parked').length;
  return [h('h2', {}, t('sisTitle')),
    h('p', { class: parked ? 'notice bad' : 'muted' }, t('sisStuck', items.length, parked)),
    h('ul', {}, items.slice(0, 20).map((m) => h('li', {},
      h('a', { href: `#/case/${m.caseId}/sis` }, `${t(REASONS[m.reason] ?? m.reason)} · ${t(`sis_${m.state}`)}`),
      m.lastError ? h('span', { class: 'small' }, ` — ${m.lastError}`)
        : m.waitingFor ? h('span', { class: 'small' }, ` — ${t(`sisWait_${m.waitingFor}`)}`) : null)))];
}

export const officeRoutes = [
  [/^\/case\/([0-9a-f-]{36})\/correct$/, correctScreen],
  [/^\/case\/([0-9a-f-]{36})\/audit$/, auditScreen],
  [/^\/case\/([0-9a-f-]{36})\/sis$/, deliveriesScreen],
];
