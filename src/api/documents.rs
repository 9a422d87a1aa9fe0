//! The official documents of an exam for the people in the app: the list, the files, and
//! (for the exam office) the exam record they are rendered from.

use super::access::{case_in_path, forbidden, CaseErrors};
use crate::http::ApiError;
use crate::http::AppState;
use crate::report;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

/// A rendered document of an exam.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    document_id: Uuid,
    /// `assessmentForm` or `sessionReport` (OKE document types).
    document_type: String,
    /// For the assessment form of one result unit (a core task, a part): its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    /// The version of the record it shows (1: as signed; +1 per correction and per decision
    /// of the exam committee).
    version: Option<i32>,
    file_name: String,
    sha256: String,
    size: i64,
    created_at: DateTime<Utc>,
    /// Where the app downloads it.
    href: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DocumentList {
    /// Newest version first.
    items: Vec<DocumentView>,
}

pub fn view(
    slug: &str,
    catalog: &crate::catalog::Catalog,
    d: entity::document::Model,
) -> DocumentView {
    let unit = report::unit_of_form(&d.document_type);
    DocumentView {
        unit: unit
            .and_then(|u| catalog.resolve(u))
            .and_then(|(_, u)| u.map(|u| u.name.clone())),
        href: format!(
            "/api/{slug}/cases/{}/documents/{}",
            d.case_id.unwrap_or_default(),
            d.document_id
        ),
        document_id: d.document_id,
        document_type: if unit.is_some() {
            report::ASSESSMENT_FORM.to_string()
        } else {
            d.document_type
        },
        version: d.version,
        file_name: d.file_name,
        sha256: d.sha256,
        size: d.size,
        created_at: d.created_at,
    }
}

/// Who may read an exam's documents: the exam office and committee, the exam's own
/// assessors, and the candidate.
fn may_read(me: &super::Me, r: &super::access::Relation) -> bool {
    me.staff() || r.planned_assessor || r.candidate
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/documents",
    tag = "cases",
    summary = "The exam's official documents (assessment form, proces-verbaal), every version",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the documents", body = DocumentList), CaseErrors)
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    if !may_read(&me, &r) {
        return Err(forbidden(
            "only the candidate, the assessors and the exam office read these",
        ));
    }
    let slug = tenant.settings.slug.as_str();
    // The whole of an exam taken per part has its overview and its parts' documents.
    let mut cases = vec![c.case_id];
    if let Some(list) = &c.sittings {
        cases.extend(crate::planning::sittings::ids(list));
    }
    let mut items = Vec::new();
    for id in cases {
        items.extend(
            report::documents_of(&state.db, slug, id)
                .await?
                .into_iter()
                .map(|d| view(slug, &state.catalog, d)),
        );
    }
    Ok(HttpResponse::Ok().json(DocumentList { items }))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/documents/{documentId}",
    tag = "cases",
    summary = "One document as PDF",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("documentId" = Uuid, Path, description = "the document")),
    responses((status = 200, description = "the PDF", content_type = "application/pdf"), CaseErrors)
)]
pub async fn download(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    if !may_read(&me, &r) {
        return Err(forbidden(
            "only the candidate, the assessors and the exam office read these",
        ));
    }
    let slug = tenant.settings.slug.as_str();
    let id = crate::http::path_uuid(&req, "documentId")?;
    let doc = entity::document::Entity::find_by_id((slug.to_string(), id))
        .one(&state.db)
        .await?
        .filter(|d| d.case_id == Some(c.case_id))
        .ok_or_else(|| ApiError::NotFound(format!("No document {id} for this exam")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::sis::documents::content_disposition(&doc.file_name),
        ))
        // Personal documents: never kept in the browser of a phone others use after sign-out.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::ETAG, format!("\"{}\"", doc.sha256)))
        .body(doc.content))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/record",
    tag = "cases",
    summary = "The exam record the documents are rendered from (exam office); `proeve render --input` takes it as it is",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the record", body = report::record::Record), CaseErrors)
)]
pub async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, _) = case_in_path(&state, &req, false).await?;
    if !me.staff() {
        return Err(forbidden(
            "only the exam office and committee read the full record",
        ));
    }
    let record = report::build_record(&state.db, &state.catalog, &tenant.settings, &c)
        .await?
        .ok_or_else(|| ApiError::NotFound("this exam has no result yet".into()))?;
    Ok(HttpResponse::Ok().json(record))
}
