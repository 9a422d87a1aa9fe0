//! `GET /` (service metadata) and flow 0: the catalogue as Components.

use super::{authorize, json};
use crate::auth::scope;
use crate::catalog::{approval, Exam, ResultUnit, Status};
use crate::http::ApiError;
use crate::http::AppState;
use crate::http::{path_uuid, tenant};
use crate::ooapi::component::AtSchool;
use crate::ooapi::page::Query;
use crate::ooapi::{component, service as meta, WireError};
use crate::tenant::Tenant;
use actix_web::{web, HttpRequest, HttpResponse};

/// Public, so a caller can check versions before it has a token.
pub async fn service(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    tenant(&state, &req)?;
    let s = &state.settings;
    Ok(json(&meta::metadata(
        &s.contact_email,
        &format!("{}/ooapi/openapi.yaml", s.public_url),
        &s.documentation_url,
    )))
}

pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_0]).await?;
    let q = Query::parse(req.query_string())?;
    let page = q.page()?;
    let sort = q.sort(&["componentId", "name"])?;
    let licensed = q.bool("licensed")?;
    let text = q.get("q").map(str::to_lowercase);
    // Only tests exist in OKE; any other componentType simply matches nothing.
    let type_matches = q.get("componentType").is_none_or(|t| t == "test");
    let primary_code = q.get("primaryCode");
    // The catalogue's filters a SIS asks for (NED-OOAPI issue 142): crebo, MBO level, status,
    // and approved by the school's exam committee.
    let crebo = q.get("crebo");
    let level = match q.get("level") {
        None => None,
        Some(v) => Some(
            v.parse::<u8>()
                .ok()
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| {
                    WireError::bad("level", format!("{v:?} is not an MBO level, 1 to 4"))
                })?,
        ),
    };
    let status = q.one_of("status", &["active", "inactive"])?;
    let approved = q.bool("approved")?;
    let approvals = approval::standing(&state.db, tenant.slug()).await?;
    let at = |e: &Exam| AtSchool {
        licensed: tenant.licensed(&e.code),
        approval: approvals.get(&e.id),
    };
    // Each exam, then each of its result units (a Component of its own, with the exam's
    // crebo, level, status, licence and approval).
    let mut entries: Vec<(&Exam, Option<&ResultUnit>)> = state
        .catalog
        .exams
        .iter()
        .flat_map(|e| {
            std::iter::once((e, None)).chain(e.model.results.iter().map(move |u| (e, Some(u))))
        })
        .filter(|_| type_matches)
        .filter(|(e, u)| {
            primary_code.is_none_or(|c| c == u.map_or(e.code.as_str(), |u| u.code.as_str()))
        })
        .filter(|(e, _)| crebo.is_none_or(|c| e.crebo.as_deref() == Some(c)))
        .filter(|(e, _)| level.is_none_or(|l| e.level == Some(l)))
        .filter(|(e, _)| {
            status.is_none_or(|s| (s == "active") == matches!(e.status, Status::Active))
        })
        .filter(|(e, _)| approved.is_none_or(|a| a == at(e).approved()))
        .filter(|(e, _)| licensed.is_none_or(|l| l == tenant.licensed(&e.code)))
        .filter(|(e, u)| {
            text.as_deref().is_none_or(|t| {
                match u {
                    Some(u) => component::unit_search_text(e, u),
                    None => component::search_text(e),
                }
                .contains(t)
            })
        })
        .collect();
    let id_of = |(e, u): &(&Exam, Option<&ResultUnit>)| u.map_or(e.id, |u| u.id);
    let name_of = |(e, u): &(&Exam, Option<&ResultUnit>)| {
        u.map_or(e.name.as_str(), |u| u.name.as_str())
            .to_lowercase()
    };
    // Stable sorts from the last key to the first give a multi-key order.
    for (key, desc) in sort.iter().rev() {
        entries.sort_by(|a, b| {
            let order = match *key {
                "componentId" => id_of(a).cmp(&id_of(b)),
                _ => name_of(a).cmp(&name_of(b)),
            };
            if *desc {
                order.reverse()
            } else {
                order
            }
        });
    }
    let total = entries.len() as u64;
    let items = entries
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.size as usize)
        .map(|(e, u)| match u {
            Some(u) => component::unit_component(e, u, &at(e)),
            None => component::component(e, &at(e)),
        })
        .collect();
    Ok(json(&page.wrap(items, total)))
}

pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, _) = authorize(&state, &req, &[scope::FLOW_0]).await?;
    let id = path_uuid(&req, "id")?;
    Query::parse(req.query_string())?.expand(&["course", "organization"])?;
    let (exam, unit) = state
        .catalog
        .resolve(id)
        .ok_or_else(|| ApiError::NotFound(format!("No component {id}")))?;
    Ok(json(&entry_at(&state, tenant, exam, unit).await?))
}

/// An exam, or one of its result units, as a Component, as it stands at this school.
pub async fn entry_at(
    state: &AppState,
    tenant: &Tenant,
    exam: &Exam,
    unit: Option<&ResultUnit>,
) -> Result<serde_json::Value, ApiError> {
    let approvals = approval::standing(&state.db, tenant.slug()).await?;
    let at = AtSchool {
        licensed: tenant.licensed(&exam.code),
        approval: approvals.get(&exam.id),
    };
    Ok(match unit {
        Some(u) => component::unit_component(exam, u, &at),
        None => component::component(exam, &at),
    })
}
