//! Exam cases and their planning. Every active student enrolment on a planbare toets that
//! expects a result becomes an exam case; the exam office or an assessor plans it (date and
//! time within the offering's window, the place, the assessors the model requires). Changes
//! from the SIS keep flowing in: a canceled enrolment cancels its case while it is not yet
//! assessed. Every change is in the audit trail.

pub mod enrolments;
pub mod sittings;

use crate::audit::{self, Actor, Change};
use crate::case::{self, invalid, CaseError, CaseState, Ctx, Owed};
use crate::ooapi;
use chrono::{DateTime, Utc};
use entity::{assessment_sheet, association, case_assessor, exam_case, offering, person};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// Whether an enrolment should have an open exam case.
fn eligible(a: &association::Model, o: Option<&offering::Model>) -> bool {
    a.association_type == "componentOfferingAssociation"
        && a.role == "student"
        && a.state == "associated"
        && o.is_some_and(|o| {
            o.offering_type == "component" && o.state == "active" && o.result_expected
        })
}

/// The snapshot of a case the audit trail keeps.
pub fn snapshot(c: &exam_case::Model, assessors: &[Uuid]) -> Value {
    json!({
        "state": c.state,
        "attempt": c.attempt,
        "componentId": c.component_id,
        "modelVersion": c.model_version,
        "part": c.part,
        "plannedStart": c.planned_start,
        "plannedEnd": c.planned_end,
        "placeKind": c.place_kind,
        "placeName": c.place_name,
        "placeAddress": c.place_address,
        "assessors": assessors,
        "examLeader": c.exam_leader,
    })
}

/// Whether an association row was created by the write at hand or was stored before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Fresh,
    Stored,
}

/// Brings the exam case of one enrolment in line with what the SIS sent: opens one for an
/// eligible enrolment, cancels an unassessed one whose enrolment or offering went away.
/// `Fresh` says the association row was created in this transaction: it can have no case yet
/// (cases, extra attempts included, only hang on stored associations), so none is looked up.
pub async fn sync_case(
    txn: &DatabaseTransaction,
    tenant: &str,
    a: &association::Model,
    o: Option<&offering::Model>,
    row: Row,
    tell_pending: bool,
) -> Result<(), DbErr> {
    if a.association_type != "componentOfferingAssociation" || a.role != "student" {
        return Ok(());
    }
    let attempt = a.attempt.unwrap_or(1);
    let existing = match row {
        Row::Fresh => None,
        Row::Stored => {
            exam_case::Entity::find()
                .filter(exam_case::Column::Tenant.eq(tenant))
                .filter(exam_case::Column::AssociationId.eq(a.association_id))
                .filter(exam_case::Column::Attempt.eq(attempt))
                .lock_exclusive()
                .one(txn)
                .await?
        }
    };
    let eligible = eligible(a, o);
    // An enrolment linked to another's case (one performance for both) has no open case of
    // its own: the linked case answers it.
    let linked = match (&existing, row) {
        (None, Row::Stored) => enrolments::linked(txn, tenant, a.association_id).await?,
        (Some(c), Row::Stored) if c.state == CaseState::Canceled => {
            enrolments::linked(txn, tenant, a.association_id).await?
        }
        _ => None,
    };
    if let Some((link, case)) = linked {
        let other_student = case.person_id != a.person_id;
        let why = if !enrolments::still_same(&link, &case, a, o) {
            "the SIS changed that enrolment: another student, planbare toets or attempt"
        } else if eligible {
            return Ok(());
        } else {
            "the SIS canceled that enrolment"
        };
        // Before the exam the link is undone (and the enrolment, if it still counts, finds
        // its performance anew below); after it, the result is owed all the same — but never
        // to an enrolment that now names another student.
        let unlinked =
            enrolments::cancelled_link(txn, tenant, link, &case, why, other_student).await?;
        if !unlinked || !eligible {
            return Ok(());
        }
    }
    // (A SIS may leave `attempt` out: read as 1, yet the association may be one Proeve made.)
    if existing.is_none() && (attempt > 1 || a.attempt.is_none()) {
        // The SIS sending back the association Proeve made for an extra attempt (flow 5.2,
        // attempt 2 or later): that is the extra attempt's enrolment, not a new exam. (A
        // first attempt never is: no lookup on the way of every new enrolment.)
        if let Some(case_id) = crate::outbox::minted_for(txn, tenant, a.association_id).await? {
            return extra_attempt_enrolment(txn, tenant, case_id, eligible).await;
        }
    }
    let now = Utc::now();
    match (eligible, existing) {
        (false, None) => Ok(()),
        (true, None) => {
            // The same student for the same exam and attempt under another enrolment (e.g.
            // another programme): one performance, a result on each.
            if let Some((case, o)) = performance(txn, tenant, a, o, attempt).await? {
                return enrolments::link(txn, tenant, &case, a, o, tell_pending).await;
            }
            let case = new_case(
                tenant,
                (a.association_id, a.offering_id, a.person_id),
                attempt,
                (o.and_then(|o| o.component_id), &sitting_part(o)),
                None,
            )
            .insert(txn)
            .await?;
            let after = snapshot(&case, &[]);
            audit::record(
                txn,
                change(
                    tenant,
                    case.case_id,
                    &Actor::Sis,
                    "received",
                    None,
                    Some(after),
                    None,
                ),
            )
            .await?;
            // A SIS on the OKE 1.1 draft hears that the exam is waiting to be planned.
            match (tell_pending, o, row) {
                (true, Some(o), Row::Fresh) => {
                    crate::outbox::enqueue_first(txn, &case, o, "pending").await?;
                }
                (true, _, _) => {
                    crate::outbox::enqueue(txn, &case, "pending").await?;
                }
                _ => {}
            }
            Ok(())
        }
        (true, Some(c)) if c.state == CaseState::Canceled => {
            // Another enrolment of the student may have started the performance meanwhile:
            // this one counts for it too, rather than making a second exam.
            if let Some((case, o)) = performance(txn, tenant, a, o, attempt).await? {
                return enrolments::link(txn, tenant, &case, a, o, tell_pending).await;
            }
            set_state(
                txn,
                tenant,
                &c,
                CaseState::Received,
                &Actor::Sis,
                "reopened",
                Some("the SIS enrolled the student again"),
            )
            .await?;
            if tell_pending {
                crate::outbox::enqueue(txn, &c, "pending").await?;
            }
            Ok(())
        }
        (true, Some(c)) => {
            // The catalogue test may have been resolved since.
            let component = o.and_then(|o| o.component_id);
            let part = sitting_part(o);
            if c.state == CaseState::Received && (c.component_id != component || c.part != part) {
                let before = snapshot(&c, &[]);
                let updated = exam_case::ActiveModel {
                    tenant: Set(c.tenant.clone()),
                    case_id: Set(c.case_id),
                    component_id: Set(component),
                    part: Set(part),
                    revision: Set(c.revision + 1),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(txn)
                .await?;
                let after = snapshot(&updated, &[]);
                audit::record(
                    txn,
                    change(
                        tenant,
                        c.case_id,
                        &Actor::Sis,
                        "exam changed",
                        Some(before),
                        Some(after),
                        None,
                    ),
                )
                .await?;
            }
            Ok(())
        }
        (false, Some(c)) if c.state == CaseState::Received || c.state == CaseState::Planned => {
            // Another enrolment is linked: the exam goes on for that one.
            if enrolments::move_to_link(txn, tenant, &c).await? {
                return Ok(());
            }
            let reason = if a.state == "canceled" {
                "the SIS canceled the enrolment"
            } else {
                "the SIS withdrew the test selection"
            };
            canceled_by_sis(txn, tenant, &c, reason).await?;
            // Enrolments still linked had an exam of their own before (cancelled then): with
            // this one gone, theirs comes back.
            for link in enrolments::of_case(txn, tenant, c.case_id).await? {
                let own = enrolments::own_case(txn, tenant, link.association_id, c.attempt).await?;
                let why = "the exam it counted for was cancelled; its own exam is open again";
                enrolments::cancelled_link(txn, tenant, link, &c, why, true).await?;
                if let Some(own) = own.filter(|x| x.state == CaseState::Canceled) {
                    set_state(
                        txn,
                        tenant,
                        &own,
                        CaseState::Received,
                        &Actor::Sis,
                        "reopened",
                        Some(why),
                    )
                    .await?;
                    if tell_pending {
                        crate::outbox::enqueue(txn, &own, "pending").await?;
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The open exam of the same student, exam and attempt that another enrolment made, with
/// this enrolment's planbare toets: the performance `a` is also for.
async fn performance<'o>(
    txn: &DatabaseTransaction,
    tenant: &str,
    a: &association::Model,
    o: Option<&'o offering::Model>,
    attempt: i32,
) -> Result<Option<(exam_case::Model, &'o offering::Model)>, DbErr> {
    let (Some(o), Some(component)) = (o, o.and_then(|o| o.component_id)) else {
        return Ok(None);
    };
    let part = sitting_part(Some(o));
    Ok(
        enrolments::same_performance(txn, tenant, a, (component, &part), attempt)
            .await?
            .map(|c| (c, o)),
    )
}

/// The SIS sent the enrolment of an extra attempt Proeve made: nothing new while it is
/// active; cancelled before that attempt took place, the attempt is cancelled.
async fn extra_attempt_enrolment(
    txn: &DatabaseTransaction,
    tenant: &str,
    case_id: Uuid,
    eligible: bool,
) -> Result<(), DbErr> {
    let Some(c) = exam_case::Entity::find_by_id((tenant.to_string(), case_id))
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    if eligible || !matches!(c.state, CaseState::Received | CaseState::Planned) {
        return Ok(());
    }
    canceled_by_sis(
        txn,
        tenant,
        &c,
        "the SIS canceled the extra attempt's enrolment",
    )
    .await
}

/// The SIS took away what an exam was for before it took place: cancelled, and a planning
/// status still waiting for its enrolment is not sent (the SIS knows).
async fn canceled_by_sis(
    txn: &DatabaseTransaction,
    tenant: &str,
    c: &exam_case::Model,
    reason: &str,
) -> Result<(), DbErr> {
    set_state(
        txn,
        tenant,
        c,
        CaseState::Canceled,
        &Actor::Sis,
        "canceled",
        Some(reason),
    )
    .await?;
    let target = c.result_association_id.unwrap_or(c.association_id);
    crate::outbox::withdraw_planning(txn, c, target).await
}

/// Takes the student's turn for the rest of the transaction: one student's enrolments decide
/// together whether they are one performance, so two enrolments pushed (or cancelled) at once
/// take turns. Every writer takes it before it locks any association or person row (the lock
/// order is offering, students, association, person, case), so none waits on another in a
/// circle.
pub async fn student_turn<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    person_id: Uuid,
) -> Result<(), DbErr> {
    crate::db::serialise(txn, &format!("student {tenant} {person_id}")).await
}

/// The turns of every student enrolled on an offering, in one order (by person), before the
/// offering's associations or people are touched.
pub async fn students_turn(
    txn: &DatabaseTransaction,
    tenant: &str,
    offering_id: Uuid,
) -> Result<(), DbErr> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let mut people: Vec<Uuid> = association::Entity::find()
        .select_only()
        .column(association::Column::PersonId)
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::OfferingId.eq(offering_id))
        .filter(association::Column::Role.eq("student"))
        .into_tuple()
        .all(txn)
        .await?;
    people.sort();
    people.dedup();
    for p in people {
        student_turn(txn, tenant, p).await?;
    }
    Ok(())
}

/// Syncs the cases of every student enrolment on an offering (after the offering changed).
pub async fn sync_offering(
    txn: &DatabaseTransaction,
    tenant: &str,
    offering_id: Uuid,
    tell_pending: bool,
) -> Result<(), DbErr> {
    let o = offering::Entity::find_by_id((tenant.to_string(), offering_id))
        .one(txn)
        .await?;
    let students = association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::OfferingId.eq(offering_id))
        .filter(association::Column::AssociationType.eq("componentOfferingAssociation"))
        .filter(association::Column::Role.eq("student"))
        // (The students' turns were taken before, by person: [`students_turn`].)
        .order_by_asc(association::Column::PersonId)
        .order_by_asc(association::Column::AssociationId)
        .all(txn)
        .await?;
    for a in &students {
        sync_case(txn, tenant, a, o.as_ref(), Row::Stored, tell_pending).await?;
    }
    Ok(())
}

fn change<'a>(
    tenant: &'a str,
    case_id: Uuid,
    actor: &'a Actor,
    action: &'a str,
    before: Option<Value>,
    after: Option<Value>,
    reason: Option<&'a str>,
) -> Change<'a> {
    Change {
        tenant,
        case_id,
        actor,
        action,
        before,
        after,
        reason,
    }
}

/// The planned assessors of a case, first assessor first.
pub async fn assessors_of<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::CaseId.eq(case_id))
        .order_by_asc(case_assessor::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.person_id)
        .collect())
}

/// The cases on which this person is a planned assessor.
pub async fn cases_assessed_by<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    person_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.case_id)
        .collect())
}

/// The SIS's assessor enrolments: active assessor associations, by tenant.
fn assessor_enrolments(tenant: &str) -> sea_orm::Select<association::Entity> {
    association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::Role.eq("assessor"))
        .filter(association::Column::State.eq("associated"))
}

/// Whether the SIS enrolled this person as an assessor on the offering.
pub async fn is_enrolled_assessor<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    offering_id: Uuid,
    person_id: Uuid,
) -> Result<bool, DbErr> {
    Ok(assessor_enrolments(tenant)
        .filter(association::Column::OfferingId.eq(offering_id))
        .filter(association::Column::PersonId.eq(person_id))
        .one(db)
        .await?
        .is_some())
}

/// The assessors the SIS enrolled on each of these offerings, as (offering, person).
pub async fn enrolled_assessors<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    offerings: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, DbErr> {
    Ok(assessor_enrolments(tenant)
        .filter(association::Column::OfferingId.is_in(offerings.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.offering_id, a.person_id))
        .collect())
}

/// The offerings on which the SIS enrolled this person as an assessor.
pub async fn offerings_assessed_by<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    person_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(assessor_enrolments(tenant)
        .filter(association::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.offering_id)
        .collect())
}

/// The row that moves a case to another state, at its next revision.
fn moved(c: &exam_case::Model, to: CaseState) -> exam_case::ActiveModel {
    exam_case::ActiveModel {
        tenant: Set(c.tenant.clone()),
        case_id: Set(c.case_id),
        state: Set(to),
        revision: Set(c.revision + 1),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
}

/// Moves a case to another state inside a transaction someone else commits (the SIS's
/// changes, stored by intake).
async fn set_state(
    txn: &DatabaseTransaction,
    tenant: &str,
    c: &exam_case::Model,
    to: CaseState,
    actor: &Actor,
    action: &str,
    reason: Option<&str>,
) -> Result<(), DbErr> {
    let assessors = assessors_of(txn, tenant, c.case_id).await?;
    let before = snapshot(c, &assessors);
    case::change_in(txn, moved(c, to), |updated| {
        let after = snapshot(updated, &assessors);
        change(
            tenant,
            c.case_id,
            actor,
            action,
            Some(before),
            Some(after),
            reason,
        )
    })
    .await?;
    Ok(())
}

/// Where the exam takes place.
#[derive(Debug, Clone)]
pub enum Place {
    Workplace { name: String, address: String },
    School { location: String },
}

/// A planning decision for one case.
#[derive(Debug, Clone)]
pub struct Plan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub place: Place,
    /// In order: first assessor, second assessor.
    pub assessors: Vec<Uuid>,
    /// Why the assessors change once scoring has started (the exam office must say).
    pub reason: Option<String>,
    /// The examenleider, named by the exam office: `None` keeps it as it is, `Some(None)`
    /// makes it the lead assessor again, `Some(Some(id))` names that person.
    pub leader: Option<Option<Uuid>>,
}

/// Who plans. Who may change what is a rule of the exam:
/// - an assessor the SIS enrolled on the test selection may plan an exam nobody planned yet,
///   naming assessors the SIS enrolled;
/// - an assessor on the exam may move its moment and place, not change its assessors;
/// - only the exam office changes the assessors of an exam that has any (and may name
///   assessors the SIS did not enrol); once scoring started only with a reason, and a removed
///   assessor's sheet is kept and named in the audit trail.
#[derive(Debug, Clone)]
pub struct Planner {
    pub actor: Actor,
    pub exam_office: bool,
}

/// Plans (or re-plans) a case. `expected_revision` is the revision the planner saw.
pub async fn plan(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_revision: i64,
    p: &Plan,
    by: &Planner,
) -> Result<exam_case::Model, CaseError> {
    let actor = &by.actor;
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let c = case::lock_at(&txn, tenant, case_id, expected_revision).await?;
    if c.state != CaseState::Received && c.state != CaseState::Planned {
        return case::wrong_state(
            c.state,
            "plan",
            format!("a {} exam cannot be planned", c.state),
        );
    }
    let Some(exam) = c.component_id.and_then(|id| ctx.catalog.get(id)) else {
        return invalid("the SIS named no exam from the catalogue for this test selection; it needs manual handling");
    };
    if sittings::waits_for_parts(&txn, ctx.catalog, &c).await? {
        return case::refuse(
            "partsApart",
            json!({}),
            "this exam is taken per part: each part is planned on its own, and the whole gets \
             its result when every part is signed",
        );
    }
    let o = offering::Entity::find_by_id((tenant.to_string(), c.offering_id))
        .one(&txn)
        .await?
        .ok_or_else(|| CaseError::Invalid("the test selection is not known yet".into()))?;
    if p.end <= p.start {
        return case::refuse(
            "endBeforeStart",
            json!({}),
            "the end must be after the start",
        );
    }
    if o.start_at.is_some_and(|s| p.start < s) || o.end_at.is_some_and(|e| p.end > e) {
        return case::refuse(
            "outsideWindow",
            json!({"from": o.start_at, "until": o.end_at}),
            format!(
                "the exam must take place within the window the SIS set ({} to {})",
                o.start_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
                o.end_at.map(|d| d.to_rfc3339()).unwrap_or_default()
            ),
        );
    }
    let required = usize::from(exam.model.assessors);
    if p.assessors.len() != required {
        return case::refuse(
            "assessorsNeeded",
            json!({"needed": required, "given": p.assessors.len()}),
            format!(
                "this exam needs {required} assessor(s), not {}",
                p.assessors.len()
            ),
        );
    }
    let team = case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::CaseId.eq(case_id))
        .order_by_asc(case_assessor::Column::Position)
        .all(&txn)
        .await?;
    let current: Vec<Uuid> = team.iter().map(|a| a.person_id).collect();
    let changes_team = current != p.assessors;
    if !by.exam_office && !current.is_empty() {
        let on_it = matches!(actor, Actor::Person(me) if current.contains(me));
        if !on_it {
            return Err(CaseError::Forbidden(
                "only the exam's own assessors and the exam office plan an exam that is planned"
                    .into(),
            ));
        }
        if changes_team {
            return Err(CaseError::Forbidden(
                "only the exam office changes the assessors of a planned exam; you may move its \
                 moment and place"
                    .into(),
            ));
        }
    }
    // A removed assessor's sheet stays; the trail says whose it was and how far it got.
    let removed: Vec<Uuid> = current
        .iter()
        .filter(|id| !p.assessors.contains(id))
        .copied()
        .collect();
    let sheets = assessment_sheet::Entity::find()
        .filter(assessment_sheet::Column::Tenant.eq(tenant))
        .filter(assessment_sheet::Column::CaseId.eq(case_id))
        .all(&txn)
        .await?;
    let reason = p.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        case::check_text("reason", r, case::bounds::REASON)?;
    }
    if changes_team && !sheets.is_empty() && reason.is_none() {
        return invalid(
            "`reason`: scoring has started; say why the assessors change (it goes into the \
             audit trail)",
        );
    }
    let kept_sheets: Vec<Value> = sheets
        .iter()
        .filter(|s| removed.iter().any(|id| s.sheet == id.to_string()))
        .map(|s| {
            json!({"assessor": s.sheet, "revision": s.revision, "attendance": s.attendance,
                   "updatedAt": s.updated_at})
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut sources = Vec::new();
    for id in &p.assessors {
        if !seen.insert(*id) {
            return case::refuse(
                "namedTwice",
                json!({"personId": id}),
                format!("assessor {id} is named twice"),
            );
        }
        if *id == c.person_id {
            return case::refuse(
                "ownExam",
                json!({}),
                "the candidate cannot assess their own exam",
            );
        }
        let known = person::Entity::find_by_id((tenant.to_string(), *id))
            .one(&txn)
            .await?
            .is_some_and(|p| p.purged_at.is_none());
        if !known {
            return invalid(format!("assessor {id} is not a person the SIS sent"));
        }
        // An assessor who stays keeps how they came onto the exam.
        if let Some(on) = team.iter().find(|a| a.person_id == *id) {
            sources.push(on.source.clone());
            continue;
        }
        let enrolled = is_enrolled_assessor(&txn, tenant, c.offering_id, *id).await?;
        if !enrolled && !by.exam_office {
            return case::refuse(
                "notEnrolled",
                json!({"personId": id}),
                format!(
                    "assessor {id} is not enrolled on this test selection; the exam office can \
                     assign them"
                ),
            );
        }
        sources.push(if enrolled { "sis" } else { "assigned" }.to_string());
    }
    // The examenleider is the exam office's to name: someone of the school, not the candidate.
    let leader = match p.leader {
        None => c.exam_leader,
        Some(l) if l == c.exam_leader => l,
        Some(_) if !by.exam_office => {
            return Err(CaseError::Forbidden(
                "only the exam office names the examenleider".into(),
            ))
        }
        Some(None) => None,
        Some(Some(id)) => {
            let known = person::Entity::find_by_id((tenant.to_string(), id))
                .one(&txn)
                .await?
                .is_some_and(|p| p.purged_at.is_none());
            if !known || id == c.person_id {
                return invalid(format!(
                    "`examLeader`: {id} is not a person of this school who may lead the exam"
                ));
            }
            Some(id)
        }
    };
    match &p.place {
        Place::Workplace { name, address } => {
            case::check_text("place.name", name, case::bounds::SHORT)?;
            case::check_text("place.address", address, case::bounds::SHORT)?;
        }
        Place::School { location } => {
            case::check_text("place.location", location, case::bounds::SHORT)?
        }
    }
    let (kind, name, address) = match &p.place {
        Place::Workplace { name, address }
            if !name.trim().is_empty() && !address.trim().is_empty() =>
        {
            ("workplace", name.clone(), Some(address.clone()))
        }
        Place::School { location } if !location.trim().is_empty() => {
            ("school", location.clone(), None)
        }
        _ => {
            return case::refuse(
                "placeMissing",
                json!({}),
                "name the place: a workplace with its address, or a school location",
            )
        }
    };
    let before = snapshot(&c, &current);
    case_assessor::Entity::delete_many()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::CaseId.eq(case_id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for (i, (id, source)) in p.assessors.iter().zip(sources).enumerate() {
        case_assessor::ActiveModel {
            tenant: Set(tenant.to_string()),
            case_id: Set(case_id),
            person_id: Set(*id),
            position: Set(i as i32 + 1),
            source: Set(source),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let replanning = c.state == CaseState::Planned;
    let row = exam_case::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case_id),
        state: Set(CaseState::Planned),
        model_version: Set(i32::try_from(exam.model.version).ok()),
        planned_start: Set(Some(p.start)),
        planned_end: Set(Some(p.end)),
        place_kind: Set(Some(kind.into())),
        place_name: Set(Some(name)),
        place_address: Set(address),
        exam_leader: Set(leader),
        revision: Set(c.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let action = if replanning { "replanned" } else { "planned" };
    let event = |updated: &exam_case::Model| {
        let mut after = snapshot(updated, &p.assessors);
        if !kept_sheets.is_empty() {
            after["sheetsOfRemovedAssessors"] = json!(kept_sheets);
        }
        let reason = reason.filter(|_| changes_team);
        change(
            tenant,
            case_id,
            actor,
            action,
            Some(before),
            Some(after),
            reason,
        )
    };
    // A SIS that speaks the OKE 1.1 draft shows the planned moment in the student's agenda.
    case::commit_change(ctx, txn, row, event, Owed::message("planned")).await
}

/// Cancels a case that is not yet assessed, on the exam office's decision, with a reason (for
/// example the workplace fell through). The SIS's enrolment is untouched; a later re-plan
/// starts from a new push or a reopened case.
pub async fn cancel(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_revision: i64,
    reason: &str,
    actor: &Actor,
) -> Result<exam_case::Model, CaseError> {
    if reason.trim().is_empty() {
        return invalid("say why the exam is canceled");
    }
    case::check_text("reason", reason, case::bounds::REASON)?;
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let c = case::lock_at(&txn, tenant, case_id, expected_revision).await?;
    if c.state != CaseState::Received && c.state != CaseState::Planned {
        return invalid(format!("a {} exam cannot be canceled", c.state));
    }
    let assessors = assessors_of(&txn, tenant, c.case_id).await?;
    let before = snapshot(&c, &assessors);
    let event = |updated: &exam_case::Model| {
        let after = snapshot(updated, &assessors);
        change(
            tenant,
            case_id,
            actor,
            "canceled",
            Some(before),
            Some(after),
            Some(reason),
        )
    };
    let row = moved(&c, CaseState::Canceled);
    // A SIS on the OKE 1.1 draft hears it (`planningState: canceled`); its enrolment stays.
    case::commit_change(ctx, txn, row, event, Owed::message("canceled")).await
}

/// A new exam case, just received: for (enrolment, offering, person), the attempt, the exam,
/// and for an extra attempt Proeve planned, the association its result goes to.
/// The part a student enrolled on `o` sits on its own day (empty: the whole exam, or an exam
/// whose parts are taken together).
fn sitting_part(o: Option<&offering::Model>) -> String {
    o.and_then(|o| o.sitting_part.clone()).unwrap_or_default()
}

/// A new exam case of the catalogue exam `component_id` (`part`: the part it sits, if the
/// exam is taken per part).
fn new_case(
    tenant: &str,
    (association_id, offering_id, person_id): (Uuid, Uuid, Uuid),
    attempt: i32,
    (component_id, part): (Option<Uuid>, &str),
    result_association_id: Option<Uuid>,
) -> exam_case::ActiveModel {
    let now = Utc::now();
    exam_case::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(Uuid::new_v4()),
        association_id: Set(association_id),
        offering_id: Set(offering_id),
        person_id: Set(person_id),
        attempt: Set(attempt),
        state: Set(CaseState::Received),
        component_id: Set(component_id),
        model_version: Set(None),
        planned_start: Set(None),
        planned_end: Set(None),
        place_kind: Set(None),
        place_name: Set(None),
        place_address: Set(None),
        attendance: Set(None),
        raw_score: Set(None),
        max_raw_score: Set(None),
        passed: Set(None),
        score: Set(None),
        assessed_at: Set(None),
        signed_at: Set(None),
        finalised_at: Set(None),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        result_association_id: Set(result_association_id),
        exam_leader: Set(None),
        part: Set(part.to_string()),
        sittings: Set(None),
    }
}

/// Plans an extra attempt (herkansing) after a result that did not pass: a new exam case for
/// the same enrolment with the next attempt number, whose result goes to the SIS as a new
/// association (flow 5.2). The SIS governs how many there may be: `attemptLeft` on the
/// enrolment (absent: no limit) caps the extra attempts Proeve plans for it.
pub async fn plan_extra_attempt(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    expected_revision: i64,
    actor: &Actor,
) -> Result<exam_case::Model, CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let c = case::lock_at(&txn, tenant, case_id, expected_revision).await?;
    if c.state != CaseState::Signed && c.state != CaseState::Final {
        return Err(CaseError::Invalid(format!(
            "an extra attempt follows a signed result; this exam is {}",
            c.state
        )));
    }
    if c.passed == Some(true) {
        return Err(CaseError::Invalid(
            "the candidate passed this exam: no extra attempt".into(),
        ));
    }
    if c.sittings.is_some() || !c.part.is_empty() {
        return Err(CaseError::Invalid(
            "this exam is taken in parts: the SIS enrols the re-sit of a part (attempt 2) \
             together with the whole, and the whole counts it with the other parts"
                .into(),
        ));
    }
    let enrolment = association::Entity::find_by_id((tenant.to_string(), c.association_id))
        .one(&txn)
        .await?
        .ok_or(CaseError::NotFound(c.association_id))?;
    if enrolment.state == "canceled" {
        return Err(CaseError::Invalid(
            "the SIS canceled this enrolment: no extra attempt".into(),
        ));
    }
    let attempts = exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(tenant))
        .filter(exam_case::Column::AssociationId.eq(c.association_id))
        .all(&txn)
        .await?;
    if attempts.iter().any(|a| a.attempt > c.attempt) {
        return Err(CaseError::Invalid(
            "a later attempt of this exam already exists".into(),
        ));
    }
    let extra = attempts
        .iter()
        .filter(|a| a.result_association_id.is_some())
        .count();
    if let Some(left) = enrolment.attempt_left {
        if i64::try_from(extra).unwrap_or(i64::MAX) >= i64::from(left) {
            return Err(CaseError::Invalid(format!(
                "the SIS allows {left} more attempt(s) for this enrolment (attemptLeft), and \
                 Proeve already planned {extra}"
            )));
        }
    }
    let case = new_case(
        tenant,
        (c.association_id, c.offering_id, c.person_id),
        c.attempt + 1,
        (c.component_id, &c.part),
        Some(Uuid::new_v4()),
    )
    .insert(&txn)
    .await?;
    let after = snapshot(&case, &[]);
    audit::record(
        &txn,
        change(
            tenant,
            case.case_id,
            actor,
            "extra attempt planned",
            None,
            Some(after),
            None,
        ),
    )
    .await?;
    audit::record(
        &txn,
        change(
            tenant,
            c.case_id,
            actor,
            "extra attempt planned",
            None,
            Some(serde_json::json!({"extraAttempt": case.case_id, "attempt": case.attempt})),
            None,
        ),
    )
    .await?;
    // A SIS on the OKE 1.1 draft hears of the new attempt at once, waiting to be planned.
    let queued = crate::outbox::enqueue(&txn, &case, "pending").await?;
    txn.commit().await?;
    if queued.is_some() {
        ctx.effects.queued();
    }
    Ok(case)
}

/// The exam cases of a tenant in a state (or all), oldest first.
pub async fn cases(
    db: &DatabaseConnection,
    tenant: &str,
    in_state: Option<CaseState>,
) -> Result<Vec<exam_case::Model>, DbErr> {
    let mut q = exam_case::Entity::find().filter(exam_case::Column::Tenant.eq(tenant));
    if let Some(s) = in_state {
        q = q.filter(exam_case::Column::State.eq(s));
    }
    q.order_by_asc(exam_case::Column::CreatedAt).all(db).await
}

/// What the SIS says about a candidate for one exam: the name to check the identity document
/// against, and the personal needs granted.
pub struct CandidateFacts {
    pub id_check_name: Option<String>,
    /// In words (`Extra tijd: 30 minuten`), or the SIS's own code where Proeve has no words for
    /// it, with the description the student's record gives.
    pub personal_needs: Vec<String>,
}

/// The candidate's facts from the stored OKE documents of the person and the enrolment.
pub async fn candidate_facts<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    c: &exam_case::Model,
) -> Result<CandidateFacts, DbErr> {
    let p = person::Entity::find_by_id((tenant.to_string(), c.person_id))
        .one(db)
        .await?;
    let a = association::Entity::find_by_id((tenant.to_string(), c.association_id))
        .one(db)
        .await?;
    Ok(CandidateFacts::of(
        p.and_then(|p| p.document).as_deref(),
        a.map(|a| a.document).as_deref(),
    ))
}

impl CandidateFacts {
    /// From the stored documents of the person and the enrolment, as `ooapi` reads them.
    /// The needs for this exam are the enrolment's, else the student's; each with the
    /// description the student's record gives for its code.
    pub fn of(person: Option<&str>, enrolment: Option<&str>) -> CandidateFacts {
        let facts = person.map(ooapi::person::facts).unwrap_or_default();
        let minutes = enrolment.and_then(ooapi::association::additional_minutes);
        // In the words of the documents and the app (one vocabulary), with the minutes the
        // SIS granted and the description the student's record gives.
        let described = |code: String| {
            let words = match code.as_str() {
                "extraTime" => match minutes {
                    Some(m) if m >= 10_000 => "Extra tijd: onbeperkt".to_string(),
                    Some(m) => format!("Extra tijd: {m} minuten"),
                    None => "Extra tijd".to_string(),
                },
                "spoken" => "Gesproken tekst (voorlezen)".to_string(),
                "spell-checker-on-screen" => "Spellingcontrole op het scherm".to_string(),
                other => other.to_string(),
            };
            match facts
                .assigned_needs
                .iter()
                .find(|n| n.code == code)
                .and_then(|n| n.description.as_deref())
            {
                Some(text) => format!("{words} ({text})"),
                None => words,
            }
        };
        let codes = enrolment
            .and_then(ooapi::association::personal_needs)
            .unwrap_or_else(|| {
                facts
                    .assigned_needs
                    .iter()
                    .map(|n| n.code.clone())
                    .collect()
            });
        let mut needs: Vec<String> = codes.into_iter().map(described).collect();
        // Extra time granted without the need named is still extra time.
        if let Some(m) = minutes.filter(|m| *m > 0) {
            if !needs.iter().any(|n| n.starts_with("Extra tijd")) {
                needs.push(if m >= 10_000 {
                    "Extra tijd: onbeperkt".into()
                } else {
                    format!("Extra tijd: {m} minuten")
                });
            }
        }
        CandidateFacts {
            personal_needs: needs,
            id_check_name: facts.id_check_name.clone(),
        }
    }
}
