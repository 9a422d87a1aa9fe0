//! The audit trail of exam cases: every change, with who, when, the record before and after
//! and the reason. Written in the same transaction as the change; never updated or deleted.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The school's SIS, through OKE.
    Sis,
    /// A signed-in person (their person id).
    Person(Uuid),
    /// Proeve itself.
    System,
}

impl Actor {
    fn as_string(&self) -> String {
        match self {
            Actor::Sis => "sis".into(),
            Actor::Person(id) => id.to_string(),
            Actor::System => "system".into(),
        }
    }
}

pub struct Change<'a> {
    pub tenant: &'a str,
    pub case_id: Uuid,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

pub async fn record<C: ConnectionTrait>(db: &C, change: Change<'_>) -> Result<(), DbErr> {
    // Written, never read back here: no RETURNING.
    let event = audit_event::ActiveModel {
        // Time-ordered (v7) and monotonic within the process: the trail sorts by it.
        event_id: Set(Uuid::now_v7()),
        tenant: Set(change.tenant.to_string()),
        case_id: Set(change.case_id),
        at: Set(Utc::now()),
        actor: Set(change.actor.as_string()),
        action: Set(change.action.to_string()),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        reason: Set(change.reason.map(str::to_string)),
    };
    audit_event::Entity::insert(event)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// A case's trail, oldest first.
pub async fn trail<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<audit_event::Model>, DbErr> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Tenant.eq(tenant))
        .filter(audit_event::Column::CaseId.eq(case_id))
        .order_by_asc(audit_event::Column::EventId)
        .all(db)
        .await
}
