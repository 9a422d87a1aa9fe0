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

/// The sittings that make the result of `whole` (attempt N), one per part in the order of
/// the parts, when it is complete: each part's latest sitting up to attempt N (`now`, as it
/// stands in this transaction, in place of its row) is signed, and for a later attempt one
/// of them was sat for it (a re-sit; the others keep their points). `None`: not yet.
async fn counted_for<C: ConnectionTrait>(
    txn: &C,
    exam: &crate::catalog::Exam,
    whole: &exam_case::Model,
    now: Option<&exam_case::Model>,
) -> Result<Option<Vec<exam_case::Model>>, DbErr> {
    let mut latest: BTreeMap<String, exam_case::Model> = BTreeMap::new();
    for s in sittings::of_whole(txn, whole, 1..=whole.attempt).await? {
        let s = match now {
            Some(n) if n.case_id == s.case_id => n.clone(),
            _ => s,
        };
        let later = |o: &exam_case::Model| (s.attempt, s.created_at) > (o.attempt, o.created_at);
        if latest.get(&s.part).is_none_or(later) {
            latest.insert(s.part.clone(), s);
        }
    }
    let mut counted = Vec::new();
    for p in &exam.model.parts {
        match latest.remove(&p.code) {
            Some(s) if matches!(s.state, CaseState::Signed | CaseState::Final) => counted.push(s),
            _ => return Ok(None),
        }
    }
    if whole.attempt > 1 && !counted.iter().any(|s| s.attempt == whole.attempt) {
        return Ok(None);
    }
    Ok(Some(counted))
}

/// The catalogue exam of `c` if it is the sitting of one part of it.
fn exam_of_sitting<'c>(
    catalog: &'c Catalog,
    c: &exam_case::Model,
) -> Option<&'c crate::catalog::Exam> {
    c.component_id
        .filter(|_| !c.part.is_empty())
        .and_then(|id| catalog.get(id))
}

/// A sitting (`sitting`, as it is signed now, in this transaction) counts for the whole
/// exam: a whole of the student's exam for that attempt that waits for its parts gets its
/// result once each part has counted, queued for the SIS. Returns the wholes that got theirs.
pub async fn sitting_signed<C: ConnectionTrait>(
    txn: &C,
    catalog: &Catalog,
    sitting: &exam_case::Model,
) -> Result<Vec<exam_case::Model>, DbErr> {
    let Some(exam) = exam_of_sitting(catalog, sitting) else {
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
        let Some(counted) = counted_for(txn, exam, &whole, Some(sitting)).await? else {
            continue;
        };
        let why = "every part of the exam has a signed sitting";
        if let Some(updated) = combine(txn, exam, &whole, &counted, why).await? {
            crate::outbox::enqueue(txn, &updated, "signed").await?;
            done.push(updated);
        }
    }
    Ok(done)
}

/// The wholes of exams taken per part that wait although their parts are all signed: the
/// SIS enrolled the whole after its parts were sat (or enrolled it again), or a combination
/// could not be made at the time. Each gets its result now; returns how many did. Run with
/// the periodic catch-up (as documents a crash left unrendered).
pub async fn combine_waiting(
    db: &sea_orm::DatabaseConnection,
    catalog: &Catalog,
) -> Result<usize, DbErr> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Waiting {
        tenant: String,
        case_id: Uuid,
    }
    let sql = "SELECT c.tenant, c.case_id FROM exam_case c \
        WHERE c.state = 'received' AND c.part = '' AND c.sittings IS NULL AND EXISTS ( \
          SELECT 1 FROM exam_case s WHERE s.tenant = c.tenant AND s.person_id = c.person_id \
          AND s.component_id = c.component_id AND s.part <> '' AND s.attempt <= c.attempt \
          AND s.state IN ('signed', 'final')) \
        ORDER BY c.tenant, c.case_id LIMIT 200";
    let waiting = Waiting::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        sql.to_string(),
    ))
    .all(db)
    .await?;
    let mut done = 0;
    for w in waiting {
        let txn = crate::db::begin(db).await?;
        let Some(whole) = exam_case::Entity::find_by_id((w.tenant.clone(), w.case_id))
            .lock_exclusive()
            .one(&txn)
            .await?
            .filter(|c| c.state == CaseState::Received && c.sittings.is_none())
        else {
            continue;
        };
        let Some(exam) = whole.component_id.and_then(|id| catalog.get(id)) else {
            continue;
        };
        let Some(counted) = counted_for(&txn, exam, &whole, None).await? else {
            continue;
        };
        let why = "every part of the exam has a signed sitting (the whole was enrolled after)";
        if let Some(updated) = combine(&txn, exam, &whole, &counted, why).await? {
            crate::outbox::enqueue(&txn, &updated, "signed").await?;
            done += 1;
        }
        txn.commit().await?;
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
    let Some(exam) = exam_of_sitting(catalog, sitting) else {
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
        // A part corrected to absent leaves the whole without a result: it says so.
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

/// The audit action of a whole whose parts are all signed but whose result could not be
/// made (the exam office looks at it).
pub const NOT_COMBINED: &str = "not combined from its parts";

/// Gives `whole` its result from `counted` (one sitting per part): their scores together, by
/// the rule of the model version the last of them was planned with; absent at a part, the
/// candidate has no result for the whole (its attendance is that part's). Scores that do not
/// make a result under that version (parts scored against versions with other criteria) do
/// not stop the part's signing: the whole keeps waiting, and its audit trail says why, once.
/// `None`: no result made.
async fn combine<C: ConnectionTrait>(
    txn: &C,
    exam: &crate::catalog::Exam,
    whole: &exam_case::Model,
    counted: &[exam_case::Model],
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
    let absent = counted
        .iter()
        .find(|s| s.attendance.as_deref() != Some("present"));
    let outcome = match absent {
        Some(_) => None,
        None => {
            let mut each = Vec::new();
            for s in counted {
                each.push((
                    s.part.as_str(),
                    sheets::deciding_scores(txn, &s.tenant, s.case_id).await?,
                ));
            }
            let scores = scoring::combine_parts(&model, each.iter().map(|(p, s)| (*p, s)));
            match scoring::score_model(&model, exam.result_value_type, &exam.pass_from, &scores) {
                Ok(o) => Some(o),
                Err(e) => {
                    let reason = format!(
                        "the parts' scores do not make a result under model version {version}: {e}"
                    );
                    let said = audit::trail(txn, &whole.tenant, whole.case_id)
                        .await?
                        .iter()
                        .any(|a| {
                            a.action == NOT_COMBINED && a.reason.as_deref() == Some(reason.as_str())
                        });
                    if !said {
                        audit::record(
                            txn,
                            Change {
                                tenant: &whole.tenant,
                                case_id: whole.case_id,
                                actor: &Actor::System,
                                action: NOT_COMBINED,
                                before: None,
                                after: None,
                                reason: Some(&reason),
                            },
                        )
                        .await?;
                    }
                    return Ok(None);
                }
            }
        }
    };
    let attendance = absent
        .and_then(|s| s.attendance.clone())
        .unwrap_or_else(|| "present".into());
    let now = Utc::now();
    let ids: Vec<Uuid> = counted.iter().map(|s| s.case_id).collect();
    let taken_at: Option<DateTime<Utc>> = counted.iter().filter_map(|s| s.assessed_at).max();
    let to_i32 = |v: u32| Some(i32::try_from(v).unwrap_or(i32::MAX));
    // (The whole's own enrolment is not marked as taken here: that would lock an enrolment
    // after an exam, against the lock order; its person stays needed by the parts' own.)
    let updated = exam_case::ActiveModel {
        tenant: Set(whole.tenant.clone()),
        case_id: Set(whole.case_id),
        state: Set(CaseState::Signed),
        finalised_at: Set(None),
        model_version: Set(Some(version)),
        attendance: Set(Some(attendance)),
        raw_score: Set(outcome.as_ref().and_then(|o| to_i32(o.raw_score))),
        max_raw_score: Set(outcome.as_ref().and_then(|o| to_i32(o.max_raw_score))),
        passed: Set(outcome.as_ref().map(|o| o.passed)),
        score: Set(outcome.as_ref().map(|o| o.score.clone())),
        assessed_at: Set(taken_at.or(Some(now))),
        signed_at: Set(whole.signed_at.or(Some(now))),
        sittings: Set(Some(json!(ids).to_string())),
        revision: Set(whole.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(txn)
    .await?;
    let parts: Vec<serde_json::Value> = counted
        .iter()
        .map(|s| json!({"part": s.part, "case": s.case_id, "attempt": s.attempt, "attendance": s.attendance, "score": s.score, "passed": s.passed}))
        .collect();
    audit::record(
        txn,
        Change {
            tenant: &whole.tenant,
            case_id: whole.case_id,
            actor: &Actor::System,
            action: COMBINED,
            before: Some(json!({"state": whole.state, "attendance": whole.attendance, "score": whole.score, "passed": whole.passed})),
            after: Some(json!({
                "state": updated.state, "sittings": parts, "attendance": updated.attendance,
                "rawScore": updated.raw_score, "maxRawScore": updated.max_raw_score,
                "passed": updated.passed, "score": updated.score,
                "failedKnockOuts": outcome.map(|o| o.failed_knock_outs),
            })),
            reason: Some(why),
        },
    )
    .await?;
    Ok(Some(updated))
}
