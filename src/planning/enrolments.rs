//! One performance for several SIS enrolments. A SIS may enrol one student twice for the
//! same exam, e.g. under two programmes (PeopleSoft does: NED-OOAPI issue 152), and expects
//! one planning and a result on each enrolment. The second enrolment is linked to the open
//! exam case of the first: planned, scored, signed once, with one proces-verbaal; the
//! outbox sends each enrolment its result, from its own planbare toets.
//!
//! While the exam has not taken place, a linked enrolment the SIS cancels is unlinked, and
//! if the case's own enrolment is cancelled, the case moves to a linked one instead of being
//! cancelled. Once the exam took place, results go to every enrolment it answered for, as for
//! any cancelled enrolment.

use super::change;
use crate::audit::{self, Actor};
use crate::case::CaseState;
use chrono::Utc;
use entity::{association, case_enrolment, exam_case, offering};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

/// Still to take place: an enrolment can be linked to it, or unlinked from it.
fn open(c: &exam_case::Model) -> bool {
    matches!(c.state, CaseState::Received | CaseState::Planned)
}

/// The enrolments a case answers besides its own, oldest link first.
pub async fn of_case<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<case_enrolment::Model>, DbErr> {
    case_enrolment::Entity::find()
        .filter(case_enrolment::Column::Tenant.eq(tenant))
        .filter(case_enrolment::Column::CaseId.eq(case_id))
        .order_by_asc(case_enrolment::Column::LinkedAt)
        .order_by_asc(case_enrolment::Column::AssociationId)
        .all(db)
        .await
}

/// The case an enrolment is linked to, if it is.
pub async fn linked(
    txn: &DatabaseTransaction,
    tenant: &str,
    association_id: Uuid,
) -> Result<Option<(case_enrolment::Model, exam_case::Model)>, DbErr> {
    let Some(link) = case_enrolment::Entity::find_by_id((tenant.to_string(), association_id))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let case = exam_case::Entity::find_by_id((tenant.to_string(), link.case_id))
        .lock_exclusive()
        .one(txn)
        .await?;
    Ok(case.map(|c| (link, c)))
}

/// The open case of the same student for the same exam and attempt that another enrolment
/// made: the performance this enrolment is also for. For an exam taken per part, an
/// enrolment on a part (`part`) is for that part's sitting, or for a whole exam the office
/// planned as one performance; one on the whole (`part` empty) is for the whole. (Read by the person's index and chosen
/// here: a student has a handful of cases, and SQLite's planner, given the state and the
/// order in the query, walked the by-state index through every case of the school instead:
/// ingest slowed down as the school grew.)
pub async fn same_performance(
    txn: &DatabaseTransaction,
    tenant: &str,
    a: &association::Model,
    (component_id, part): (Uuid, &str),
    attempt: i32,
) -> Result<Option<exam_case::Model>, DbErr> {
    let same_sitting = |c: &exam_case::Model| {
        c.part == part || (!part.is_empty() && c.part.is_empty() && c.state == CaseState::Planned)
    };
    let theirs = exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(tenant))
        .filter(exam_case::Column::PersonId.eq(a.person_id))
        .all(txn)
        .await?;
    let Some(found) = theirs
        .into_iter()
        .filter(|c| {
            c.component_id == Some(component_id)
                && c.attempt == attempt
                && c.association_id != a.association_id
                && c.result_association_id.is_none()
                && open(c)
                && same_sitting(c)
        })
        .min_by_key(|c| (c.created_at, c.case_id))
    else {
        return Ok(None);
    };
    // Locked as every writer of a case locks it, and looked at again as it now stands: the
    // exam office may have cancelled it meanwhile.
    Ok(
        exam_case::Entity::find_by_id((tenant.to_string(), found.case_id))
            .lock_exclusive()
            .one(txn)
            .await?
            .filter(|c| open(c) && c.result_association_id.is_none() && same_sitting(c)),
    )
}

/// Whether a stored link still joins the same performance: the enrolment may since name
/// another student, planbare toets or attempt.
pub fn still_same(
    link: &case_enrolment::Model,
    case: &exam_case::Model,
    a: &association::Model,
    o: Option<&offering::Model>,
) -> bool {
    case.person_id == a.person_id
        && link.offering_id == a.offering_id
        && case.attempt == a.attempt.unwrap_or(1)
        && case.component_id.is_some()
        && o.and_then(|o| o.component_id) == case.component_id
        && (case.part.is_empty() || o.and_then(|o| o.sitting_part.as_deref()) == Some(&case.part))
}

/// Links enrolment `a` to `case`: one performance, a result for each. A SIS on the OKE 1.1
/// draft hears the planning status of the new enrolment (`pending`, or `planned` with the
/// moment when the exam is planned already).
pub async fn link(
    txn: &DatabaseTransaction,
    tenant: &str,
    case: &exam_case::Model,
    a: &association::Model,
    o: &offering::Model,
    tell_pending: bool,
) -> Result<(), DbErr> {
    case_enrolment::ActiveModel {
        tenant: Set(tenant.to_string()),
        association_id: Set(a.association_id),
        case_id: Set(case.case_id),
        offering_id: Set(a.offering_id),
        linked_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        change(
            tenant,
            case.case_id,
            &Actor::Sis,
            "enrolment linked",
            None,
            Some(json!({"associationId": a.association_id, "offering": o.name})),
            Some("the SIS enrolled the student for the same exam again (e.g. another programme)"),
        ),
    )
    .await?;
    if tell_pending {
        let reason = if case.state == CaseState::Planned {
            "planned"
        } else {
            "pending"
        };
        crate::outbox::enqueue_to(txn, case, o, a.association_id, reason).await?;
    }
    Ok(())
}

/// An enrolment's own exam for `attempt`, if it has one (locked).
pub async fn own_case(
    txn: &DatabaseTransaction,
    tenant: &str,
    association_id: Uuid,
    attempt: i32,
) -> Result<Option<exam_case::Model>, DbErr> {
    exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(tenant))
        .filter(exam_case::Column::AssociationId.eq(association_id))
        .filter(exam_case::Column::Attempt.eq(attempt))
        .lock_exclusive()
        .one(txn)
        .await
}

/// The SIS cancelled a linked enrolment (or changed it into another): before the exam, it no
/// longer counts, and a planning status still waiting for it is not sent; after the exam,
/// its result is still delivered (nothing changes) — unless `always` (the enrolment now
/// names another student: the exam's result is not theirs). `true`: unlinked.
pub async fn cancelled_link(
    txn: &DatabaseTransaction,
    tenant: &str,
    link: case_enrolment::Model,
    case: &exam_case::Model,
    why: &str,
    always: bool,
) -> Result<bool, DbErr> {
    if !open(case) && !always {
        return Ok(false);
    }
    let association_id = link.association_id;
    link.delete(txn).await?;
    crate::outbox::withdraw_planning(txn, case, association_id).await?;
    audit::record(
        txn,
        change(
            tenant,
            case.case_id,
            &Actor::Sis,
            "enrolment unlinked",
            Some(json!({"associationId": association_id})),
            None,
            Some(why),
        ),
    )
    .await?;
    Ok(true)
}

/// The SIS cancelled the case's own enrolment before the exam: if another enrolment is
/// linked, the case moves to it (the oldest link that has no exam of its own for this
/// attempt, e.g. a cancelled one from before it was linked) and stays; `false`: none can take
/// it over.
pub async fn move_to_link(
    txn: &DatabaseTransaction,
    tenant: &str,
    case: &exam_case::Model,
) -> Result<bool, DbErr> {
    let mut free = None;
    for link in of_case(txn, tenant, case.case_id).await? {
        if own_case(txn, tenant, link.association_id, case.attempt)
            .await?
            .is_none()
        {
            free = Some(link);
            break;
        }
    }
    let Some(link) = free else {
        return Ok(false);
    };
    let now = Utc::now();
    exam_case::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case.case_id),
        association_id: Set(link.association_id),
        offering_id: Set(link.offering_id),
        revision: Set(case.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(txn)
    .await?;
    let (from, to) = (case.association_id, link.association_id);
    link.delete(txn).await?;
    crate::outbox::withdraw_planning(txn, case, from).await?;
    audit::record(
        txn,
        change(
            tenant,
            case.case_id,
            &Actor::Sis,
            "enrolment moved",
            Some(json!({"associationId": from})),
            Some(json!({"associationId": to})),
            Some("the SIS canceled the exam's own enrolment; it counts for the other one"),
        ),
    )
    .await?;
    Ok(true)
}
