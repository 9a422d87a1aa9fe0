// Lists, the exam page, planning and the outbox screen.
import { api, Offline, slug } from './api.js';
import { amsterdam, amsterdamInstant, field, h, radios, show } from './dom.js';
import { examName, people, prose, resultText, say, stateName, t, when } from './i18n.js';
import * as store from './store.js';
import * as sync from './sync.js';
import { app, caseData, caseDetails, go, hasMore, relation, showMore, signOut } from './app.js';
import { pipeline, finaliseList, undelivered } from './office.js';

export function place(c) {
  if (!c.place) return t('notPlanned');
  return [c.place.name, c.place.address].filter(Boolean).join(', ');
}

export function card(c) {
  return h('li', {}, h('a', { class: 'card', href: `#/case/${c.caseId}` },
    h('div', { class: 'row' },
      h('span', { class: 'title' }, c.candidate?.displayName ?? ''),
      h('span', { class: 'badge state' }, c.waitsForParts ? t('waitingForParts') : stateName(c.state))),
    h('div', {}, examName(c)),
    // The whole of an exam in parts is not planned itself: its parts are.
    (c.parts ?? []).length ? null
      : h('div', { class: 'muted small' }, c.plannedStart ? `${when(c.plannedStart)} · ${place(c)}` : t('notPlanned')),
    // For the exam office and the committee: what to look at (an unchecked identity, …).
    (c.flags ?? []).length ? h('div', {}, c.flags.map((f) => h('span', { class: `badge ${f === 'failed' ? 'ko' : 'flag'}` }, t(`flag_${f}`)))) : null));
}

function list(title, cases) {
  return [h('h2', {}, title),
    cases.length ? h('ul', { class: 'cards' }, cases.map(card)) : h('p', { class: 'muted' }, t('noCases'))];
}

/** "Meer tonen" under a list: fetches the next page (online only), then draws again; says
 * why not when offline or refused. */
export function moreButton(fetchMore, redraw) {
  const said = h('p', { role: 'status' });
  return [h('div', { class: 'actions' }, h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        await fetchMore();
        await redraw();
      } catch (err) {
        e.target.disabled = false;
        said.textContent = err instanceof Offline ? t('onlineOnly') : say(err);
      }
    },
  }, t('moreToPlan'))), said];
}

/** By planned start; what is not planned yet after it, in the order it came from the SIS
 * (the server's list order, so "Meer tonen" adds at the end). */
export const byStart = (a, b) => (Date.parse(a.plannedStart ?? '9999-01-01') - Date.parse(b.plannedStart ?? '9999-01-01'))
  || byReceipt(a, b);

/** In the order the SIS sent them: the server's list order. */
export const byReceipt = (a, b) => (Date.parse(a.receivedAt ?? 0) - Date.parse(b.receivedAt ?? 0)) || String(a.caseId).localeCompare(String(b.caseId));

export async function home() {
  const cases = (await store.values('cases')).sort(byStart);
  const me = app.me ?? {};
  const parts = [h('div', { class: 'row' },
    h('h1', {}, me.displayName ?? 'Proeve'),
    h('button', { class: 'secondary', type: 'button', onclick: signOut }, t('signOut')))];
  const roles = [me.examOffice && t('roleOffice'), me.examCommittee && t('roleCommittee')].filter(Boolean);
  if (roles.length) parts.push(h('p', { class: 'muted' }, roles.join(' · ')));
  if (me.examOffice || me.examCommittee) parts.push(h('p', {}, h('a', { href: '#/exams' }, t('schoolExams'))));
  const kept = await store.get('kv', 'counts');
  if (me.examOffice) parts.push(...pipeline(cases, kept?.counts));
  // Filled in when the server answers; the list of exams does not wait for it.
  const stuck = me.examOffice || me.examCommittee ? h('section', { 'aria-live': 'polite' }) : null;
  if (stuck) parts.push(stuck);
  if (me.examCommittee) parts.push(finaliseList(cases, kept));
  const mine = cases.filter((c) => relation(c).assessor && ['planned', 'assessed'].includes(c.state));
  const toPlan = cases.filter((c) => !me.examOffice && relation(c).enrolled && c.state === 'received');
  const asCandidate = cases.filter((c) => relation(c).candidate);
  const toCountersign = cases.filter((c) => c.countersignDue);
  if (toCountersign.length) parts.push(...list(t('countersignDue'), toCountersign));
  if (mine.length || toPlan.length) {
    // Today first (in Dutch time), then what comes later.
    const day = (iso) => (iso ? new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date(iso)) : '');
    const today = day(new Date().toISOString());
    const now = mine.filter((c) => day(c.plannedStart) === today);
    if (now.length) parts.push(...list(t('today'), now));
    parts.push(...list(now.length ? t('later') : t('toAssess'), mine.filter((c) => !now.includes(c))));
    if (toPlan.length) {
      parts.push(...list(t('toPlan'), toPlan));
      // The first exams to plan are on the phone; more come from the server when asked.
      if (await hasMore('toPlan')) parts.push(...moreButton(() => showMore('toPlan'), home));
    }
  }
  if (asCandidate.length) parts.push(...list(t('myExams'), asCandidate));
  // What this assessor finished stays in sight for a while: the newest ten.
  const done = cases.filter((c) => relation(c).assessor && ['signed', 'final'].includes(c.state))
    .sort((a, b) => byStart(b, a)).slice(0, 10);
  if (done.length) parts.push(...list(t('recentlyDone'), done));
  if (!me.examOffice && !me.examCommittee && !mine.length && !toPlan.length && !asCandidate.length) {
    parts.push(h('p', { class: 'muted' }, t('noCases')));
  }
  show(parts);
  if (stuck) undelivered().then((els) => stuck.replaceChildren(...els));
}

/** A result as a correction keeps it (before or after), in words. */
function resultWords(o) {
  return resultText(o) || '–';
}

function outcomeFacts(c) {
  const o = c.outcome;
  if (!o) return [];
  return [h('dt', {}, t('result')), h('dd', {},
    h('strong', {}, resultText(o)),
    o.rawScore !== null && o.rawScore !== undefined ? ` (${o.rawScore}/${o.maxRawScore} ${t('points').toLowerCase()})` : '',
    // Until the exam committee determines it, the result is provisional, and says so.
    c.resultProvisional ? [h('br'), h('span', { class: 'badge ko' }, t('provisional'))] : null),
  // Each result the exam gives besides the whole (a core task, a part), as the SIS gets it;
  // an exam in parts shows them with its parts.
  (c.unitResults ?? []).length && !(c.parts ?? []).length ? [h('dt', {}, t('unitResults')), h('dd', {},
    h('ul', {}, c.unitResults.map((u) => h('li', {}, u.name, h('br'),
      h('span', { class: 'small' }, `${resultText({ score: u.score, passed: u.passed, attendance: 'present' })} (${u.rawScore}/${u.maxRawScore} ${t('points').toLowerCase()})`)))))] : null];
}

function criteriaList(model) {
  return model.sections.map((s) => h('section', {},
    h('h3', {}, s.title),
    h('ul', {}, s.criteria.map((c) => h('li', {}, c.text, c.knockOut ? [' ', h('span', { class: 'badge ko' }, t('knockOut'))] : null)))));
}

/** The candidate's own form: by section with its points out of the maximum, every criterion
 * with the level and note that decided; fits 360 px (a list, not a wide table). */
function formOf(model, sheets) {
  const deciding = [...sheets].reverse().find((s) => s.sheet.startsWith('correction-'))
    ?? sheets.find((s) => s.sheet === 'joint') ?? sheets[0];
  if (!deciding) return [];
  const levels = Object.fromEntries(deciding.scores.map((s) => [s.criterion, s]));
  const scale = (id) => model.scales.find((x) => x.id === id);
  const label = (id, level) => scale(id)?.levels.find((l) => l.value === level)?.label ?? String(level);
  const top = (id) => Math.max(...(scale(id)?.levels ?? [{ value: 0 }]).map((l) => l.value));
  return [h('h2', {}, t('myForm')), ...model.sections.map((s) => h('section', { class: 'form-section' },
    h('h3', {}, `${s.title} · ${s.criteria.reduce((n, c) => n + (levels[c.code]?.level ?? 0), 0)} / ${s.criteria.reduce((n, c) => n + top(c.scale), 0)} ${t('points').toLowerCase()}`),
    h('ul', {}, s.criteria.map((c) => h('li', {},
      c.text, ': ', h('strong', {}, levels[c.code] ? label(c.scale, levels[c.code].level) : '–'),
      c.knockOut ? [' ', h('span', { class: 'badge ko' }, t('knockOut'))] : null,
      levels[c.code]?.note ? [h('br'), h('em', {}, levels[c.code].note)] : null)))))];
}

/** For the whole of an exam taken per part: where each part stands, each a link to its
 * own exam, with its result once signed. */
function partsSection(c) {
  if (!(c.parts ?? []).length) return null;
  const line = (p) => {
    const name = t('partNamed', p.code, p.title);
    const label = name.charAt(0).toUpperCase() + name.slice(1);
    const status = p.state
      ? [stateName(p.state), p.score ? resultText({ score: p.score, passed: p.passed, attendance: 'present' }) : null].filter(Boolean).join(' · ')
      : t('partNotEnrolled');
    return h('li', {}, p.caseId ? h('a', { href: `#/case/${p.caseId}` }, label) : label, h('br'), h('span', { class: 'muted small' }, status));
  };
  return h('section', { class: 'parts' },
    h('h2', {}, t('parts')),
    c.waitsForParts ? h('p', {}, t('waitsForParts'))
      : ['signed', 'final'].includes(c.state) ? h('p', {}, t('madeOfParts')) : null,
    h('ul', {}, c.parts.map(line)));
}

async function caseScreen(id) {
  let { c, model, sheets, draft } = await caseData(id);
  if (!c) return home();
  const r = relation(c);
  // Staff open any exam of the school: its details come when it is opened.
  if ((r.office || r.committee) && !r.assessor && !r.candidate) ({ c, model, sheets, draft } = await caseDetails(id));
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, t('candidate')), h('dd', {}, c.candidate?.displayName ?? ''),
    h('dt', {}, t('exam')), h('dd', {}, examName(c)),
    // One performance for more than one enrolment of the SIS: each gets the result.
    (c.answersFor ?? []).length > 1 ? [h('dt', {}, t('answersFor')), h('dd', {}, h('ul', {}, c.answersFor.map((n) => h('li', {}, n))))] : null,
    c.attempt > 1 ? [h('dt', {}, t('attempt')), h('dd', {}, String(c.attempt))] : null,
    h('dt', {}, t('state')), h('dd', {}, h('span', { class: 'badge state' }, c.waitsForParts ? t('waitingForParts') : stateName(c.state))),
    // The whole of an exam in parts takes place in its parts: their moments and assessors.
    (c.parts ?? []).length ? null : [
      h('dt', {}, t('when')), h('dd', {}, c.plannedStart ? `${when(c.plannedStart)} – ${when(c.plannedEnd).split(' ').pop()}` : t('notPlanned')),
      h('dt', {}, t('where')), h('dd', {}, place(c)),
      h('dt', {}, t('assessors')), h('dd', {}, people((c.assessors ?? []).map((a) => a.displayName)) || '–')],
    c.examLeader ? [h('dt', {}, t('examLeader')), h('dd', {}, c.examLeader.displayName ?? '')] : null,
    c.candidateDetails?.personalNeeds?.length && !r.candidate ? [h('dt', {}, t('needs')), h('dd', {}, c.candidateDetails.personalNeeds.join('; '))] : null,
    outcomeFacts(c));
  const actions = h('div', { class: 'actions' });
  // Who may change what is a rule of the exam: an enrolled assessor plans an exam nobody
  // planned yet; its own assessors move it; only the exam office changes its assessors.
  const canPlan = (r.office || r.assessor || (r.enrolled && !(c.assessors ?? []).length))
    && ['received', 'planned'].includes(c.state) && !c.waitsForParts;
  if (canPlan) actions.append(h('a', { class: 'button secondary', href: `#/case/${id}/plan` }, c.state === 'planned' ? t('replan') : t('plan')));
  if (r.assessor && c.state === 'planned') {
    // Once finished (or finishing), the closing has its own screen: whom it waits for.
    const finishing = (await store.values('outbox')).some((o) => o.caseId === id && o.type === 'judge')
      || ((c.finishing?.finished ?? []).some((p) => p.personId === app.me.personId) && !draft?.reopened);
    if (finishing) actions.append(h('a', { class: 'button', href: `#/case/${id}/finish` }, t('finishState')));
    else actions.append(h('a', { class: 'button', href: `#/case/${id}/score/identity` }, draft?.attendance ? t('continueScoring') : t('startScoring')));
  }
  if (r.assessor && c.state === 'assessed') actions.append(h('a', { class: 'button', href: `#/case/${id}/score/sign` }, t('signAssessor')));
  // Only while the exam is still to come.
  if (r.candidate && c.plannedStart && c.state === 'planned' && Date.parse(c.plannedEnd ?? c.plannedStart) > Date.now()) {
    actions.append(h('a', { class: 'button secondary', href: `/api/${slug}/cases/${id}/calendar.ics`, download: 'praktijkexamen.ics' }, t('addToCalendar')));
  }
  if (r.office && ['received', 'planned'].includes(c.state)) actions.append(h('a', { class: 'button secondary', href: `#/case/${id}/cancel` }, t('cancelExam')));
  const said = h('p', { role: 'status' });
  if (r.office && ['signed', 'final'].includes(c.state) && c.outcome?.passed !== true) {
    // An extra attempt (within what the SIS allows): a new exam to plan. Online only.
    actions.append(h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          const next = await api('POST', `/cases/${id}/extra-attempt`, { revision: c.revision });
          await store.put('cases', next.caseId, next);
          go(`/case/${next.caseId}`);
        } catch (e) {
          said.textContent = e instanceof Offline ? t('onlineOnly') : e.message;
        }
      },
    }, t('extraAttempt')));
  }
  if (r.office && ['signed', 'final'].includes(c.state)) actions.append(h('a', { class: 'button secondary', href: `#/case/${id}/correct` }, t('correct')));
  if (r.office || r.committee) actions.append(h('a', { class: 'button secondary', href: `#/case/${id}/audit` }, t('audit')));
  if ((r.office || r.committee) && ['assessed', 'signed', 'final'].includes(c.state)) {
    actions.append(h('a', { class: 'button secondary', href: `#/case/${id}/sis` }, t('sisTitle')));
  }
  const parts = [h('p', {}, h('a', { href: '#/' }, `← ${t('back')}`)), h('h1', {}, (examName(c) || t('exam'))), facts, partsSection(c), actions, said];
  if (r.candidate && c.state === 'planned') {
    // What the candidate must know before the day: the identity document, what was granted,
    // whom to contact when ill or in doubt.
    const needs = c.candidateDetails?.personalNeeds ?? [];
    parts.push(h('section', { class: 'notice' }, h('h2', {}, t('beforeExam')),
      h('p', {}, t('bringId', c.candidateDetails?.idCheckName && !['secret', 'notAvailable'].includes(c.candidateDetails.idCheckName) ? c.candidateDetails.idCheckName : c.candidate?.displayName ?? '')),
      needs.length ? h('p', {}, t('granted'), ' ', h('strong', {}, needs.join('; '))) : null,
      c.contact ? h('p', {}, t('contactIll'), ' ', c.contact) : null));
  }
  if (c.corrections?.length) {
    parts.push(h('h2', {}, t('corrections')), h('ul', {}, c.corrections.map((k) => h('li', {},
      `${t('correction')} (${t('version').toLowerCase()} ${k.version}) · ${when(k.correctedAt)} · ${k.correctedBy?.displayName ?? ''}`,
      k.authority ? ` · ${t(k.authority === 'appeal' ? 'byAppeal' : 'byCommittee')}` : '', ': ', h('em', {}, k.reason),
      h('br'), `${t('result')}: ${resultWords(k.before)} → ${resultWords(k.after)}`,
      (k.countersignedBy ?? []).map((x) => [h('br'), h('small', { class: 'muted' }, t('countersigned', x.person?.displayName ?? '', when(x.at)))])))));
    if (c.countersignDue) parts.push(countersignBlock(c));
  }
  if (c.appeal) parts.push(h('h2', {}, t('appeal')), h('p', {}, c.appeal));
  if (r.office && (c.assessors ?? []).length && ['planned', 'assessed'].includes(c.state)) {
    // A lost or shared phone: the office ends the assessor's sessions (online only).
    const done = h('p', { role: 'status' });
    parts.push(h('h2', {}, t('devices')), h('div', { class: 'actions' }, (c.assessors ?? []).map((a) => h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          await api('POST', `/people/${a.personId}/sign-out`);
          done.textContent = t('signedOutEverywhere', prose(a.displayName));
        } catch (e) {
          done.textContent = e instanceof Offline ? t('onlineOnly') : sync.say(e);
        }
      },
    }, t('signOutEverywhere', prose(a.displayName))))), done);
  }
  const docs = ['signed', 'final'].includes(c.state) ? h('section', { 'aria-live': 'polite' }) : null;
  if (docs) parts.push(docs);
  if (model && r.candidate && ['signed', 'final'].includes(c.state) && sheets.length) {
    parts.push(...formOf(model, sheets));
  } else if (model && (r.candidate || r.assessor)) {
    parts.push(h('h2', {}, t('whatIsAssessed')), ...criteriaList(model));
  }
  show(parts);
  if (docs) documentsInto(docs, id);
}

/** An assessor who signed takes note of a correction made since, and countersigns it. Online
 * only: it makes a new version of the documents. */
function countersignBlock(c) {
  const said = h('p', { role: 'status' });
  return h('section', { class: 'notice' }, h('p', {}, t('countersignHelp')),
    h('button', {
      type: 'button',
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          const view = await api('POST', `/cases/${c.caseId}/corrections/countersign`, { revision: c.revision });
          await store.put('cases', c.caseId, view);
          // Drawn again: the correction now names the countersignature.
          caseScreen(c.caseId);
        } catch (err) {
          e.target.disabled = false;
          said.textContent = err instanceof Offline ? t('onlineOnly') : sync.say(err);
        }
      },
    }, t('countersign')), said);
}

/** The official PDFs of a signed exam, newest version first; only online (they are not kept
 * on the device). */
async function documentsInto(section, id) {
  const kb = (n) => `${Math.max(1, Math.round(n / 1024))} kB`;
  let list;
  try {
    list = (await api('GET', `/cases/${id}/documents`)).items;
  } catch (e) {
    section.replaceChildren(h('h2', {}, t('documents')),
      h('p', { class: 'muted' }, e instanceof Offline ? t('documentsOffline') : say(e)));
    return;
  }
  section.replaceChildren(h('h2', {}, t('documents')), list.length
    ? h('ul', { class: 'documents' }, list.map((d) => h('li', {},
      h('a', { href: d.href, download: d.fileName, type: 'application/pdf' }, d.unit ? `${t(d.documentType)} ${d.unit}` : t(d.documentType)),
      ` · ${t('version')} ${d.version ?? 1} · PDF ${kb(d.size)}`)))
    : h('p', { class: 'muted' }, t('documentsLater')));
}

async function planScreen(id) {
  const { c } = await caseData(id);
  if (!c) return home();
  const [d0, s0] = amsterdam(c.plannedStart);
  const [, e0] = amsterdam(c.plannedEnd);
  const date = h('input', { type: 'date', required: true, value: d0 });
  const start = h('input', { type: 'time', required: true, value: s0 || '09:00' });
  const end = h('input', { type: 'time', required: true, value: e0 || '12:00' });
  let kind = c.place?.kind ?? 'workplace';
  const name = h('input', { type: 'text', value: c.place?.name ?? '' });
  const address = h('input', { type: 'text', value: c.place?.address ?? '' });
  const options = [...(c.assessorOptions ?? [])];
  for (const a of c.assessors ?? []) if (!options.some((o) => o.personId === a.personId)) options.push(a);
  const chosen = new Set((c.assessors ?? []).map((a) => a.personId));
  const r = relation(c);
  const chooses = r.office || !chosen.size;
  if (!chosen.size && r.enrolled) chosen.add(app.me.personId);
  const reason = h('textarea', { rows: 2 });
  // The office names the examenleider: the first assessor, or someone else of the school.
  const leader = h('select', {}, h('option', { value: '' }, t('leadAssessor')),
    options.map((o) => h('option', { value: o.personId, selected: c.examLeader?.personId === o.personId }, o.displayName ?? '')),
    c.examLeader && !options.some((o) => o.personId === c.examLeader.personId)
      ? h('option', { value: c.examLeader.personId, selected: true }, c.examLeader.displayName ?? '') : null);
  const error = h('p', { class: 'error', role: 'alert' });
  const placeFields = h('div');
  const drawPlace = () => placeFields.replaceChildren(kind === 'workplace'
    ? h('div', {}, field(t('placeName'), name), field(t('address'), address))
    : field(t('location'), name));
  drawPlace();
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)),
    h('h1', {}, c.state === 'planned' ? t('replan') : t('plan')),
    h('p', {}, c.candidate?.displayName ?? '', ' · ', examName(c)),
    h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        // What is known here is checked here, before anything is queued.
        if (!date.value || !start.value || !end.value) { error.textContent = t('planWhenMissing'); return; }
        if (end.value <= start.value) { error.textContent = t('refEndBeforeStart'); end.focus(); return; }
        const needed = c.exam?.assessorsNeeded ?? chosen.size;
        if (chosen.size !== needed) { error.textContent = t('refAssessors', needed); return; }
        if (kind === 'workplace' ? !name.value.trim() || !address.value.trim() : !name.value.trim()) { error.textContent = t('refPlace'); return; }
        const body = {
          revision: c.revision,
          start: amsterdamInstant(date.value, start.value), end: amsterdamInstant(date.value, end.value),
          place: kind === 'workplace' ? { kind, name: name.value, address: address.value } : { kind, location: name.value },
          assessors: [...chosen],
        };
        if (r.office && reason.value.trim()) body.reason = reason.value.trim();
        if (r.office && leader.value !== (c.examLeader?.personId ?? '')) body.examLeader = leader.value || null;
        // Changing who assesses a planned exam is for the office, and needs a reason.
        const before = (c.assessors ?? []).map((a) => a.personId).join();
        if (before && before !== body.assessors.join() && !body.reason) { error.textContent = t('changeReasonNeeded'); return; }
        await sync.enqueue({ type: 'plan', caseId: id, body });
        go(`/case/${id}`);
      },
    },
    field(t('date'), date), field(t('start'), start), field(t('end'), end),
    radios('kind', t('place'), [{ value: 'workplace', label: t('workplace') }, { value: 'school', label: t('school') }], kind, (v) => { kind = v; drawPlace(); }),
    placeFields,
    chooses
      ? h('fieldset', {}, h('legend', {}, t('assessors')),
        c.exam?.assessorsNeeded ? h('p', { class: 'muted small' }, t('assessorsNeededHelp', c.exam.assessorsNeeded)) : null,
        h('div', { class: 'choices' }, options.map((o) => h('label', { class: 'choice' },
        h('input', { type: 'checkbox', checked: chosen.has(o.personId), onchange: (e) => (e.target.checked ? chosen.add(o.personId) : chosen.delete(o.personId)) }),
        o.displayName ?? ''))))
      : h('dl', { class: 'facts' }, h('dt', {}, t('assessors')),
        h('dd', {}, (c.assessors ?? []).map((a) => a.displayName).join('; '), h('br'), h('small', { class: 'muted' }, t('assessorsByOffice')))),
    r.office && (c.assessors ?? []).length ? field(t('changeReason'), reason) : null,
    r.office ? field(t('examLeader'), leader) : null,
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('save')))));
}

async function syncScreen() {
  const ops = await store.entries('outbox');
  // Whether other changes of the same case wait behind this one (signatures behind a closing).
  const behind = (key, op) => op.type === 'judge' && ops.some(([k, o]) => k > key && o.caseId === op.caseId && o.type === 'sign');
  const conflicts = await store.values('conflicts');
  const cases = Object.fromEntries((await store.values('cases')).map((c) => [c.caseId, c]));
  const parts = [h('p', {}, h('a', { href: '#/' }, `← ${t('back')}`)), h('h1', {}, t('syncTitle'))];
  for (const k of conflicts) {
    const c = cases[k.caseId];
    const mine = await store.get('drafts', k.caseId);
    const diff = [];
    if (k.type === 'sheet' && k.server) {
      const theirs = sync.draftFrom(k.server);
      for (const f of ['attendance', 'identityMethod', 'irregularities']) {
        const name = { identityMethod: t('idMethod') }[f] ?? t(f);
        if ((theirs[f] ?? '') !== (mine?.[f] ?? '')) diff.push([name, theirs[f] ?? '–', mine?.[f] ?? '–']);
      }
      const model = await store.get('models', k.caseId);
      const text = Object.fromEntries((model?.sections ?? []).flatMap((s) => s.criteria).map((cr) => [cr.code, cr.text]));
      const codes = new Set([...Object.keys(theirs.scores), ...Object.keys(mine?.scores ?? {})]);
      for (const code of codes) {
        const a = theirs.scores[code];
        const b = mine?.scores?.[code];
        if (a?.level !== b?.level || (a?.note ?? '') !== (b?.note ?? '')) {
          diff.push([text[code] ?? code, a ? `${a.level} ${a.note ?? ''}` : '–', b ? `${b.level} ${b.note ?? ''}` : '–']);
        }
      }
    }
    parts.push(h('section', { class: 'notice bad' },
      h('h2', {}, c?.candidate?.displayName ?? k.caseId, ' · ', examName(c)),
      h('p', {}, t('conflict')),
      diff.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, t('server')), h('th', { scope: 'col' }, t('mine')))),
        h('tbody', {}, diff.map(([a, b, m]) => h('tr', {}, h('th', { scope: 'row' }, a), h('td', {}, b), h('td', {}, m))))) : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: async () => { await sync.resolve(k.caseId, 'mine'); syncScreen(); } }, k.type === 'sheet' ? t('keepMine') : t('retry')),
        h('button', { type: 'button', class: 'secondary', onclick: async () => { await sync.resolve(k.caseId, 'theirs'); syncScreen(); } }, k.type === 'sheet' ? t('takeTheirs') : t('discard')))));
  }
  // Criteria by their text, for a refusal that names some.
  const texts = {};
  for (const [, op] of ops) {
    if (op.error && !texts[op.caseId]) {
      const m = await store.get('models', op.caseId);
      texts[op.caseId] = Object.fromEntries((m?.sections ?? []).flatMap((x) => x.criteria).map((cr) => [cr.code, cr.text]));
    }
  }
  if (ops.length) {
    parts.push(h('ul', { class: 'cards' }, ops.map(([key, op]) => h('li', { class: 'card' },
      h('div', { class: 'row' }, h('span', { class: 'title' }, cases[op.caseId]?.candidate?.displayName ?? ''), h('span', { class: 'badge' }, t(`op_${op.type}`))),
      h('div', { class: 'muted small' }, examName(cases[op.caseId]), ' · ', when(op.at)),
      op.error ? [h('p', { class: 'error' }, sync.say({ message: op.error, code: op.code, params: op.params }, { criterion: (code) => texts[op.caseId]?.[code], person: (pid) => [...(cases[op.caseId]?.assessorOptions ?? []), ...(cases[op.caseId]?.assessors ?? [])].find((a) => a.personId === pid)?.displayName })), h('div', { class: 'actions' },
        op.type === 'judge'
          ? h('a', { class: 'button', href: `#/case/${op.caseId}/score/summary` }, t('finishFix'))
          : h('button', { type: 'button', onclick: async () => { await sync.settle(key, false); syncScreen(); } }, t('retry')),
        // A closing with signatures queued behind it is never thrown away from here.
        behind(key, op) ? null : h('button', {
          type: 'button', class: 'danger',
          onclick: async () => { if (!confirm(t('discardSure'))) return; await sync.settle(key, true); syncScreen(); },
        }, t('discard')))] : null))));
  } else if (!conflicts.length) {
    parts.push(h('p', { class: 'notice ok' }, t('nothingPending')));
  }
  show(parts);
}

async function cancelScreen(id) {
  const { c } = await caseData(id);
  const reason = h('textarea', { required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('cancelExam')),
    h('p', {}, c?.candidate?.displayName ?? '', ' · ', examName(c)),
    h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const view = await api('POST', `/cases/${id}/cancel`, { revision: c.revision, reason: reason.value });
          await store.put('cases', id, view);
          go(`/case/${id}`);
        } catch (err) {
          error.textContent = err instanceof Offline ? t('onlineOnly') : err.message;
        }
      },
    }, field(t('reason'), reason), error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('cancelExam')))));
}

export const caseRoutes = [
  [/^\/case\/([0-9a-f-]{36})$/, caseScreen],
  [/^\/case\/([0-9a-f-]{36})\/plan$/, planScreen],
  [/^\/case\/([0-9a-f-]{36})\/cancel$/, cancelScreen],
  [/^\/sync$/, syncScreen],
];
