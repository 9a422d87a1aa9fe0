//! `PUT`/`PATCH`/`GET /offerings/{id}`: planbare toetsen and student context from the SIS.

use super::{authorize, json, written};
use crate::auth::scope;
use crate::http::body::{self, Kind};
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use crate::intake::{self, writer::Write, OfferingWrite};
use crate::ooapi::merge::merge_patch;
use crate::ooapi::offering::{self as wire, OfferingPatch, OfferingState};
use crate::ooapi::page::Query;
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
    let test = intake::resolve_component(&state.catalog, &parsed);
    let write = Write::Offering {
        parsed,
        test,
        raw,
        tell_pending: tenant.settings.takes_planning_status(),
    };
    let result = state.writer.store(&tenant.settings.slug, write).await?;
    Ok(written(result))
}

pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = body::read(&req, payload).await?;
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let slug = tenant.settings.slug.as_str();
    let id = path_uuid(&req, "id")?;
    let (mut patch, raw) = body::json(&req, &bytes, Kind::Patch)?;
    wire::canonical_patch(&mut patch);
    let txn = crate::db::begin(&state.db).await?;
    let stored = intake::lock_offering_for_patch(&txn, slug, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No offering {id}; create it with PUT first")))?;
    let document = intake::document(&stored.document);
    match wire::check_patch(&patch, id, &stored.offering_type)? {
        OfferingPatch::Cancel => {
            let doc = wire::with_state(&document, OfferingState::Canceled);
            intake::cancel_offering(&txn, slug, &stored, &doc, &raw).await?;
        }
        OfferingPatch::Merge => {
            let mut merged = document;
            merge_patch(&mut merged, &patch);
            let parsed = wire::parse(&merged, id)?;
            let w = OfferingWrite {
                parsed: &parsed,
                test: intake::resolve_component(&state.catalog, &parsed),
                raw: &raw,
                tell_pending: tenant.settings.takes_planning_status(),
            };
            intake::put_offering(&txn, slug, &w).await?;
        }
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().finish())
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let id = path_uuid(&req, "id")?;
    let expand = Query::parse(req.query_string())?.expand(&[
        "program",
        "programOffering",
        "course",
        "courseOffering",
        "component",
        "organization",
        "academicSession",
    ])?;
    let stored = intake::find_offering(&state.db, &tenant.settings.slug, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No offering {id}")))?;
    let mut doc = intake::document(&stored.document);
    // Only our own catalogue can be expanded; the SIS owns programmes and organisations.
    if expand.iter().any(|e| e == "component") {
        if let Some(exam) = stored.component_id.and_then(|c| state.catalog.get(c)) {
            let unit = stored
                .unit_id
                .and_then(|u| exam.model.results.iter().find(|r| r.id == u));
            doc["component"] = super::components::entry_at(&state, tenant, exam, unit).await?;
        }
    }
    Ok(json(&doc))
}
