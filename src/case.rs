//! The exam case and the primitives of its lifecycle, which planning and assessment build
//! their steps from:
//! - [`CaseState`], the typed state (stored as its name);
//! - [`CaseError`], the one error of every step (no such case, a stale revision, a broken
//!   rule, not this person's step, the database);
//! - [`lock`] / [`lock_at`], the case read for update, at the revision the person saw;
//! - [`commit_change`], the one ending of a step that changes the case: update it, write its
//!   audit event, queue what is owed to the SIS, commit, and then have the documents rendered
//!   and ring the delivery worker ([`Effects`]). No handler orchestrates those side effects.
//!
//! A step receives a [`Ctx`]: the database, the catalogue, the school's settings and the
//! effects that follow a commit.

use crate::audit::{self, Change};
use crate::catalog::Catalog;
use crate::config::TenantSettings;
use crate::db::WriteTxn;
use crate::outbox::{self, Doorbell};
use entity::exam_case;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QuerySelect,
};
use std::sync::Arc;
use uuid::Uuid;

pub use entity::exam_case::CaseState;

/// Why a lifecycle step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("no exam case {0}")]
    NotFound(Uuid),
    /// Someone else changed the record (`what`: the case or a sheet); the caller holds an
    /// older revision.
    #[error("{what} changed since revision {expected}; it is now at revision {current}")]
    Stale {
        what: &'static str,
        expected: i64,
        current: i64,
    },
    #[error("{0}")]
    Invalid(String),
    /// A broken rule people meet on the exam day: said in English as ever, and with a stable
    /// code and its parameters so the app can say it in the reader's words.
    #[error("{0}")]
    Refused(Refusal),
    /// The step is not this person's to take on this exam (their role allows it elsewhere).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A broken rule, as the error of a step.
pub fn invalid<T>(m: impl Into<String>) -> Result<T, CaseError> {
    Err(CaseError::Invalid(m.into()))
}

/// The most characters Proeve keeps in one free-text field (the README lists them): enough
/// for what a person writes on a phone, bounded so that no field grows without end.
pub mod bounds {
    /// A note on one criterion.
    pub const NOTE: usize = 2000;
    /// Irregularities, the motivation of a judgement.
    pub const TEXT: usize = 4000;
    /// A reason (times far from the plan, a change of assessors, a cancellation, a
    /// correction).
    pub const REASON: usize = 2000;
    /// A place's name or address, how the identity was checked.
    pub const SHORT: usize = 200;
}

/// Refuses a text longer than `max` characters, naming the field.
pub fn check_text(field: &str, text: &str, max: usize) -> Result<(), CaseError> {
    if text.chars().count() > max {
        return invalid(format!("`{field}`: at most {max} characters"));
    }
    Ok(())
}

/// A refusal with a code (`wrongState`, `notScored`, …) and its parameters (names, not ids),
/// beside the English detail. The problem JSON carries `code` and `params`.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: &'static str,
    pub params: serde_json::Value,
    pub detail: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A broken rule with its code and parameters.
pub fn refuse<T>(
    code: &'static str,
    params: serde_json::Value,
    detail: impl Into<String>,
) -> Result<T, CaseError> {
    Err(CaseError::Refused(Refusal {
        code,
        params,
        detail: detail.into(),
    }))
}

/// The exam is not in the state the step needs (`step`: `judge`, `score`, `sign`, `plan`).
pub fn wrong_state<T>(
    state: CaseState,
    step: &'static str,
    detail: String,
) -> Result<T, CaseError> {
    refuse(
        "wrongState",
        serde_json::json!({"state": state.as_str(), "step": step}),
        detail,
    )
}

/// Documents are rendered after a commit by the report module, which sits above this one:
/// the composition root hands its renderer in.
#[async_trait::async_trait]
pub trait Render: Send + Sync {
    /// Renders what the case now needs; logs rather than fails (the change is stored, and a
    /// periodic catch-up renders anything missing).
    async fn render(
        &self,
        db: &DatabaseConnection,
        catalog: &Catalog,
        school: &TenantSettings,
        case_id: Uuid,
    );
}

/// What follows a commit: the delivery worker is rung for a queued message, documents are
/// rendered for a result that was signed or corrected.
#[derive(Clone)]
pub struct Effects {
    doorbell: Doorbell,
    render: Option<Arc<dyn Render>>,
}

impl Effects {
    pub fn new(doorbell: Doorbell, render: Option<Arc<dyn Render>>) -> Self {
        Effects { doorbell, render }
    }

    /// A step that committed a message to the SIS itself (not through [`commit_change`]):
    /// the delivery looks now, not at its next poll.
    pub fn queued(&self) {
        self.doorbell.ring();
    }
}

/// What a lifecycle step works with.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub catalog: &'a Catalog,
    pub school: &'a TenantSettings,
    pub effects: &'a Effects,
}

impl Ctx<'_> {
    pub fn tenant(&self) -> &str {
        &self.school.slug
    }
}

/// What a change owes beyond itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Owed {
    /// The flow 5 message to queue (its reason: `planned`, `attendance`, `signed`,
    /// `finalised`, `corrected`).
    message: Option<&'static str>,
    /// Whether the result's documents must be (re)rendered.
    documents: bool,
}

impl Owed {
    pub const NOTHING: Owed = Owed {
        message: None,
        documents: false,
    };

    pub fn message(reason: &'static str) -> Self {
        Owed {
            message: Some(reason),
            documents: false,
        }
    }

    pub fn and_documents(self) -> Self {
        Owed {
            documents: true,
            ..self
        }
    }
}

/// The case, read for update in this transaction.
pub async fn lock<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<exam_case::Model, CaseError> {
    exam_case::Entity::find_by_id((tenant.to_string(), case_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(CaseError::NotFound(case_id))
}

/// The case, read for update, if it is still at the revision the person saw.
pub async fn lock_at<C: ConnectionTrait>(
    txn: &C,
    tenant: &str,
    case_id: Uuid,
    expected_revision: i64,
) -> Result<exam_case::Model, CaseError> {
    let c = lock(txn, tenant, case_id).await?;
    if c.revision != expected_revision {
        return Err(CaseError::Stale {
            what: "the case",
            expected: expected_revision,
            current: c.revision,
        });
    }
    Ok(c)
}

/// Updates the case and writes the audit event of the change (built from the updated case),
/// inside a transaction someone else commits.
pub async fn change_in<'e, C: ConnectionTrait>(
    txn: &C,
    row: exam_case::ActiveModel,
    event: impl FnOnce(&exam_case::Model) -> Change<'e>,
) -> Result<exam_case::Model, DbErr> {
    let updated = row.update(txn).await?;
    audit::record(txn, event(&updated)).await?;
    Ok(updated)
}

/// Has the documents a committed change owes `case_id` rendered (logged, not failed: the
/// periodic catch-up renders what is missing).
pub async fn render_documents(ctx: &Ctx<'_>, case_id: Uuid) {
    if let Some(r) = &ctx.effects.render {
        r.render(ctx.db, ctx.catalog, ctx.school, case_id).await;
    }
}

/// After a committed change that also gave other exams new results (the wholes a part's
/// sitting counts for): their documents are rendered, and the delivery worker looks now.
pub async fn others_changed(ctx: &Ctx<'_>, others: &[exam_case::Model]) {
    if others.is_empty() {
        return;
    }
    for c in others {
        render_documents(ctx, c.case_id).await;
    }
    ctx.effects.queued();
}

/// The ending of every lifecycle step that changes the case: updates it, writes the audit
/// event, queues what is owed to the SIS, commits; then has the documents rendered when they
/// are owed (first: the message's body names them) and rings the delivery worker for a
/// queued message. Returns the case as it now stands.
pub async fn commit_change<'e>(
    ctx: &Ctx<'_>,
    txn: WriteTxn,
    row: exam_case::ActiveModel,
    event: impl FnOnce(&exam_case::Model) -> Change<'e>,
    owed: Owed,
) -> Result<exam_case::Model, CaseError> {
    let updated = change_in(&txn, row, event).await?;
    let queued = match owed.message {
        Some(reason) => outbox::enqueue(&txn, &updated, reason).await?.is_some(),
        None => false,
    };
    txn.commit().await?;
    if owed.documents {
        render_documents(ctx, updated.case_id).await;
    }
    if queued {
        ctx.effects.doorbell.ring();
    }
    Ok(updated)
}
