//! The outbox: what a change owes the SIS (OKE flow 5), written as a row of `sis_message` in
//! the transaction of that change, so the message exists exactly when the change does. The
//! delivery worker (`delivery`) sends the rows; this module owns the row's states, queueing,
//! the exam office's retry of a parked message, and what the views read. A [`Doorbell`] rung
//! after a commit that queued a message lets the worker send it at once instead of at its next
//! poll.

use crate::audit::{self, Actor, Change};
use chrono::{DateTime, Utc};
use entity::{case_enrolment, exam_case, offering, sis_message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// A message's states: queued (or waiting for a retry), on the wire under a worker's lease,
/// delivered, parked for the exam office.
pub const WAITING: &str = "waiting";
pub const SENDING: &str = "sending";
pub const DELIVERED: &str = "delivered";
pub const PARKED: &str = "parked";
/// Not sent: a planning status to a SIS that speaks only OKE 1.0.1, or a `pending` a later
/// message replaced.
pub const SKIPPED: &str = "skipped";
/// The reason of a new enrolment's planning status, `pending` (OKE 1.1 draft): sent late, and
/// replaced by any later message.
pub const PENDING: &str = "pending";

/// Rung when a change that queued a message has committed: the delivery worker of this
/// instance looks at once (other instances' messages wait for their poll).
#[derive(Clone, Default)]
pub struct Doorbell(Arc<tokio::sync::Notify>);

impl Doorbell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    /// Waits for the next ring (or returns at once for a ring nobody heard yet).
    pub async fn rung(&self) {
        self.0.notified().await;
    }
}

/// Queues the message a change of `case` owes the SIS, inside the transaction of that change.
/// `reason`: a planning status for a SIS on the OKE 1.1 draft (`pending`: received, nobody
/// planned it yet; `planned`: planned or moved; `canceled`: cancelled in Proeve), or a result
/// (`attendance`: the exam took place, `signed`, `finalised`, `corrected`, `countersigned`).
/// Nothing is queued for an offering that expects no result, nor a finalisation the offering
/// does not allow to be sent as final.
///
/// A case answers its own enrolment and every enrolment linked to it (one performance, a
/// result on each): each gets the message, from its own planbare toets.
pub async fn enqueue<C: ConnectionTrait>(
    txn: &C,
    case: &exam_case::Model,
    reason: &str,
) -> Result<Option<Uuid>, DbErr> {
    let tenant = case.tenant.as_str();
    let mut first = None;
    if let Some(offering) = offering::Entity::find_by_id((tenant.to_string(), case.offering_id))
        .one(txn)
        .await?
    {
        first = enqueue_on(txn, case, &offering, None, reason, false).await?;
    }
    let links = case_enrolment::Entity::find()
        .filter(case_enrolment::Column::Tenant.eq(tenant))
        .filter(case_enrolment::Column::CaseId.eq(case.case_id))
        .order_by_asc(case_enrolment::Column::LinkedAt)
        .all(txn)
        .await?;
    for link in links {
        let Some(offering) = offering::Entity::find_by_id((tenant.to_string(), link.offering_id))
            .one(txn)
            .await?
        else {
            continue;
        };
        let queued = enqueue_on(
            txn,
            case,
            &offering,
            Some(link.association_id),
            reason,
            false,
        )
        .await?;
        first = first.or(queued);
    }
    Ok(first)
}

/// As [`enqueue`], for one enrolment linked to `case` (on `offering`) only: the message it is
/// owed when it is linked.
pub async fn enqueue_to<C: ConnectionTrait>(
    txn: &C,
    case: &exam_case::Model,
    offering: &offering::Model,
    association_id: Uuid,
    reason: &str,
) -> Result<Option<Uuid>, DbErr> {
    enqueue_on(txn, case, offering, Some(association_id), reason, false).await
}

/// As [`enqueue`], for a case just made from an enrolment new to Proeve: its offering is at
/// hand and nothing was sent for that enrolment before, so this is one insert.
pub async fn enqueue_first<C: ConnectionTrait>(
    txn: &C,
    case: &exam_case::Model,
    offering: &offering::Model,
    reason: &str,
) -> Result<Option<Uuid>, DbErr> {
    enqueue_on(txn, case, offering, None, reason, true).await
}

/// Queues one message: to a linked enrolment (`linked`), or to the case's own.
async fn enqueue_on<C: ConnectionTrait>(
    txn: &C,
    case: &exam_case::Model,
    offering: &offering::Model,
    linked: Option<Uuid>,
    reason: &str,
    first: bool,
) -> Result<Option<Uuid>, DbErr> {
    let tenant = case.tenant.as_str();
    if !offering.result_expected || (reason == "finalised" && !offering.final_results_allowed) {
        return Ok(None);
    }
    // An extra attempt Proeve planned goes as a new association, minted for it (flow 5.2).
    let (target, method) = match (linked, case.result_association_id) {
        (Some(id), _) => (id, "PATCH"),
        (None, Some(id)) => (id, "PUT"),
        (None, None) => (case.association_id, "PATCH"),
    };
    // A later status or result says more than a `pending` still waiting for its time: that
    // one is not sent (and a later message never waits behind it).
    if !first && reason != PENDING {
        sis_message::Entity::update_many()
            .col_expr(sis_message::Column::State, Expr::value(SKIPPED))
            .col_expr(
                sis_message::Column::LastError,
                Expr::value(Some(
                    "not sent: a later message for this enrolment replaced it",
                )),
            )
            .col_expr(sis_message::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(sis_message::Column::Tenant.eq(tenant))
            .filter(sis_message::Column::AssociationId.eq(target))
            .filter(sis_message::Column::CaseId.eq(case.case_id))
            .filter(sis_message::Column::Reason.eq(PENDING))
            .filter(sis_message::Column::State.eq(WAITING))
            .exec(txn)
            .await?;
    }
    let last = if first {
        None
    } else {
        sis_message::Entity::find()
            .filter(sis_message::Column::Tenant.eq(tenant))
            .filter(sis_message::Column::AssociationId.eq(target))
            .order_by_desc(sis_message::Column::Position)
            .one(txn)
            .await?
    };
    let now = Utc::now();
    let id = Uuid::new_v4();
    sis_message::ActiveModel {
        tenant: Set(tenant.to_string()),
        message_id: Set(id),
        case_id: Set(case.case_id),
        association_id: Set(target),
        position: Set(last.map_or(1, |m| m.position + 1)),
        reason: Set(reason.to_string()),
        method: Set(method.into()),
        body: Set(None),
        state: Set(WAITING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_status: Set(None),
        last_error: Set(None),
        last_response: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        delivered_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(Some(id))
}

/// The planning statuses (`pending`, `planned`) of `case` still waiting for an enrolment
/// that no longer expects them (the SIS canceled it before the exam): not sent. A result is
/// never withdrawn.
pub async fn withdraw_planning<C: ConnectionTrait>(
    txn: &C,
    case: &exam_case::Model,
    association_id: Uuid,
) -> Result<(), DbErr> {
    sis_message::Entity::update_many()
        .col_expr(sis_message::Column::State, Expr::value(SKIPPED))
        .col_expr(
            sis_message::Column::LastError,
            Expr::value(Some("not sent: the SIS canceled this enrolment")),
        )
        .col_expr(sis_message::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(sis_message::Column::Tenant.eq(case.tenant.as_str()))
        .filter(sis_message::Column::AssociationId.eq(association_id))
        .filter(sis_message::Column::CaseId.eq(case.case_id))
        .filter(sis_message::Column::Reason.is_in([PENDING, "planned"]))
        .filter(sis_message::Column::State.eq(WAITING))
        .exec(txn)
        .await?;
    Ok(())
}

/// The case whose extra attempt Proeve made as association `association_id` on the SIS
/// (flow 5.2, a `PUT`): a SIS that then sends that association back in flow 1 is sending
/// the enrolment of that case, not a new one.
pub async fn minted_for<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    association_id: Uuid,
) -> Result<Option<Uuid>, DbErr> {
    Ok(sis_message::Entity::find()
        .filter(sis_message::Column::Tenant.eq(tenant))
        .filter(sis_message::Column::AssociationId.eq(association_id))
        .filter(sis_message::Column::Method.eq("PUT"))
        .one(txn)
        .await?
        .map(|m| m.case_id))
}

/// How the exam office's retry of a message went.
pub enum Retried {
    /// Queued again; the message as it now stands.
    Queued(Box<sis_message::Model>),
    /// Only a parked message is sent again by hand; this one is in the given state.
    NotParked(String),
    NotFound,
}

/// Sends a parked message again (after the exam office fixed the cause): its body is built
/// anew from the exam as it stands. The retry and its audit event are one transaction; the
/// doorbell rings after it.
pub async fn retry(
    db: &DatabaseConnection,
    doorbell: &Doorbell,
    tenant: &str,
    message_id: Uuid,
    by: &Actor,
) -> Result<Retried, DbErr> {
    let txn = crate::db::begin(db).await?;
    let now = Utc::now();
    let done = sis_message::Entity::update_many()
        .col_expr(sis_message::Column::State, Expr::value(WAITING))
        .col_expr(sis_message::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            sis_message::Column::Body,
            Expr::value(Option::<String>::None),
        )
        // A fresh start: the first failure after the fix waits seconds, not the cap.
        .col_expr(sis_message::Column::Attempts, Expr::value(0))
        .col_expr(sis_message::Column::UpdatedAt, Expr::value(now))
        .filter(sis_message::Column::Tenant.eq(tenant))
        .filter(sis_message::Column::MessageId.eq(message_id))
        .filter(sis_message::Column::State.eq(PARKED))
        .exec(&txn)
        .await?;
    let found = sis_message::Entity::find_by_id((tenant.to_string(), message_id))
        .one(&txn)
        .await?;
    let m = match found {
        Some(m) if done.rows_affected == 1 => m,
        Some(m) => return Ok(Retried::NotParked(m.state)),
        None => return Ok(Retried::NotFound),
    };
    audit::record(
        &txn,
        Change {
            tenant,
            case_id: m.case_id,
            actor: by,
            action: "delivery retried",
            before: Some(json!({"message": message_id, "state": PARKED})),
            after: Some(json!({"message": message_id, "state": m.state})),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    doorbell.ring();
    Ok(Retried::Queued(Box::new(m)))
}

/// The messages of one exam, in order; not those that were not for this SIS (a planning
/// status to a SIS on OKE 1.0.1), which were never sent.
pub async fn of_case(
    db: &DatabaseConnection,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<sis_message::Model>, DbErr> {
    sis_message::Entity::find()
        .filter(sis_message::Column::Tenant.eq(tenant))
        .filter(sis_message::Column::CaseId.eq(case_id))
        .filter(sis_message::Column::State.ne(SKIPPED))
        .order_by_asc(sis_message::Column::AssociationId)
        .order_by_asc(sis_message::Column::Position)
        .all(db)
        .await
}

/// A school's messages that are not delivered, oldest first (what the exam office looks at).
/// Not a new enrolment's `pending` still waiting its time untried: that waits by design (and
/// a planning usually replaces it), a school gets hundreds in a morning.
pub async fn undelivered(
    db: &DatabaseConnection,
    tenant: &str,
    limit: u64,
) -> Result<Vec<sis_message::Model>, DbErr> {
    use sea_orm::Condition;
    sis_message::Entity::find()
        .filter(sis_message::Column::Tenant.eq(tenant))
        .filter(sis_message::Column::State.is_not_in([DELIVERED, SKIPPED]))
        .filter(
            Condition::all()
                .add(sis_message::Column::Reason.eq(PENDING))
                .add(sis_message::Column::State.eq(WAITING))
                .add(sis_message::Column::Attempts.eq(0))
                .not(),
        )
        .order_by_asc(sis_message::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

#[derive(Debug, sea_orm::FromQueryResult)]
pub struct Depth {
    pub tenant: String,
    pub state: String,
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Per tenant and state: how many messages, and when the oldest was queued.
pub async fn depth(db: &DatabaseConnection) -> Result<Vec<Depth>, DbErr> {
    sis_message::Entity::find()
        .select_only()
        .column(sis_message::Column::Tenant)
        .column(sis_message::Column::State)
        .column_as(sis_message::Column::MessageId.count(), "count")
        .column_as(sis_message::Column::CreatedAt.min(), "oldest")
        .group_by(sis_message::Column::Tenant)
        .group_by(sis_message::Column::State)
        .order_by_asc(sis_message::Column::Tenant)
        .into_model::<Depth>()
        .all(db)
        .await
}
