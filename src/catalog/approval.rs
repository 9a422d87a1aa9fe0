//! Which catalogue exams a school's exam committee approved (*vastgesteld*) for use at the
//! school (NED-OOAPI issue 142: a SIS wants to see only approved exams in flow 0). Every
//! decision is kept, with who and when; the latest one per exam stands, and no decision means
//! not approved.

use chrono::Utc;
use entity::exam_approval;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The decision that stands for each exam of the school that has one.
pub async fn standing<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
) -> Result<HashMap<Uuid, exam_approval::Model>, DbErr> {
    let rows = exam_approval::Entity::find()
        .filter(exam_approval::Column::Tenant.eq(tenant))
        .order_by_asc(exam_approval::Column::DecidedAt)
        .order_by_asc(exam_approval::Column::DecisionId)
        .all(db)
        .await?;
    // Oldest first: a later decision replaces an earlier one.
    Ok(rows.into_iter().map(|d| (d.component_id, d)).collect())
}

/// Records a decision of the exam committee on one exam: approved, or the approval withdrawn.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    component_id: Uuid,
    approved: bool,
    by: Uuid,
    reason: Option<String>,
) -> Result<exam_approval::Model, DbErr> {
    exam_approval::ActiveModel {
        tenant: Set(tenant.to_string()),
        decision_id: Set(Uuid::new_v4()),
        component_id: Set(component_id),
        approved: Set(approved),
        decided_by: Set(by),
        reason: Set(reason),
        decided_at: Set(Utc::now()),
    }
    .insert(db)
    .await
}
