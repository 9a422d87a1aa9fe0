//! `PUT`/`GET /persons/{id}`.

use super::{authorize, json, written};
use crate::auth::scope;
use crate::http::body::{self, Kind};
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use crate::intake::{self, writer::Write};
use crate::ooapi::person as wire;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn put(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = body::read(&req, payload).await?;
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let id = path_uuid(&req, "id")?;
    let (body, raw) = body::json(&req, &bytes, Kind::Put)?;
    let parsed = Box::new(wire::parse(&body, id)?);
    let result = state
        .writer
        .store(&tenant.settings.slug, Write::Person { parsed, raw })
        .await?;
    Ok(written(result))
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let id = path_uuid(&req, "id")?;
    let stored = intake::find_person(&state.db, &tenant.settings.slug, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No person {id}")))?;
    match stored.document {
        Some(d) => Ok(json(&intake::document(&d))),
        None => Err(ApiError::NotFound(format!(
            "No person {id}: the personal data was removed after the enrolment was canceled"
        ))),
    }
}
