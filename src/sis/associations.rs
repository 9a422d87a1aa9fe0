//! `PUT`/`PATCH`/`GET /associations/{id}` and `GET /offerings/{id}/associations`:
//! toetsinschrijvingen (students and staff) and context enrolments.

use super::{authorize, json, written};
use crate::auth::scope;
use crate::http::body::{self, Kind};
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use crate::intake::{self, writer::Write, AssociationFilter, AssociationWrite};
use crate::ooapi::association::{self as wire, AssociationPatch};
use crate::ooapi::merge::merge_patch;
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
    // A person sent inside the enrolment (the standard allows it, OKE §3.1 and table 4.3.A)
    // is a person: checked as its own PUT would be, and stored with the enrolment.
    let person = match body.get("person") {
        Some(p @ serde_json::Value::Object(_)) => Some((
            Box::new(crate::ooapi::person::parse_at(
                p,
                parsed.person_id,
                "person",
            )?),
            p.to_string(),
        )),
        _ => None,
    };
    let slug = tenant.settings.slug.as_str();
    check_offering_type(&state, slug, &parsed).await?;
    let write = Write::Association {
        parsed,
        raw,
        person,
        tell_pending: tenant.settings.takes_planning_status(),
    };
    let result = state.writer.store(slug, write).await?;
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
    let unknown = || ApiError::NotFound(format!("No association {id}; create it with PUT first"));
    // Lock order: the offering (shared), the student's turn, then the association, as every
    // writer does.
    let peek = intake::find_association(&txn, slug, id)
        .await?
        .ok_or_else(unknown)?;
    intake::share_offering(&txn, slug, peek.offering_id).await?;
    if peek.role == "student" {
        crate::planning::student_turn(&*txn, slug, peek.person_id).await?;
    }
    let stored = intake::lock_association(&txn, slug, id)
        .await?
        .ok_or_else(unknown)?;
    let state_after = match wire::check_patch(&patch, id, &stored.association_type)? {
        AssociationPatch::Cancel => {
            intake::cancel_association(&txn, slug, &stored, &raw).await?;
            "canceled".to_string()
        }
        AssociationPatch::Merge => {
            let mut merged = intake::document(&stored.document);
            merge_patch(&mut merged, &patch);
            let parsed = wire::parse(&merged, id)?;
            check_offering_type(&state, slug, &parsed).await?;
            // A PATCH names the person by id (the merged document keeps what was stored).
            let w = AssociationWrite {
                parsed: &parsed,
                raw: &raw,
                person: None,
                tell_pending: tenant.settings.takes_planning_status(),
            };
            intake::put_association(&txn, slug, &w).await?;
            intake::find_association(&txn, slug, id)
                .await?
                .map_or_else(|| parsed.state.to_string(), |a| a.state)
        }
    };
    txn.commit().await?;
    Ok(json(&wire::patch_response(id, &state_after)))
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let slug = tenant.settings.slug.as_str();
    let id = path_uuid(&req, "id")?;
    let expand = Query::parse(req.query_string())?.expand(&["person", "offering"])?;
    let stored = intake::find_association(&state.db, slug, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No association {id}")))?;
    let doc = intake::document(&stored.document);
    let person = if expand.iter().any(|e| e == "person") {
        intake::find_person(&state.db, slug, stored.person_id)
            .await?
            .and_then(|p| p.document)
            .map(|d| intake::document(&d))
    } else {
        None
    };
    let offering = if expand.iter().any(|e| e == "offering") {
        intake::find_offering(&state.db, slug, stored.offering_id)
            .await?
            .map(|o| intake::document(&o.document))
    } else {
        None
    };
    Ok(json(&wire::expanded(&doc, person, offering)))
}

pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_1_5]).await?;
    let slug = tenant.settings.slug.as_str();
    let id = path_uuid(&req, "id")?;
    let q = Query::parse(req.query_string())?;
    let page = q.page()?;
    let filter = AssociationFilter {
        role: q.one_of("role", &wire::ROLES)?,
        state: q.one_of("state", &wire::STATES)?,
        descending: q.sort(&["associationId"])?.first().is_some_and(|(_, d)| *d),
    };
    if intake::find_offering(&state.db, slug, id).await?.is_none() {
        return Err(ApiError::NotFound(format!("No offering {id}")));
    }
    let (rows, total) =
        intake::list_associations(&state.db, slug, id, &filter, page.offset(), page.size).await?;
    let items = rows.iter().map(|a| intake::document(&a.document)).collect();
    Ok(json(&page.wrap(items, total)))
}

/// An enrolment must match its offering's kind (a programme enrolment on a programme, a
/// toetsinschrijving on a planbare toets), when the offering is already known.
async fn check_offering_type(
    state: &AppState,
    slug: &str,
    a: &wire::Association,
) -> Result<(), ApiError> {
    let expected = wire::offering_type_of(a.association_type);
    match intake::find_offering(&state.db, slug, a.offering_id).await? {
        Some(o) if o.offering_type != expected => Err(ApiError::bad(
            "associationType",
            format!(
                "a {} belongs to a {expected} offering, but offering {} is a {}",
                a.association_type, a.offering_id, o.offering_type
            ),
        )),
        _ => Ok(()),
    }
}
