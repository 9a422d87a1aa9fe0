//! `PUT`/`GET /groups/{id}` and `PUT /groups/{id}/members/{personId}` (optional in OKE).

use super::{authorize, json, written};
use crate::auth::scope;
use crate::http::body::{self, Kind};
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use crate::intake::{self, writer::Write};
use crate::ooapi::group as wire;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::EntityTrait;

pub async fn put(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = body::read(&req, payload).await?;
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let id = path_uuid(&req, "id")?;
    let (body, raw) = body::json(&req, &bytes, Kind::Put)?;
    let parsed = Box::new(wire::parse_group(&body, id)?);
    let result = state
        .writer
        .store(&tenant.settings.slug, Write::Group { parsed, raw })
        .await?;
    Ok(written(result))
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let id = path_uuid(&req, "id")?;
    let stored = entity::group::Entity::find_by_id((tenant.settings.slug.clone(), id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No group {id}")))?;
    Ok(json(&intake::document(&stored.document)))
}

pub async fn put_member(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = body::read(&req, payload).await?;
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let group_id = path_uuid(&req, "id")?;
    let person_id = path_uuid(&req, "personId")?;
    let (body, raw) = body::json(&req, &bytes, Kind::Put)?;
    let parsed = Box::new(wire::parse_membership(&body, person_id)?);
    let write = Write::Member {
        group_id,
        parsed,
        raw,
    };
    let result = state.writer.store(&tenant.settings.slug, write).await?;
    Ok(written(result))
}
