//! Correcting the result of a signed exam (exam office): a new version with a reason; the
//! signed record stays as it was.

use super::access::{case_in_path, forbidden, CaseErrors};
use super::json_body;
use super::scoring::{RevisionBody, ScoreBody};
use super::views::{self, CaseView};
use crate::assessment::corrections::{self, Authority, CorrectionInput};
use crate::assessment::sheets::ScoreInput;
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CorrectionBody {
    /// The case revision you corrected.
    revision: i64,
    /// The OKE attendance value that stands.
    attendance: String,
    /// Every criterion again, as it stands after the correction (none when not present).
    #[serde(default)]
    scores: Vec<ScoreBody>,
    /// Why: it is kept with the correction and shown to everyone who sees the result.
    reason: String,
    /// On whose authority: `examCommittee` (a decision of the exam committee) or `appeal` (a
    /// ruling on appeal).
    authority: AuthorityBody,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum AuthorityBody {
    ExamCommittee,
    Appeal,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/corrections",
    tag = "cases",
    summary = "Correct the result of a signed exam (exam office): a new version, with a reason",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = CorrectionBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn correct(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CorrectionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office corrects a signed exam"));
    }
    let input = CorrectionInput {
        attendance: body.attendance,
        scores: body.scores.into_iter().map(ScoreInput::from).collect(),
        reason: body.reason,
        authority: match body.authority {
            AuthorityBody::ExamCommittee => Authority::ExamCommittee,
            AuthorityBody::Appeal => Authority::Appeal,
        },
    };
    let corrected = corrections::correct(
        &state.exams(tenant),
        c.case_id,
        body.revision,
        &input,
        me.person_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &corrected, &r, &me).await?))
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/corrections/countersign",
    tag = "cases",
    summary = "Countersign the latest correction (an assessor who signed the exam): a new version shows it",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = RevisionBody,
    responses((status = 200, description = "countersigned; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn countersign(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RevisionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !r.planned_assessor {
        return Err(forbidden(
            "only an assessor who signed the exam countersigns its correction",
        ));
    }
    let done =
        corrections::countersign(&state.exams(tenant), c.case_id, body.revision, me.person_id)
            .await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &done, &r, &me).await?))
}
