// Words of the app: Dutch first, English switchable (kept in localStorage).
const nl = {
  skip: 'Naar de inhoud', loading: 'Laden…', back: 'Terug', next: 'Volgende', save: 'Opslaan',
  signIn: 'Inloggen', signOut: 'Uitloggen', signInAt: 'Inloggen bij {0}',
  schoolAccount: 'Inloggen met je schoolaccount', mailLink: 'Inloglink per e-mail',
  mailLinkHelp: 'Voor beoordelaars zonder schoolaccount: je krijgt een link die één keer werkt.',
  email: 'E-mailadres', sendLink: 'Stuur mij een inloglink', demoSignIn: 'Demo: kies wie je bent',
  offlineNoData: 'Je bent offline en er staat nog niets op dit toestel. Maak eerst verbinding.',
  synced: 'Alles verzonden', pending: '{0} niet verzonden', offline: 'Offline', trouble: 'Actie nodig',
  myExams: 'Mijn examens', toAssess: 'Te beoordelen', toPlan: 'Nog te plannen', moreToPlan: 'Meer tonen', shownOf: '{0} van {1} getoond.', offlineOnPhone: 'Geen verbinding: alleen de examens die op deze telefoon staan.', andMore: 'en nog {0}', finalising: 'Bezig met vaststellen: {0} van {1}…', noCases: 'Geen examens.',
  upcoming: 'Vandaag en later', today: 'Vandaag', later: 'Binnenkort', pipeline: 'Overzicht', finalise: 'Vaststellen',
  finaliseSelected: 'Geselecteerde vaststellen ({0})', nothingToFinalise: 'Niets om vast te stellen.',
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
  present: 'Aanwezig', notPresent: 'Niet verschenen', notStarted: 'Verschenen, niet begonnen',
  notFinished: 'Begonnen, niet afgerond', notKnown: 'Onbekend',
  note: 'Toelichting', noteRequired: 'Een onvoldoende score vraagt een toelichting.',
  knockOut: 'knock-out', irregularities: 'Bijzonderheden', auditTimesReason: 'Reden voor afwijkende tijden',
  irregularitiesHelp: 'Bijvoorbeeld: storing, hulp gekregen, examen onderbroken.',
  motivation: 'Motivering en feedback', motivationHelp: 'Waarom dit oordeel, en wat de kandidaat er van kan leren. Staat op het beoordelingsformulier.',
  summary: 'Samenvatting', points: 'Punten', passMark: 'Cesuur', knockOutsMissed: 'Knock-outcriteria niet gehaald',
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
  jointRationale: 'Onderbouwing van het gezamenlijke oordeel', confirmJoint: 'Bevestigen en afronden',
  jointConfirmHelp: '{0} legde dit gezamenlijk oordeel vast. Bevestig het als je het ermee eens bent: dan is het examen beoordeeld en staat op het proces-verbaal dat jullie er samen toe kwamen.',
  jointConfirmed: 'Je staat achter dit gezamenlijke oordeel.',
  jointChanged: 'Het gezamenlijke oordeel is intussen gewijzigd. Open het opnieuw en bekijk het.',
  jointNotConfirmable: 'Dit gezamenlijke oordeel kan niet (meer) bevestigd worden.',
  changeReasonNeeded: 'Zeg waarom de beoordelaars wijzigen.',
  authority: 'Op gezag van', byCommittee: 'Besluit van de examencommissie', byAppeal: 'Uitspraak in beroep',
  actualTimes: 'Werkelijk begin en einde', actualTimesHelp: 'Zoals deze telefoon ze vastlegde. Klopt het niet, zet het hier goed.',
  countersignDue: 'Correcties om mede te ondertekenen',
  countersignHelp: 'Het examenbureau heeft de uitslag gecorrigeerd nadat jij tekende. Bekijk de correctie en onderteken haar mede zodra je ervan kennis hebt genomen.',
  countersign: 'Ik heb de correctie gezien: medeondertekenen', countersigned: 'Medeondertekend door {0} op {1}',
  examLeader: 'Examenleider', leadAssessor: 'De eerste beoordelaar',
  timesReason: 'Waarom wijken begin of einde meer dan een uur af van de planning?',
  timesReasonNeeded: 'Begin of einde ligt meer dan een uur van de planning: zeg waarom.',
  refNotScored: 'Nog niet beoordeeld: {0}.', refIdentity: 'Leg eerst vast of je de identiteit hebt gecontroleerd.',
  refAttendance: 'Leg eerst vast of de kandidaat aanwezig was.', refNothing: 'Er is nog niets beoordeeld.',
  refState: 'Dat kan niet meer: het examen is {0}.', refAssessors: 'Dit examen heeft {0} beoordelaars nodig.',
  refCorrectThePart: 'De uitslag van dit examen is opgebouwd uit de onderdelen: corrigeer het onderdeel, dan volgt het hele examen vanzelf.',
  gradeInsufficient: 'onvoldoende', gradeSatisfactory: 'voldoende', gradeGood: 'goed',
  partNamed: 'onderdeel {0}: {1}', parts: 'Onderdelen', unitResults: 'Deelresultaten', waitingForParts: 'wacht op de onderdelen', partNotEnrolled: 'nog niet ingeschreven',
  waitsForParts: 'Dit examen wordt per onderdeel afgenomen: elk onderdeel wordt apart gepland en ondertekend. Het hele examen krijgt zijn uitslag als alle onderdelen zijn ondertekend.',
  madeOfParts: 'Deze uitslag is opgebouwd uit de onderdelen hieronder.',
  refPartsApart: 'Dit examen wordt per onderdeel afgenomen: plan elk onderdeel apart. Het hele examen krijgt zijn uitslag als alle onderdelen zijn ondertekend.',
  refEndBeforeStart: 'De eindtijd moet na de begintijd liggen.', refWindow: 'Het examen moet plaatsvinden tussen {0} en {1}, zo heeft de school het vastgelegd.',
  refTeam: 'Alleen het examenbureau wijzigt de beoordelaars van een gepland examen. Je mag wel datum, tijd en plaats verzetten.',
  refNotYours: 'Dit examen is al gepland door anderen; alleen de eigen beoordelaars en het examenbureau wijzigen het.',
  refNotEnrolled: 'Een van de gekozen beoordelaars staat niet op deze toets ingeschreven; het examenbureau kan hem of haar toewijzen.',
  refPlace: 'Vul de plaats in: een leerbedrijf met adres, of een locatie op school.', refOwn: 'De kandidaat kan niet zijn of haar eigen examen beoordelen.',
  refWithdrawReason: 'Schrijf op waarom de vaststelling wordt ingetrokken.', refNoLicence: 'De school heeft geen licentie voor dit examen.',
  refSignature: 'De handtekening kon niet worden opgeslagen. Teken opnieuw.', refOther: 'Dit kon niet worden opgeslagen. Vraag het examenbureau om hulp.', refGone: 'Dit bestaat niet (meer), of je hebt er geen toegang toe.', refBusy: 'Proeve is even niet bereikbaar. Probeer het zo opnieuw.',
  identityWhat: 'Wat is er gebeurd?', identityWhatHelp: 'Bijvoorbeeld: geen identiteitsbewijs bij zich; herkend door de praktijkopleider. Het examenbureau ziet dit.',
  identityWhatNeeded: 'De identiteit is niet gecontroleerd: schrijf op wat er gebeurde.',
  finishTitle: 'Afronden', finishConfirmOne: 'Na afronden kun je de scores niet meer wijzigen. Daarna tekenen jij en de kandidaat.',
  finishConfirmTwo: 'Na afronden wacht het examen op {0}. Verschillen jullie van oordeel, dan stellen jullie samen het gezamenlijk oordeel vast.',
  finishYes: 'Ja, afronden', notScoredYet: 'nog niet beoordeeld', missingCount: 'Nog {0} criteria te beoordelen (hieronder met een link).',
  knockOutMissed: 'niet gehaald', yourResult: 'Jouw uitslag (nog niet samen vastgesteld)',
  finishRefused: 'Afronden lukte niet:', finishFix: 'Naar de samenvatting', finishSending: 'Je afronding wordt verzonden…',
  finishOffline: 'Je hebt afgerond op dit toestel. Zodra er verbinding is, wordt het verzonden en zie je hier of je collega ook klaar is.',
  finishNotYet: 'Je hebt je beoordeling nog niet afgerond.', youFinished: 'Je hebt je beoordeling afgerond.',
  waitingFor: 'Wachten op {0}: die rondt de beoordeling af op de eigen telefoon. Dit scherm ververst vanzelf.',
  reopen: 'Mijn beoordeling toch aanpassen', differ: 'Jullie oordelen verschillen op {0} punt(en). Stel samen met {1} het gezamenlijk oordeel vast.',
  waitingForConfirm: 'Je hebt het gezamenlijk oordeel vastgelegd. Wachten tot {0} het bevestigt.',
  jointToConfirm: '{0} legde het gezamenlijk oordeel vast. Bekijk het en bevestig het.', jointToDo: 'Eén van jullie legt het gezamenlijk oordeel vast, de ander bevestigt het.',
  jointOpen: 'Gezamenlijk oordeel bekijken', jointStart: 'Naar het gezamenlijk oordeel',
  signTitle: 'Ondertekenen', candidateSignsWith: 'De kandidaat tekent één keer, op de telefoon van {0}.', candidateSignsHere: 'De kandidaat tekent toch op deze telefoon',
  allSent: 'Alles is verzonden.', you: 'jij', jointLevel: 'Gezamenlijk oordeel',
  jointIntro: 'Alleen de punten waarop jij en {0} verschillen. Kies samen het niveau en schrijf op waarom.',
  jointOffline: 'Het gezamenlijk oordeel vraagt verbinding: jullie moeten allebei hetzelfde zien.',
  jointOrChange: 'Niet eens? Pas het aan (dan bevestigt je collega jouw versie)',
  jointBothBack: 'Jullie staan allebei achter dit gezamenlijk oordeel.', jointWaitingFor: 'Vastgelegd. Wachten tot {0} het bevestigt.',
  jointRationaleHelp: 'Komt op het proces-verbaal.', jointChooseAll: 'Kies bij elk verschil het gezamenlijke niveau.',
  jointRationaleNeeded: 'Schrijf op waarom jullie tot dit oordeel kwamen.', jointSave: 'Vastleggen', jointSaveChanged: 'Mijn versie vastleggen',
  finishState: 'Stand van afronden', recentlyDone: 'Onlangs afgerond',
  planWhenMissing: 'Vul datum, begintijd en eindtijd in.', assessorsNeededHelp: 'Dit examen heeft {0} beoordelaar(s) nodig.',
  levelsMean: 'Wat betekenen de niveaus hier?', addNote: 'Toelichting',
  finishBlocked: 'Je afronding wacht: een eerdere wijziging werd niet opgeslagen.', toSync: 'Naar Verzenden',
  and: 'en', op_plan: 'Planning', op_sheet: 'Beoordeling', op_judge: 'Afronden', op_sign: 'Handtekening',
  discardSure: 'Deze wijziging weggooien? Dat is niet terug te draaien.',
  haveCode: 'Ik heb een inlogcode', haveCodeHelp: 'Opende je de inloglink in een andere browser dan deze app? Die toonde een code: vul hem hier in.',
  tooManyTries: 'Dat is vaak geprobeerd vanaf dit netwerk. Probeer het over tien minuten opnieuw.', notEmail: 'Vul een e-mailadres in, zoals naam@bedrijf.nl.',
  code: 'Inlogcode', codeWrong: 'Deze code werkt niet (meer). Een code werkt één keer, 10 minuten lang.',
  signOutEverywhere: '{0} overal uitloggen', signedOutEverywhere: '{0} is op alle toestellen uitgelogd.', devices: 'Toestellen',
  schoolExams: 'Examens van de school', schoolExamsHelp: 'Welke examens de examencommissie heeft vastgesteld voor gebruik op deze school. Het SIS ziet dit in de catalogus van Proeve.', level: 'niveau {0}', noLicence: 'Geen licentie', examApproved: 'Vastgesteld', examNotApproved: 'Niet vastgesteld', approvedBy: 'Vastgesteld {0} door {1}', withdrawnBy: 'Vaststelling ingetrokken {0} door {1}', approveExam: 'Vaststellen voor de school', withdrawApproval: 'Vaststelling intrekken', withdrawYes: 'Ja, intrekken',
  allExams: 'Alle examens', from: 'Vanaf', until: 'Tot en met', selectAll: 'Alles selecteren', noFlags: 'Niets bijzonders',
  openExam: 'Examen, formulier en proces-verbaal', finaliseConfirm: 'Je stelt {0} uitslag(en) vast namens de examencommissie:',
  finaliseYes: 'Ja, vaststellen', finalisedCount: '{0} uitslag(en) vastgesteld.', finalisedList: 'Vastgesteld',
  finalisedBy: 'op {0} door {1}',
  flag_identityNotChecked: 'Identiteit niet gecontroleerd', flag_irregularities: 'Bijzonderheden', flag_timesFarFromPlan: 'Anders dan gepland',
  flag_disagreement: 'Beoordelaars verschilden', flag_refusedSignature: 'Kandidaat tekende niet', flag_corrected: 'Gecorrigeerd', flag_failed: 'Niet geslaagd',
  actorSis: 'Het SIS', actorProeve: 'Proeve', actorUnknown: 'Iemand die niet meer bekend is',
  act_enrolment_linked: 'stuurde een tweede inschrijving voor hetzelfde examen (telt mee)', act_combined_from_its_parts: 'gaf het hele examen zijn uitslag uit de onderdelen', act_not_combined_from_its_parts: 'kon het hele examen geen uitslag geven uit de onderdelen (het examenbureau kijkt ernaar)', act_enrolment_unlinked: 'annuleerde een van de inschrijvingen', act_enrolment_moved: 'annuleerde de eerste inschrijving; het examen telt voor de andere', answersFor: 'Telt voor',
  act_received: 'stuurde de inschrijving', act_planned: 'plande het examen', act_replanned: 'plande het examen opnieuw',
  act_canceled: 'annuleerde het examen', act_scored: 'beoordeelde', act_jointly_scored: 'legde het gezamenlijk oordeel vast',
  act_joint_judgement_confirmed: 'bevestigde het gezamenlijk oordeel', act_finished: 'rondde de eigen beoordeling af',
  act_judged: 'stelde de beoordeling vast', act_signed_by_assessor: 'tekende als beoordelaar',
  act_acknowledged_by_candidate: 'tekende voor gezien (kandidaat)', act_candidate_refused_to_acknowledge: 'legde vast dat de kandidaat weigerde te tekenen',
  act_signed: 'ondertekend: de vastlegging is definitief', act_finalised: 'stelde de uitslag vast namens de examencommissie',
  act_corrected: 'corrigeerde de uitslag', act_countersigned: 'ondertekende de correctie mede',
  act_documents_rendered: 'maakte de documenten', act_delivery_retried: 'stuurde de uitslag opnieuw naar het SIS', act_other: 'wijzigde het examen',
  auditSaves: '{0} keer opgeslagen', auditCriteria: '{0} criteria', auditDisagreed: 'de beoordelaars verschilden op {0} punt(en)', auditDrawn: 'getekend op {0}',
  beforeExam: 'Voor je examen', bringId: 'Neem een geldig identiteitsbewijs mee (paspoort, identiteitskaart of rijbewijs) op naam van {0}. Zonder kan de beoordelaar je identiteit niet controleren.',
  granted: 'Voor jou geregeld:', contactIll: 'Vragen, of ben je ziek?',
  refNoteFor: 'Een onvoldoende score vraagt een toelichting: {0}.', refTwice: '{0} is twee keer gekozen.',
  refNotEnrolledWho: '{0} staat niet op deze toets ingeschreven; het examenbureau kan hem of haar toewijzen.',
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
  sisPending: 'Nog te plannen (OKE 1.1)', sisPlanned: 'Gepland (OKE 1.1)', sisCanceledStatus: 'Geannuleerd (OKE 1.1)', sisAttendance: 'Aanwezigheid', sisSigned: 'Uitslag (getekend)', sisFinalised: 'Uitslag (vastgesteld)', sisCorrected: 'Uitslag (gecorrigeerd)', sisCountersigned: 'Uitslag (correctie medeondertekend)',
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
  myExams: 'My exams', toAssess: 'To assess', toPlan: 'To plan', moreToPlan: 'Show more', shownOf: '{0} of {1} shown.', offlineOnPhone: 'No connection: only the exams on this phone.', andMore: 'and {0} more', finalising: 'Determining: {0} of {1}…', noCases: 'No exams.',
  upcoming: 'Today and later', today: 'Today', later: 'Coming up', pipeline: 'Overview', finalise: 'Finalise',
  finaliseSelected: 'Finalise selected ({0})', nothingToFinalise: 'Nothing to finalise.',
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
  knockOut: 'knock-out', irregularities: 'Irregularities', auditTimesReason: 'Why the times differ from the plan',
  irregularitiesHelp: 'For example: a disruption, help given, exam interrupted.',
  motivation: 'Motivation and feedback', motivationHelp: 'Why this judgement, and what the candidate can learn from it. It is on the assessment form.',
  summary: 'Summary', points: 'Points', passMark: 'Pass mark', knockOutsMissed: 'Knock-out criteria not met',
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
  jointRationale: 'Why the assessors came to this joint judgement', confirmJoint: 'Confirm and finish',
  jointConfirmHelp: '{0} recorded this joint judgement. Confirm it if you agree: then the exam is judged and the session report says you came to it together.',
  jointConfirmed: 'You stand behind this joint judgement.',
  jointChanged: 'The joint judgement changed meanwhile. Open it again and look at it.',
  jointNotConfirmable: 'This joint judgement cannot be confirmed (any more).',
  changeReasonNeeded: 'Say why the assessors change.',
  authority: 'On whose authority', byCommittee: 'Decision of the exam committee', byAppeal: 'Ruling on appeal',
  actualTimes: 'Actual begin and end', actualTimesHelp: 'As this phone recorded them. If they are wrong, put them right here.',
  countersignDue: 'Corrections to countersign',
  countersignHelp: 'The exam office corrected the result after you signed. Look at the correction and countersign once you have taken note of it.',
  countersign: 'I have seen the correction: countersign', countersigned: 'Countersigned by {0} on {1}',
  examLeader: 'Exam leader', leadAssessor: 'The first assessor',
  timesReason: 'Why do the begin or end lie more than an hour from the plan?',
  timesReasonNeeded: 'The begin or end lies more than an hour from the plan: say why.',
  refNotScored: 'Not scored yet: {0}.', refIdentity: 'Record first whether you checked the identity.',
  refAttendance: 'Record first whether the candidate was present.', refNothing: 'Nothing is scored yet.',
  refState: 'Not any more: the exam is {0}.', refAssessors: 'This exam needs {0} assessors.',
  refCorrectThePart: 'This exam’s result is made of its parts: correct the part, and the whole exam follows.',
  gradeInsufficient: 'insufficient', gradeSatisfactory: 'satisfactory', gradeGood: 'good',
  partNamed: 'part {0}: {1}', parts: 'Parts', unitResults: 'Partial results', waitingForParts: 'waiting for its parts', partNotEnrolled: 'not enrolled yet',
  waitsForParts: 'This exam is taken per part: each part is planned and signed on its own. The whole exam gets its result once every part is signed.',
  madeOfParts: 'This result is made of the parts below.',
  refPartsApart: 'This exam is taken per part: plan each part on its own. The whole exam gets its result once every part is signed.',
  refEndBeforeStart: 'The end must be after the start.', refWindow: 'The exam must take place between {0} and {1}, as the school set it.',
  refTeam: 'Only the exam office changes the assessors of a planned exam. You may move its date, time and place.',
  refNotYours: 'Others planned this exam; only its own assessors and the exam office change it.',
  refNotEnrolled: 'One of the chosen assessors is not enrolled on this test; the exam office can assign them.',
  refPlace: 'Fill in the place: a workplace with its address, or a location at school.', refOwn: 'The candidate cannot assess their own exam.',
  refWithdrawReason: 'Say why the approval is withdrawn.', refNoLicence: 'The school holds no licence for this exam.',
  refSignature: 'The signature could not be saved. Sign again.', refOther: 'This could not be saved. Ask the exam office for help.', refGone: 'This does not exist (any more), or you have no access to it.', refBusy: 'Proeve cannot be reached just now. Try again shortly.',
  identityWhat: 'What happened?', identityWhatHelp: 'For example: no identity document; recognised by the workplace trainer. The exam office sees this.',
  identityWhatNeeded: 'The identity was not checked: write down what happened.',
  finishTitle: 'Finishing', finishConfirmOne: 'After finishing you cannot change the scores. Then you and the candidate sign.',
  finishConfirmTwo: 'After finishing the exam waits for {0}. Where your judgements differ, you record the joint judgement together.',
  finishYes: 'Yes, finish', notScoredYet: 'not scored yet', missingCount: '{0} criteria still to score (linked below).',
  knockOutMissed: 'not met', yourResult: 'Your result (not yet agreed)',
  finishRefused: 'Finishing did not work:', finishFix: 'To the summary', finishSending: 'Sending your finish…',
  finishOffline: 'You finished on this device. Once connected it is sent, and this screen shows whether your colleague is done too.',
  finishNotYet: 'You have not finished your assessment yet.', youFinished: 'You finished your assessment.',
  waitingFor: 'Waiting for {0}, who finishes on their own phone. This screen refreshes by itself.',
  reopen: 'Change my assessment after all', differ: 'Your judgements differ on {0} point(s). Record the joint judgement with {1}.',
  waitingForConfirm: 'You recorded the joint judgement. Waiting for {0} to confirm it.',
  jointToConfirm: '{0} recorded the joint judgement. Look at it and confirm it.', jointToDo: 'One of you records the joint judgement, the other confirms it.',
  jointOpen: 'View the joint judgement', jointStart: 'To the joint judgement',
  signTitle: 'Signing', candidateSignsWith: "The candidate signs once, on {0}'s phone.", candidateSignsHere: 'The candidate signs on this phone instead',
  allSent: 'Everything is sent.', you: 'you', jointLevel: 'Joint judgement',
  jointIntro: 'Only the points where you and {0} differ. Choose the level together and say why.',
  jointOffline: 'The joint judgement needs a connection: you must both see the same.',
  jointOrChange: 'Disagree? Change it (your colleague then confirms your version)',
  jointBothBack: 'You both stand behind this joint judgement.', jointWaitingFor: 'Recorded. Waiting for {0} to confirm it.',
  jointRationaleHelp: 'Goes on the session report.', jointChooseAll: 'Choose the joint level for every difference.',
  jointRationaleNeeded: 'Write down why you came to this judgement.', jointSave: 'Record', jointSaveChanged: 'Record my version',
  finishState: 'Where finishing stands', recentlyDone: 'Recently finished',
  planWhenMissing: 'Fill in the date, start and end.', assessorsNeededHelp: 'This exam needs {0} assessor(s).',
  levelsMean: 'What do the levels mean here?', addNote: 'Note',
  finishBlocked: 'Your finish is waiting: an earlier change was not saved.', toSync: 'To Sending',
  and: 'and', op_plan: 'Planning', op_sheet: 'Assessment', op_judge: 'Finishing', op_sign: 'Signature',
  discardSure: 'Throw this change away? This cannot be undone.',
  haveCode: 'I have a sign-in code', haveCodeHelp: 'Did you open the sign-in link in another browser than this app? It showed a code: enter it here.',
  tooManyTries: 'That was tried often from this network. Try again in ten minutes.', notEmail: 'Enter an e-mail address, such as name@company.com.',
  code: 'Sign-in code', codeWrong: 'This code does not work (any more). A code works once, for 10 minutes.',
  signOutEverywhere: 'Sign {0} out everywhere', signedOutEverywhere: '{0} is signed out on every device.', devices: 'Devices',
  schoolExams: "The school's exams", schoolExamsHelp: "Which exams the exam committee approved for use at this school. The SIS sees this in Proeve's catalogue.", level: 'level {0}', noLicence: 'No licence', examApproved: 'Approved', examNotApproved: 'Not approved', approvedBy: 'Approved {0} by {1}', withdrawnBy: 'Approval withdrawn {0} by {1}', approveExam: 'Approve for the school', withdrawApproval: 'Withdraw approval', withdrawYes: 'Yes, withdraw',
  allExams: 'All exams', from: 'From', until: 'Until', selectAll: 'Select all', noFlags: 'Nothing to note',
  openExam: 'Exam, form and session report', finaliseConfirm: 'You determine {0} result(s) on behalf of the exam committee:',
  finaliseYes: 'Yes, determine', finalisedCount: '{0} result(s) determined.', finalisedList: 'Determined',
  finalisedBy: 'on {0} by {1}',
  flag_identityNotChecked: 'Identity not checked', flag_irregularities: 'Irregularities', flag_timesFarFromPlan: 'Not as planned',
  flag_disagreement: 'Assessors differed', flag_refusedSignature: 'Candidate did not sign', flag_corrected: 'Corrected', flag_failed: 'Not passed',
  actorSis: 'The SIS', actorProeve: 'Proeve', actorUnknown: 'Someone no longer known',
  act_enrolment_linked: 'sent a second enrolment for the same exam (it counts too)', act_combined_from_its_parts: 'gave the whole exam its result from its parts', act_not_combined_from_its_parts: 'could not give the whole exam a result from its parts (for the exam office to look at)', act_enrolment_unlinked: 'canceled one of the enrolments', act_enrolment_moved: 'canceled the first enrolment; the exam counts for the other', answersFor: 'Counts for',
  act_received: 'sent the enrolment', act_planned: 'planned the exam', act_replanned: 'planned the exam again',
  act_canceled: 'canceled the exam', act_scored: 'scored', act_jointly_scored: 'recorded the joint judgement',
  act_joint_judgement_confirmed: 'confirmed the joint judgement', act_finished: 'finished their own assessment',
  act_judged: 'closed the assessment', act_signed_by_assessor: 'signed as assessor',
  act_acknowledged_by_candidate: 'acknowledged (candidate)', act_candidate_refused_to_acknowledge: 'recorded that the candidate would not sign',
  act_signed: 'signed: the record is final', act_finalised: 'determined the result for the exam committee',
  act_corrected: 'corrected the result', act_countersigned: 'countersigned the correction',
  act_documents_rendered: 'made the documents', act_delivery_retried: 'sent the result to the SIS again', act_other: 'changed the exam',
  auditSaves: 'saved {0} times', auditCriteria: '{0} criteria', auditDisagreed: 'the assessors differed on {0} point(s)', auditDrawn: 'drawn at {0}',
  beforeExam: 'Before your exam', bringId: 'Bring a valid identity document (passport, identity card or driving licence) in the name of {0}. Without it the assessor cannot check your identity.',
  granted: 'Arranged for you:', contactIll: 'Questions, or ill?',
  refNoteFor: 'A failing score needs a note: {0}.', refTwice: '{0} is chosen twice.',
  refNotEnrolledWho: '{0} is not enrolled on this test; the exam office can assign them.',
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
  sisPending: 'To plan (OKE 1.1)', sisPlanned: 'Planned (OKE 1.1)', sisCanceledStatus: 'Canceled (OKE 1.1)', sisAttendance: 'Attendance', sisSigned: 'Result (signed)', sisFinalised: 'Result (finalised)', sisCorrected: 'Result (corrected)', sisCountersigned: 'Result (correction countersigned)',
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

/** A refusal from the server, in the reader's words: the server speaks English (for API
 * clients and logs); the app says it in Dutch, with names and criteria, not ids. */
const REFUSALS = [
  [/say why the approval is withdrawn/, () => t('refWithdrawReason')],
  [/holds no licence for this exam/, () => t('refNoLicence')],
  [/criteria not scored: (.*)$/, (m, ctx) => t('refNotScored', m[1].split(', ').map((code) => ctx.criterion?.(code) ?? code).join('; '))],
  [/the identity was not checked: say what happened/, () => t('identityWhatNeeded')],
  [/the identity check is not recorded/, () => t('refIdentity')],
  [/attendance is not recorded/, () => t('refAttendance')],
  [/more than \d+ minutes from the plan/, () => t('timesReasonNeeded')],
  [/nothing is scored yet/, () => t('refNothing')],
  [/a (\w+) exam cannot be (judged|signed|scored|planned)/, (m) => t('refState', stateName(m[1]))],
  [/this exam needs (\d+) assessor/, (m) => t('refAssessors', m[1])],
  [/the end must be after the start/, () => t('refEndBeforeStart')],
  [/within the window the SIS set \((.*) to (.*)\)/, (m) => t('refWindow', when(m[1]), when(m[2]))],
  [/only the exam office changes the assessors/, () => t('refTeam')],
  [/only the exam's own assessors and the exam office plan/, () => t('refNotYours')],
  [/is not enrolled on this test selection/, () => t('refNotEnrolled')],
  [/name the place/, () => t('refPlace')],
  [/the candidate cannot assess their own exam/, () => t('refOwn')],
  [/a failing score needs a note/, () => t('noteRequired')],
  [/drawnAt|signature/i, () => t('refSignature')],
  [/the joint judgement/, () => t('jointNotConfirmable')],
  [/^too many /, () => t('tooManyTries')],
  [/is not an e-mail address|longer than 254/, () => t('notEmail')],
];

/** A score as Dutch writes it: 6,9 (the API, as OKE, writes 6.9). */
export function grade(score) {
  // A pass-or-fail result says it in its word (passed · failed); an o/v/g one in Dutch.
  if (score === 'passed' || score === 'failed') return '';
  const words = { insufficient: t('gradeInsufficient'), satisfactory: t('gradeSatisfactory'), good: t('gradeGood') };
  if (words[score]) return words[score];
  return typeof score === 'string' && /^\d+\.\d+$/.test(score) && lang !== 'en' ? score.replace('.', ',') : score ?? '';
}

/** A result in words (score with its decimal comma · passed or not, or the attendance). */
export function resultText(o) {
  if (!o) return '';
  const word = o.passed === true ? t('passed') : o.passed === false ? t('failed') : t(o.attendance ?? 'notKnown');
  return [grade(o.score), word].filter(Boolean).join(' · ');
}

/** The exam as people name it: for the sitting of one part, with that part. */
export function examName(c) {
  const name = c?.exam?.name ?? '';
  const p = c?.exam?.part;
  return p ? `${name} · ${t('partNamed', p.code, p.title)}` : name;
}

/** A name as it reads in a sentence: the SIS's "Jong, Jo de" is "Jo de Jong". */
export function prose(name) {
  const m = String(name ?? '').match(/^([^,]+),\s*(.+)$/);
  return m ? `${m[2]} ${m[1]}` : String(name ?? '');
}

/** Names joined so they read as people: "A", "A en B", "A, B en C". */
export function people(names) {
  const list = names.map(prose);
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} ${t('and')} ${list.at(-1)}` : list.join('');
}

/** Refusals the server gives a code for (`code`, `params` in the problem), in words. */
const CODED = {
  wrongState: (p) => t('refState', stateName(p.state)),
  notScored: (p, ctx) => t('refNotScored', (p.criteria ?? []).map((c) => ctx.criterion?.(c) ?? c).join('; ')),
  identityNotAnswered: () => t('refIdentity'),
  identityUncheckedWithoutNote: () => t('identityWhatNeeded'),
  noAttendance: () => t('refAttendance'),
  timesFarFromPlan: () => t('timesReasonNeeded'),
  nothingScored: () => t('refNothing'),
  noteNeeded: (p, ctx) => t('refNoteFor', ctx.criterion?.(p.criterion) ?? p.criterion ?? ''),
  endBeforeStart: () => t('refEndBeforeStart'),
  partsApart: () => t('refPartsApart'),
  correctThePart: () => t('refCorrectThePart'),
  outsideWindow: (p) => t('refWindow', when(p.from), when(p.until)),
  assessorsNeeded: (p) => t('refAssessors', p.needed),
  ownExam: () => t('refOwn'),
  placeMissing: () => t('refPlace'),
  namedTwice: (p, ctx) => t('refTwice', prose(ctx.person?.(p.personId) ?? '')),
  notEnrolled: (p, ctx) => t('refNotEnrolledWho', prose(ctx.person?.(p.personId) ?? '')),
};

/** A refusal from the server, in the reader's words: by its code where it has one (an
 * ApiError, or `{message, code, params}` as the outbox keeps it), else by its English text
 * (for API clients and logs), never the text itself. */
export function say(error, ctx = {}) {
  const message = typeof error === 'string' ? error : error?.message ?? '';
  const code = typeof error === 'object' ? error?.code ?? error?.body?.code : undefined;
  const params = (typeof error === 'object' ? error?.params ?? error?.body?.params : undefined) ?? {};
  if (lang === 'en') return String(message ?? '');
  if (code && CODED[code]) return CODED[code](params, ctx);
  for (const [pattern, words] of REFUSALS) {
    const m = String(message).match(pattern);
    if (m) return words(m, ctx);
  }
  const status = typeof error === 'object' ? error?.status : undefined;
  if (status === 404) return t('refGone');
  if (status >= 500) return t('refBusy');
  return t('refOther');
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
