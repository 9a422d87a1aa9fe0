//! The audit trail of an exam case, for the exam office and the committee.

use super::access::{forbidden, visible_case, CaseErrors};
use super::signed_in;
use crate::audit;
use crate::http::{path_uuid, ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    items: Vec<AuditEvent>,
}

/// One change to a case.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    at: DateTime<Utc>,
    /// The person id of who made the change, `sis` or `system`.
    actor: String,
    /// Who that is, by name (absent for the SIS and Proeve itself).
    actor_name: Option<String>,
    action: String,
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
    reason: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/audit",
    tag = "cases",
    summary = "The audit trail of a case (exam office, committee)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "every change, oldest first", body = AuditTrail), CaseErrors)
)]
pub async fn audit(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.staff() {
        return Err(forbidden(
            "the audit trail is for the exam office and the exam committee",
        ));
    }
    let (c, _) = visible_case(&state, slug, &me, path_uuid(&req, "id")?).await?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let trail = audit::trail(&state.db, slug, c.case_id).await?;
    // Everyone named in it, read once: the people who made the changes.
    let ids: std::collections::BTreeSet<uuid::Uuid> =
        trail.iter().filter_map(|e| e.actor.parse().ok()).collect();
    let names: std::collections::HashMap<uuid::Uuid, Option<String>> =
        entity::person::Entity::find()
            .filter(entity::person::Column::Tenant.eq(slug))
            .filter(entity::person::Column::PersonId.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| (p.person_id, p.display_name))
            .collect();
    let items = trail
        .into_iter()
        .map(|e| AuditEvent {
            at: e.at,
            actor_name: e
                .actor
                .parse::<uuid::Uuid>()
                .ok()
                .and_then(|id| names.get(&id).cloned().flatten()),
            actor: e.actor,
            action: e.action,
            before: parse(e.before),
            after: parse(e.after),
            reason: e.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditTrail { items }))
}
