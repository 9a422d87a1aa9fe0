// The exam office and the exam committee: the pipeline, corrections with a reason, the
// audit trail, and finalising one or many.
import { api, Offline } from './api.js';
import { field, h, radios, show } from './dom.js';
import { examName, prose, resultText, say, stateName, t, when } from './i18n.js';
import * as store from './store.js';
import { ACTIVE, app, caseDetails, go, hasMore, LISTS, refresh, showMore, STATE_PAGE } from './app.js';
import { byReceipt, byStart, card, moreButton } from './cases.js';

const STATES = ['received', 'planned', 'assessed', 'signed', 'final', 'canceled'];
let selected = 'received';

export function pipeline(cases, counted) {
  // The server's counts (most of the school is not on the phone); offline before the first
  // refresh, what the phone holds.
  const counts = Object.fromEntries(STATES.map((s) => [s, counted?.[s] ?? cases.filter((c) => c.state === s).length]));
  const listEl = h('ul', { class: 'cards' });
  const moreEl = h('div');
  const buttons = STATES.map((s) => h('button', {
    type: 'button', 'aria-pressed': String(s === selected),
    onclick: () => {
      selected = s;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.state === selected));
      draw();
    },
    'data-state': s,
  }, h('span', { class: 'count' }, String(counts[s])), stateName(s)));
  // The history (final, canceled) is fetched when opened, a page at a time; what is under
  // way is on the phone, its first pages, and "Meer tonen" keeps the next one there too.
  const history = {};
  const draw = async () => {
    const state = selected;
    let shown = cases.filter((c) => c.state === state).sort(byStart);
    let more = null;
    if (ACTIVE.includes(state)) {
      if (await hasMore(state)) more = () => showMore(state);
    } else if (counts[state] > shown.length) {
      history[state] ??= { items: [], next: undefined };
      const kept = history[state];
      const next = async () => {
        const page = await api('GET', `/cases?state=${state}&limit=${STATE_PAGE}${kept.next ? `&after=${encodeURIComponent(kept.next)}` : ''}`);
        kept.items.push(...page.items);
        kept.next = page.next ?? null;
      };
      if (kept.next === undefined) {
        listEl.replaceChildren(h('li', { class: 'muted' }, t('loading')));
        moreEl.replaceChildren();
        try {
          // Once, however often the list is drawn while the first page is on its way.
          await (kept.first ??= next());
        } catch (e) {
          kept.first = undefined;
          if (selected === state) listEl.replaceChildren(h('li', { class: 'muted' }, e instanceof Offline ? t('onlineOnly') : say(e)));
          return;
        }
      }
      shown = kept.items;
      if (kept.next) more = next;
    }
    if (selected !== state) return;
    listEl.replaceChildren(...(shown.length ? shown.map(card) : [h('li', { class: 'muted' }, t('noCases'))]));
    moreEl.replaceChildren(...(more ? [h('p', { class: 'muted small' }, t('shownOf', shown.length, counts[state])),
      ...moreButton(async () => { await more(); if (ACTIVE.includes(state)) cases = await store.values('cases'); }, draw)] : []));
  };
  draw();
  return [h('h2', {}, t('pipeline')), h('div', { class: 'pipeline', role: 'group', 'aria-label': t('pipeline') }, buttons), listEl, moreEl];
}

/** The most exams one finalise request takes (the server's limit). */
const FINALISE_AT_ONCE = 100;

/** The committee's list: the signed exams with what to look at (flags) and links to the exam
 * and its trail, a page at a time; filters by exam and period (on the server); select all
 * that is shown; a confirmation naming what is determined — the committee determines only
 * exams it has in view, never a filter it has not seen; then what was determined, when and
 * by whom. */
export function finaliseList(cases, kept) {
  const onPhone = () => cases.filter((c) => c.state === 'signed').sort(byReceipt);
  const decided = cases.filter((c) => c.state === 'final' && c.finalisedAt)
    .sort((a, b) => String(b.finalisedAt).localeCompare(String(a.finalisedAt))).slice(0, 20);
  const total = kept?.counts?.signed ?? onPhone().length;
  const section = h('section', { 'aria-labelledby': 'finalise-h' });
  const chosen = new Set();
  const exams = kept?.signedExams ?? [...new Map(onPhone().map((c) => [c.exam?.componentId, { componentId: c.exam?.componentId, name: c.exam?.name }])).values()];
  const exam = h('select', {}, h('option', { value: '' }, t('allExams')),
    exams.map((e) => h('option', { value: e.componentId }, e.count ? `${e.name ?? ''} (${e.count})` : e.name ?? '')));
  const from = h('input', { type: 'date' });
  const until = h('input', { type: 'date' });
  const day = (iso) => (iso ? new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date(iso)) : '');
  const locally = () => onPhone().filter((c) => (!exam.value || c.exam?.componentId === exam.value)
    && (!from.value || day(c.plannedStart) >= from.value) && (!until.value || day(c.plannedStart) <= until.value));
  // What is shown: the phone's first page, then the server's pages for the filters chosen.
  let rows = onPhone();
  let next = null;
  let query = `state=signed&limit=${STATE_PAGE}`;
  const listEl = h('ul', { class: 'cards' });
  const moreEl = h('div');
  const all = h('input', { type: 'checkbox', id: 'finalise-all' });
  const status = h('div', { role: 'status' });
  const go_ = h('button', { type: 'button' });
  const confirmBox = h('div', { class: 'notice', hidden: true });
  const label = () => { go_.textContent = t('finaliseSelected', chosen.size); go_.disabled = !chosen.size; };
  // Which filter an answer is for: only the last one chosen counts.
  let asked = 0;
  const draw = () => {
    for (const id of [...chosen]) if (!rows.some((c) => c.caseId === id)) chosen.delete(id);
    all.checked = rows.length > 0 && rows.every((c) => chosen.has(c.caseId));
    listEl.replaceChildren(...(rows.length ? rows.map((c) => h('li', { class: 'card' },
      h('label', { class: 'choice' },
        h('input', { type: 'checkbox', checked: chosen.has(c.caseId), onchange: (e) => { if (e.target.checked) chosen.add(c.caseId); else chosen.delete(c.caseId); draw(); } }),
        h('span', {}, h('strong', {}, c.candidate?.displayName ?? ''), h('br'), examName(c), h('br'),
          h('span', { class: 'muted small' }, when(c.plannedStart)))),
      h('p', {}, h('strong', {}, verdict(c))),
      (c.flags ?? []).length ? h('p', {}, c.flags.map((f) => h('span', { class: `badge ${f === 'failed' ? 'ko' : 'flag'}` }, t(`flag_${f}`)))) : h('p', { class: 'muted small' }, t('noFlags')),
      h('p', { class: 'links' }, h('a', { href: `#/case/${c.caseId}` }, t('openExam')), ' · ', h('a', { href: `#/case/${c.caseId}/audit` }, t('audit')))))
      : [h('li', { class: 'muted' }, t('nothingToFinalise'))]));
    const filtered = exam.value || from.value || until.value;
    moreEl.replaceChildren(...[
      !filtered && rows.length < total ? h('p', { class: 'muted small' }, t('shownOf', rows.length, total)) : null,
      ...(next ? moreButton(async () => {
        const mine = asked;
        const page = await api('GET', `/cases?${query}&after=${encodeURIComponent(next)}`);
        // A filter chosen meanwhile made another list: this page is not of it.
        if (mine !== asked) return;
        rows.push(...page.items.filter((c) => !rows.some((r) => r.caseId === c.caseId)));
        next = page.next ?? null;
      }, draw) : [])].filter(Boolean));
    label();
  };
  const refilter = async () => {
    const mine = ++asked;
    const q = new URLSearchParams({ state: 'signed', limit: String(STATE_PAGE) });
    if (exam.value) q.set('exam', exam.value);
    if (from.value) q.set('from', from.value);
    if (until.value) q.set('until', until.value);
    query = q.toString();
    try {
      const page = await api('GET', `/cases?${query}`);
      // Only the answer to the last filter chosen counts.
      if (mine !== asked) return;
      rows = page.items;
      next = page.next ?? null;
      status.replaceChildren();
    } catch (err) {
      if (mine !== asked) return;
      // Offline: what the phone holds, filtered here.
      rows = locally();
      next = null;
      status.replaceChildren(h('p', { class: 'muted' }, err instanceof Offline ? t('offlineOnPhone') : say(err)));
    }
    draw();
  };
  all.addEventListener('change', () => { for (const c of rows) { if (all.checked) chosen.add(c.caseId); else chosen.delete(c.caseId); } draw(); });
  for (const el of [exam, from, until]) el.addEventListener('change', refilter);
  go_.addEventListener('click', () => {
    const picked = rows.filter((c) => chosen.has(c.caseId));
    const line = (c) => h('li', {}, `${c.candidate?.displayName ?? ''} · ${examName(c)} · ${verdict(c)}`);
    // Every exam is named; past ten, the rest folded under their number.
    confirmBox.replaceChildren(h('p', {}, t('finaliseConfirm', picked.length)),
      h('ul', {}, picked.slice(0, 10).map(line)),
      ...(picked.length > 10 ? [h('details', {}, h('summary', {}, t('andMore', picked.length - 10)), h('ul', {}, picked.slice(10).map(line)))] : []),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { confirmBox.hidden = true; go_.hidden = false; } }, t('back')),
        h('button', {
          type: 'button',
          onclick: async (e) => {
            e.target.disabled = true;
            const names = Object.fromEntries(picked.map((c) => [c.caseId, c.candidate?.displayName ?? '']));
            const items = [];
            try {
              // A hundred at a time (each gets its documents at once), with how far it got.
              for (let i = 0; i < picked.length; i += FINALISE_AT_ONCE) {
                if (picked.length > FINALISE_AT_ONCE) status.textContent = t('finalising', i, picked.length);
                const r = await api('POST', '/finalise', { caseIds: picked.slice(i, i + FINALISE_AT_ONCE).map((c) => c.caseId) });
                items.push(...r.items);
              }
            } catch (err) {
              if (!items.length) {
                e.target.disabled = false;
                status.textContent = err instanceof Offline ? t('onlineOnly') : say(err);
                return;
              }
              // Part went: what did is said below, the rest stays signed and in the list.
              items.push(...picked.filter((c) => !items.some((i) => i.caseId === c.caseId))
                .map((c) => ({ caseId: c.caseId, error: err, words: err instanceof Offline ? t('onlineOnly') : say(err) })));
            }
            const failed = items.filter((i) => i.error);
            try {
              await refresh();
            } catch {
              // Offline now: the list below is what the phone holds.
            }
            // (DOM calls take nodes only: no null.)
            status.replaceChildren(...[h('p', { class: 'notice ok' }, t('finalisedCount', items.length - failed.length)),
              failed.length ? h('ul', { class: 'notice bad' }, failed.map((f) => h('li', {}, `${names[f.caseId] ?? ''}: ${f.words ?? say(f.error)}`))) : null].filter(Boolean));
            // The list as it now stands, with what just happened on top of it.
            const nextList = finaliseList(await store.values('cases'), await store.get('kv', 'counts'));
            nextList.insertBefore(status, nextList.children[1] ?? null);
            section.replaceWith(nextList);
          },
        }, t('finaliseYes'))));
    confirmBox.hidden = false;
    go_.hidden = true;
  });
  next = null;
  hasMore('signed').then(async (more) => {
    const kept = more ? await store.get('kv', `more ${LISTS.signed}`) : null;
    // Only while nothing was filtered yet: a filter's own answer says where it goes on.
    if (kept && asked === 0) {
      next = kept;
      draw();
    }
  });
  draw();
  // (DOM append takes nodes, not lists: flattened.)
  section.append(...[h('h2', { id: 'finalise-h' }, t('finalise')),
    total || rows.length ? [
      h('div', { class: 'filters' }, field(t('exam'), exam), field(t('from'), from), field(t('until'), until)),
      h('p', {}, h('label', { for: 'finalise-all', class: 'choice' }, all, t('selectAll'))),
      listEl, moreEl, confirmBox, h('div', { class: 'actions' }, go_)] : [h('p', { class: 'muted' }, t('nothingToFinalise'))],
    status,
    decided.length ? [h('h3', {}, t('finalisedList')), h('ul', {}, decided.map((c) => h('li', {},
      h('a', { href: `#/case/${c.caseId}` }, c.candidate?.displayName ?? ''), ` · ${examName(c)} · ${verdict(c)} · `,
      h('span', { class: 'muted' }, t('finalisedBy', when(c.finalisedAt), prose(c.finalisedBy?.displayName))))))] : []].flat(2).filter(Boolean));
  return section;
}

/** A case's result in words. */
export function verdict(c) {
  return resultText(c.outcome);
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
    h('p', {}, c.candidate?.displayName ?? '', ' · ', examName(c), ' · ', verdict(c)),
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

/** One line per meaningful change, in the words of the people it is for: who (by name), a
 * Dutch verb, what changed (a criterion with its level before → after), the reason. The
 * autosaves of one sitting are folded into one line. */
/** What a sheet save changed besides the scores, in words: one line a field. */
function sheetFields(a) {
  const clip = (text) => (String(text).length > 160 ? `${String(text).slice(0, 160)}…` : String(text));
  const lines = [];
  if (a.attendance !== undefined) lines.push(`${t('attendance')}: ${a.attendance ? t(a.attendance) : '–'}`);
  if (a.identityChecked !== undefined || a.identityMethod !== undefined) {
    const checked = a.identityChecked === true ? t('identityChecked') : a.identityChecked === false ? t('identityNotChecked') : t('identity');
    lines.push([checked, a.identityMethod].filter(Boolean).join(': '));
  }
  if (a.startedAt !== undefined || a.endedAt !== undefined) {
    lines.push(`${t('actualTimes')}: ${a.startedAt ? when(a.startedAt) : '…'} – ${a.endedAt ? when(a.endedAt).split(' ').pop() : '…'}`);
  }
  if (a.timesReason) lines.push(`${t('auditTimesReason')}: ${clip(a.timesReason)}`);
  if (a.irregularities) lines.push(`${t('irregularities')}: ${clip(a.irregularities)}`);
  if (a.motivation) lines.push(`${t('motivation')}: ${clip(a.motivation)}`);
  return lines.length ? lines.map((l) => h('div', { class: 'small' }, l)) : null;
}

async function auditScreen(id) {
  const { c, model } = await caseDetails(id);
  let items = [];
  try {
    items = (await api('GET', `/cases/${id}/audit`)).items;
  } catch (e) {
    return show(h('h1', {}, t('audit')), h('p', { class: 'notice bad' }, e instanceof Offline ? t('onlineOnly') : say(e)));
  }
  const criteria = Object.fromEntries((model?.sections ?? []).flatMap((s) => s.criteria).map((cr) => [cr.code, cr.text]));
  const who = (e) => (e.actor === 'sis' ? t('actorSis') : e.actor === 'system' ? t('actorProeve') : prose(e.actorName) || t('actorUnknown'));
  // Fold the saves of one sitting: the same person's sheet saves less than 30 minutes apart.
  const lines = [];
  for (const e of items) {
    const last = lines.at(-1);
    const sitting = last && ['scored', 'jointly scored'].includes(e.action) && last.action === e.action && last.actor === e.actor
      && Date.parse(e.at) - Date.parse(last.until) < 30 * 60 * 1000;
    if (sitting) {
      last.until = e.at;
      last.saves += 1;
      for (const sc of e.after?.scores ?? []) last.changes.set(sc.criterion, { from: last.changes.get(sc.criterion)?.from ?? sc.from, to: sc.to });
      // Each save holds only what it changed: the sitting shows the last value of each.
      last.after = { ...last.after, ...e.after, scores: undefined };
    } else {
      const changes = new Map((e.after?.scores ?? []).map((sc) => [sc.criterion, { from: sc.from, to: sc.to }]));
      lines.push({ ...e, until: e.at, saves: 1, changes });
    }
  }
  const detail = (e) => {
    const a = e.after ?? {};
    switch (e.action) {
      case 'received': return null;
      case 'planned': case 'replanned':
        return a.plannedStart ? `${when(a.plannedStart)} – ${when(a.plannedEnd).split(' ').pop()}, ${a.placeName ?? ''}` : null;
      case 'judged': return [verdict({ outcome: a }), (a.disagreements ?? []).length ? ` · ${t('auditDisagreed', a.disagreements.length)}` : ''];
      case 'corrected': return `${t('version')} ${a.version ?? ''}: ${verdict({ outcome: e.before })} → ${verdict({ outcome: a })}`;
      case 'countersigned': case 'finalised': return a.version ? `${t('version')} ${a.version}` : null;
      case 'acknowledged by candidate': case 'signed by assessor': return a.drawnAt ? t('auditDrawn', when(a.drawnAt)) : null;
      case 'candidate refused to acknowledge': return a.refusal ?? null;
      case 'scored': case 'jointly scored': return sheetFields(a);
      default: return null;
    }
  };
  const changes = (e) => {
    if (!e.changes.size) return null;
    const list = h('ul', { class: 'small' }, [...e.changes].map(([code, ch]) => h('li', {},
      `${criteria[code] ?? code}: ${ch.from ?? '–'} → ${ch.to ?? '–'}`)));
    // Many at once (a whole sheet): folded, the count on the fold.
    return e.changes.size > 3 ? h('details', {}, h('summary', {}, t('auditCriteria', e.changes.size)), list) : list;
  };
  show(h('p', {}, h('a', { href: `#/case/${id}` }, `← ${t('back')}`)), h('h1', {}, t('audit')),
    h('p', {}, c?.candidate?.displayName ?? '', ' · ', examName(c)),
    h('ol', { class: 'trail' }, lines.map((e) => h('li', {},
      h('div', { class: 'muted small' }, when(e.at), e.saves > 1 ? ` – ${when(e.until).split(' ').pop()}` : ''),
      h('div', {}, h('strong', {}, who(e)), ' ', t(`act_${e.action.replace(/ /g, '_')}`) === `act_${e.action.replace(/ /g, '_')}` ? t('act_other') : t(`act_${e.action.replace(/ /g, '_')}`),
        e.saves > 1 ? ` (${t('auditSaves', e.saves)})` : ''),
      detail(e) ? h('div', {}, detail(e)) : null,
      changes(e),
      e.reason ? h('div', {}, h('em', {}, `${t('reason')}: ${e.reason}`)) : null))));
}

const REASONS = { pending: 'sisPending', planned: 'sisPlanned', canceled: 'sisCanceledStatus', attendance: 'sisAttendance', signed: 'sisSigned', finalised: 'sisFinalised', corrected: 'sisCorrected', countersigned: 'sisCountersigned' };

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
    h('p', {}, c?.candidate?.displayName ?? '', ' · ', examName(c)), status,
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

/** The catalogue's exams as they stand at the school: licensed, approved (vastgesteld) by the
 * exam committee — which the SIS sees in flow 0. The committee approves an exam or withdraws
 * its approval with a reason; the office reads along. Online only. */
async function examsScreen() {
  const committee = !!app.me?.examCommittee;
  let items;
  try {
    items = (await api('GET', '/exams')).items;
  } catch (e) {
    return show(h('h1', {}, t('schoolExams')), h('p', { class: 'notice bad' }, e instanceof Offline ? t('onlineOnly') : say(e)));
  }
  const status = h('p', { role: 'status' });
  const decide = async (exam, approved, reason) => {
    try {
      await api('PUT', `/exams/${exam.componentId}/approval`, { approved, reason: reason || undefined });
    } catch (e) {
      status.textContent = e instanceof Offline ? t('onlineOnly') : say(e);
      return false;
    }
    await examsScreen();
    return true;
  };
  const cardOf = (exam) => {
    const facts = [exam.crebo && `crebo ${exam.crebo}`, exam.level && t('level', exam.level)].filter(Boolean).join(' · ');
    const badge = !exam.licensed ? h('span', { class: 'badge' }, t('noLicence'))
      : exam.approved ? h('span', { class: 'badge ok' }, t('examApproved')) : h('span', { class: 'badge ko' }, t('examNotApproved'));
    const decided = exam.decidedAt
      ? h('p', { class: 'muted small' }, t(exam.approved ? 'approvedBy' : 'withdrawnBy', when(exam.decidedAt), prose(exam.decidedBy)),
        !exam.approved && exam.reason ? [h('br'), h('em', {}, `${t('reason')}: ${exam.reason}`)] : null)
      : null;
    const actions = h('div', { class: 'actions' });
    if (committee && exam.licensed && !exam.approved) {
      actions.append(h('button', { type: 'button', onclick: async (e) => {
        e.target.disabled = true;
        // Said why above; the button can be pressed again.
        if (!(await decide(exam, true))) e.target.disabled = false;
      } }, t('approveExam')));
    }
    if (committee && exam.approved) {
      const reason = h('textarea', { rows: 2, required: true });
      const form = h('form', {
        hidden: true,
        onsubmit: (e) => { e.preventDefault(); decide(exam, false, reason.value.trim()); },
      }, field(t('reason'), reason), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('withdrawYes'))));
      actions.append(h('button', {
        type: 'button', class: 'secondary',
        onclick: (e) => { form.hidden = false; e.target.hidden = true; reason.focus(); },
      }, t('withdrawApproval')), form);
    }
    return h('li', { class: 'card' },
      h('div', { class: 'row' }, h('strong', {}, exam.name), badge),
      facts ? h('p', { class: 'muted small' }, facts) : null,
      decided, actions.children.length ? actions : null);
  };
  show(h('p', {}, h('a', { href: '#/' }, `← ${t('back')}`)), h('h1', {}, t('schoolExams')),
    h('p', { class: 'muted' }, t('schoolExamsHelp')), status,
    h('ul', { class: 'cards' }, items.map(cardOf)));
}

export const officeRoutes = [
  [/^\/exams$/, examsScreen],
  [/^\/case\/([0-9a-f-]{36})\/correct$/, correctScreen],
  [/^\/case\/([0-9a-f-]{36})\/audit$/, auditScreen],
  [/^\/case\/([0-9a-f-]{36})\/sis$/, deliveriesScreen],
];
