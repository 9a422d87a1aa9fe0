// The assessor's path: identity check → attendance → one screen per section → irregularities
// → summary with the result → signatures. Every answer is saved on the device at once and
// queued for the server, so a whole exam can be done without reception.
import { api, Offline, serverNow } from './api.js';
import { amsterdam, amsterdamInstant, field, h, radios, show } from './dom.js';
import { t } from './i18n.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { caseData, go, app } from './app.js';
import { pad } from './pad.js';

const ATTENDANCE = ['present', 'notPresent', 'notStarted', 'notFinished', 'notKnown'];
const BEGAN = ['present', 'notFinished'];

function steps(model, draft) {
  const list = ['identity', 'attendance'];
  if (draft.attendance === 'present') model.sections.forEach((_, i) => list.push(`section-${i}`));
  list.push('irregularities', 'summary');
  return list;
}

// A save changes the draft (in turn with the outbox and refresh) and queues it.
async function save(id, change) {
  const next = await store.updateDraft(id, change);
  await sync.enqueue({ type: 'sheet', caseId: id });
  return next;
}

function nav(id, model, draft, step, check) {
  const list = steps(model, draft);
  const i = list.indexOf(step);
  const prev = list[i - 1];
  const next = list[i + 1];
  return h('div', { class: 'actions sticky' },
    prev ? h('a', { class: 'button secondary', href: `#/case/${id}/score/${prev}` }, `← ${t('back')}`) : h('a', { class: 'button secondary', href: `#/case/${id}` }, `← ${t('back')}`),
    next ? h('button', {
      type: 'button',
      onclick: async () => {
        if (check && !(await check())) return;
        const fresh = (await store.get('drafts', id)) ?? draft;
        const now = steps(model, fresh);
        go(`/case/${id}/score/${now[now.indexOf(step) + 1] ?? 'summary'}`);
      },
    }, `${t('next')} →`) : null);
}

function header(c, model, draft, step) {
  const list = steps(model, draft);
  return [h('p', { class: 'steps' }, `${list.indexOf(step) + 1} / ${list.length} · ${c.candidate?.displayName ?? ''}`)];
}

function failsAt(criterion, level) {
  return level < criterion.failsBelow;
}

function sectionScreen(id, c, model, draft, index) {
  const section = model.sections[index];
  const scales = Object.fromEntries(model.scales.map((s) => [s.id, s]));
  const errors = new Map();
  const blocks = section.criteria.map((cr) => {
    const current = draft.scores?.[cr.code] ?? {};
    const note = h('textarea', { value: current.note ?? '', rows: 2 });
    const noteError = h('p', { class: 'error', id: `err-${cr.code}`, role: 'alert' });
    const needNote = () => Number.isInteger(draft.scores?.[cr.code]?.level) && failsAt(cr, draft.scores[cr.code].level);
    const showNeed = (insist) => {
      const missing = needNote() && !note.value.trim();
      note.setAttribute('aria-invalid', missing && insist ? 'true' : 'false');
      note.required = needNote();
      noteError.textContent = missing && insist ? t('noteRequired') : '';
      return !missing;
    };
    errors.set(cr.code, { check: showNeed, note });
    note.addEventListener('input', async () => {
      draft = await save(id, (d) => ({ scores: { ...d.scores, [cr.code]: { ...(d.scores?.[cr.code] ?? {}), note: note.value } } }));
      showNeed(false);
    });
    note.setAttribute('aria-describedby', noteError.id);
    const options = scales[cr.scale].levels.map((l) => ({ value: l.value, label: h('span', {}, h('span', { class: 'level' }, l.value), ' ', l.label), fail: failsAt(cr, l.value) }));
    return h('div', {},
      radios(`c-${cr.code}`, cr.text, options, current.level, async (v) => {
        draft = await save(id, (d) => ({ scores: { ...d.scores, [cr.code]: { ...(d.scores?.[cr.code] ?? {}), level: Number(v), fails: failsAt(cr, Number(v)) } } }));
        showNeed(true);
      }, cr.knockOut ? [' ', h('span', { class: 'badge ko' }, t('knockOut'))] : null),
      field(t('note'), note), noteError);
  });
  return [h('h1', {}, section.title), ...blocks, nav(id, model, draft, `section-${index}`, async () => {
    let first = null;
    for (const { check, note } of errors.values()) {
      if (!check(true)) first ??= note;
    }
    first?.focus();
    return !first;
  })];
}

async function scoreScreen(id, step) {
  const { c, model } = await caseData(id);
  let draft = (await store.get('drafts', id)) ?? { revision: 0, scores: {} };
  if (!c || !model) return go(`/case/${id}`);
  if (step === 'sign') return signScreen(id, c);
  // Once the assessment is closed (or closing), the scores are what was signed.
  const closing = (await store.values('outbox')).some((o) => o.caseId === id && o.type === 'judge');
  if (c.state !== 'planned' || closing) return go(`/case/${id}/score/sign`);
  const top = header(c, model, draft, step);
  if (step === 'identity') {
    const method = h('select', {}, ['idCard', 'passport', 'licence', 'other'].map((k) => h('option', { value: t(k), selected: draft.identityMethod === t(k) }, t(k))));
    method.addEventListener('change', async () => { draft = await save(id, () => ({ identityMethod: method.value })); });
    return show(...top, h('h1', {}, t('identity')),
      h('p', { class: 'notice' }, t('idCheckName'), ': ', h('strong', {}, c.candidateDetails?.idCheckName ?? c.candidate?.displayName ?? '')),
      c.candidateDetails?.personalNeeds?.length ? h('p', { class: 'notice' }, `${t('needs')}: ${c.candidateDetails.personalNeeds.join('; ')}`) : null,
      radios('identity', t('identity'), [{ value: 'yes', label: t('identityChecked') }, { value: 'no', label: t('identityNotChecked') }],
        draft.identityChecked === undefined ? '' : draft.identityChecked ? 'yes' : 'no',
        async (v) => { draft = await save(id, () => ({ identityChecked: v === 'yes', identityMethod: v === 'yes' ? method.value : 'niet gecontroleerd' })); }),
      field(t('idMethod'), method),
      nav(id, model, draft, step));
  }
  if (step === 'attendance') {
    return show(...top, h('h1', {}, t('attendance')),
      radios('attendance', t('attendance'), ATTENDANCE.map((a) => ({ value: a, label: t(a) })), draft.attendance ?? '',
        // The exam began when the candidate is first recorded as there: the phone's time
        // (corrected to the server's), so an exam scored offline keeps its real start.
        async (v) => { draft = await save(id, (d) => ({ attendance: v, ...(BEGAN.includes(v) && !d.startedAt ? { startedAt: serverNow() } : {}) })); }),
      nav(id, model, draft, step, async () => !!(await store.get('drafts', id))?.attendance));
  }
  if (step.startsWith('section-')) {
    const index = Number(step.slice(8));
    if (!model.sections[index]) return go(`/case/${id}/score/summary`);
    return show(...top, ...sectionScreen(id, c, model, draft, index));
  }
  if (step === 'irregularities') {
    const text = h('textarea', { value: draft.irregularities ?? '' });
    text.addEventListener('input', async () => { draft = await save(id, () => ({ irregularities: text.value })); });
    // The overall motivation of the judgement and feedback to the candidate: on the form.
    const why = h('textarea', { rows: 4, value: draft.motivation ?? '' });
    why.addEventListener('input', async () => { draft = await save(id, () => ({ motivation: why.value })); });
    return show(...top, h('h1', {}, t('irregularities')), field(t('irregularities'), text, t('irregularitiesHelp')),
      field(t('motivation'), why, t('motivationHelp')), nav(id, model, draft, step));
  }
  return summaryScreen(id, c, model, draft, top);
}

async function summaryScreen(id, c, model, draft, top) {
  const criteria = model.sections.flatMap((s) => s.criteria);
  const scales = Object.fromEntries(model.scales.map((s) => [s.id, s]));
  const scored = criteria.filter((cr) => Number.isInteger(draft.scores?.[cr.code]?.level));
  const missing = draft.attendance === 'present' ? criteria.filter((cr) => !scored.includes(cr)) : [];
  const raw = scored.reduce((n, cr) => n + draft.scores[cr.code].level, 0);
  const max = criteria.reduce((n, cr) => n + Math.max(...scales[cr.scale].levels.map((l) => l.value)), 0);
  const missedKo = scored.filter((cr) => cr.knockOut && failsAt(cr, draft.scores[cr.code].level));
  const grade = h('p', { role: 'status' });
  const rows = model.sections.map((s) => h('tr', {},
    h('th', { scope: 'row' }, s.title),
    h('td', {}, String(s.criteria.reduce((n, cr) => n + (draft.scores?.[cr.code]?.level ?? 0), 0)))));
  const error = h('p', { class: 'error', role: 'alert' });
  // The exam's true begin and end, as the phone recorded them (the moment "present" was
  // chosen; the end: now), for the assessor to see and put right before closing.
  const [day, began] = amsterdam(draft.startedAt);
  const [, ends] = amsterdam(draft.endedAt ?? serverNow());
  const beganAt = h('input', { type: 'time', value: began });
  const endedAt = h('input', { type: 'time', value: ends });
  // Far from the plan (over an hour, as the server holds it): the assessor says why.
  const timesReason = h('textarea', { rows: 2, value: draft.timesReason ?? '' });
  const reasonField = field(t('timesReason'), timesReason);
  const chosenTimes = () => {
    const start = beganAt.value && beganAt.value !== began ? amsterdamInstant(day, beganAt.value) : draft.startedAt;
    const end = endedAt.value && endedAt.value !== ends ? amsterdamInstant(day, endedAt.value) : serverNow();
    return [start, end];
  };
  const far = () => {
    const [start, end] = chosenTimes();
    const off = (a, b) => a && b && Math.abs(new Date(a) - new Date(b)) > 60 * 60 * 1000;
    return off(start, c.plannedStart) || off(end, c.plannedEnd);
  };
  const showReason = () => { reasonField.hidden = !far(); };
  beganAt.addEventListener('input', showReason);
  endedAt.addEventListener('input', showReason);
  showReason();
  const times = draft.startedAt ? h('div', {}, h('h2', {}, t('actualTimes')),
    h('p', { class: 'muted' }, t('actualTimesHelp')), field(t('start'), beganAt), field(t('end'), endedAt), reasonField) : null;
  // A present candidate's exam closes with every criterion scored and the identity checked.
  const ready = draft.attendance && (draft.attendance !== 'present' || (!missing.length && draft.identityChecked === true));
  show(...top, h('h1', {}, t('summary')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('attendance')), h('dd', {}, t(draft.attendance ?? 'notKnown')),
      draft.attendance === 'present' ? [h('dt', {}, t('points')), h('dd', {}, `${raw} / ${max} (${t('passMark').toLowerCase()} ${model.passMark})`)] : null,
      missedKo.length ? [h('dt', {}, t('knockOutsMissed')), h('dd', {}, missedKo.map((k) => k.code).join(', '))] : null),
    draft.attendance === 'present' ? h('table', {}, h('tbody', {}, rows)) : null,
    missing.length ? h('p', { class: 'notice bad' }, t('missing', missing.map((m) => m.code).join(', '))) : null,
    draft.attendance === 'present' && draft.identityChecked !== true ? h('p', { class: 'notice bad' }, t('identityFirst')) : null,
    times, grade, error,
    h('div', { class: 'actions sticky' },
      h('a', { class: 'button secondary', href: `#/case/${id}/score/irregularities` }, `← ${t('back')}`),
      h('button', {
        type: 'button', disabled: !ready,
        onclick: async () => {
          // The begin and end go with the sheet, queued before the judgement: as recorded,
          // unless the assessor put them right (on the day the exam began).
          if ((await store.get('drafts', id))?.startedAt) {
            const now = serverNow();
            const [start, end] = chosenTimes();
            if (end < start || end > now) { error.textContent = t('timesWrong'); return; }
            const why = timesReason.value.trim();
            if (far() && !why) { error.textContent = t('timesReasonNeeded'); timesReason.focus(); return; }
            await save(id, () => ({ startedAt: start, endedAt: end, ...(far() ? { timesReason: why } : {}) }));
          }
          await sync.enqueue({ type: 'judge', caseId: id, body: { revision: c.revision } });
          go(`/case/${id}/score/sign`);
        },
      }, t('finishAssessment'))));
  if (ready && draft.attendance === 'present') {
    try {
      const o = await api('POST', `/cases/${id}/preview`, { attendance: draft.attendance, scores: sync.sheetBody(draft).scores });
      grade.textContent = `${t('result')}: ${o.score} · ${o.passed ? t('passed') : t('failed')}`;
    } catch (e) {
      grade.textContent = e instanceof Offline ? t('previewOffline') : '';
    }
  }
}

async function signScreen(id, c) {
  const ops = (await store.values('outbox')).filter((o) => o.caseId === id && o.type === 'sign');
  const signedBy = (role) => (c.signatures ?? []).some((s) => s.role === role && (role !== 'assessor' || s.personId === app.me.personId))
    || ops.some((o) => o.body.role === role || (role === 'candidate' && o.body.role === 'candidateRefused'));
  const parts = [h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('signed'))];
  const block = (role, title) => {
    if (signedBy(role)) return h('p', { class: 'notice ok' }, role === 'assessor' ? t('assessorSigned') : t('candidateSigned'));
    const canvas = h('canvas', { class: 'pad', role: 'img', 'aria-label': `${title}: ${t('signHere')}` });
    const error = h('p', { class: 'error', role: 'alert' });
    const section = h('section', {}, h('h2', {}, title), h('p', { class: 'muted' }, t('signHere')), canvas, error);
    queueMicrotask(() => {
      const p = pad(canvas);
      section.append(h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => p.clear() }, t('clear')),
        h('button', {
          type: 'button',
          onclick: async () => {
            if (p.empty()) { error.textContent = t('signHere'); return; }
            // When it was drawn, by the server's clock: an offline phone sends it later.
            await sync.enqueue({ type: 'sign', caseId: id, body: { role, image: p.png(), drawnAt: serverNow() } });
            signScreen(id, (await store.get('cases', id)) ?? c);
          },
        }, t('save'))));
      if (role === 'candidate') {
        const reason = h('textarea');
        section.append(h('details', {}, h('summary', {}, t('refuses')), field(t('refusalReason'), reason),
          h('div', { class: 'actions' }, h('button', {
            type: 'button', class: 'danger',
            onclick: async () => {
              if (!reason.value.trim()) { reason.setAttribute('aria-invalid', 'true'); return; }
              await sync.enqueue({ type: 'sign', caseId: id, body: { role: 'candidateRefused', reason: reason.value, drawnAt: serverNow() } });
              signScreen(id, (await store.get('cases', id)) ?? c);
            },
          }, t('refuses')))));
      }
    });
    return section;
  };
  parts.push(block('assessor', t('signAssessor')), block('candidate', t('signCandidate')));
  if (signedBy('assessor') && signedBy('candidate')) {
    parts.push(h('p', { class: 'notice ok' }, t('savedLocally')), h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/' }, t('done'))));
  }
  show(parts);
}

async function jointScreen(id) {
  const { c, model } = await caseData(id);
  if (!c || !model) return go(`/case/${id}`);
  let sheets;
  try {
    sheets = (await api('GET', `/cases/${id}/sheets`)).items;
  } catch (e) {
    return show(h('h1', {}, t('joint')), h('p', { class: 'notice bad' }, e instanceof Offline ? t('onlineOnly') : e.message));
  }
  const mine = sheets.find((s) => s.sheet === 'mine');
  const other = sheets.find((s) => s.sheet !== 'mine' && s.sheet !== 'joint' && !s.sheet.startsWith('correction-'));
  const joint = sheets.find((s) => s.sheet === 'joint');
  const level = (s, code) => s?.scores.find((x) => x.criterion === code);
  const scales = Object.fromEntries(model.scales.map((s) => [s.id, s]));
  const chosen = {};
  const rows = [];
  const attendanceDiffers = mine?.attendance !== other?.attendance;
  let attendance = joint?.attendance ?? mine?.attendance;
  for (const cr of model.sections.flatMap((s) => s.criteria)) {
    const a = level(mine, cr.code);
    const b = level(other, cr.code);
    if (a?.level === b?.level) continue;
    const j = level(joint, cr.code);
    chosen[cr.code] = { level: j?.level ?? a?.level, note: j?.note ?? '' };
    const note = h('textarea', { value: chosen[cr.code].note, rows: 2, oninput: (e) => { chosen[cr.code].note = e.target.value; } });
    rows.push(h('section', {}, h('h2', {}, cr.text),
      h('div', { class: 'side' },
        h('p', {}, h('strong', {}, t('first')), h('br'), `${a?.level ?? '–'} ${a?.note ?? ''}`),
        h('p', {}, h('strong', {}, t('second')), h('br'), `${b?.level ?? '–'} ${b?.note ?? ''}`)),
      radios(`j-${cr.code}`, t('joint'), scales[cr.scale].levels.map((l) => ({ value: l.value, label: `${l.value} ${l.label}`, fail: failsAt(cr, l.value) })),
        chosen[cr.code].level ?? '', (v) => { chosen[cr.code].level = Number(v); }),
      field(t('note'), note)));
  }
  const status = h('p', { role: 'status' });
  let jointRevision = joint?.revision ?? 0;
  // Why the assessors came to this judgement; and the other assessor's confirmation: only
  // when both stand behind it does the proces-verbaal say they came to it together.
  const rationale = h('textarea', { rows: 3, value: joint?.motivation ?? '' });
  const backed = (joint?.backedBy ?? []).includes(app.me.personId);
  const confirm = joint && !backed ? h('section', {}, h('p', {}, t('jointConfirmHelp')),
    h('div', { class: 'actions' }, h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          await api('POST', `/cases/${id}/sheets/joint/confirm`, { revision: jointRevision });
          status.textContent = t('jointConfirmed');
        } catch (e) {
          status.textContent = e instanceof Offline ? t('onlineOnly')
            : e.status === 409 ? t('jointChanged') : e.status === 400 ? t('jointNotConfirmable') : e.message;
        }
      },
    }, t('confirmJoint')))) : null;
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('joint')),
    !other ? h('p', { class: 'notice' }, t('noCases')) : null,
    attendanceDiffers ? radios('j-att', t('attendance'), ATTENDANCE.map((a) => ({ value: a, label: t(a) })), attendance ?? '', (v) => { attendance = v; }) : null,
    rows.length || attendanceDiffers ? rows : h('p', { class: 'notice ok' }, t('agreed')),
    field(t('jointRationale'), rationale),
    backed ? h('p', { class: 'notice ok' }, t('jointConfirmed')) : confirm,
    status,
    h('div', { class: 'actions sticky' }, h('button', {
      type: 'button',
      onclick: async () => {
        const scores = Object.entries(chosen).filter(([, s]) => Number.isInteger(s.level)).map(([criterion, s]) => ({ criterion, level: s.level, note: s.note || undefined }));
        // The joint sheet holds the whole judgement: agreed criteria as both scored them.
        for (const s of mine?.scores ?? []) if (!chosen[s.criterion]) scores.push({ criterion: s.criterion, level: s.level, note: s.note ?? undefined });
        try {
          const saved = await api('PUT', `/cases/${id}/sheets/joint`, { revision: jointRevision, attendance, identityChecked: mine?.identityChecked, identityMethod: mine?.identityMethod, motivation: rationale.value, scores });
          jointRevision = saved.revision;
          status.textContent = t('jointSaved');
        } catch (e) {
          status.textContent = e instanceof Offline ? t('onlineOnly') : e.message;
        }
      },
    }, t('save'))));
}

export const assessorRoutes = [
  [/^\/case\/([0-9a-f-]{36})\/score\/([a-z0-9-]+)$/, scoreScreen],
  [/^\/case\/([0-9a-f-]{36})\/joint$/, jointScreen],
];
