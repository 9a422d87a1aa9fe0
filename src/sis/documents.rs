//! `GET /documents/{id}`: the raw bytes of a result document, for the tenant that owns it.

use super::authorize;
use crate::auth::scope;
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::EntityTrait;

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // The PDF puts documents under flow-1-5 (the SIS), the YAML under flow-2-3-4: accept both.
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5, scope::FLOW_2_3_4]).await?;
    let id = path_uuid(&req, "id")?;
    let doc = entity::document::Entity::find_by_id((tenant.settings.slug.clone(), id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No document {id}")))?;
    // OKE serves documents as application/octet-stream; a caller that explicitly accepts the
    // stored type (application/pdf) gets that.
    let accepts_stored = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(doc.content_type.as_str()));
    let content_type = if accepts_stored {
        doc.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(&doc.file_name),
        ))
        .body(doc.content))
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
