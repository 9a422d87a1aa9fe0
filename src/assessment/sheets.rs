//! Scoring an exam: each assessor fills in their own sheet (attendance, identity check,
//! a level and note per criterion, irregularities), in small, frequent saves guarded by a
//! revision so a stale save never overwrites someone else's. A failing criterion needs a note
//! saying why. With two assessors, a joint sheet records the final judgement where they
//! disagreed; then the case is judged: the scoring engine gives its outcome.

use super::scoring::{self, Scores};
use crate::audit::{self, Actor, Change};
use crate::case::{self, invalid, refuse, wrong_state, CaseError, CaseState, Ctx, Owed};
use crate::catalog::{versions, Criterion, Model};
use chrono::{DateTime, Utc};
use entity::{assessment_sheet, criterion_score, exam_case};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// OKE attendance values.
pub const ATTENDANCE: [&str; 5] = [
    "notKnown",
    "notPresent",
    "notStarted",
    "notFinished",
    "present",
];

/// Whose sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Assessor(Uuid),
    Joint,
    /// The exam office's correction of a signed exam (version `n + 1` of the result).
    Correction(i32),
}

impl Sheet {
    fn key(self) -> String {
        match self {
            Sheet::Assessor(id) => id.to_string(),
            Sheet::Joint => "joint".into(),
            Sheet::Correction(n) => format!("correction-{n}"),
        }
    }

    fn from_key(key: &str) -> Option<Sheet> {
        if key == "joint" {
            return Some(Sheet::Joint);
        }
        if let Some(n) = key.strip_prefix("correction-") {
            return n.parse().ok().map(Sheet::Correction);
        }
        key.parse().ok().map(Sheet::Assessor)
    }
}

/// One criterion scored.
#[derive(Debug, Clone)]
pub struct ScoreInput {
    pub criterion: String,
    pub level: u32,
    pub note: Option<String>,
}

/// A save: only what is given changes.
#[derive(Debug, Clone, Default)]
pub struct SheetUpdate {
    pub attendance: Option<String>,
    /// Whether the candidate's identity was checked against `idCheckName`, and how.
    pub identity: Option<(bool, String)>,
    pub irregularities: Option<String>,
    /// The overall motivation of the judgement and feedback to the candidate.
    pub motivation: Option<String>,
    pub scores: Vec<ScoreInput>,
    /// When the exam began and ended, by the assessor's device (it may save much later).
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Why the begin or end lies far from the plan.
    pub times_reason: Option<String>,
}

/// How far the true begin or end may lie from the plan before the assessor must say why.
pub const FAR_FROM_PLAN: chrono::Duration = chrono::Duration::minutes(60);

/// Whether a sheet's begin or end lies far from the exam's plan (another day always does).
pub fn far_from_plan(case: &exam_case::Model, sheet: &assessment_sheet::Model) -> bool {
    let far = |t: Option<DateTime<Utc>>, plan: Option<DateTime<Utc>>| matches!((t, plan), (Some(t), Some(p)) if (t - p).abs() > FAR_FROM_PLAN);
    far(sheet.started_at, case.planned_start) || far(sheet.ended_at, case.planned_end)
}

/// How far a device's clock may run ahead of ours.
pub(super) const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// Checks the begin and end an assessor gives: not in the future, not before the exam was
/// received, and the end not before the begin.
fn check_times(
    case: &exam_case::Model,
    stored: Option<&assessment_sheet::Model>,
    update: &SheetUpdate,
    now: DateTime<Utc>,
) -> Result<(), CaseError> {
    // An exam cannot begin before Proeve knew of it: a time before that is a phone clock
    // that was reset, not an exam. (Before the planned start is fine: plans move.)
    let earliest = case.created_at - CLOCK_SKEW;
    for (field, t) in [
        ("startedAt", update.started_at),
        ("endedAt", update.ended_at),
    ] {
        let Some(t) = t else { continue };
        if t > now + CLOCK_SKEW {
            return invalid(format!("{field} is in the future"));
        }
        if t < earliest {
            return invalid(format!(
                "{field} is before this exam was received from the SIS"
            ));
        }
    }
    let start = update.started_at.or(stored.and_then(|s| s.started_at));
    if let (Some(s), Some(e)) = (start, update.ended_at) {
        if e < s {
            return invalid("endedAt is before startedAt");
        }
    }
    Ok(())
}

/// Whether a level fails its criterion: the lowest level, or below a knock-out's minimum.
pub fn fails(c: &Criterion, level: u32) -> bool {
    level == 0 || (c.knock_out && level < c.knock_out_min.unwrap_or(1))
}

/// The model version the case was planned with.
pub(super) async fn model_of(
    db: &DatabaseTransaction,
    case: &exam_case::Model,
) -> Result<std::sync::Arc<Model>, CaseError> {
    if case.component_id.is_none() || case.model_version.is_none() {
        return invalid("the exam is not planned yet");
    }
    versions::of_case(db, case).await?.ok_or_else(|| {
        CaseError::Invalid(format!(
            "assessment model version {} is missing",
            case.model_version.unwrap_or_default()
        ))
    })
}

/// Saves part of a sheet. `expected_revision` is the sheet revision the client holds (0 for a
/// sheet it has not seen saved). Returns the new revision.
pub async fn save(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    sheet: Sheet,
    expected_revision: i64,
    update: &SheetUpdate,
    actor: &Actor,
) -> Result<i64, CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, tenant, case_id).await?;
    if case.state != CaseState::Planned {
        return wrong_state(
            case.state,
            "score",
            format!("a {} exam cannot be scored", case.state),
        );
    }
    let team = crate::planning::assessors_of(&txn, tenant, case_id).await?;
    match sheet {
        Sheet::Assessor(id) if !team.contains(&id) => {
            return invalid("only the planned assessors score this exam")
        }
        Sheet::Joint if team.len() < 2 => return invalid("a joint judgement needs two assessors"),
        Sheet::Correction(_) => return invalid("a signed exam is corrected, not scored"),
        _ => {}
    }
    let model = model_of(&txn, &case).await?;
    let key = sheet.key();
    let stored = assessment_sheet::Entity::find_by_id((tenant.to_string(), case_id, key.clone()))
        .lock_exclusive()
        .one(&txn)
        .await?;
    let current = stored.as_ref().map_or(0, |s| s.revision);
    if current != expected_revision {
        return Err(CaseError::Stale {
            what: "the sheet",
            expected: expected_revision,
            current,
        });
    }
    if let Some(a) = &update.attendance {
        check_attendance(a)?;
    }
    check_scores(&model, &update.scores)?;
    check_lengths(update)?;
    let now = Utc::now();
    check_times(&case, stored.as_ref(), update, now)?;
    let mut row = assessment_sheet::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case_id),
        sheet: Set(key.clone()),
        revision: Set(current + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(a) = &update.attendance {
        row.attendance = Set(Some(a.clone()));
    }
    if let Some((checked, how)) = &update.identity {
        row.identity_checked = Set(Some(*checked));
        row.identity_method = Set(Some(how.clone()));
    }
    if let Some(i) = &update.irregularities {
        row.irregularities = Set(Some(i.clone()));
    }
    if let Some(m) = &update.motivation {
        row.motivation = Set(Some(m.clone()));
    }
    // A change to one's own sheet reopens it: the exam waits until it is finished again.
    if matches!(sheet, Sheet::Assessor(_)) {
        row.finished_at = Set(None);
    }
    if let Some(m) = &update.times_reason {
        row.times_reason = Set(Some(m.trim().to_string()).filter(|m| !m.is_empty()));
    }
    let began = matches!(
        update.attendance.as_deref(),
        Some("present" | "notFinished")
    );
    if let Some(t) = update.started_at {
        row.started_at = Set(Some(t));
    } else if began && stored.as_ref().is_none_or(|s| s.started_at.is_none()) {
        // No time from the device: the first save saying the candidate is there.
        row.started_at = Set(Some(now));
    }
    if let Some(t) = update.ended_at {
        row.ended_at = Set(Some(t));
    }
    let saved = match stored {
        // Fields not given stay NULL on a new sheet.
        None => row.insert(&txn).await?,
        Some(_) => row.update(&txn).await?,
    };
    // The phone sends the whole sheet each time: write (and record in the trail) only the
    // scores that changed, reading what is stored in one query.
    let stored_scores: std::collections::HashMap<String, criterion_score::Model> =
        criterion_score::Entity::find()
            .filter(criterion_score::Column::Tenant.eq(tenant))
            .filter(criterion_score::Column::CaseId.eq(case_id))
            .filter(criterion_score::Column::Sheet.eq(key.clone()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.criterion.clone(), c))
            .collect();
    let mut changed = Vec::new();
    for s in &update.scores {
        let existing = stored_scores.get(&s.criterion);
        let level = i32::try_from(s.level).unwrap_or(i32::MAX);
        let note = s.note.clone().filter(|n| !n.trim().is_empty());
        if existing.is_some_and(|e| e.level == level && e.note == note) {
            continue;
        }
        let score = criterion_score::ActiveModel {
            tenant: Set(tenant.to_string()),
            case_id: Set(case_id),
            sheet: Set(key.clone()),
            criterion: Set(s.criterion.clone()),
            level: Set(level),
            note: Set(note),
            updated_at: Set(now),
        };
        changed.push(json!({"criterion": s.criterion, "from": existing.map(|e| e.level), "to": level, "note": s.note}));
        match existing {
            None => criterion_score::Entity::insert(score)
                .exec_without_returning(&txn)
                .await
                .map(|_| ())?,
            Some(_) => score.update(&txn).await.map(|_| ())?,
        }
    }
    // The trail holds what this save changed, not the whole sheet again: the phone sends
    // all of it with every save.
    let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
    for (field, was, now) in sheet_fields(stored.as_ref())
        .into_iter()
        .zip(sheet_fields(Some(&saved)))
        .map(|((f, was), (_, now))| (f, was, now))
    {
        if was != now {
            before.insert(field.into(), was);
            after.insert(field.into(), now);
        }
    }
    if !changed.is_empty() {
        after.insert("scores".into(), json!(changed));
    }
    // Saving one's own finished sheet reopens it, even unchanged ("toch aanpassen").
    let reopened = stored
        .as_ref()
        .is_some_and(|s| s.finished_at.is_some() && saved.finished_at.is_none());
    if reopened {
        after.insert("reopened".into(), json!(true));
    }
    if after.is_empty() {
        // Nothing changed (the phone saved what it had saved): no new revision, nothing in
        // the trail.
        txn.rollback().await?;
        return Ok(current);
    }
    let before = stored.as_ref().map(|_| Value::Object(before));
    let after = Value::Object(after);
    let action = match sheet {
        Sheet::Assessor(_) => "scored",
        Sheet::Joint => JOINTLY_SCORED,
        Sheet::Correction(_) => "corrected",
    };
    audit::record(
        &txn,
        Change {
            tenant,
            case_id,
            actor,
            action,
            before,
            after: Some(after),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved.revision)
}

/// A sheet's own fields as the trail names them (`null` for a sheet not saved yet).
fn sheet_fields(s: Option<&assessment_sheet::Model>) -> [(&'static str, Value); 8] {
    [
        ("attendance", json!(s.and_then(|s| s.attendance.clone()))),
        ("identityChecked", json!(s.and_then(|s| s.identity_checked))),
        (
            "identityMethod",
            json!(s.and_then(|s| s.identity_method.clone())),
        ),
        (
            "irregularities",
            json!(s.and_then(|s| s.irregularities.clone())),
        ),
        ("motivation", json!(s.and_then(|s| s.motivation.clone()))),
        ("timesReason", json!(s.and_then(|s| s.times_reason.clone()))),
        ("startedAt", json!(s.and_then(|s| s.started_at))),
        ("endedAt", json!(s.and_then(|s| s.ended_at))),
    ]
}

/// The free texts of a save, each within its bound.
fn check_lengths(update: &SheetUpdate) -> Result<(), CaseError> {
    use crate::case::{bounds, check_text};
    for (field, text, max) in [
        ("irregularities", &update.irregularities, bounds::TEXT),
        ("motivation", &update.motivation, bounds::TEXT),
        ("timesReason", &update.times_reason, bounds::REASON),
    ] {
        if let Some(t) = text {
            check_text(field, t, max)?;
        }
    }
    if let Some((_, how)) = &update.identity {
        check_text("identityMethod", how, bounds::SHORT)?;
    }
    for score in &update.scores {
        if let Some(note) = &score.note {
            check_text(
                &format!("scores[{}].note", score.criterion),
                note,
                bounds::NOTE,
            )?;
        }
    }
    Ok(())
}

pub(super) fn check_attendance(a: &str) -> Result<(), CaseError> {
    if ATTENDANCE.contains(&a) {
        Ok(())
    } else {
        invalid(format!(
            "attendance {a:?} is not one of {}",
            ATTENDANCE.join(", ")
        ))
    }
}

/// Each score names a criterion of the model, once, with a level on its scale; a failing
/// level comes with a note saying why.
pub(super) fn check_scores(model: &Model, scores: &[ScoreInput]) -> Result<(), CaseError> {
    let criteria: BTreeMap<&str, &Criterion> = model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .map(|c| (c.code.as_str(), c))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for s in scores {
        let Some(c) = criteria.get(s.criterion.as_str()) else {
            return invalid(format!(
                "criterion {} is not in this exam's model",
                s.criterion
            ));
        };
        if !seen.insert(s.criterion.as_str()) {
            return invalid(format!("criterion {} is scored twice", c.code));
        }
        let top = model
            .scale(&c.scale)
            .map_or(0, |sc| sc.levels.len().saturating_sub(1) as u32);
        if s.level > top {
            return invalid(format!(
                "criterion {}: level {} is not on its scale (0 to {top})",
                c.code, s.level
            ));
        }
        let note = s.note.as_deref().map(str::trim).unwrap_or("");
        if fails(c, s.level) && note.is_empty() {
            return refuse(
                "noteNeeded",
                json!({"criterion": c.code}),
                format!(
                    "criterion {}: a failing score needs a note saying why",
                    c.code
                ),
            );
        }
    }
    Ok(())
}

/// A sheet as stored: its fields and its scores by criterion (level, note).
pub struct StoredSheet {
    pub sheet: assessment_sheet::Model,
    pub scores: BTreeMap<String, (u32, Option<String>)>,
}

async fn load<C: sea_orm::ConnectionTrait>(
    txn: &C,
    tenant: &str,
    case_id: Uuid,
    sheet: Sheet,
) -> Result<Option<StoredSheet>, DbErr> {
    let key = sheet.key();
    let Some(s) = assessment_sheet::Entity::find_by_id((tenant.to_string(), case_id, key.clone()))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let scores = criterion_score::Entity::find()
        .filter(criterion_score::Column::Tenant.eq(tenant))
        .filter(criterion_score::Column::CaseId.eq(case_id))
        .filter(criterion_score::Column::Sheet.eq(key))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.criterion, (u32::try_from(c.level).unwrap_or(0), c.note)))
        .collect();
    Ok(Some(StoredSheet { sheet: s, scores }))
}

/// The audit action of a save of the joint sheet, and of an assessor's confirmation of it.
pub const JOINTLY_SCORED: &str = "jointly scored";
pub const JOINT_CONFIRMED: &str = "joint judgement confirmed";

/// Who stands behind the joint judgement as it now is: the assessor who saved it last and
/// every assessor who confirmed it since, in that order (from the audit trail).
pub fn joint_backers(trail: &[entity::audit_event::Model]) -> Vec<Uuid> {
    let Some(last) = trail.iter().rposition(|e| e.action == JOINTLY_SCORED) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &trail[last..] {
        if e.action != JOINTLY_SCORED && e.action != JOINT_CONFIRMED {
            continue;
        }
        if let Ok(id) = e.actor.parse::<Uuid>() {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// An assessor of the exam confirms the joint judgement at the revision they saw (the one
/// who saved it needs not): the documents say the assessors came to it together only when
/// every assessor stands behind it.
pub async fn confirm_joint(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_revision: i64,
    person_id: Uuid,
) -> Result<i64, CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, tenant, case_id).await?;
    if !matches!(case.state, CaseState::Planned | CaseState::Assessed) {
        return invalid(format!(
            "the joint judgement of a {} exam is not confirmed any more",
            case.state
        ));
    }
    let team = crate::planning::assessors_of(&txn, tenant, case_id).await?;
    if !team.contains(&person_id) {
        return invalid("only the planned assessors confirm the joint judgement");
    }
    let Some(joint) =
        assessment_sheet::Entity::find_by_id((tenant.to_string(), case_id, Sheet::Joint.key()))
            .lock_exclusive()
            .one(&txn)
            .await?
    else {
        return invalid("there is no joint judgement to confirm yet");
    };
    if joint.revision != expected_revision {
        return Err(CaseError::Stale {
            what: "the joint judgement",
            expected: expected_revision,
            current: joint.revision,
        });
    }
    audit::record(
        &txn,
        Change {
            tenant,
            case_id,
            actor: &Actor::Person(person_id),
            action: JOINT_CONFIRMED,
            before: None,
            after: Some(json!({"revision": joint.revision})),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(joint.revision)
}

/// Whether a sheet is complete enough to close: attendance set; for a present candidate,
/// every criterion scored and the identity answered (checked, or not checked with what
/// happened in the irregularities); times far from the plan with a reason.
fn complete(case: &exam_case::Model, model: &Model, s: &StoredSheet) -> Result<(), Incomplete> {
    let attendance = s
        .sheet
        .attendance
        .as_deref()
        .ok_or(Incomplete::NoAttendance)?;
    if attendance == "present" {
        match s.sheet.identity_checked {
            None => return Err(Incomplete::IdentityNotAnswered),
            // Not checked is a path, not a wall: said what happened, it is an irregularity
            // on the record and the exam office sees it flagged.
            Some(false)
                if s.sheet
                    .irregularities
                    .as_deref()
                    .is_none_or(|i| i.trim().is_empty()) =>
            {
                return Err(Incomplete::IdentityUncheckedWithoutNote)
            }
            _ => {}
        }
        let missing: Vec<String> = model
            .sections
            .iter()
            .flat_map(|sec| &sec.criteria)
            .filter(|c| !s.scores.contains_key(&c.code))
            .map(|c| c.code.clone())
            .collect();
        if !missing.is_empty() {
            return Err(Incomplete::CriteriaMissing(missing));
        }
    }
    // An exam that took place far from its plan says why, or the record looks made up
    // (the record's times are the assessors' own; the joint sheet's do not count).
    let own = s.sheet.sheet != Sheet::Joint.key();
    if own && far_from_plan(case, &s.sheet) && s.sheet.times_reason.is_none() {
        return Err(Incomplete::TimesFarFromPlan);
    }
    Ok(())
}

/// Why a sheet cannot be closed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incomplete {
    NoAttendance,
    IdentityNotAnswered,
    IdentityUncheckedWithoutNote,
    CriteriaMissing(Vec<String>),
    TimesFarFromPlan,
}

impl Incomplete {
    /// The refusal of finishing one's own sheet, with its code for the app's words.
    fn of_your_sheet(self) -> CaseError {
        let (code, params) = match &self {
            Incomplete::NoAttendance => ("noAttendance", json!({})),
            Incomplete::IdentityNotAnswered => ("identityNotAnswered", json!({})),
            Incomplete::IdentityUncheckedWithoutNote => ("identityUncheckedWithoutNote", json!({})),
            Incomplete::CriteriaMissing(m) => ("notScored", json!({"criteria": m})),
            Incomplete::TimesFarFromPlan => (
                "timesFarFromPlan",
                json!({"minutes": FAR_FROM_PLAN.num_minutes()}),
            ),
        };
        CaseError::Refused(case::Refusal {
            code,
            params,
            detail: format!("your sheet: {self}"),
        })
    }
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Incomplete::NoAttendance => write!(f, "attendance is not recorded"),
            Incomplete::IdentityNotAnswered => write!(f, "the identity check is not recorded"),
            Incomplete::IdentityUncheckedWithoutNote => write!(
                f,
                "the identity was not checked: say what happened under irregularities"
            ),
            Incomplete::CriteriaMissing(m) => write!(f, "criteria not scored: {}", m.join(", ")),
            Incomplete::TimesFarFromPlan => write!(
                f,
                "the begin or end lies more than {} minutes from the plan; say why (timesReason)",
                FAR_FROM_PLAN.num_minutes()
            ),
        }
    }
}

/// The audit action of an assessor finishing their own sheet.
pub const FINISHED: &str = "finished";

/// Where the closing of an exam stands: who finished, whom it waits for, whether the
/// assessors differ and, if so, who stands behind the joint judgement.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub finished: Vec<Uuid>,
    pub waiting_for: Vec<Uuid>,
    /// The criteria (and attendance) on which the assessors' own sheets differ.
    pub differences: Vec<String>,
    /// With differences: the joint judgement is complete.
    pub joint_complete: bool,
    /// With differences: who stands behind the joint judgement as it is.
    pub joint_backed_by: Vec<Uuid>,
}

impl Progress {
    /// Whether every assessor finished and, where they differ, all stand behind a complete
    /// joint judgement: then the exam is judged.
    pub fn ready(&self, team: &[Uuid]) -> bool {
        self.waiting_for.is_empty()
            && (self.differences.is_empty()
                || (self.joint_complete && team.iter().all(|a| self.joint_backed_by.contains(a))))
    }
}

/// Where the closing of a planned exam stands (read in `db`, a transaction or not).
pub async fn progress<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: &exam_case::Model,
    model: &Model,
    team: &[Uuid],
) -> Result<(Progress, Vec<StoredSheet>, Option<StoredSheet>), DbErr> {
    let tenant = case.tenant.as_str();
    let mut p = Progress::default();
    let mut own = Vec::new();
    for id in team {
        match load(db, tenant, case.case_id, Sheet::Assessor(*id)).await? {
            Some(s) if s.sheet.finished_at.is_some() => {
                p.finished.push(*id);
                own.push(s);
            }
            _ => p.waiting_for.push(*id),
        }
    }
    let levels = |s: &StoredSheet| -> Scores {
        s.scores.iter().map(|(k, (l, _))| (k.clone(), *l)).collect()
    };
    if let [a, b] = own.as_slice() {
        if a.sheet.attendance != b.sheet.attendance {
            p.differences.push("attendance".into());
        }
        let (la, lb) = (levels(a), levels(b));
        for (code, level) in &la {
            if lb.get(code) != Some(level) {
                p.differences.push(code.clone());
            }
        }
    }
    let mut joint = None;
    if !p.differences.is_empty() {
        joint = load(db, tenant, case.case_id, Sheet::Joint).await?;
        p.joint_complete = joint
            .as_ref()
            .is_some_and(|j| complete(case, model, j).is_ok());
        let trail = crate::audit::trail(db, tenant, case.case_id).await?;
        p.joint_backed_by = joint_backers(&trail);
    }
    Ok((p, own, joint))
}

/// Where the closing of a planned exam stands, for its view (`None` when it is not planned
/// or its model is missing).
pub async fn progress_of(
    db: &DatabaseConnection,
    case: &exam_case::Model,
) -> Result<Option<Progress>, DbErr> {
    if case.state != CaseState::Planned {
        return Ok(None);
    }
    let Some(model) = versions::of_case(db, case).await? else {
        return Ok(None);
    };
    let team = crate::planning::assessors_of(db, &case.tenant, case.case_id).await?;
    Ok(Some(progress(db, case, &model, &team).await?.0))
}

/// An assessor finishes their own sheet ("Beoordeling afronden"): it must be complete. Once
/// every assessor has (and, where they differ, both stand behind a complete joint
/// judgement), the exam is judged: the case becomes `assessed` with its outcome, the
/// differences and their resolution in the audit trail. Before that the case stays planned
/// and its view says whom it waits for. Finishing again changes nothing; the actor's own
/// sheet is only marked when the actor is one of the exam's assessors.
pub async fn judge(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_case_revision: i64,
    actor: &Actor,
) -> Result<exam_case::Model, CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock_at(&txn, tenant, case_id, expected_case_revision).await?;
    if case.state != CaseState::Planned {
        return wrong_state(
            case.state,
            "judge",
            format!("a {} exam cannot be judged", case.state),
        );
    }
    let model = model_of(&txn, &case).await?;
    let Some(exam) = case.component_id.and_then(|c| ctx.catalog.get(c)) else {
        return invalid("the exam is not in the catalogue");
    };
    let team = crate::planning::assessors_of(&txn, tenant, case_id).await?;
    if team.is_empty() {
        return invalid("nobody is planned to assess this exam");
    }
    if let Actor::Person(me) = actor {
        if team.contains(me) {
            let Some(mine) = load(&txn, tenant, case_id, Sheet::Assessor(*me)).await? else {
                return refuse(
                    "nothingScored",
                    json!({}),
                    "your sheet: nothing is scored yet",
                );
            };
            complete(&case, &model, &mine).map_err(|r| r.of_your_sheet())?;
            if mine.sheet.finished_at.is_none() {
                let now = Utc::now();
                assessment_sheet::ActiveModel {
                    tenant: Set(tenant.to_string()),
                    case_id: Set(case_id),
                    sheet: Set(mine.sheet.sheet.clone()),
                    finished_at: Set(Some(now)),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
                audit::record(
                    &txn,
                    Change {
                        tenant,
                        case_id,
                        actor,
                        action: FINISHED,
                        before: None,
                        after: Some(json!({"sheetRevision": mine.sheet.revision})),
                        reason: None,
                    },
                )
                .await?;
            }
        }
    }
    let (progress, sheets, joint) = progress(&txn, &case, &model, &team).await?;
    if !progress.ready(&team) {
        // Not yet: the case waits (its view says for whom); what was finished is kept.
        txn.commit().await?;
        return Ok(case);
    }
    let disagreements: Vec<serde_json::Value> = progress
        .differences
        .iter()
        .map(|code| {
            let of = |s: &StoredSheet| -> serde_json::Value {
                if code == "attendance" {
                    json!(s.sheet.attendance)
                } else {
                    json!(s.scores.get(code).map(|(l, _)| *l))
                }
            };
            let field = if code == "attendance" {
                "field"
            } else {
                "criterion"
            };
            json!({field: code, "first": of(&sheets[0]), "second": sheets.get(1).map(of)})
        })
        .collect();
    let levels = |s: &StoredSheet| -> Scores {
        s.scores.iter().map(|(k, (l, _))| (k.clone(), *l)).collect()
    };
    let deciding = if disagreements.is_empty() {
        sheets.into_iter().next()
    } else {
        joint
    };
    let Some(deciding) = deciding else {
        return invalid("nobody is planned to assess this exam");
    };
    let attendance = deciding
        .sheet
        .attendance
        .clone()
        .unwrap_or_else(|| "notKnown".into());
    let outcome = if attendance == "present" {
        let o = scoring::score_case(exam, &model, &case.part, &levels(&deciding))
            .map_err(|e| CaseError::Invalid(e.to_string()))?;
        Some(o)
    } else {
        None
    };
    let now = Utc::now();
    // From now on a result is owed to the SIS, whatever it cancels.
    entity::association::Entity::update_many()
        .col_expr(
            entity::association::Column::ExamTakenAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(entity::association::Column::Tenant.eq(tenant))
        .filter(entity::association::Column::AssociationId.eq(case.association_id))
        .exec(&txn)
        .await?;
    let row = exam_case::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case_id),
        state: Set(CaseState::Assessed),
        attendance: Set(Some(attendance.clone())),
        raw_score: Set(outcome
            .as_ref()
            .map(|o| i32::try_from(o.raw_score).unwrap_or(i32::MAX))),
        max_raw_score: Set(outcome
            .as_ref()
            .map(|o| i32::try_from(o.max_raw_score).unwrap_or(i32::MAX))),
        passed: Set(outcome.as_ref().map(|o| o.passed)),
        score: Set(outcome.as_ref().map(|o| o.score.clone())),
        assessed_at: Set(Some(now)),
        revision: Set(case.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let event = |updated: &exam_case::Model| Change {
        tenant,
        case_id,
        actor,
        action: "judged",
        before: Some(json!({"state": case.state})),
        after: Some(json!({
            "state": updated.state, "attendance": attendance, "rawScore": updated.raw_score,
            "maxRawScore": updated.max_raw_score, "passed": updated.passed, "score": updated.score,
            "failedKnockOuts": outcome.map(|o| o.failed_knock_outs),
            "disagreements": disagreements,
        })),
        reason: None,
    };
    // The SIS learns the attendance as soon as the exam took place.
    case::commit_change(ctx, txn, row, event, Owed::message("attendance")).await
}

/// A case's sheets for reading (assessors' and joint).
pub async fn sheets(
    db: &DatabaseConnection,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<StoredSheet>, DbErr> {
    let keys: Vec<String> = assessment_sheet::Entity::find()
        .filter(assessment_sheet::Column::Tenant.eq(tenant))
        .filter(assessment_sheet::Column::CaseId.eq(case_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.sheet)
        .collect();
    let mut out = Vec::new();
    for sheet in keys.iter().filter_map(|k| Sheet::from_key(k)) {
        if let Some(s) = load(db, tenant, case_id, sheet).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// The levels that count for a judged exam, as its record reads them: the latest correction,
/// else the joint judgement, else the first assessor's sheet.
pub async fn deciding_scores<C: sea_orm::ConnectionTrait>(
    txn: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<Scores, DbErr> {
    let corrections = entity::correction::Entity::find()
        .filter(entity::correction::Column::Tenant.eq(tenant))
        .filter(entity::correction::Column::CaseId.eq(case_id))
        .all(txn)
        .await?
        .len();
    let first = crate::planning::assessors_of(txn, tenant, case_id)
        .await?
        .first()
        .copied();
    let mut order = Vec::new();
    if corrections > 0 {
        order.push(Sheet::Correction(
            i32::try_from(corrections).unwrap_or(i32::MAX),
        ));
    }
    order.push(Sheet::Joint);
    order.extend(first.map(Sheet::Assessor));
    for sheet in order {
        if let Some(s) = load(txn, tenant, case_id, sheet).await? {
            return Ok(s.scores.into_iter().map(|(k, (l, _))| (k, l)).collect());
        }
    }
    Ok(Scores::new())
}
