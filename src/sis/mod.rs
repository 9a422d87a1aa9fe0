//! The SIS boundary over HTTP: the OKE endpoints Proeve serves per tenant under
//! `/ooapi/{slug}` (service metadata, flow 0 catalogue, flow 1 push and read-back,
//! documents), plus health checks. Handlers check tenant and token first, then parse with
//! `ooapi`, then store with `intake`.

mod associations;
mod components;
pub(crate) mod documents;
mod groups;
mod health;
pub(crate) mod offerings;
mod persons;

use crate::auth::jwt::VerifyError;
use crate::auth::{scope, Caller};
use crate::http::AppState;
use crate::http::{close_unread, method_not_allowed, problem, tenant, ApiError};
use crate::tenant::Tenant;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Bodies are read by `body::read` with their own limit and Problem answers.
    cfg.app_data(web::PayloadConfig::new(crate::http::body::MAX_BODY + 1));
    cfg.route("/ooapi/openapi.yaml", web::get().to(health::specification));
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route(
            "/.well-known/proeve-demo-jwks.json",
            web::get().to(health::demo_jwks),
        );
    let r = |path: &str, allow: &'static str| {
        web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
            method_not_allowed(&req, allow)
        }))
    };
    cfg.service(
        web::scope("/ooapi/{slug}")
            .service(r("", "GET").route(web::get().to(components::service)))
            .service(r("/", "GET").route(web::get().to(components::service)))
            .service(r("/components", "GET").route(web::get().to(components::list)))
            .service(r("/components/{id}", "GET").route(web::get().to(components::get)))
            .service(
                r("/offerings/{id}", "GET, PUT, PATCH")
                    .route(web::get().to(offerings::get))
                    .route(web::put().to(offerings::put))
                    .route(web::patch().to(offerings::patch)),
            )
            .service(
                r("/offerings/{id}/associations", "GET").route(web::get().to(associations::list)),
            )
            .service(
                r("/associations/{id}", "GET, PUT, PATCH")
                    .route(web::get().to(associations::get))
                    .route(web::put().to(associations::put))
                    .route(web::patch().to(associations::patch)),
            )
            .service(
                r("/persons/{id}", "GET, PUT")
                    .route(web::get().to(persons::get))
                    .route(web::put().to(persons::put)),
            )
            .service(
                r("/groups/{id}", "GET, PUT")
                    .route(web::get().to(groups::get))
                    .route(web::put().to(groups::put)),
            )
            .service(
                r("/groups/{id}/members/{personId}", "PUT")
                    .route(web::put().to(groups::put_member)),
            )
            .service(r("/documents/{id}", "GET").route(web::get().to(documents::get))),
    );
    cfg.default_service(web::to(not_found));
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    let mut resp = problem(
        StatusCode::NOT_FOUND,
        format!("There is nothing at {}", req.path()),
    );
    close_unread(&mut resp);
    resp
}

/// Authenticates the bearer token for the tenant in the path and checks that it carries one
/// of `scopes`.
async fn authorize<'a>(
    state: &'a AppState,
    req: &HttpRequest,
    scopes: &[&str],
) -> Result<(&'a Tenant, Caller), ApiError> {
    let tenant = tenant(state, req)?;
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "send an OAuth2 bearer token (Authorization: Bearer <token>)".into(),
            )
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be Bearer <token>".into())
        })?;
    let verifier = state
        .verifier(tenant)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no verifier for {}", tenant.slug())))?;
    let caller = verifier.verify(token).await.map_err(|e| match e {
        VerifyError::Invalid(m) => ApiError::Unauthorized(m),
        VerifyError::Unavailable(m) => ApiError::Unavailable(m),
    })?;
    if !scopes.iter().any(|s| caller.has_scope(s)) {
        let detail = if caller.has_scope(scope::FLOW_2_3_4) && scopes.contains(&scope::FLOW_1_5) {
            format!(
                "this endpoint needs scope {}; Proeve does not act as the test administration \
                 behind another planning system (flows 2-4)",
                scopes.join(" or ")
            )
        } else {
            format!("this endpoint needs scope {}", scopes.join(" or "))
        };
        return Err(ApiError::Forbidden {
            detail,
            scope: scopes.join(" "),
        });
    }
    Ok((tenant, caller))
}

/// 201 for a created record, 200 for a replaced one; no body (OKE).
fn written(w: crate::intake::Written) -> HttpResponse {
    match w {
        crate::intake::Written::Created => HttpResponse::Created().finish(),
        crate::intake::Written::Replaced => HttpResponse::Ok().finish(),
    }
}

fn json(value: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(value.to_string())
}
