//! Exams taken per part, each part on its own day (NED-OOAPI issue 134; the model says
//! `sittings = "per-part"`). A student enrolled on a part's planbare toets sits that part as
//! an exam of its own: planned, scored against the part's criteria, signed, its result to
//! the part's enrolment. The whole exam's enrolment waits for its parts: once every part has
//! a signed sitting (each part's latest, so a re-sit of one part keeps the others' points),
//! the whole gets its result from their scores together — points summed, the grade by the
//! model's rule (its conversion tables: whether a part failed chooses one) — and goes to the
//! SIS with each sitting's documents.

use super::{scoring, sheets};
use crate::audit::{self, Actor, Change};
use crate::case::CaseState;
use crate::catalog::Catalog;
use crate::planning::sittings;
use chrono::{DateTime, Utc};
use entity::exam_case;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set,
};
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A sitting (`sitting`, as it is signed now, in this transaction) counts for the whole
/// exam: every whole of the student's exam for that attempt that waits for its parts gets its
/// result once each part has counted, and the result is queued for the SIS. Returns the wholes
/// that got theirs.
pub async fn sitting_signed<C: ConnectionTrait>(
    txn: &C,
    catalog: &Catalog,
    sitting: &exam_case::Model,
) -> Result<Vec<exam_case::Model>, DbErr> {
    if sitting.part.is_empty() {
        return Ok(Vec::new());
    }
    let Some(exam) = sitting.component_id.and_then(|id| catalog.get(id)) else {
        return Ok(Vec::new());
    };
    let wholes: Vec<exam_case::Model> = exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(sitting.tenant.as_str()))
        .filter(exam_case::Column::PersonId.eq(sitting.person_id))
        .filter(exam_case::Column::Attempt.eq(sitting.attempt))
        .filter(exam_case::Column::Part.eq(""))
        .filter(exam_case::Column::State.eq(CaseState::Received))
        .lock_exclusive()
        .all(txn)
        .await?
        .into_iter()
        .filter(|w| w.component_id == sitting.component_id && w.sittings.is_none())
        .collect();
    let mut done = Vec::new();
    for whole in wholes {
        // Each part's latest signed sitting, this one included (its row says `assessed`
        // until this transaction commits).
        let mut latest: BTreeMap<String, exam_case::Model> = BTreeMap::new();
        for s in sittings::of_whole(txn, &whole, 1..=whole.attempt).await? {
            let s = if s.case_id == sitting.case_id {
                sitting.clone()
            } else {
                s
            };
            if !matches!(s.state, CaseState::Signed | CaseState::Final) {
                continue;
            }
            let later = |o: &exam_case::Model| (s.attempt, s.signed_at) > (o.attempt, o.signed_at);
            if latest.get(&s.part).is_none_or(later) {
                latest.insert(s.part.clone(), s);
            }
        }
        let counted: Vec<&exam_case::Model> = exam
            .model
            .parts
            .iter()
            .filter_map(|p| latest.get(&p.code))
            .collect();
        // Every part sat, the candidate present at each (an absent part is sat again first).
        if counted.len() < exam.model.parts.len()
            || counted
                .iter()
                .any(|s| s.attendance.as_deref() != Some("present"))
        {
            continue;
        }
        let why = "every part of the exam has a signed sitting";
        if let Some(updated) = combine(txn, exam, &whole, &counted, why).await? {
            crate::outbox::enqueue(txn, &updated, "signed").await?;
            done.push(updated);
        }
    }
    Ok(done)
}

/// A signed sitting was corrected (`sitting`, as it stands now, in this transaction): every
/// whole exam whose result counted it gets its result again from its sittings, and the SIS
/// hears of it (`corrected`); a final one is determined again, as any corrected result.
pub async fn sitting_corrected<C: ConnectionTrait>(
    txn: &C,
    catalog: &Catalog,
    sitting: &exam_case::Model,
) -> Result<Vec<exam_case::Model>, DbErr> {
    if sitting.part.is_empty() {
        return Ok(Vec::new());
    }
    let Some(exam) = sitting.component_id.and_then(|id| catalog.get(id)) else {
        return Ok(Vec::new());
    };
    let wholes: Vec<exam_case::Model> = exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(sitting.tenant.as_str()))
        .filter(exam_case::Column::PersonId.eq(sitting.person_id))
        .filter(exam_case::Column::Part.eq(""))
        .filter(exam_case::Column::Sittings.is_not_null())
        .lock_exclusive()
        .all(txn)
        .await?;
    let mut done = Vec::new();
    for whole in wholes {
        let ids = sittings::ids(whole.sittings.as_deref().unwrap_or("[]"));
        if !ids.contains(&sitting.case_id) {
            continue;
        }
        let mut counted = Vec::new();
        for id in ids {
            if id == sitting.case_id {
                counted.push(sitting.clone());
            } else if let Some(s) = exam_case::Entity::find_by_id((whole.tenant.clone(), id))
                .one(txn)
                .await?
            {
                counted.push(s);
            }
        }
        // A part corrected to absent leaves the whole without its points: it stands as it
        // was until that part is sat again.
        if counted
            .iter()
            .any(|s| s.attendance.as_deref() != Some("present"))
        {
            continue;
        }
        let counted: Vec<&exam_case::Model> = counted.iter().collect();
        let why = "a part's result was corrected";
        if let Some(updated) = combine(txn, exam, &whole, &counted, why).await? {
            crate::outbox::enqueue(txn, &updated, "corrected").await?;
            done.push(updated);
        }
    }
    Ok(done)
}

/// The audit action of the whole exam's result made of its parts' sittings.
pub const COMBINED: &str = "combined from its parts";

/// Gives `whole` its result from `counted` (one sitting per part, present at each): their
/// scores together, by the rule of the model version the last was planned with. `None`: no
/// model version to read.
async fn combine<C: ConnectionTrait>(
    txn: &C,
    exam: &crate::catalog::Exam,
    whole: &exam_case::Model,
    counted: &[&exam_case::Model],
    why: &str,
) -> Result<Option<exam_case::Model>, DbErr> {
    let Some(version) = counted.iter().filter_map(|s| s.model_version).max() else {
        return Ok(None);
    };
    let model =
        crate::catalog::versions::load_in(txn, exam.id, u32::try_from(version).unwrap_or(0))
            .await?
            .ok_or_else(|| {
                DbErr::Custom(format!("assessment model version {version} is missing"))
            })?;
    let mut each = Vec::new();
    for s in counted {
        each.push((
            s.part.as_str(),
            sheets::deciding_scores(txn, &s.tenant, s.case_id).await?,
        ));
    }
    let scores = scoring::combine_parts(&model, each.iter().map(|(p, s)| (*p, s)));
    let outcome = scoring::score_model(&model, exam.result_value_type, &exam.pass_from, &scores)
        .map_err(|e| DbErr::Custom(format!("the parts of {}: {e}", whole.case_id)))?;
    let now = Utc::now();
    let ids: Vec<Uuid> = counted.iter().map(|s| s.case_id).collect();
    let taken_at: Option<DateTime<Utc>> = counted.iter().filter_map(|s| s.assessed_at).max();
    let updated = exam_case::ActiveModel {
        tenant: Set(whole.tenant.clone()),
        case_id: Set(whole.case_id),
        state: Set(CaseState::Signed),
        finalised_at: Set(None),
        model_version: Set(Some(version)),
        attendance: Set(Some("present".into())),
        raw_score: Set(Some(i32::try_from(outcome.raw_score).unwrap_or(i32::MAX))),
        max_raw_score: Set(Some(
            i32::try_from(outcome.max_raw_score).unwrap_or(i32::MAX),
        )),
        passed: Set(Some(outcome.passed)),
        score: Set(Some(outcome.score.clone())),
        assessed_at: Set(taken_at.or(Some(now))),
        signed_at: Set(whole.signed_at.or(Some(now))),
        sittings: Set(Some(json!(ids).to_string())),
        revision: Set(whole.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(txn)
    .await?;
    // From now on the whole's result is owed to the SIS, whatever it cancels.
    entity::association::Entity::update_many()
        .col_expr(
            entity::association::Column::ExamTakenAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(entity::association::Column::Tenant.eq(whole.tenant.as_str()))
        .filter(entity::association::Column::AssociationId.eq(whole.association_id))
        .exec(txn)
        .await?;
    let parts: Vec<serde_json::Value> = counted
        .iter()
        .map(|s| json!({"part": s.part, "case": s.case_id, "attempt": s.attempt, "score": s.score, "passed": s.passed}))
        .collect();
    audit::record(
        txn,
        Change {
            tenant: &whole.tenant,
            case_id: whole.case_id,
            actor: &Actor::System,
            action: COMBINED,
            before: Some(json!({"state": whole.state})),
            after: Some(json!({
                "state": updated.state, "sittings": parts, "rawScore": updated.raw_score,
                "maxRawScore": updated.max_raw_score, "passed": updated.passed,
                "score": updated.score, "failedKnockOuts": outcome.failed_knock_outs,
            })),
            reason: Some(why),
        },
    )
    .await?;
    Ok(Some(updated))
}
