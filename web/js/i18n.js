// Words of the app: Dutch first, English switchable (kept in localStorage).
const nl = {
  skip: 'Naar de inhoud', loading: 'Laden…', back: 'Terug', next: 'Volgende', save: 'Opslaan',
  signIn: 'Inloggen', signOut: 'Uitloggen', signInAt: 'Inloggen bij {0}',
  schoolAccount: 'Inloggen met je schoolaccount', mailLink: 'Inloglink per e-mail',
  mailLinkHelp: 'Voor beoordelaars zonder schoolaccount: je krijgt een link die één keer werkt.',
  email: 'E-mailadres', sendLink: 'Stuur mij een inloglink', demoSignIn: 'Demo: kies wie je bent',
  offlineNoData: 'Je bent offline en er staat nog niets op dit toestel. Maak eerst verbinding.',
  synced: 'Alles verzonden', pending: '{0} niet verzonden', offline: 'Offline', trouble: 'Actie nodig',
  myExams: 'Mijn examens', toAssess: 'Te beoordelen', toPlan: 'Nog te plannen', noCases: 'Geen examens.',
  upcoming: 'Vandaag en later', today: 'Vandaag', later: 'Binnenkort', pipeline: 'Overzicht', finalise: 'Vaststellen',
  finaliseSelected: 'Geselecteerde vaststellen', nothingToFinalise: 'Niets om vast te stellen.',
  when: 'Wanneer', where: 'Waar', assessors: 'Beoordelaars', candidate: 'Kandidaat', exam: 'Examen',
  state: 'Status', result: 'Uitslag', attempt: 'Poging', notPlanned: 'Nog niet gepland',
  addToCalendar: 'Zet in mijn agenda', whatIsAssessed: 'Wat wordt beoordeeld',
  myForm: 'Mijn beoordelingsformulier', plan: 'Plannen', replan: 'Opnieuw plannen', date: 'Datum',
  start: 'Begintijd', end: 'Eindtijd', place: 'Plaats', workplace: 'Leerbedrijf', school: 'School',
  placeName: 'Naam (bedrijf of lokaal)', address: 'Adres', location: 'Locatie op school',
  startScoring: 'Beoordelen', continueScoring: 'Verder met beoordelen', joint: 'Gezamenlijk oordeel',
  identity: 'Identiteit', idCheckName: 'Naam op het identiteitsbewijs',
  identityChecked: 'Identiteit gecontroleerd', identityNotChecked: 'Niet kunnen controleren',
  idMethod: 'Waarmee', idCard: 'ID-kaart', passport: 'Paspoort', licence: 'Rijbewijs', other: 'Anders',
  needs: 'Aanpassingen', attendance: 'Aanwezigheid',
  present: 'Aanwezig', notPresent: 'Niet verschenen', notStarted: 'Niet gestart',
  notFinished: 'Niet afgemaakt', notKnown: 'Onbekend',
  note: 'Toelichting', noteRequired: 'Een onvoldoende score vraagt een toelichting.',
  knockOut: 'kritisch', irregularities: 'Bijzonderheden',
  irregularitiesHelp: 'Bijvoorbeeld: storing, hulp gekregen, examen onderbroken.',
  motivation: 'Motivering en feedback', motivationHelp: 'Waarom dit oordeel, en wat de kandidaat er van kan leren. Staat op het beoordelingsformulier.',
  summary: 'Samenvatting', points: 'Punten', passMark: 'Cesuur', knockOutsMissed: 'Kritische criteria niet gehaald',
  previewOffline: 'Het cijfer volgt zodra er verbinding is.', identityFirst: 'Controleer eerst de identiteit van de kandidaat.',
  signInAgain: 'Log opnieuw in', sessionEnded: 'Je sessie is verlopen. Log opnieuw in; wat nog niet verzonden is, blijft op dit toestel bewaard.',
  unsentOnSignOut: '{0} wijziging(en) zijn nog niet verzonden. Uitloggen gooit ze weg. Toch uitloggen?', missing: 'Nog niet gescoord: {0}',
  finishAssessment: 'Beoordeling afronden', signHere: 'Teken hier met je vinger',
  signAssessor: 'Handtekening beoordelaar', signCandidate: 'Handtekening kandidaat (voor gezien)',
  clear: 'Wissen', refuses: 'Kandidaat weigert te tekenen', refusalReason: 'Reden van weigering',
  signed: 'Getekend', done: 'Klaar', savedLocally: 'Opgeslagen op dit toestel; wordt verzonden zodra er verbinding is.',
  syncTitle: 'Verzenden', nothingPending: 'Alles is verzonden.',
  conflict: 'Iemand anders heeft dit intussen gewijzigd.', keepMine: 'Mijn versie bewaren',
  takeTheirs: 'Versie van de server nemen', retry: 'Opnieuw proberen', discard: 'Weggooien',
  server: 'Server', mine: 'Mijn versie', cancel: 'Annuleren', cancelExam: 'Examen annuleren',
  assessorsByOffice: 'Alleen het examenbureau wijzigt de beoordelaars van een gepland examen.',
  provisional: 'Voorlopig — nog niet vastgesteld door de examencommissie', appeal: 'Bezwaar en beroep',
  jointRationale: 'Onderbouwing van het gezamenlijke oordeel', confirmJoint: 'Gezamenlijk oordeel bevestigen',
  jointConfirmHelp: 'Je collega legde dit gezamenlijke oordeel vast. Bevestig het als je het ermee eens bent: pas dan staat op het proces-verbaal dat jullie er samen toe kwamen.',
  jointConfirmed: 'Je staat achter dit gezamenlijke oordeel.',
  authority: 'Op gezag van', byCommittee: 'Besluit van de examencommissie', byAppeal: 'Uitspraak in beroep',
  actualTimes: 'Werkelijk begin en einde', actualTimesHelp: 'Zoals deze telefoon ze vastlegde. Klopt het niet, zet het hier goed.',
  timesWrong: 'Het einde moet na het begin liggen, en niet later dan nu.',
  changeReason: 'Waarom wijzigen de beoordelaars? (Verplicht zodra er beoordeeld is.)',
  reason: 'Reden', correct: 'Corrigeren', correction: 'Correctie', corrections: 'Correcties',
  audit: 'Logboek', who: 'Wie', what: 'Wat', passed: 'Geslaagd', failed: 'Gezakt',
  states: { received: 'ontvangen', planned: 'gepland', assessed: 'beoordeeld', signed: 'getekend', final: 'vastgesteld', canceled: 'geannuleerd' },
  first: 'Beoordelaar 1', second: 'Beoordelaar 2', agreed: 'eens', jointSaved: 'Gezamenlijk oordeel opgeslagen.',
  onlineOnly: 'Dit kan alleen met verbinding.', language: 'Taal', linkSent: 'Als dit adres bij de school bekend is, staat er een inloglink in je mail.',
  candidateSigned: 'Kandidaat heeft getekend', assessorSigned: 'Jij hebt getekend', error: 'Er ging iets mis: {0}',
  roleOffice: 'examenbureau', roleCommittee: 'examencommissie',
  documents: 'Documenten', documentsLater: 'De documenten komen zodra het examen getekend is en ze gemaakt zijn.',
  documentsOffline: 'De documenten zijn te downloaden zodra je verbinding hebt.', version: 'versie',
  assessmentForm: 'Beoordelingsformulier', sessionReport: 'Proces-verbaal',
  sisTitle: 'Naar het SIS', sisNothing: 'Nog niets naar het SIS gestuurd.', sisAnswer: 'Antwoord van het SIS',
  sisPlanned: 'Planning (OKE 1.1)', sisAttendance: 'Aanwezigheid', sisSigned: 'Uitslag (getekend)', sisFinalised: 'Uitslag (vastgesteld)', sisCorrected: 'Uitslag (gecorrigeerd)',
  sis_waiting: 'wacht', sis_sending: 'wordt verstuurd', sis_delivered: 'afgeleverd', sis_parked: 'vastgelopen',
  extraAttempt: 'Extra poging plannen', sisNext: 'volgende poging',
  sisWait_noSis: 'deze school heeft geen SIS-koppeling ingesteld', sisWait_earlierMessage: 'tot een eerder bericht van deze inschrijving is afgeleverd', sisRetry: 'Opnieuw versturen', sisStuck: '{0} bericht(en) nog niet afgeleverd, waarvan {1} vastgelopen.',
};

const en = {
  skip: 'Skip to content', loading: 'Loading…', back: 'Back', next: 'Next', save: 'Save',
  signIn: 'Sign in', signOut: 'Sign out', signInAt: 'Sign in to {0}',
  schoolAccount: 'Sign in with your school account', mailLink: 'Sign-in link by e-mail',
  mailLinkHelp: 'For assessors without a school account: you get a link that works once.',
  email: 'E-mail address', sendLink: 'Send me a sign-in link', demoSignIn: 'Demo: choose who you are',
  offlineNoData: 'You are offline and nothing is stored on this device yet. Connect first.',
  synced: 'All sent', pending: '{0} not sent', offline: 'Offline', trouble: 'Needs action',
  myExams: 'My exams', toAssess: 'To assess', toPlan: 'To plan', noCases: 'No exams.',
  upcoming: 'Today and later', today: 'Today', later: 'Coming up', pipeline: 'Overview', finalise: 'Finalise',
  finaliseSelected: 'Finalise selected', nothingToFinalise: 'Nothing to finalise.',
  when: 'When', where: 'Where', assessors: 'Assessors', candidate: 'Candidate', exam: 'Exam',
  state: 'State', result: 'Result', attempt: 'Attempt', notPlanned: 'Not planned yet',
  addToCalendar: 'Add to my calendar', whatIsAssessed: 'What is assessed',
  myForm: 'My assessment form', plan: 'Plan', replan: 'Re-plan', date: 'Date',
  start: 'Start time', end: 'End time', place: 'Place', workplace: 'Workplace', school: 'School',
  placeName: 'Name (company or room)', address: 'Address', location: 'Location at school',
  startScoring: 'Assess', continueScoring: 'Continue assessing', joint: 'Joint judgement',
  identity: 'Identity', idCheckName: 'Name on the identity document',
  identityChecked: 'Identity checked', identityNotChecked: 'Could not check',
  idMethod: 'With', idCard: 'ID card', passport: 'Passport', licence: 'Driving licence', other: 'Other',
  needs: 'Adjustments', attendance: 'Attendance',
  present: 'Present', notPresent: 'Did not show up', notStarted: 'Did not start',
  notFinished: 'Did not finish', notKnown: 'Unknown',
  note: 'Note', noteRequired: 'A failing score needs a note.',
  knockOut: 'critical', irregularities: 'Irregularities',
  irregularitiesHelp: 'For example: a disruption, help given, exam interrupted.',
  motivation: 'Motivation and feedback', motivationHelp: 'Why this judgement, and what the candidate can learn from it. It is on the assessment form.',
  summary: 'Summary', points: 'Points', passMark: 'Pass mark', knockOutsMissed: 'Critical criteria not met',
  previewOffline: 'The grade follows once connected.', identityFirst: "Check the candidate's identity first.",
  signInAgain: 'Sign in again', sessionEnded: 'Your session has ended. Sign in again; what has not been sent stays on this device.',
  unsentOnSignOut: '{0} change(s) have not been sent. Signing out throws them away. Sign out anyway?', missing: 'Not scored yet: {0}',
  finishAssessment: 'Finish assessment', signHere: 'Sign here with your finger',
  signAssessor: 'Assessor signature', signCandidate: 'Candidate signature (seen)',
  clear: 'Clear', refuses: 'Candidate refuses to sign', refusalReason: 'Reason for refusal',
  signed: 'Signed', done: 'Done', savedLocally: 'Saved on this device; sent as soon as there is a connection.',
  syncTitle: 'Sending', nothingPending: 'Everything has been sent.',
  conflict: 'Someone else changed this meanwhile.', keepMine: 'Keep my version',
  takeTheirs: "Take the server's version", retry: 'Try again', discard: 'Discard',
  server: 'Server', mine: 'My version', cancel: 'Cancel', cancelExam: 'Cancel exam',
  assessorsByOffice: 'Only the exam office changes the assessors of a planned exam.',
  provisional: 'Provisional — not yet determined by the exam committee', appeal: 'Objection and appeal',
  jointRationale: 'Why the assessors came to this joint judgement', confirmJoint: 'Confirm the joint judgement',
  jointConfirmHelp: 'Your colleague recorded this joint judgement. Confirm it if you agree: only then does the session report say you came to it together.',
  jointConfirmed: 'You stand behind this joint judgement.',
  authority: 'On whose authority', byCommittee: 'Decision of the exam committee', byAppeal: 'Ruling on appeal',
  actualTimes: 'Actual begin and end', actualTimesHelp: 'As this phone recorded them. If they are wrong, put them right here.',
  timesWrong: 'The end must be after the begin, and not later than now.',
  changeReason: 'Why do the assessors change? (Required once scoring has started.)',
  reason: 'Reason', correct: 'Correct', correction: 'Correction', corrections: 'Corrections',
  audit: 'Audit trail', who: 'Who', what: 'What', passed: 'Passed', failed: 'Failed',
  states: { received: 'received', planned: 'planned', assessed: 'assessed', signed: 'signed', final: 'finalised', canceled: 'canceled' },
  first: 'Assessor 1', second: 'Assessor 2', agreed: 'agree', jointSaved: 'Joint judgement saved.',
  onlineOnly: 'This needs a connection.', language: 'Language', linkSent: 'If the school knows this address, a sign-in link is in your mail.',
  candidateSigned: 'The candidate has signed', assessorSigned: 'You have signed', error: 'Something went wrong: {0}',
  roleOffice: 'exam office', roleCommittee: 'exam committee',
  documents: 'Documents', documentsLater: 'The documents come once the exam is signed and they have been made.',
  documentsOffline: 'The documents can be downloaded once you are online.', version: 'version',
  assessmentForm: 'Assessment form', sessionReport: 'Official report (proces-verbaal)',
  sisTitle: 'To the SIS', sisNothing: 'Nothing sent to the SIS yet.', sisAnswer: 'Answer of the SIS',
  sisPlanned: 'Planning (OKE 1.1)', sisAttendance: 'Attendance', sisSigned: 'Result (signed)', sisFinalised: 'Result (finalised)', sisCorrected: 'Result (corrected)',
  sis_waiting: 'waiting', sis_sending: 'sending', sis_delivered: 'delivered', sis_parked: 'stuck',
  extraAttempt: 'Plan an extra attempt', sisNext: 'next attempt',
  sisWait_noSis: 'this school has no SIS connection configured', sisWait_earlierMessage: 'for an earlier message of this enrolment to arrive', sisRetry: 'Send again', sisStuck: '{0} message(s) not delivered yet, {1} of them stuck.',
};

const all = { nl, en };
export let lang = localStorage.getItem('proeve.lang') === 'en' ? 'en' : 'nl';

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'nl';
  localStorage.setItem('proeve.lang', lang);
  document.documentElement.lang = lang;
}

/** A word, with {0}, {1} filled in. */
export function t(key, ...args) {
  const words = all[lang][key] ?? nl[key] ?? key;
  return typeof words === 'string' ? words.replace(/\{(\d)\}/g, (_, i) => String(args[i] ?? '')) : words;
}

export function stateName(s) {
  return all[lang].states[s] ?? s;
}

/** A date and time in the reader's language, in Dutch time. */
export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nl-NL', {
    weekday: 'short', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam',
  }).format(new Date(iso));
}
