//! Signing an exam case (the assessors' signatures and the candidate's acknowledgement or
//! refusal) and finalising signed exams (exam committee).

use super::access::{case_in_path, forbidden, CaseErrors};
use super::views::{self, CaseView};
use super::{json_body, signed_in};
use crate::assessment::signing::{self, Signer};
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignBody {
    /// `assessor` (yourself), `candidate` (the candidate's acknowledgement, drawn on this
    /// device), or `candidateRefused` (with a reason).
    role: String,
    /// The drawn signature, a base64 PNG.
    image: Option<String>,
    /// When it was drawn on the device, by the server's clock as the app measured it (the
    /// server records its own receipt beside it).
    drawn_at: Option<DateTime<Utc>>,
    reason: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/signatures",
    tag = "cases",
    summary = "Sign as assessor, acknowledge as candidate, or record a refusal",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = SignBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn sign(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SignBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    let image = || -> Result<Vec<u8>, ApiError> {
        let text = body
            .image
            .as_deref()
            .ok_or_else(|| ApiError::bad("image", "is mandatory (a base64 PNG)"))?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| ApiError::bad("image", "is not base64"))
    };
    let signer = match body.role.as_str() {
        "assessor" if r.planned_assessor => Signer::Assessor {
            person_id: me.person_id,
            image: image()?,
        },
        "candidate" if r.candidate || r.planned_assessor => Signer::Candidate { image: image()? },
        "candidateRefused" if r.planned_assessor => Signer::CandidateRefused {
            recorded_by: me.person_id,
            reason: body.reason.clone().unwrap_or_default(),
        },
        "assessor" | "candidate" | "candidateRefused" => {
            return Err(forbidden("you cannot sign this exam in that role"))
        }
        other => {
            return Err(ApiError::bad(
                "role",
                format!("{other:?} is not assessor, candidate or candidateRefused"),
            ))
        }
    };
    let account = format!(
        "{} ({})",
        me.display_name.clone().unwrap_or_default(),
        me.person_id
    );
    let ctx = state.exams(tenant);
    let signed = signing::sign(&ctx, c.case_id, &signer, &account, body.drawn_at).await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &signed, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FinaliseBody {
    /// The exams to finalise: 1 to 100 at a time (each gets its documents at once).
    case_ids: Vec<Uuid>,
}

/// The most exams one finalise request takes: each is rendered as a new version of its
/// documents before the answer, so a request stays seconds, not minutes.
pub const MAX_FINALISE: usize = 100;

#[utoipa::path(
    post,
    path = "/api/{slug}/finalise",
    tag = "cases",
    summary = "Finalise signed exams (exam committee)",
    params(("slug" = String, Path, description = "the school")),
    request_body = FinaliseBody,
    responses((status = 200, description = "each case finalised, or why not", body = FinaliseAnswer), CaseErrors)
)]
pub async fn finalise(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: FinaliseBody = json_body(&req, payload).await?;
    let (tenant, me) = signed_in(&state, &req, true).await?;
    if !me.exam_committee {
        return Err(forbidden("only the exam committee finalises results"));
    }
    if body.case_ids.is_empty() || body.case_ids.len() > MAX_FINALISE {
        return Err(ApiError::bad(
            "caseIds",
            format!("must name 1 to {MAX_FINALISE} exams at a time"),
        ));
    }
    let results = signing::finalise(&state.exams(tenant), &body.case_ids, me.person_id).await;
    let items = results
        .into_iter()
        .map(|(case_id, r)| match r {
            Ok(c) => Finalised {
                case_id,
                state: Some(c.state.to_string()),
                error: None,
            },
            Err(e) => Finalised {
                case_id,
                state: None,
                error: Some(ApiError::from(e).to_string()),
            },
        })
        .collect();
    Ok(HttpResponse::Ok().json(FinaliseAnswer { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FinaliseAnswer {
    items: Vec<Finalised>,
}

/// One case of a finalise call: its new state, or why it was not finalised.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finalised {
    case_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}
