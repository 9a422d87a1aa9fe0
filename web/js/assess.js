// The assessor's path: identity check → attendance → one screen per section → irregularities
// → summary with the result → signatures. Every answer is saved on the device at once and
// queued for the server, so a whole exam can be done without reception.
import { api, Offline, serverNow } from './api.js';
import { amsterdam, amsterdamInstant, field, h, radios, show } from './dom.js';
import { examName, grade, people, prose, t } from './i18n.js';
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
    // What each level means for this criterion (from the model, where the exam has them):
    // the chosen one under the row, all of them on request.
    const descriptors = cr.descriptors ?? [];
    const meaning = h('p', { class: 'descriptor', 'aria-live': 'polite' }, descriptors[current.level] ?? '');
    const levelsHelp = descriptors.length ? h('details', { class: 'levels' }, h('summary', {}, t('levelsMean')),
      h('dl', {}, scales[cr.scale].levels.map((l) => [h('dt', {}, `${l.value} ${l.label}`), h('dd', {}, descriptors[l.value] ?? '')]))) : null;
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
    const options = scales[cr.scale].levels.map((l) => ({ value: l.value, label: h('span', {}, h('span', { class: 'level' }, l.value), ' ', h('span', { class: 'word' }, l.label)), fail: failsAt(cr, l.value) }));
    // The note opens on demand, and by itself where a failing score needs one.
    const noteField = field(t('note'), note);
    const openNote = h('button', { type: 'button', class: 'link' }, `+ ${t('addNote')}`);
    const showNote = (open) => { noteField.hidden = !open; openNote.hidden = open; };
    showNote(!!(current.note ?? '').trim() || needNote());
    openNote.addEventListener('click', () => { showNote(true); note.focus(); });
    return h('div', { class: 'criterion' },
      radios(`c-${cr.code}`, cr.text, options, current.level, async (v) => {
        draft = await save(id, (d) => ({ scores: { ...d.scores, [cr.code]: { ...(d.scores?.[cr.code] ?? {}), level: Number(v), fails: failsAt(cr, Number(v)) } } }));
        meaning.textContent = descriptors[Number(v)] ?? '';
        if (needNote()) showNote(true);
        showNeed(true);
      }, cr.knockOut ? [' ', h('span', { class: 'badge ko' }, t('knockOut'))] : null, true),
      meaning, h('div', { class: 'tools' }, openNote, levelsHelp), noteField, noteError);
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
  // Once this assessor finished (or is finishing), the closing has its own screen; changing
  // the sheet again is a choice made there.
  const mine = (await store.values('outbox')).filter((o) => o.caseId === id);
  const closing = mine.some((o) => o.type === 'judge') && !mine.some((o) => o.error);
  if (c.state !== 'planned') return go(`/case/${id}/score/sign`);
  if (closing || (finishedByMe(c) && !draft.reopened)) return go(`/case/${id}/finish`);
  const top = header(c, model, draft, step);
  if (step === 'identity') {
    const method = h('select', {}, ['idCard', 'passport', 'licence', 'other'].map((k) => h('option', { value: t(k), selected: draft.identityMethod === t(k) }, t(k))));
    method.addEventListener('change', async () => { draft = await save(id, () => ({ identityMethod: method.value })); });
    const methodField = field(t('idMethod'), method);
    methodField.hidden = draft.identityChecked === false;
    const what = h('textarea', { rows: 3, value: draft.irregularities ?? '' });
    what.addEventListener('input', async () => { draft = await save(id, () => ({ irregularities: what.value })); });
    const whatError = h('p', { class: 'error', role: 'alert' });
    const happened = h('div', {}, field(t('identityWhat'), what, t('identityWhatHelp')), whatError);
    happened.hidden = draft.identityChecked !== false;
    return show(...top, h('h1', {}, t('identity')),
      h('p', { class: 'notice' }, t('idCheckName'), ': ', h('strong', {}, c.candidateDetails?.idCheckName ?? c.candidate?.displayName ?? '')),
      c.candidateDetails?.personalNeeds?.length ? h('p', { class: 'notice' }, `${t('needs')}: ${c.candidateDetails.personalNeeds.join('; ')}`) : null,
      radios('identity', t('identity'), [{ value: 'yes', label: t('identityChecked') }, { value: 'no', label: t('identityNotChecked') }],
        draft.identityChecked === undefined ? '' : draft.identityChecked ? 'yes' : 'no',
        async (v) => {
          draft = await save(id, () => ({ identityChecked: v === 'yes', identityMethod: v === 'yes' ? method.value : 'niet gecontroleerd' }));
          methodField.hidden = v !== 'yes';
          happened.hidden = v === 'yes';
        }),
      methodField, happened,
      nav(id, model, draft, step, async () => {
        // Not checked is a path, not a wall: say what happened, the exam office sees it.
        const d = await store.get('drafts', id);
        if (d?.identityChecked === false && !(d.irregularities ?? '').trim()) { whatError.textContent = t('identityWhatNeeded'); what.focus(); return false; }
        return true;
      }));
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
  const top_ = (cr) => Math.max(...scales[cr.scale].levels.map((l) => l.value));
  const levelWord = (cr, v) => scales[cr.scale].levels.find((l) => l.value === v)?.label ?? String(v);
  const scored = criteria.filter((cr) => Number.isInteger(draft.scores?.[cr.code]?.level));
  const present = draft.attendance === 'present';
  const missing = present ? criteria.filter((cr) => !scored.includes(cr)) : [];
  const raw = scored.reduce((n, cr) => n + draft.scores[cr.code].level, 0);
  const max = criteria.reduce((n, cr) => n + top_(cr), 0);
  const missedKo = scored.filter((cr) => cr.knockOut && failsAt(cr, draft.scores[cr.code].level));
  const gradeEl = h('p', { role: 'status' });
  // Every criterion with its level, by section with its points out of the maximum; a
  // missing one links to its section.
  // Folded per section; open where something is missing or a knock-out is not met.
  const needsLook = (s) => s.criteria.some((cr) => !scored.includes(cr) || missedKo.includes(cr));
  const sections = present ? model.sections.map((s, i) => h('details', { class: 'review', open: needsLook(s) },
    h('summary', {}, `${s.title} · ${s.criteria.reduce((n, cr) => n + (draft.scores?.[cr.code]?.level ?? 0), 0)} / ${s.criteria.reduce((n, cr) => n + top_(cr), 0)} ${t('points').toLowerCase()}`),
    h('ul', {}, s.criteria.map((cr) => {
      const sc = draft.scores?.[cr.code];
      return h('li', {}, Number.isInteger(sc?.level)
        ? [cr.text, ': ', h('strong', {}, levelWord(cr, sc.level)), cr.knockOut && failsAt(cr, sc.level) ? [' ', h('span', { class: 'badge ko' }, t('knockOutMissed'))] : null]
        : h('a', { href: `#/case/${id}/score/section-${i}` }, `${cr.text}: ${t('notScoredYet')}`));
    })))) : [];
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
  // The server may hold times this phone no longer has (it recorded its own when the phone's
  // were impossible): a closing it refused for them asks the reason here too.
  const refusedForTimes = (await store.values('outbox')).some((o) => o.caseId === id && o.type === 'judge' && /from the plan/.test(o.error ?? ''));
  const showReason = () => { reasonField.hidden = !(far() || refusedForTimes); };
  beganAt.addEventListener('input', showReason);
  endedAt.addEventListener('input', showReason);
  showReason();
  const times = draft.startedAt ? h('div', {}, h('h2', {}, t('actualTimes')),
    h('p', { class: 'muted' }, t('actualTimesHelp')), field(t('start'), beganAt), field(t('end'), endedAt), reasonField)
    : refusedForTimes ? h('div', {}, h('h2', {}, t('actualTimes')), reasonField) : null;
  // A present candidate's exam closes with every criterion scored and the identity answered:
  // checked, or not checked with what happened.
  const identityAnswered = draft.identityChecked === true || (draft.identityChecked === false && (draft.irregularities ?? '').trim());
  const ready = draft.attendance && (!present || (!missing.length && identityAnswered));
  const others = (c.assessors ?? []).filter((a) => a.personId !== app.me.personId);
  // Closing is asked once more, with what it means, before it is queued.
  const confirm = h('section', { class: 'notice', hidden: true },
    h('p', {}, others.length ? t('finishConfirmTwo', people(others.map((a) => a.displayName))) : t('finishConfirmOne')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => { confirm.hidden = true; closeButton.hidden = false; } }, t('back')),
      h('button', {
        type: 'button',
        onclick: async () => {
          // The begin and end go with the sheet, queued before the closing: as recorded,
          // unless the assessor put them right (on the day the exam began).
          if ((await store.get('drafts', id))?.startedAt) {
            const [start, end] = chosenTimes();
            await save(id, () => ({ startedAt: start, endedAt: end, ...(far() || refusedForTimes ? { timesReason: timesReason.value.trim() } : {}) }));
          } else if (refusedForTimes) {
            await save(id, () => ({ timesReason: timesReason.value.trim() }));
          }
          await store.updateDraft(id, () => ({ reopened: false }));
          await sync.enqueue({ type: 'judge', caseId: id, body: { revision: c.revision } });
          go(`/case/${id}/finish`);
        },
      }, t('finishYes'))));
  const closeButton = h('button', {
    type: 'button', disabled: !ready,
    onclick: async () => {
      error.textContent = '';
      if (draft.startedAt) {
        const [start, end] = chosenTimes();
        if (end < start || end > serverNow()) { error.textContent = t('timesWrong'); return; }
      }
      if ((far() || refusedForTimes) && !timesReason.value.trim()) { error.textContent = t('timesReasonNeeded'); timesReason.focus(); return; }
      closeButton.hidden = true;
      confirm.hidden = false;
      confirm.scrollIntoView({ block: 'nearest' });
    },
  }, t('finishAssessment'));
  show(...top, h('h1', {}, t('summary')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('attendance')), h('dd', {}, t(draft.attendance ?? 'notKnown')),
      present ? [h('dt', {}, t('points')), h('dd', {}, `${raw} / ${max} (${t('passMark').toLowerCase()} ${model.passMark})`)] : null,
      missedKo.length ? [h('dt', {}, t('knockOutsMissed')), h('dd', {}, missedKo.map((k) => k.text).join('; '))] : null),
    missing.length ? h('p', { class: 'notice bad' }, t('missingCount', missing.length)) : null,
    present && !identityAnswered ? h('p', { class: 'notice bad' }, h('a', { href: `#/case/${id}/score/identity` }, t('identityFirst'))) : null,
    gradeEl, ...sections, times, error, confirm,
    h('div', { class: 'actions sticky' },
      h('a', { class: 'button secondary', href: `#/case/${id}/score/irregularities` }, `← ${t('back')}`),
      closeButton));
  if (ready && present) {
    try {
      const o = await api('POST', `/cases/${id}/preview`, { attendance: draft.attendance, scores: sync.sheetBody(draft).scores });
      // One assessor's own view, until both have finished.
      gradeEl.textContent = `${others.length ? t('yourResult') : t('result')}: ${[grade(o.score), o.passed ? t('passed') : t('failed')].filter(Boolean).join(' · ')}`;
    } catch (e) {
      gradeEl.textContent = e instanceof Offline ? t('previewOffline') : '';
    }
  }
}

/** Whether this assessor's finish reached the server (and they did not reopen their sheet). */
function finishedByMe(c) {
  return (c.finishing?.finished ?? []).some((p) => p.personId === app.me?.personId);
}

/** Where the closing of an exam stands, for one of its assessors: sent or not, whom it waits
 * for, the joint judgement where they differ; then the signatures. Refreshes while waiting. */
async function finishScreen(id) {
  let { c, model } = await caseData(id);
  if (!c) return go('/');
  let online = false;
  try {
    c = await api('GET', `/cases/${id}`);
    await store.put('cases', id, c);
    online = true;
  } catch { /* offline: what the phone knows */ }
  if (c.state !== 'planned') return go(`/case/${id}/score/sign`);
  const ops = (await store.values('outbox')).filter((o) => o.caseId === id);
  const queued = ops.find((o) => o.type === 'judge');
  const conflict = await store.get('conflicts', id);
  // Anything of this case the server refused, the closing or a save before it.
  const refused = ops.find((o) => o.error);
  // Alone on the exam, the signatures follow the closing at once, even offline.
  if (queued && !refused && !conflict && (c.assessors ?? []).length < 2) return go(`/case/${id}/score/sign`);
  const f = c.finishing ?? { finished: [], waitingFor: [], differences: [], jointBackedBy: [] };
  const me = app.me.personId;
  const team = (c.assessors ?? []).map((a) => a.personId);
  // Everyone finished and stands behind a complete joint judgement: judge it now (a closing
  // whose answer was lost after the last confirmation must not leave the exam waiting).
  if (online && !queued && f.waitingFor.length === 0 && f.differences.length && f.jointComplete
      && team.every((p) => f.jointBackedBy.some((b) => b.personId === p))) {
    try {
      const view = await api('POST', `/cases/${id}/judge`, { revision: c.revision });
      await store.put('cases', id, view);
      if (view.state !== 'planned') return go(`/case/${id}/score/sign`);
    } catch { /* shown as it stands; tried again on the next look */ }
  }
  const text = Object.fromEntries((model?.sections ?? []).flatMap((s) => s.criteria).map((cr) => [cr.code, cr.text]));
  const ctx = { criterion: (code) => text[code], person: (pid) => (c.assessorOptions ?? []).concat(c.assessors ?? []).find((a) => a.personId === pid)?.displayName };
  const names = (list) => people(list.map((p) => p.displayName));
  const parts = [h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('finishTitle')),
    h('p', {}, c.candidate?.displayName ?? '', ' · ', examName(c))];
  const others = f.waitingFor.filter((p) => p.personId !== me);
  const reopen = h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      // Changing one's own sheet again reopens it: the exam waits until it is finished again.
      await store.updateDraft(id, () => ({ reopened: true }));
      await sync.enqueue({ type: 'sheet', caseId: id });
      go(`/case/${id}/score/summary`);
    },
  }, t('reopen'));
  let waiting = true;
  if (refused?.type === 'judge') {
    parts.push(h('p', { class: 'notice bad' }, t('finishRefused'), ' ', h('strong', {}, sync.say({ message: refused.error, code: refused.code, params: refused.params }, ctx))),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/case/${id}/score/summary` }, t('finishFix'))));
    waiting = false;
  } else if (refused || conflict) {
    // A save before the closing was refused or met someone else's change: the closing waits
    // behind it, and the sync screen shows both versions or the reason.
    parts.push(h('p', { class: 'notice bad' }, t('finishBlocked'), refused ? [' ', h('strong', {}, sync.say({ message: refused.error, code: refused.code, params: refused.params }, ctx))] : null),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/sync' }, t('toSync'))));
    waiting = false;
  } else if (queued) {
    parts.push(h('p', { class: 'notice' }, navigator.onLine ? t('finishSending') : t('finishOffline')));
  } else if (f.waitingFor.some((p) => p.personId === me)) {
    parts.push(h('p', { class: 'notice' }, t('finishNotYet')), h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/case/${id}/score/summary` }, t('continueScoring'))));
    waiting = false;
  } else if (others.length) {
    parts.push(h('p', { class: 'notice ok' }, t('youFinished')),
      h('p', { class: 'notice', role: 'status' }, t('waitingFor', names(others))),
      h('div', { class: 'actions' }, reopen));
  } else if (f.differences.length) {
    const backed = f.jointBackedBy.some((p) => p.personId === me);
    const other = (c.assessors ?? []).filter((a) => a.personId !== me);
    parts.push(h('p', { class: 'notice bad' }, t('differ', f.differences.length, names(other))),
      backed && f.jointComplete
        ? h('p', { class: 'notice', role: 'status' }, t('waitingForConfirm', names(other)))
        : h('p', {}, f.jointComplete ? t('jointToConfirm', names(f.jointBackedBy)) : t('jointToDo')),
      h('div', { class: 'actions' },
        h('a', { class: 'button', href: `#/case/${id}/joint` }, backed && f.jointComplete ? t('jointOpen') : t('jointStart')),
        reopen));
  }
  show(parts);
  // While it waits for someone else, look again now and then (online).
  if (waiting) {
    const here = location.hash;
    setTimeout(() => { if (location.hash === here) finishScreen(id); }, queued ? 3000 : 10000);
  }
}

async function signScreen(id, c, here = false) {
  const outbox = (await store.values('outbox')).filter((o) => o.caseId === id);
  const ops = outbox.filter((o) => o.type === 'sign');
  // Signatures come once the exam is judged: with two assessors, when both finished (the
  // server says); with one, right behind their own closing, even offline.
  const alone = (c.assessors ?? []).length < 2;
  if (c.state === 'planned' && !(alone && outbox.some((o) => o.type === 'judge'))) return go(`/case/${id}/finish`);
  const signedBy = (role) => (c.signatures ?? []).some((s) => s.role === role && (role !== 'assessor' || s.personId === app.me.personId))
    || ops.some((o) => o.body.role === role || (role === 'candidate' && o.body.role === 'candidateRefused'));
  const parts = [h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('signTitle'))];
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
  parts.push(block('assessor', t('signAssessor')));
  // The candidate signs once, on one named phone: the lead assessor's.
  const lead = (c.assessors ?? [])[0];
  const collects = alone || here || lead?.personId === app.me.personId || signedBy('candidate');
  if (collects) {
    parts.push(block('candidate', t('signCandidate')));
  } else {
    parts.push(h('section', {}, h('h2', {}, t('signCandidate')),
      h('p', { class: 'notice' }, t('candidateSignsWith', prose(lead?.displayName))),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => signScreen(id, c, true) }, t('candidateSignsHere')))));
  }
  if (signedBy('assessor') && (signedBy('candidate') || !collects)) {
    const unsent = outbox.length > 0;
    parts.push(h('p', { class: `notice ${unsent ? '' : 'ok'}` }, unsent ? t('savedLocally') : t('allSent')),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/' }, t('done'))));
  }
  show(parts);
}

/** The joint judgement, as its own step: where the two assessors differ, both names and both
 * levels side by side, nothing chosen for them, a rationale; the one saves it, the other
 * confirms it; then the exam is judged. Online only (both must see the same). */
async function jointScreen(id) {
  const { c, model } = await caseData(id);
  if (!c || !model) return go(`/case/${id}`);
  let sheets;
  let fresh;
  try {
    [sheets, fresh] = await Promise.all([api('GET', `/cases/${id}/sheets`).then((r) => r.items), api('GET', `/cases/${id}`)]);
    await store.put('cases', id, fresh);
  } catch (e) {
    return show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('joint')),
      h('p', { class: 'notice bad' }, e instanceof Offline ? t('jointOffline') : sync.say(e)));
  }
  if (fresh.state !== 'planned') return go(`/case/${id}/score/sign`);
  const me = app.me.personId;
  const nameOf = (pid) => (fresh.assessors ?? []).find((a) => a.personId === pid)?.displayName ?? '';
  const other = (fresh.assessors ?? []).find((a) => a.personId !== me);
  const mine = sheets.find((s) => s.sheet === 'mine');
  const theirs = sheets.find((s) => s.sheet === other?.personId);
  const joint = sheets.find((s) => s.sheet === 'joint');
  const level = (s, code) => s?.scores.find((x) => x.criterion === code);
  const scales = Object.fromEntries(model.scales.map((s) => [s.id, s]));
  const word = (cr, v) => (v === undefined ? '–' : `${v} ${scales[cr.scale].levels.find((l) => l.value === v)?.label ?? ''}`);
  const chosen = {};
  const rows = [];
  const attendanceDiffers = mine?.attendance !== theirs?.attendance;
  let attendance = joint?.attendance ?? (attendanceDiffers ? undefined : mine?.attendance);
  for (const cr of model.sections.flatMap((s) => s.criteria)) {
    const a = level(mine, cr.code);
    const b = level(theirs, cr.code);
    if (a?.level === b?.level) continue;
    const j = level(joint, cr.code);
    // Nothing chosen for them: the joint judgement's level once recorded, else none.
    chosen[cr.code] = { level: j?.level, note: j?.note ?? '' };
    const note = h('textarea', { value: chosen[cr.code].note, rows: 2, oninput: (e) => { chosen[cr.code].note = e.target.value; } });
    rows.push(h('section', { class: 'differ' }, h('h2', {}, cr.text),
      h('div', { class: 'side' },
        h('p', {}, h('strong', {}, `${prose(app.me.displayName)} (${t('you')})`), h('br'), word(cr, a?.level), a?.note ? [h('br'), h('small', {}, a.note)] : null),
        h('p', {}, h('strong', {}, prose(other?.displayName)), h('br'), word(cr, b?.level), b?.note ? [h('br'), h('small', {}, b.note)] : null)),
      radios(`j-${cr.code}`, t('jointLevel'), scales[cr.scale].levels.map((l) => ({ value: l.value, label: `${l.value} ${l.label}`, fail: failsAt(cr, l.value) })),
        chosen[cr.code].level ?? '', (v) => { chosen[cr.code].level = Number(v); }),
      field(t('note'), note)));
  }
  const status = h('p', { role: 'status' });
  const error = h('p', { class: 'error', role: 'alert' });
  const jointRevision = joint?.revision ?? 0;
  const backedBy = joint?.backedBy ?? [];
  const rationale = h('textarea', { rows: 3, value: joint?.motivation ?? '' });
  // The one who did not record it confirms it; then the exam is judged.
  const confirmAndFinish = async () => {
    try {
      await api('POST', `/cases/${id}/sheets/joint/confirm`, { revision: jointRevision });
      const view = await api('POST', `/cases/${id}/judge`, { revision: fresh.revision });
      await store.put('cases', id, view);
      go(view.state === 'planned' ? `/case/${id}/finish` : `/case/${id}/score/sign`);
    } catch (e) {
      error.textContent = e instanceof Offline ? t('jointOffline') : e.status === 409 ? t('jointChanged') : sync.say(e);
    }
  };
  const parts = [h('p', {}, h('a', { href: `#/case/${id}/finish` }, `← ${t('back')}`)), h('h1', {}, t('joint')),
    h('p', {}, t('jointIntro', prose(other?.displayName)))];
  if (joint && !backedBy.includes(me)) {
    parts.push(h('section', { class: 'notice' }, h('p', {}, t('jointConfirmHelp', prose(nameOf(backedBy[0])))),
      joint.motivation ? h('p', {}, h('strong', {}, t('jointRationale')), ': ', joint.motivation) : null,
      h('ul', {}, model.sections.flatMap((s) => s.criteria).filter((cr) => chosen[cr.code]).map((cr) => h('li', {}, h('strong', {}, word(cr, level(joint, cr.code)?.level)), ' · ', cr.text))),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: confirmAndFinish }, t('confirmJoint')))));
  } else if (joint) {
    parts.push(h('p', { class: 'notice ok' }, backedBy.length > 1 ? t('jointBothBack') : t('jointWaitingFor', prose(other?.displayName))));
  }
  // Confirming is the step; changing it instead is there, folded away.
  const confirming = joint && !backedBy.includes(me);
  const form = [
    attendanceDiffers ? radios('j-att', t('attendance'), ATTENDANCE.map((a) => ({ value: a, label: t(a) })), attendance ?? '', (v) => { attendance = v; }) : null,
    rows.length || attendanceDiffers ? rows : h('p', { class: 'notice ok' }, t('agreed')),
    field(t('jointRationale'), rationale, t('jointRationaleHelp')),
    status, error,
    h('div', { class: confirming ? 'actions' : 'actions sticky' }, h('button', {
      type: 'button',
      onclick: async () => {
        error.textContent = '';
        const open = Object.values(chosen).some((x) => !Number.isInteger(x.level)) || (attendanceDiffers && !attendance);
        if (open) { error.textContent = t('jointChooseAll'); return; }
        if (!rationale.value.trim()) { error.textContent = t('jointRationaleNeeded'); rationale.focus(); return; }
        const scores = Object.entries(chosen).map(([criterion, x]) => ({ criterion, level: x.level, note: x.note || undefined }));
        // The joint sheet holds the whole judgement: agreed criteria as both scored them.
        for (const x of mine?.scores ?? []) if (!chosen[x.criterion]) scores.push({ criterion: x.criterion, level: x.level, note: x.note ?? undefined });
        try {
          await api('PUT', `/cases/${id}/sheets/joint`, {
            revision: jointRevision, attendance, identityChecked: mine?.identityChecked, identityMethod: mine?.identityMethod,
            irregularities: mine?.irregularities ?? undefined, motivation: rationale.value, scores,
          });
          const view = await api('POST', `/cases/${id}/judge`, { revision: fresh.revision });
          await store.put('cases', id, view);
          go(view.state === 'planned' ? `/case/${id}/finish` : `/case/${id}/score/sign`);
        } catch (e) {
          error.textContent = e instanceof Offline ? t('jointOffline') : e.status === 409 ? t('jointChanged') : sync.say(e);
        }
      },
    }, joint ? t('jointSaveChanged') : t('jointSave')))];
  parts.push(confirming ? h('details', {}, h('summary', {}, t('jointOrChange')), ...form) : form);
  show(parts);
}

export const assessorRoutes = [
  [/^\/case\/([0-9a-f-]{36})\/finish$/, finishScreen],
  [/^\/case\/([0-9a-f-]{36})\/score\/([a-z0-9-]+)$/, scoreScreen],
  [/^\/case\/([0-9a-f-]{36})\/joint$/, jointScreen],
];
