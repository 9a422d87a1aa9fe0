//! The school's exams: the catalogue as it stands at the school (licensed; approved by the
//! exam committee, *vastgesteld*), and the committee's decision to approve an exam or to
//! withdraw the approval. Flow 0 shows the approval and filters on it (`approved=true`), so a
//! SIS can offer only approved exams (NED-OOAPI issue 142).

use super::access::forbidden;
use super::{json_body, signed_in};
use crate::catalog::{approval, Exam, Status};
use crate::http::{path_uuid, ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use entity::{exam_approval, person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// One exam of the catalogue as it stands at the school.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExamView {
    component_id: Uuid,
    code: String,
    name: String,
    crebo: Option<String>,
    /// The MBO level, 1 to 4.
    level: Option<u8>,
    /// `active` or `inactive` in the catalogue.
    status: &'static str,
    /// The school holds a licence for it.
    licensed: bool,
    /// The school's exam committee approved it (the latest decision stands).
    approved: bool,
    /// The latest decision: when, by whom, why (absent: never decided).
    decided_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExamList {
    items: Vec<ExamView>,
}

fn view(
    e: &Exam,
    licensed: bool,
    d: Option<&exam_approval::Model>,
    names: &HashMap<Uuid, String>,
) -> ExamView {
    ExamView {
        component_id: e.id,
        code: e.code.clone(),
        name: e.name.clone(),
        crebo: e.crebo.clone(),
        level: e.level,
        status: match e.status {
            Status::Active => "active",
            Status::Inactive => "inactive",
        },
        licensed,
        approved: d.is_some_and(|d| d.approved),
        decided_at: d.map(|d| d.decided_at),
        decided_by: d.and_then(|d| names.get(&d.decided_by).cloned()),
        reason: d.and_then(|d| d.reason.clone()),
    }
}

/// The names of the people who decided, by id.
async fn names_of(
    state: &AppState,
    tenant: &str,
    decisions: impl Iterator<Item = &exam_approval::Model>,
) -> Result<HashMap<Uuid, String>, ApiError> {
    let ids: Vec<Uuid> = decisions.map(|d| d.decided_by).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Tenant.eq(tenant))
        .filter(person::Column::PersonId.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|p| Some((p.person_id, p.display_name?)))
        .collect())
}

#[utoipa::path(
    get,
    path = "/api/{slug}/exams",
    tag = "exams",
    summary = "The catalogue's exams as they stand at the school: licensed, approved by the exam committee (exam office and committee)",
    params(("slug" = String, Path, description = "the school")),
    responses((status = 200, description = "every exam of the catalogue", body = ExamList))
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    if !me.staff() {
        return Err(forbidden(
            "only the exam office and the exam committee see the school's exams",
        ));
    }
    let slug = tenant.slug();
    let standing = approval::standing(&state.db, slug).await?;
    let names = names_of(&state, slug, standing.values()).await?;
    let items = state
        .catalog
        .exams
        .iter()
        .map(|e| view(e, tenant.licensed(&e.code), standing.get(&e.id), &names))
        .collect();
    Ok(HttpResponse::Ok().json(ExamList { items }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApprovalBody {
    /// `true`: approved for use at the school; `false`: the approval withdrawn.
    approved: bool,
    /// Why (needed to withdraw an approval; at most 2,000 characters).
    reason: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/{slug}/exams/{componentId}/approval",
    tag = "exams",
    summary = "The exam committee approves an exam for use at the school, or withdraws the approval (kept with who and when)",
    params(("slug" = String, Path, description = "the school"), ("componentId" = Uuid, Path, description = "the exam")),
    request_body = ApprovalBody,
    responses((status = 200, description = "decided; the exam as it now stands", body = ExamView))
)]
pub async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: ApprovalBody = json_body(&req, payload).await?;
    let (tenant, me) = signed_in(&state, &req, true).await?;
    if !me.exam_committee {
        return Err(forbidden("only the exam committee approves exams"));
    }
    let id = path_uuid(&req, "componentId")?;
    let exam = state
        .catalog
        .get(id)
        .ok_or_else(|| ApiError::NotFound(format!("No exam {id} in the catalogue")))?;
    let licensed = tenant.licensed(&exam.code);
    if body.approved && !licensed {
        return Err(ApiError::bad(
            "approved",
            "the school holds no licence for this exam",
        ));
    }
    let reason = body
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > crate::case::bounds::REASON)
    {
        return Err(ApiError::bad(
            "reason",
            format!("at most {} characters", crate::case::bounds::REASON),
        ));
    }
    if !body.approved && reason.is_none() {
        return Err(ApiError::bad("reason", "say why the approval is withdrawn"));
    }
    let slug = tenant.slug();
    let decided =
        approval::decide(&state.db, slug, id, body.approved, me.person_id, reason).await?;
    let names = names_of(&state, slug, std::iter::once(&decided)).await?;
    Ok(HttpResponse::Ok().json(view(exam, licensed, Some(&decided), &names)))
}
