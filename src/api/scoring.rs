//! Scoring an exam case: saving part of a score sheet (the assessor's own or the joint
//! judgement) and closing the scoring with its outcome.

use super::access::{case_in_path, forbidden, CaseErrors};
use super::json_body;
use super::views::{self, CaseView};
use crate::assessment::sheets::{self, ScoreInput, Sheet, SheetUpdate};
use crate::audit::Actor;
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SheetBody {
    revision: i64,
    attendance: Option<String>,
    identity_checked: Option<bool>,
    identity_method: Option<String>,
    irregularities: Option<String>,
    /// The overall motivation of the judgement and feedback to the candidate.
    motivation: Option<String>,
    #[serde(default)]
    scores: Vec<ScoreBody>,
    /// When the exam began, by this device's clock (default: the first save that records
    /// the candidate present).
    started_at: Option<DateTime<Utc>>,
    /// When the exam ended, by this device's clock (default: when scoring was closed).
    ended_at: Option<DateTime<Utc>>,
    /// Why the begin or end lies more than an hour from the plan (needed to close then).
    times_reason: Option<String>,
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScoreBody {
    pub criterion: String,
    pub level: u32,
    pub note: Option<String>,
}

impl From<ScoreBody> for ScoreInput {
    fn from(s: ScoreBody) -> Self {
        ScoreInput {
            criterion: s.criterion,
            level: s.level,
            note: s.note,
        }
    }
}

/// `PUT .../sheets/mine` (the assessor's own) or `.../sheets/joint`.
#[utoipa::path(
    put,
    path = "/api/{slug}/cases/{id}/sheets/{sheet}",
    tag = "cases",
    summary = "Save part of your score sheet (`mine`) or the joint judgement (`joint`)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("sheet" = String, Path, description = "`mine` or `joint`")),
    request_body = SheetBody,
    responses((status = 200, description = "saved; the sheet's new revision", body = SheetSaved), CaseErrors)
)]
pub async fn save_sheet(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SheetBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    if !r.planned_assessor {
        return Err(forbidden("only the exam's assessors score it"));
    }
    let sheet = match req.match_info().get("sheet") {
        Some("mine") => Sheet::Assessor(me.person_id),
        Some("joint") => Sheet::Joint,
        _ => return Err(ApiError::NotFound("sheets are `mine` or `joint`".into())),
    };
    let identity = match (body.identity_checked, body.identity_method) {
        (Some(checked), method) => Some((checked, method.unwrap_or_default())),
        (None, Some(_)) => {
            return Err(ApiError::bad(
                "identityChecked",
                "is needed with identityMethod",
            ))
        }
        (None, None) => None,
    };
    let update = SheetUpdate {
        attendance: body.attendance,
        identity,
        irregularities: body.irregularities,
        motivation: body.motivation,
        scores: body.scores.into_iter().map(ScoreInput::from).collect(),
        started_at: body.started_at,
        ended_at: body.ended_at,
        times_reason: body.times_reason,
    };
    let revision = sheets::save(
        &state.exams(tenant),
        c.case_id,
        sheet,
        body.revision,
        &update,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(SheetSaved { revision }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevisionBody {
    pub revision: i64,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/judge",
    tag = "cases",
    summary = "Close the scoring and compute the outcome",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = RevisionBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn judge(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RevisionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !r.planned_assessor {
        return Err(forbidden("only the exam's assessors judge it"));
    }
    let judged = sheets::judge(
        &state.exams(tenant),
        c.case_id,
        body.revision,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &judged, &r, &me).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SheetSaved {
    /// The sheet's new revision: send it with the next save.
    revision: i64,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/sheets/joint/confirm",
    tag = "cases",
    summary = "Confirm the joint judgement as it is (the assessor who did not save it last)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = RevisionBody,
    responses((status = 200, description = "confirmed; the joint sheet's revision", body = SheetSaved), CaseErrors)
)]
pub async fn confirm_joint(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RevisionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    if !r.planned_assessor {
        return Err(forbidden(
            "only the exam's assessors confirm its joint judgement",
        ));
    }
    let ctx = state.exams(tenant);
    let revision = sheets::confirm_joint(&ctx, c.case_id, body.revision, me.person_id).await?;
    Ok(HttpResponse::Ok().json(SheetSaved { revision }))
}
