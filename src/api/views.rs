//! Exam cases as the people's API shows them. What a list needs is loaded in a fixed number
//! of queries for all its cases together ([`Loaded`]), never case by case; one case is a
//! list of one. What a person sees of a case follows from their [`Relation`] to it.

use super::access::Relation;
use super::Me;
use crate::assessment::{corrections, sheets};
use crate::case::CaseState;
use crate::catalog::Catalog;
use crate::config::TenantSettings;
use crate::http::{ApiError, AppState};
use crate::planning::{self, CandidateFacts};
use chrono::{DateTime, Utc};
use entity::{
    assessment_sheet, association, audit_event, case_assessor, case_enrolment, correction,
    exam_case, offering, person, signature,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// A person as the API names them.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonRef {
    person_id: Uuid,
    display_name: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExamRef {
    component_id: Uuid,
    code: String,
    name: String,
    /// The OKE result value type (`pass-or-fail`, `0.0-10.0`, ...).
    result_value_type: String,
    /// How many assessors the exam's assessment model asks for.
    assessors_needed: u8,
    /// For an exam taken per part, when this case sits one part: that part.
    #[serde(skip_serializing_if = "Option::is_none")]
    part: Option<PartRef>,
}

/// The result of one result unit of the exam (a part, a core task), from the scores that
/// decided.
#[derive(Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitResultView {
    code: String,
    name: String,
    score: String,
    passed: bool,
    raw_score: u32,
    max_raw_score: u32,
}

/// A part of an exam taken per part.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartRef {
    code: String,
    title: String,
}

/// Where one part of an exam taken per part stands, for the whole exam's case: its latest
/// sitting (none yet: the SIS has not enrolled the student on that part).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartStatusView {
    code: String,
    title: String,
    /// The sitting's exam case and state; absent while there is none.
    case_id: Option<Uuid>,
    state: Option<String>,
    attempt: Option<i32>,
    planned_start: Option<DateTime<Utc>>,
    /// Its result, once signed (as the whole shows its own).
    score: Option<String>,
    passed: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaceView {
    /// `workplace` or `school`.
    kind: String,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessorView {
    #[serde(flatten)]
    person: PersonRef,
    position: i32,
    /// `enrolled` (by the SIS) or `assigned` (by the exam office).
    source: String,
}

/// The result as it stands.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeView {
    /// The OKE attendance value.
    pub attendance: Option<String>,
    pub raw_score: Option<i32>,
    pub max_raw_score: Option<i32>,
    pub passed: Option<bool>,
    /// In the exam's result value type, as OKE writes it (a string).
    pub score: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionView {
    /// The version of the record this correction made, as the documents number it (the
    /// signed judgement is version 1; every correction and decision of the committee adds one).
    version: i32,
    reason: String,
    corrected_at: DateTime<Utc>,
    corrected_by: PersonRef,
    /// On whose authority: `examCommittee` or `appeal` (absent: not recorded).
    authority: Option<String>,
    /// The result before and after (state, attendance, rawScore, maxRawScore, passed, score).
    #[schema(value_type = Object)]
    before: Value,
    #[schema(value_type = Object)]
    after: Value,
    /// The assessors who countersigned this correction, and when.
    countersigned_by: Vec<CountersignView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountersignView {
    person: PersonRef,
    at: DateTime<Utc>,
}

/// An exam case as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    case_id: Uuid,
    /// received, planned, assessed, signed, final or canceled.
    state: String,
    /// Send it back with a change; a stale one gets 409.
    revision: i64,
    attempt: i32,
    offering_id: Uuid,
    candidate: PersonRef,
    exam: Option<ExamRef>,
    model_version: Option<i32>,
    /// When the SIS's enrolment made this exam case: the lists' order (oldest first).
    received_at: DateTime<Utc>,
    planned_start: Option<DateTime<Utc>>,
    planned_end: Option<DateTime<Utc>>,
    place: Option<PlaceView>,
    assessors: Vec<AssessorView>,
    /// Absent until judged; a candidate sees it once the exam is signed.
    outcome: Option<OutcomeView>,
    corrections: Vec<CorrectionView>,
    /// For the exam's planned assessors and the exam office (the latter not in the list):
    /// what the identity check compares with, and the personal needs the SIS sent.
    candidate_details: Option<CandidateDetails>,
    signatures: Vec<SignatureView>,
    /// For planning (exam office and assessors; for the office not in the list): the
    /// assessors the SIS enrolled on the offering.
    assessor_options: Vec<PersonRef>,
    /// The signed result is provisional: the school's exam committee determines it in Proeve
    /// and has not yet (shown to everyone who sees the result).
    result_provisional: bool,
    /// With a signed result: how and until when the candidate may object or appeal (the
    /// school's words).
    appeal: Option<String>,
    /// Whom the candidate contacts about the exam (questions, illness): the school's words.
    contact: Option<String>,
    /// The exam was corrected after you signed it and you have not countersigned the latest
    /// correction yet (`POST .../corrections/countersign`).
    countersign_due: bool,
    /// The examenleider the exam office named (absent: the lead assessor leads the exam).
    exam_leader: Option<PersonRef>,
    /// For the exam's assessors while it is planned: where its closing stands.
    finishing: Option<FinishingView>,
    /// For the staff, once judged: what the exam committee should look at before it
    /// determines the result: `identityNotChecked`, `irregularities`, `timesFarFromPlan`,
    /// `disagreement` (a joint judgement decided), `refusedSignature`, `corrected`, `failed`.
    flags: Vec<&'static str>,
    /// When the exam committee determined the result in Proeve, and who recorded it (staff).
    finalised_at: Option<DateTime<Utc>>,
    finalised_by: Option<PersonRef>,
    /// For the staff, when the exam answers more than its own SIS enrolment (the student was
    /// enrolled for it twice, e.g. under two programmes): the planbare toets of each, its own
    /// first. Each gets the result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    answers_for: Vec<String>,
    /// For the whole of an exam taken per part, once parts are sat on their own: each part's
    /// latest sitting. The whole is not planned itself; it gets its result when every part
    /// is signed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<PartStatusView>,
    /// The whole waits for its parts (it cannot be planned as one performance).
    waits_for_parts: bool,
    /// With the outcome, on the exam's own screen: the result of each result unit the exam
    /// produces besides the whole (each part, each core task), as its enrolment gets it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unit_results: Vec<UnitResultView>,
}

/// Where the closing of a planned exam stands: who finished, whom it waits for, and where
/// the two assessors differ, who stands behind the joint judgement.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FinishingView {
    finished: Vec<PersonRef>,
    waiting_for: Vec<PersonRef>,
    /// The criterion codes (and `attendance`) on which their own sheets differ; known once
    /// both finished.
    differences: Vec<String>,
    /// With differences: whether the joint judgement is complete.
    joint_complete: bool,
    /// With differences: who stands behind the joint judgement as it now is.
    joint_backed_by: Vec<PersonRef>,
    /// Who collects the candidate's signature: the lead assessor's phone.
    candidate_signs_with: Option<PersonRef>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CandidateDetails {
    /// The name exactly as on the identity document (or `secret` / `notAvailable`).
    id_check_name: Option<String>,
    /// Personal needs (codes such as `ExtraTimeOnlyMath25%`, with a description where the
    /// SIS gave one).
    personal_needs: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureView {
    /// `assessor` or `candidate`.
    role: String,
    person_id: Uuid,
    /// When the server received it.
    signed_at: DateTime<Utc>,
    /// When it was drawn on the device (by the server's clock, as the app measured it).
    drawn_at: Option<DateTime<Utc>>,
    /// The candidate refused to acknowledge (the reason is in the audit trail).
    refused: bool,
}

/// Ids per query: well under every database's limit of bound parameters (SQLite's is 999 in
/// old builds). A list of N cases takes a fixed number of queries per 500 of them.
const CHUNK: usize = 500;

/// What assessors write when there was nothing irregular: not a flag.
const NONE: [&str; 6] = ["geen", "geen bijzonderheden", "nee", "-", "n.v.t.", "none"];

/// What the views of a set of cases need, each kind read in one query (per chunk of ids).
#[derive(Default)]
pub struct Loaded {
    /// By case, first assessor first.
    assessors: HashMap<Uuid, Vec<case_assessor::Model>>,
    /// Display names by person.
    names: HashMap<Uuid, Option<String>>,
    /// By case, oldest first.
    corrections: HashMap<Uuid, Vec<correction::Model>>,
    /// By case: the sheets of judged exams the staff see (for the flags).
    sheets: HashMap<Uuid, Vec<assessment_sheet::Model>>,
    /// By case: the latest decision of the committee (who recorded it), for the staff.
    decided_by: HashMap<Uuid, Uuid>,
    /// By case: where the closing of a planned exam stands (for its assessors).
    progress: HashMap<Uuid, sheets::Progress>,
    /// By case: who countersigned which correction (its number), when.
    countersigns: HashMap<Uuid, Vec<(i32, Uuid, DateTime<Utc>)>>,
    /// By case.
    signatures: HashMap<Uuid, Vec<signature::Model>>,
    /// The assessors the SIS enrolled, by offering.
    options: HashMap<Uuid, Vec<Uuid>>,
    /// By case: the offerings of the enrolments linked to it (for the staff).
    linked: HashMap<Uuid, Vec<Uuid>>,
    /// By candidate: the sittings of parts of exams taken per part.
    sittings: HashMap<Uuid, Vec<exam_case::Model>>,
    /// By case (on its own screen only): its result units' results.
    unit_results: HashMap<Uuid, Vec<UnitResultView>>,
    /// Names of those offerings and of the cases' own.
    offering_names: HashMap<Uuid, String>,
    /// The candidate's facts, by case (only for the cases that show them).
    facts: HashMap<Uuid, CandidateFacts>,
    /// Whether the school's exam committee determines results in Proeve.
    finalises_in_proeve: bool,
    /// The school's words on objecting and appealing.
    appeal: Option<String>,
    /// Whom candidates contact.
    contact: Option<String>,
}

/// One case to show, and how the person stands to it.
pub struct Shown<'a> {
    pub case: &'a exam_case::Model,
    pub relation: &'a Relation,
}

/// What of a case this person sees. `full`: with the candidate details and the assessor
/// options (the exam office's list of every exam of the school leaves them out; they come with
/// the exam itself).
struct Sees {
    outcome: bool,
    details: bool,
    options: bool,
}

fn sees(c: &exam_case::Model, r: &Relation, me: &Me, full: bool) -> Sees {
    let outcome_visible = me.staff()
        || r.planned_assessor
        || (r.candidate && matches!(c.state, CaseState::Signed | CaseState::Final));
    Sees {
        outcome: outcome_visible && c.attendance.is_some(),
        // What the identity check compares with and the candidate's needs: for the exam's
        // own assessors and the exam office, not for every assessor enrolled on the offering;
        // and for the candidate, who should know the extra time granted and the name the
        // identity document must show.
        details: (full && me.staff()) || r.planned_assessor || r.candidate,
        options: full && (me.staff() || r.planned_assessor || r.enrolled_assessor),
    }
}

async fn in_chunks<M, F, Fut>(ids: &BTreeSet<Uuid>, mut query: F) -> Result<Vec<M>, ApiError>
where
    F: FnMut(Vec<Uuid>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<M>, sea_orm::DbErr>>,
{
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(query(chunk.to_vec()).await?);
    }
    Ok(out)
}

/// The results of a judged exam's result units, from the scores that decided (for the whole
/// of an exam taken per part: its sittings' together).
async fn unit_results(
    db: &DatabaseConnection,
    c: &exam_case::Model,
) -> Result<Vec<UnitResultView>, ApiError> {
    let Some(model) = crate::catalog::versions::of_case(db, c).await? else {
        return Ok(Vec::new());
    };
    if model.results.is_empty() {
        return Ok(Vec::new());
    }
    let ids = match &c.sittings {
        Some(list) => crate::planning::sittings::ids(list),
        None => vec![c.case_id],
    };
    let mut scores = crate::assessment::scoring::Scores::new();
    for id in ids {
        scores.extend(sheets::deciding_scores(db, &c.tenant, id).await?);
    }
    Ok(model
        .results
        .iter()
        .filter_map(|u| {
            let o = crate::assessment::scoring::score_unit(&model, u, &scores).ok()?;
            Some(UnitResultView {
                code: u.code.clone(),
                name: u.name.clone(),
                score: o.score,
                passed: o.passed,
                raw_score: o.raw_score,
                max_raw_score: o.max_raw_score,
            })
        })
        .collect())
}

impl Loaded {
    /// Loads what the views of these cases need.
    pub async fn load(
        db: &DatabaseConnection,
        school: &TenantSettings,
        me: &Me,
        shown: &[Shown<'_>],
        full: bool,
    ) -> Result<Loaded, ApiError> {
        let tenant = school.slug.as_str();
        let mut l = Loaded {
            finalises_in_proeve: school.finalise_in_proeve,
            appeal: school.appeal.clone().filter(|a| !a.trim().is_empty()),
            contact: school.contact.clone().filter(|a| !a.trim().is_empty()),
            ..Loaded::default()
        };
        let all: BTreeSet<Uuid> = shown.iter().map(|s| s.case.case_id).collect();
        let want: Vec<(&exam_case::Model, Sees)> = shown
            .iter()
            .map(|s| (s.case, sees(s.case, s.relation, me, full)))
            .collect();
        // For the staff, the parts that made the result of a whole of an exam in parts: what
        // the committee should look at is on them.
        let counted: BTreeSet<Uuid> = if me.staff() {
            shown
                .iter()
                .filter_map(|s| s.case.sittings.as_deref())
                .flat_map(crate::planning::sittings::ids)
                .collect()
        } else {
            BTreeSet::new()
        };
        let with_outcome: BTreeSet<Uuid> = want
            .iter()
            .filter(|(_, w)| w.outcome)
            .map(|(c, _)| c.case_id)
            .chain(counted.iter().copied())
            .collect();
        let signed_by: BTreeSet<Uuid> = all.union(&counted).copied().collect();
        let offerings: BTreeSet<Uuid> = want
            .iter()
            .filter(|(_, w)| w.options)
            .map(|(c, _)| c.offering_id)
            .collect();
        let with_facts: Vec<&exam_case::Model> = want
            .iter()
            .filter(|(_, w)| w.details)
            .map(|(c, _)| *c)
            .collect();

        for a in in_chunks(&all, |ids| {
            case_assessor::Entity::find()
                .filter(case_assessor::Column::Tenant.eq(tenant))
                .filter(case_assessor::Column::CaseId.is_in(ids))
                .order_by_asc(case_assessor::Column::Position)
                .all(db)
        })
        .await?
        {
            l.assessors.entry(a.case_id).or_default().push(a);
        }
        for k in in_chunks(&with_outcome, |ids| {
            correction::Entity::find()
                .filter(correction::Column::Tenant.eq(tenant))
                .filter(correction::Column::CaseId.is_in(ids))
                .order_by_asc(correction::Column::Version)
                .all(db)
        })
        .await?
        {
            l.corrections.entry(k.case_id).or_default().push(k);
        }
        let corrected: BTreeSet<Uuid> = l.corrections.keys().copied().collect();
        let events = in_chunks(&corrected, |ids| {
            audit_event::Entity::find()
                .filter(audit_event::Column::Tenant.eq(tenant))
                .filter(audit_event::Column::CaseId.is_in(ids))
                .filter(audit_event::Column::Action.eq(corrections::COUNTERSIGNED))
                .order_by_asc(audit_event::Column::EventId)
                .all(db)
        })
        .await?;
        for e in events.chunk_by(|a, b| a.case_id == b.case_id) {
            l.countersigns
                .entry(e[0].case_id)
                .or_default()
                .extend(corrections::countersigns(e));
        }
        for s in in_chunks(&signed_by, |ids| {
            signature::Entity::find()
                .filter(signature::Column::Tenant.eq(tenant))
                .filter(signature::Column::CaseId.is_in(ids))
                // The order of the key, as one case's signatures always came on SQLite.
                .order_by_asc(signature::Column::Role)
                .order_by_asc(signature::Column::PersonId)
                .all(db)
        })
        .await?
        {
            l.signatures.entry(s.case_id).or_default().push(s);
        }
        let offerings: Vec<Uuid> = offerings.into_iter().collect();
        for chunk in offerings.chunks(CHUNK) {
            for (offering, person) in planning::enrolled_assessors(db, tenant, chunk).await? {
                l.options.entry(offering).or_default().push(person);
            }
        }

        // What the committee should look at, for the staff.
        let judged: BTreeSet<Uuid> = if me.staff() {
            shown
                .iter()
                .filter(|s| s.case.attendance.is_some())
                .map(|s| s.case.case_id)
                .chain(counted.iter().copied())
                .collect()
        } else {
            BTreeSet::new()
        };
        for s in in_chunks(&judged, |ids| {
            assessment_sheet::Entity::find()
                .filter(assessment_sheet::Column::Tenant.eq(tenant))
                .filter(assessment_sheet::Column::CaseId.is_in(ids))
                .all(db)
        })
        .await?
        {
            l.sheets.entry(s.case_id).or_default().push(s);
        }
        // Who recorded the committee's decision on the final exams, for the staff.
        let finals: BTreeSet<Uuid> = if me.staff() {
            shown
                .iter()
                .filter(|s| s.case.state == CaseState::Final)
                .map(|s| s.case.case_id)
                .collect()
        } else {
            BTreeSet::new()
        };
        for e in in_chunks(&finals, |ids| {
            audit_event::Entity::find()
                .filter(audit_event::Column::Tenant.eq(tenant))
                .filter(audit_event::Column::CaseId.is_in(ids))
                .filter(audit_event::Column::Action.eq(crate::assessment::signing::FINALISED))
                .order_by_asc(audit_event::Column::EventId)
                .all(db)
        })
        .await?
        {
            if let Ok(by) = e.actor.parse() {
                l.decided_by.insert(e.case_id, by);
            }
        }
        // The SIS enrolments each exam answers besides its own, for the staff.
        if full && me.staff() {
            for link in in_chunks(&all, |ids| {
                case_enrolment::Entity::find()
                    .filter(case_enrolment::Column::Tenant.eq(tenant))
                    .filter(case_enrolment::Column::CaseId.is_in(ids))
                    .order_by_asc(case_enrolment::Column::LinkedAt)
                    .all(db)
            })
            .await?
            {
                l.linked
                    .entry(link.case_id)
                    .or_default()
                    .push(link.offering_id);
            }
            let named: BTreeSet<Uuid> = shown
                .iter()
                .filter(|s| l.linked.contains_key(&s.case.case_id))
                .map(|s| s.case.offering_id)
                .chain(l.linked.values().flatten().copied())
                .collect();
            for o in in_chunks(&named, |ids| {
                offering::Entity::find()
                    .filter(offering::Column::Tenant.eq(tenant))
                    .filter(offering::Column::OfferingId.is_in(ids))
                    .all(db)
            })
            .await?
            {
                l.offering_names.insert(o.offering_id, o.name);
            }
        }
        // The parts' sittings of the wholes of exams taken per part (there are none for
        // other exams).
        let candidates: BTreeSet<Uuid> = shown
            .iter()
            .filter(|s| s.case.part.is_empty())
            .map(|s| s.case.person_id)
            .collect();
        for c in in_chunks(&candidates, |ids| {
            exam_case::Entity::find()
                .filter(exam_case::Column::Tenant.eq(tenant))
                .filter(exam_case::Column::PersonId.is_in(ids))
                .filter(exam_case::Column::Part.ne(""))
                .filter(exam_case::Column::State.ne(CaseState::Canceled))
                .all(db)
        })
        .await?
        {
            l.sittings.entry(c.person_id).or_default().push(c);
        }
        // The closing of the planned exams this person assesses.
        for sh in shown
            .iter()
            .filter(|s| s.relation.planned_assessor && s.case.state == CaseState::Planned)
        {
            if let Some(p) = sheets::progress_of(db, sh.case).await? {
                l.progress.insert(sh.case.case_id, p);
            }
        }
        // Everyone named: candidates, assessors, correctors, options.
        let mut people: BTreeSet<Uuid> = shown.iter().map(|s| s.case.person_id).collect();
        people.extend(l.assessors.values().flatten().map(|a| a.person_id));
        people.extend(l.corrections.values().flatten().map(|k| k.corrected_by));
        people.extend(l.countersigns.values().flatten().map(|(_, by, _)| *by));
        people.extend(shown.iter().filter_map(|s| s.case.exam_leader));
        people.extend(l.decided_by.values().copied());
        people.extend(l.options.values().flatten().copied());
        let persons = in_chunks(&people, |ids| {
            person::Entity::find()
                .filter(person::Column::Tenant.eq(tenant))
                .filter(person::Column::PersonId.is_in(ids))
                .all(db)
        })
        .await?;
        let enrolments: BTreeSet<Uuid> = with_facts.iter().map(|c| c.association_id).collect();
        let enrolments: HashMap<Uuid, String> = in_chunks(&enrolments, |ids| {
            association::Entity::find()
                .filter(association::Column::Tenant.eq(tenant))
                .filter(association::Column::AssociationId.is_in(ids))
                .all(db)
        })
        .await?
        .into_iter()
        .map(|a| (a.association_id, a.document))
        .collect();
        let documents: HashMap<Uuid, Option<String>> = persons
            .iter()
            .map(|p| (p.person_id, p.document.clone()))
            .collect();
        for c in with_facts {
            let facts = CandidateFacts::of(
                documents.get(&c.person_id).and_then(|d| d.as_deref()),
                enrolments.get(&c.association_id).map(String::as_str),
            );
            l.facts.insert(c.case_id, facts);
        }
        l.names = persons
            .into_iter()
            .map(|p| (p.person_id, p.display_name))
            .collect();
        Ok(l)
    }

    fn person(&self, id: Uuid) -> PersonRef {
        PersonRef {
            person_id: id,
            display_name: self.names.get(&id).cloned().flatten(),
        }
    }

    /// What the exam committee should look at in a judged exam.
    fn flags(&self, c: &exam_case::Model) -> Vec<&'static str> {
        // The whole of an exam in parts: what its parts' records say, and its own result.
        if let Some(list) = &c.sittings {
            let mut flags = Vec::new();
            for id in crate::planning::sittings::ids(list) {
                let part = self
                    .sittings
                    .get(&c.person_id)
                    .and_then(|s| s.iter().find(|s| s.case_id == id));
                for f in part.map(|p| self.flags(p)).unwrap_or_default() {
                    if f != "failed" && !flags.contains(&f) {
                        flags.push(f);
                    }
                }
            }
            if c.passed == Some(false) {
                flags.push("failed");
            }
            return flags;
        }
        let sheets = self.sheets.get(&c.case_id).map_or(&[][..], Vec::as_slice);
        let own = |s: &&assessment_sheet::Model| {
            s.sheet != "joint" && !s.sheet.starts_with("correction-")
        };
        let mut flags = Vec::new();
        if sheets
            .iter()
            .filter(own)
            .any(|s| s.identity_checked == Some(false))
        {
            flags.push("identityNotChecked");
        }
        if sheets.iter().any(|s| {
            s.irregularities.as_deref().is_some_and(|i| {
                !i.trim().is_empty() && !NONE.contains(&i.trim().to_lowercase().as_str())
            })
        }) {
            flags.push("irregularities");
        }
        if sheets
            .iter()
            .filter(own)
            .any(|s| sheets::far_from_plan(c, s))
        {
            flags.push("timesFarFromPlan");
        }
        if sheets.iter().any(|s| s.sheet == "joint") {
            flags.push("disagreement");
        }
        if self
            .signatures
            .get(&c.case_id)
            .is_some_and(|s| s.iter().any(|s| s.refusal.is_some()))
        {
            flags.push("refusedSignature");
        }
        if self
            .corrections
            .get(&c.case_id)
            .is_some_and(|k| !k.is_empty())
        {
            flags.push("corrected");
        }
        if c.passed == Some(false) {
            flags.push("failed");
        }
        flags
    }

    /// A case as the API shows it to this person. A candidate sees the outcome once the exam
    /// is signed.
    /// For the whole of an exam taken per part: each part's latest sitting up to its attempt,
    /// and whether the whole waits for them (parts of its attempt are sat on their own).
    fn parts_of(
        &self,
        c: &exam_case::Model,
        exam: Option<&crate::catalog::Exam>,
    ) -> (Vec<PartStatusView>, bool) {
        let Some(exam) = exam.filter(|e| e.model.sittings == crate::catalog::Sittings::PerPart)
        else {
            return (Vec::new(), false);
        };
        if !c.part.is_empty() {
            return (Vec::new(), false);
        }
        let mine: Vec<&exam_case::Model> = self
            .sittings
            .get(&c.person_id)
            .into_iter()
            .flatten()
            .filter(|s| s.component_id == c.component_id && s.attempt <= c.attempt)
            .collect();
        if mine.is_empty() && c.sittings.is_none() {
            return (Vec::new(), false);
        }
        let waits = c.state == CaseState::Received;
        let parts = exam
            .model
            .parts
            .iter()
            .map(|p| {
                let latest = mine
                    .iter()
                    .filter(|s| s.part == p.code)
                    .max_by_key(|s| (s.attempt, s.created_at));
                PartStatusView {
                    code: p.code.clone(),
                    title: p.title.clone(),
                    case_id: latest.map(|s| s.case_id),
                    state: latest.map(|s| s.state.to_string()),
                    attempt: latest.map(|s| s.attempt),
                    planned_start: latest.and_then(|s| s.planned_start),
                    score: latest
                        .filter(|s| matches!(s.state, CaseState::Signed | CaseState::Final))
                        .and_then(|s| s.score.clone()),
                    passed: latest
                        .filter(|s| matches!(s.state, CaseState::Signed | CaseState::Final))
                        .and_then(|s| s.passed),
                }
            })
            .collect();
        (parts, waits)
    }

    pub fn view(&self, catalog: &Catalog, s: &Shown<'_>, me: &Me, full: bool) -> CaseView {
        let (c, r) = (s.case, s.relation);
        let w = sees(c, r, me, full);
        let exam = c.component_id.and_then(|id| catalog.get(id));
        let assessors = self
            .assessors
            .get(&c.case_id)
            .into_iter()
            .flatten()
            .map(|a| AssessorView {
                person: self.person(a.person_id),
                position: a.position,
                source: a.source.clone(),
            })
            .collect();
        let outcome = w.outcome.then(|| OutcomeView {
            attendance: c.attendance.clone(),
            raw_score: c.raw_score,
            max_raw_score: c.max_raw_score,
            passed: c.passed,
            score: c.score.clone(),
        });
        let countersigns = self
            .countersigns
            .get(&c.case_id)
            .map_or(&[][..], Vec::as_slice);
        let corrections = if w.outcome {
            let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
            self.corrections
                .get(&c.case_id)
                .into_iter()
                .flatten()
                .map(|k| {
                    let after = parse(&k.after);
                    CorrectionView {
                        // The version of the record it made, as the documents number it (kept
                        // with the correction); older ones: the version of the result.
                        version: after["version"]
                            .as_i64()
                            .and_then(|v| i32::try_from(v).ok())
                            .unwrap_or(k.version + 1),
                        before: parse(&k.before),
                        after,
                        reason: k.reason.clone(),
                        corrected_at: k.corrected_at,
                        corrected_by: self.person(k.corrected_by),
                        authority: k.authority.clone(),
                        countersigned_by: countersigns
                            .iter()
                            .filter(|(n, _, _)| *n == k.version)
                            .map(|(_, by, at)| CountersignView {
                                person: self.person(*by),
                                at: *at,
                            })
                            .collect(),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let candidate_details = if w.details {
            self.facts.get(&c.case_id).map(|f| CandidateDetails {
                id_check_name: f.id_check_name.clone(),
                personal_needs: f.personal_needs.clone(),
            })
        } else {
            None
        };
        let assessor_options = if w.options {
            self.options
                .get(&c.offering_id)
                .into_iter()
                .flatten()
                .map(|id| self.person(*id))
                .collect()
        } else {
            Vec::new()
        };
        let signatures = self
            .signatures
            .get(&c.case_id)
            .into_iter()
            .flatten()
            .map(|s| SignatureView {
                refused: s.refusal.is_some(),
                role: s.role.clone(),
                person_id: s.person_id,
                signed_at: s.signed_at,
                drawn_at: s.drawn_at,
            })
            .collect();
        let determined = c.state == CaseState::Final || !self.finalises_in_proeve;
        // A correction after you signed waits for your countersignature.
        let signed_it = self.signatures.get(&c.case_id).is_some_and(|s| {
            s.iter()
                .any(|s| s.role == "assessor" && s.person_id == me.person_id)
        });
        let latest = self
            .corrections
            .get(&c.case_id)
            .and_then(|k| k.last())
            .map(|k| k.version);
        let countersign_due = r.planned_assessor
            && signed_it
            && latest.is_some_and(|n| {
                !countersigns
                    .iter()
                    .any(|(m, by, _)| *m == n && *by == me.person_id)
            });
        let parts = self.parts_of(c, exam);
        CaseView {
            result_provisional: outcome.is_some()
                && matches!(c.state, CaseState::Signed | CaseState::Final)
                && !determined,
            appeal: outcome
                .as_ref()
                .filter(|_| matches!(c.state, CaseState::Signed | CaseState::Final))
                .and(self.appeal.clone()),
            contact: self.contact.clone().filter(|_| r.candidate),
            assessor_options,
            candidate_details,
            signatures,
            countersign_due,
            exam_leader: c.exam_leader.map(|id| self.person(id)),
            finalised_at: c
                .finalised_at
                .filter(|_| me.staff() && c.state == CaseState::Final),
            finalised_by: self
                .decided_by
                .get(&c.case_id)
                .filter(|_| c.state == CaseState::Final)
                .map(|id| self.person(*id)),
            answers_for: match self.linked.get(&c.case_id) {
                Some(linked) => std::iter::once(&c.offering_id)
                    .chain(linked)
                    .filter_map(|o| self.offering_names.get(o).cloned())
                    .collect(),
                None => Vec::new(),
            },
            flags: if me.staff() && c.attendance.is_some() {
                self.flags(c)
            } else {
                Vec::new()
            },
            finishing: self.progress.get(&c.case_id).map(|p| FinishingView {
                finished: p.finished.iter().map(|id| self.person(*id)).collect(),
                waiting_for: p.waiting_for.iter().map(|id| self.person(*id)).collect(),
                differences: p.differences.clone(),
                joint_complete: p.joint_complete,
                joint_backed_by: p
                    .joint_backed_by
                    .iter()
                    .map(|id| self.person(*id))
                    .collect(),
                candidate_signs_with: self
                    .assessors
                    .get(&c.case_id)
                    .and_then(|a| a.first())
                    .map(|a| self.person(a.person_id)),
            }),
            case_id: c.case_id,
            state: c.state.to_string(),
            revision: c.revision,
            attempt: c.attempt,
            offering_id: c.offering_id,
            candidate: self.person(c.person_id),
            exam: exam.map(|e| ExamRef {
                component_id: e.id,
                code: e.code.clone(),
                name: e.name.clone(),
                result_value_type: e.result_value_type.as_str().to_string(),
                assessors_needed: e.model.assessors,
                part: e
                    .model
                    .parts
                    .iter()
                    .find(|p| p.code == c.part)
                    .map(|p| PartRef {
                        code: p.code.clone(),
                        title: p.title.clone(),
                    }),
            }),
            parts: parts.0,
            waits_for_parts: parts.1,
            unit_results: self
                .unit_results
                .get(&c.case_id)
                .cloned()
                .unwrap_or_default(),
            model_version: c.model_version,
            received_at: c.created_at,
            planned_start: c.planned_start,
            planned_end: c.planned_end,
            place: c.place_kind.as_ref().map(|k| PlaceView {
                kind: k.clone(),
                name: c.place_name.clone(),
                address: c.place_address.clone(),
            }),
            assessors,
            outcome,
            corrections,
        }
    }
}

/// One case as the API shows it to this person, with everything (what a handler answers
/// after a step).
pub async fn view(
    state: &AppState,
    tenant: &str,
    c: &exam_case::Model,
    r: &Relation,
    me: &Me,
) -> Result<CaseView, ApiError> {
    let shown = [Shown {
        case: c,
        relation: r,
    }];
    let school = &state
        .tenants
        .get(tenant)
        .ok_or_else(|| ApiError::NotFound(format!("There is no school {tenant:?} on this server")))?
        .settings;
    let mut loaded = Loaded::load(&state.db, school, me, &shown, true).await?;
    // On the exam's own screen (not in lists), with its outcome: each result unit's result.
    let sees = sees(c, r, me, true);
    if sees.outcome && c.part.is_empty() && c.attendance.as_deref() == Some("present") {
        let units = unit_results(&state.db, c).await?;
        loaded.unit_results.insert(c.case_id, units);
    }
    Ok(loaded.view(&state.catalog, &shown[0], me, true))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseView>,
    /// Where the next page starts (`after=`); absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}
