//! Evidence on an exam: an assessor of the exam declares a photo, clip or file and sends its
//! bytes in stretches (`Upload-Offset` says where a stretch begins; a cut-off upload asks
//! where the server's copy ends and goes on from there). Who sees a piece of evidence: its
//! author; the exam office and committee; the other assessor once their own sheet is
//! complete (as for the sheets); the candidate their own exam's, once signed. Every view of
//! the bytes is on the exam's trail.

use super::access::{case_in_path, forbidden, CaseErrors};
use super::json_body;
use super::sheets::sees_all;
use super::Me;
use crate::assessment::sheets;
use crate::evidence::{self, Declaration};
use crate::http::{path_uuid, ApiError, AppState};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use entity::{evidence as row, exam_case};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeclareBody {
    /// Chosen by the phone (a UUID), so a retry declares the same evidence again.
    id: Uuid,
    /// `photo`, `video`, `audio` or `file`.
    kind: String,
    /// The criterion or the section it belongs to; neither: the exam as a whole.
    criterion: Option<String>,
    section: Option<String>,
    file_name: String,
    /// Bytes, as they will be sent.
    size: i64,
    /// SHA-256 of the bytes, hexadecimal.
    sha256: String,
    /// A clip's length, as the phone measured it.
    duration_ms: Option<i32>,
    /// When it was captured (the server's clock as the app measured it).
    captured_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceView {
    id: Uuid,
    kind: String,
    criterion: Option<String>,
    section: Option<String>,
    file_name: String,
    size: i64,
    sha256: String,
    duration_ms: Option<i32>,
    /// The type its bytes turned out to be, once they all arrived.
    content_type: Option<String>,
    /// How many bytes arrived: the next stretch begins there.
    received: i64,
    /// `uploading`, `received` or `refused`.
    state: String,
    refusal: Option<String>,
    author: Uuid,
    /// Whether the signed-in person added it (and may delete it before signing).
    mine: bool,
    captured_at: DateTime<Utc>,
    received_at: Option<DateTime<Utc>>,
}

fn view(e: row::Model, me: &Me) -> EvidenceView {
    EvidenceView {
        id: e.evidence_id,
        mine: e.author == me.person_id,
        kind: e.kind,
        criterion: e.criterion,
        section: e.section,
        file_name: e.file_name,
        size: e.size,
        sha256: e.sha256,
        duration_ms: e.duration_ms,
        content_type: e.content_type,
        received: e.received,
        state: e.state,
        refusal: e.refusal,
        author: e.author,
        captured_at: e.captured_at,
        received_at: e.received_at,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceList {
    items: Vec<EvidenceView>,
}

/// Whose evidence this person sees on this case: everyone's, or only their own.
async fn sees_everyones(
    state: &AppState,
    me: &Me,
    c: &exam_case::Model,
    r: &super::access::Relation,
) -> Result<bool, ApiError> {
    let all = sheets::sheets(&state.db, &c.tenant, c.case_id).await?;
    sees_all(state, me, c, r, &all).await
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/evidence",
    tag = "cases",
    summary = "The evidence of the exam you may see",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the evidence", body = EvidenceList), CaseErrors)
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    let everyone = sees_everyones(&state, &me, &c, &r).await?;
    let items = evidence::of_case(&state.db, tenant.slug(), c.case_id)
        .await?
        .into_iter()
        .filter(|e| everyone || e.author == me.person_id)
        .map(|e| view(e, &me))
        .collect();
    Ok(HttpResponse::Ok().json(EvidenceList { items }))
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/evidence",
    tag = "cases",
    summary = "Add evidence to an exam you assess (before it is signed): declare it, then send its bytes",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = DeclareBody,
    responses((status = 201, description = "declared; send its bytes from `received` on", body = EvidenceView), CaseErrors)
)]
pub async fn declare(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: DeclareBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    if !r.planned_assessor {
        return Err(forbidden("only the exam's assessors add evidence to it"));
    }
    let e = evidence::declare(
        &state.exams(tenant),
        &c,
        me.person_id,
        Declaration {
            evidence_id: body.id,
            criterion: body.criterion,
            section: body.section,
            kind: body.kind,
            file_name: body.file_name,
            size: body.size,
            sha256: body.sha256.to_ascii_lowercase(),
            duration_ms: body.duration_ms,
            captured_at: body.captured_at,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view(e, &me)))
}

/// The evidence in the path, if this person may see it (else 404, as for a case).
async fn in_path(
    state: &AppState,
    req: &HttpRequest,
    write: bool,
) -> Result<
    (
        String,
        Me,
        exam_case::Model,
        super::access::Relation,
        row::Model,
    ),
    ApiError,
> {
    let (tenant, me, c, r) = case_in_path(state, req, write).await?;
    let id = path_uuid(req, "evidenceId")?;
    let not_found = || ApiError::NotFound(format!("No evidence {id} on this exam"));
    let e = evidence::get(&state.db, tenant.slug(), c.case_id, id)
        .await?
        .filter(|e| e.state != "deleted")
        .ok_or_else(not_found)?;
    if e.author != me.person_id && !sees_everyones(state, &me, &c, &r).await? {
        return Err(not_found());
    }
    Ok((tenant.slug().to_string(), me, c, r, e))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/evidence/{evidenceId}",
    tag = "cases",
    summary = "One piece of evidence: what it is, and how far its bytes arrived",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("evidenceId" = Uuid, Path, description = "the evidence")),
    responses((status = 200, description = "the evidence", body = EvidenceView), CaseErrors)
)]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, me, _, _, e) = in_path(&state, &req, false).await?;
    Ok(HttpResponse::Ok().json(view(e, &me)))
}

/// The body of one stretch, at most [`evidence::MAX_CHUNK`] bytes.
async fn stretch(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "send the file in stretches of at most {} MiB",
            evidence::MAX_CHUNK / (1024 * 1024)
        ))
    };
    let bytes =
        crate::http::body::read_at_most(req, payload, evidence::MAX_CHUNK, too_large).await?;
    Ok(bytes.to_vec())
}

#[utoipa::path(
    put,
    path = "/api/{slug}/cases/{id}/evidence/{evidenceId}/content",
    tag = "cases",
    summary = "Send a stretch of the evidence's bytes, beginning at `Upload-Offset` (where the server's copy ends)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("evidenceId" = Uuid, Path, description = "the evidence"), ("Upload-Offset" = i64, Header, description = "where in the file this stretch begins")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "received; `received` says how far", body = EvidenceView), (status = 409, description = "the server's copy ends elsewhere: ask and go on from `received`"), CaseErrors)
)]
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, _r) = case_in_path(&state, &req, true).await?;
    let id = path_uuid(&req, "evidenceId")?;
    let position = req
        .headers()
        .get("Upload-Offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|p| *p >= 0)
        .ok_or_else(|| {
            ApiError::bad(
                "Upload-Offset",
                "the header says where in the file this stretch begins (bytes, from 0)",
            )
        })?;
    let bytes = stretch(&req, payload).await?;
    let store = evidence::store_for(&state.db);
    let e = evidence::receive(
        &state.exams(tenant),
        store.as_ref(),
        c.case_id,
        id,
        me.person_id,
        position,
        bytes,
    )
    .await?;
    Ok(HttpResponse::Ok().json(view(e, &me)))
}

#[utoipa::path(
    delete,
    path = "/api/{slug}/cases/{id}/evidence/{evidenceId}",
    tag = "cases",
    summary = "Delete evidence you added, before the exam is signed",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("evidenceId" = Uuid, Path, description = "the evidence")),
    responses((status = 204, description = "deleted"), CaseErrors)
)]
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, _r) = case_in_path(&state, &req, true).await?;
    let id = path_uuid(&req, "evidenceId")?;
    let store = evidence::store_for(&state.db);
    evidence::delete(
        &state.exams(tenant),
        store.as_ref(),
        c.case_id,
        id,
        me.person_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/evidence/{evidenceId}/content",
    tag = "cases",
    summary = "The evidence's bytes (the view is on the exam's trail)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("evidenceId" = Uuid, Path, description = "the evidence")),
    responses((status = 200, description = "the file"), CaseErrors)
)]
pub async fn content(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (slug, me, _, _, e) = in_path(&state, &req, false).await?;
    let Some(content_type) = e.content_type.clone().filter(|_| e.state == "received") else {
        return Err(ApiError::NotFound(
            "this evidence has not fully arrived yet".into(),
        ));
    };
    evidence::viewed(&state.db, &slug, &e, me.person_id).await?;
    let store = evidence::store_for(&state.db);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_LENGTH, e.size.to_string()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::sis::documents::content_disposition(&e.file_name),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::ETAG, format!("\"{}\"", e.sha256)))
        .streaming(bytes_of(store, slug, e.sha256)))
}

/// A stored file as a stream of its chunks, read one at a time (never the whole file in
/// memory).
pub(crate) fn bytes_of(
    store: std::sync::Arc<dyn evidence::Store>,
    tenant: String,
    sha256: String,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    futures_util::stream::unfold(Some(0i64), move |at| {
        let store = store.clone();
        let (tenant, sha256) = (tenant.clone(), sha256.clone());
        async move {
            let from = at?;
            match store.read(&tenant, &sha256, from).await {
                Ok(Some((pos, bytes))) => {
                    let next = pos + i64::try_from(bytes.len()).unwrap_or(i64::MAX);
                    Some((Ok(web::Bytes::from(bytes)), Some(next)))
                }
                Ok(None) => None,
                Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            }
        }
    })
}
