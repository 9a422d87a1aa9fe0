//! Liveness, readiness, and the demo key's JWKS.

use crate::http::problem;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::ConnectionTrait;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready when the database answers and takes a write.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let unready = |detail: &str| {
        let mut res = problem(StatusCode::SERVICE_UNAVAILABLE, detail);
        res.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("30"),
        );
        res
    };
    if let Err(e) = state.db.execute_unprepared("SELECT 1").await {
        tracing::warn!(error = %e, "readiness check failed");
        return unready("the database does not answer");
    }
    // A writer busy for a while (a long group commit) is a busy database, not a broken one.
    match tokio::time::timeout(
        std::time::Duration::from_secs(5),
        crate::db::writable(&state.db),
    )
    .await
    {
        Err(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ready", "write": "busy"})),
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed: the database takes no write");
            unready("the database cannot write (is its disk full, or is it read-only?)")
        }
    }
}

/// Prometheus text: the SIS outbox per school (queue depth by state, age of the oldest
/// message not delivered), deliveries since start by outcome, and how long each route takes
/// to answer. Counts only, no personal data (a route is its pattern, never a path's values).
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    use std::fmt::Write;
    match &state.settings.metrics {
        crate::config::MetricsAccess::Open => {}
        crate::config::MetricsAccess::Off => {
            return problem(
                StatusCode::NOT_FOUND,
                "metrics are not enabled on this server (set metrics_token)",
            )
        }
        crate::config::MetricsAccess::Token(expected) => {
            use secrecy::ExposeSecret;
            let given = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            // Compared as digests of equal length: the time says nothing of the token's.
            let digest = |t: &str| {
                use sha2::Digest;
                sha2::Sha256::digest(t.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            };
            if !crate::auth::session::csrf_matches(
                &digest(expected.expose_secret()),
                &digest(given),
            ) {
                let mut res = problem(
                    StatusCode::UNAUTHORIZED,
                    "send the metrics token as a bearer token",
                );
                res.headers_mut().insert(
                    actix_web::http::header::WWW_AUTHENTICATE,
                    actix_web::http::header::HeaderValue::from_static("Bearer realm=\"metrics\""),
                );
                return res;
            }
        }
    }
    let depth = match crate::outbox::depth(&state.db).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "reading the outbox for /metrics failed");
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            );
        }
    };
    let now = chrono::Utc::now();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP proeve_sis_outbox_messages Messages to the SIS in the outbox, by state.\n\
         # TYPE proeve_sis_outbox_messages gauge"
    );
    let mut tenants: Vec<&String> = state.tenants.keys().collect();
    tenants.sort();
    for t in &tenants {
        for s in [
            crate::outbox::WAITING,
            crate::outbox::SENDING,
            crate::outbox::PARKED,
            crate::outbox::DELIVERED,
            crate::outbox::SKIPPED,
        ] {
            let n = depth
                .iter()
                .find(|d| &d.tenant == *t && d.state == s)
                .map_or(0, |d| d.count);
            let _ = writeln!(
                out,
                "proeve_sis_outbox_messages{{tenant=\"{t}\",state=\"{s}\"}} {n}"
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP proeve_sis_outbox_oldest_undelivered_seconds Age of the oldest message not delivered yet (0: none).\n\
         # TYPE proeve_sis_outbox_oldest_undelivered_seconds gauge"
    );
    for t in &tenants {
        let oldest = depth
            .iter()
            .filter(|d| {
                &d.tenant == *t
                    && d.state != crate::outbox::DELIVERED
                    && d.state != crate::outbox::SKIPPED
            })
            .filter_map(|d| d.oldest)
            .min()
            .map_or(0, |o| (now - o).num_seconds().max(0));
        let _ = writeln!(
            out,
            "proeve_sis_outbox_oldest_undelivered_seconds{{tenant=\"{t}\"}} {oldest}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP proeve_sis_delivery_attempts_total Delivery attempts since start, by outcome.\n\
         # TYPE proeve_sis_delivery_attempts_total counter"
    );
    let counts = state.delivery.counters.snapshot();
    for t in &tenants {
        for o in ["delivered", "retried", "parked", "skipped"] {
            let n = counts
                .iter()
                .find(|(ct, co, _)| ct == *t && *co == o)
                .map_or(0, |c| c.2);
            let _ = writeln!(
                out,
                "proeve_sis_delivery_attempts_total{{tenant=\"{t}\",outcome=\"{o}\"}} {n}"
            );
        }
    }
    state.timings.prometheus(&mut out);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
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
