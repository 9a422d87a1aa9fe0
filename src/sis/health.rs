//! Liveness, readiness, and the demo key's JWKS.

use crate::error::problem;
use crate::startup::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use sea_orm::ConnectionTrait;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready when the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.execute_unprepared("SELECT 1").await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
        }
    }
}

pub async fn demo_jwks(state: web::Data<AppState>) -> HttpResponse {
    match &state.demo_jwks {
        Some(jwks) => HttpResponse::Ok().json(jwks),
        None => problem(
            StatusCode::NOT_FOUND,
            "there is no demo key outside the demo mode",
        ),
    }
}

/// The official OKE OpenAPI document (CC0), which `GET /` names as our specification.
pub async fn specification() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(include_str!("../../docs/ooapiv5_MBO.yaml"))
}
