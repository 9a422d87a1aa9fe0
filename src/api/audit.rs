//! The audit trail of an exam case, for the exam office and the committee.

use super::access::{forbidden, visible_case, CaseErrors};
use super::signed_in;
use crate::audit;
use crate::http::{path_uuid, ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    items: Vec<AuditEvent>,
}

/// One change to a case.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    at: DateTime<Utc>,
    /// The person id of who made the change, `sis` or `system`.
    actor: String,
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
    let items = audit::trail(&state.db, slug, c.case_id)
        .await?
        .into_iter()
        .map(|e| AuditEvent {
            at: e.at,
            actor: e.actor,
            action: e.action,
            before: parse(e.before),
            after: parse(e.after),
            reason: e.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditTrail { items }))
}
