//! Corrections of a signed exam by the exam office. The signed record stays as it was signed:
//! a correction is a new version of the result (version 1 is the signed judgement), with its
//! own complete set of scores (the sheet `correction-{n}`), a reason, who and when, and the
//! result before and after. The case then carries the corrected result. A corrected exam that
//! the committee had already finalised in Proeve goes back to `signed`, so the committee
//! finalises the result that now stands.

use super::scoring;
use super::sheets::{self, ScoreInput};
use crate::audit::{Actor, Change};
use crate::case::{self, invalid, CaseError, CaseState, Ctx, Owed};
use chrono::Utc;
use entity::{assessment_sheet, correction, criterion_score, exam_case};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// Longest reason accepted.
pub const MAX_REASON: usize = crate::case::bounds::REASON;

/// On whose authority the exam office corrects a signed result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// A decision of the exam committee (for example on an objection).
    ExamCommittee,
    /// A ruling on appeal.
    Appeal,
}

impl Authority {
    pub fn as_str(self) -> &'static str {
        match self {
            Authority::ExamCommittee => "examCommittee",
            Authority::Appeal => "appeal",
        }
    }
}

/// A correction as the exam office gives it: the whole result again, why, and on whose
/// authority.
#[derive(Debug, Clone)]
pub struct CorrectionInput {
    pub attendance: String,
    pub scores: Vec<ScoreInput>,
    pub reason: String,
    pub authority: Authority,
}

/// The result a case carries, as the correction record keeps it.
fn result_of(c: &exam_case::Model) -> Value {
    json!({
        "state": c.state, "attendance": c.attendance, "rawScore": c.raw_score,
        "maxRawScore": c.max_raw_score, "passed": c.passed, "score": c.score,
    })
}

/// Corrects the result of a signed (or final) exam; returns the case as it now stands.
pub async fn correct(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_case_revision: i64,
    input: &CorrectionInput,
    by: Uuid,
) -> Result<exam_case::Model, CaseError> {
    let slug = ctx.tenant();
    let reason = input.reason.trim();
    if reason.is_empty() {
        return invalid("a correction needs a reason");
    }
    if reason.chars().count() > MAX_REASON {
        return invalid(format!("the reason is longer than {MAX_REASON} characters"));
    }
    sheets::check_attendance(&input.attendance)?;

    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock_at(&txn, slug, case_id, expected_case_revision).await?;
    if case.state != CaseState::Signed && case.state != CaseState::Final {
        return invalid(format!(
            "only a signed exam is corrected; before signing the assessors change their \
             scores themselves (this one is {})",
            case.state
        ));
    }
    if case.sittings.is_some() {
        return case::refuse(
            "correctThePart",
            json!({}),
            "this exam's result is made of its parts' sittings: correct the part, and the \
             whole follows",
        );
    }
    let model = sheets::model_of(&txn, &case).await?;
    let Some(exam) = case.component_id.and_then(|c| ctx.catalog.get(c)) else {
        return invalid("the exam is not in the catalogue");
    };
    sheets::check_scores(&model, &input.scores)?;
    let outcome = if input.attendance == "present" {
        let levels = input
            .scores
            .iter()
            .map(|s| (s.criterion.clone(), s.level))
            .collect();
        let o = scoring::score_case(exam, &model, &case.part, &levels)
            .map_err(|e| CaseError::Invalid(e.to_string()))?;
        Some(o)
    } else if !input.scores.is_empty() {
        return invalid("scores only count for a candidate who was present");
    } else {
        None
    };

    let version = correction::Entity::find()
        .filter(correction::Column::Tenant.eq(slug))
        .filter(correction::Column::CaseId.eq(case_id))
        .order_by_desc(correction::Column::Version)
        .one(&txn)
        .await?
        .map_or(1, |c| c.version + 1);
    // The version of the record this makes: every correction and every decision of the
    // committee so far is one (see report::build_record).
    let record_version = version + 1 + versioned_events(&txn, slug, case_id).await?;
    let now = Utc::now();
    let key = format!("correction-{version}");
    assessment_sheet::ActiveModel {
        tenant: Set(slug.to_string()),
        case_id: Set(case_id),
        sheet: Set(key.clone()),
        attendance: Set(Some(input.attendance.clone())),
        identity_checked: Set(None),
        identity_method: Set(None),
        irregularities: Set(None),
        motivation: Set(None),
        revision: Set(1),
        updated_at: Set(now),
        started_at: Set(None),
        ended_at: Set(None),
        times_reason: Set(None),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for s in &input.scores {
        criterion_score::ActiveModel {
            tenant: Set(slug.to_string()),
            case_id: Set(case_id),
            sheet: Set(key.clone()),
            criterion: Set(s.criterion.clone()),
            level: Set(i32::try_from(s.level).unwrap_or(i32::MAX)),
            note: Set(s.note.clone().filter(|n| !n.trim().is_empty())),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let refinalise = case.state == CaseState::Final && ctx.school.finalise_in_proeve;
    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let mut row = exam_case::ActiveModel {
        tenant: Set(slug.to_string()),
        case_id: Set(case_id),
        attendance: Set(Some(input.attendance.clone())),
        raw_score: Set(outcome.as_ref().map(|o| to_i32(o.raw_score))),
        max_raw_score: Set(outcome.as_ref().map(|o| to_i32(o.max_raw_score))),
        passed: Set(outcome.as_ref().map(|o| o.passed)),
        score: Set(outcome.as_ref().map(|o| o.score.clone())),
        revision: Set(case.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut corrected = case.clone();
    if refinalise {
        row.state = Set(CaseState::Signed);
        row.finalised_at = Set(None);
        corrected.state = CaseState::Signed;
    }
    corrected.attendance = Some(input.attendance.clone());
    corrected.raw_score = outcome.as_ref().map(|o| to_i32(o.raw_score));
    corrected.max_raw_score = outcome.as_ref().map(|o| to_i32(o.max_raw_score));
    corrected.passed = outcome.as_ref().map(|o| o.passed);
    corrected.score = outcome.as_ref().map(|o| o.score.clone());
    let before = result_of(&case);
    let mut after = result_of(&corrected);
    after["version"] = json!(record_version);
    after["failedKnockOuts"] = json!(outcome.map(|o| o.failed_knock_outs));
    after["authority"] = json!(input.authority.as_str());
    correction::ActiveModel {
        tenant: Set(slug.to_string()),
        case_id: Set(case_id),
        version: Set(version),
        reason: Set(reason.to_string()),
        corrected_by: Set(by),
        corrected_at: Set(now),
        before: Set(before.to_string()),
        after: Set(after.to_string()),
        authority: Set(Some(input.authority.as_str().to_string())),
    }
    .insert(&txn)
    .await?;
    let actor = Actor::Person(by);
    let event = |_: &exam_case::Model| Change {
        tenant: slug,
        case_id,
        actor: &actor,
        action: "corrected",
        before: Some(before),
        after: Some(after),
        reason: Some(reason),
    };
    // A whole exam taken per part that counted this sitting is made again with it.
    let wholes = super::parts::sitting_corrected(&txn, ctx.catalog, &corrected).await?;
    // A new version of the result: new documents, and the SIS hears of it.
    let owed = Owed::message("corrected").and_documents();
    let updated = case::commit_change(ctx, txn, row, event, owed).await?;
    // The wholes' overviews of their parts, before their results go.
    case::others_changed(ctx, &wholes).await;
    Ok(updated)
}

/// The audit action of an assessor countersigning a correction.
pub const COUNTERSIGNED: &str = "countersigned";

/// The audit events besides corrections that make a version of the record: the committee's
/// decisions and the assessors' countersignatures (see `report::build_record`).
pub const VERSION_EVENTS: [&str; 2] = [super::signing::FINALISED, COUNTERSIGNED];

/// How many versions of the record the audit trail made (every correction adds one more).
async fn versioned_events(
    txn: &sea_orm::DatabaseTransaction,
    tenant: &str,
    case_id: Uuid,
) -> Result<i32, DbErr> {
    let n = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Tenant.eq(tenant))
        .filter(entity::audit_event::Column::CaseId.eq(case_id))
        .filter(entity::audit_event::Column::Action.is_in(VERSION_EVENTS))
        .count(txn)
        .await?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

/// Who countersigned which correction (its number, `correction-N`), from the audit trail.
pub fn countersigns(
    trail: &[entity::audit_event::Model],
) -> Vec<(i32, Uuid, chrono::DateTime<Utc>)> {
    trail
        .iter()
        .filter(|e| e.action == COUNTERSIGNED)
        .filter_map(|e| {
            let after: Value = serde_json::from_str(e.after.as_deref()?).ok()?;
            let n = i32::try_from(after["correction"].as_i64()?).ok()?;
            Some((n, e.actor.parse().ok()?, e.at))
        })
        .collect()
}

/// An assessor who signed the exam countersigns its latest correction: they saw the result as
/// it now stands. A new version of the documents shows it, and the SIS gets them.
pub async fn countersign(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_case_revision: i64,
    by: Uuid,
) -> Result<exam_case::Model, CaseError> {
    let slug = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock_at(&txn, slug, case_id, expected_case_revision).await?;
    if case.state != CaseState::Signed && case.state != CaseState::Final {
        return invalid("only a corrected exam is countersigned");
    }
    let Some(latest) = correction::Entity::find()
        .filter(correction::Column::Tenant.eq(slug))
        .filter(correction::Column::CaseId.eq(case_id))
        .order_by_desc(correction::Column::Version)
        .one(&txn)
        .await?
    else {
        return invalid("this exam has no correction to countersign");
    };
    let signed = entity::signature::Entity::find()
        .filter(entity::signature::Column::Tenant.eq(slug))
        .filter(entity::signature::Column::CaseId.eq(case_id))
        .filter(entity::signature::Column::Role.eq("assessor"))
        .filter(entity::signature::Column::PersonId.eq(by))
        .count(&txn)
        .await?;
    if signed == 0 {
        return Err(CaseError::Forbidden(
            "only an assessor who signed the exam countersigns its correction".into(),
        ));
    }
    let trail = crate::audit::trail(&txn, slug, case_id).await?;
    if countersigns(&trail)
        .iter()
        .any(|(n, who, _)| *n == latest.version && *who == by)
    {
        return invalid("you countersigned this correction already");
    }
    let of_version = serde_json::from_str::<Value>(&latest.after)
        .ok()
        .and_then(|a| a["version"].as_i64())
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(latest.version + 1);
    let record_version = latest.version + 2 + versioned_events(&txn, slug, case_id).await?;
    let after = json!({"correction": latest.version, "correctionVersion": of_version, "version": record_version});
    let row = exam_case::ActiveModel {
        tenant: Set(slug.to_string()),
        case_id: Set(case_id),
        revision: Set(case.revision + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let actor = Actor::Person(by);
    let event = |_: &exam_case::Model| Change {
        tenant: slug,
        case_id,
        actor: &actor,
        action: COUNTERSIGNED,
        before: None,
        after: Some(after),
        reason: None,
    };
    let owed = Owed::message("countersigned").and_documents();
    case::commit_change(ctx, txn, row, event, owed).await
}

/// The corrections of a case, oldest first.
pub async fn corrections(
    db: &DatabaseConnection,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<correction::Model>, DbErr> {
    correction::Entity::find()
        .filter(correction::Column::Tenant.eq(tenant))
        .filter(correction::Column::CaseId.eq(case_id))
        .order_by_asc(correction::Column::Version)
        .all(db)
        .await
}
