//! A small SIS inside the demo, so a newcomer sees the whole loop on one laptop: push → plan
//! → score → sign → the result arrives in "the SIS". It issues client-credentials tokens,
//! takes flow 5 `PATCH`/`PUT /associations/{id}` like a strict SIS (the body must fit the
//! official schema, else 400), and shows what it got at `/demo-sis/{slug}`. It keeps what it
//! got in memory: a restart of the demo starts it empty. Outside the demo it does not exist.

use crate::config::{OkeVersion, SisSettings, DEMO_TENANT};
use crate::delivery::schema;
use crate::http::ApiError;
use crate::http::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Mutex;

pub const CLIENT_ID: &str = "proeve-demo";
const CLIENT_SECRET: &str = "demo-sis-secret";

/// The demo tenant's SIS connection: this very server.
pub fn settings(port: u16) -> SisSettings {
    let base = format!("http://127.0.0.1:{port}/demo-sis/{DEMO_TENANT}");
    SisSettings {
        base_url: base.clone(),
        token_url: format!("{base}/token"),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.to_string().into(),
        pull_every_minutes: None,
        // It shows the planned moment too (the 1.1 draft's planning status).
        oke_version: OkeVersion::V1_1,
    }
}

struct Got {
    at: DateTime<Utc>,
    method: String,
    association: String,
    body: Value,
}

#[derive(Default)]
pub struct DemoSis {
    tokens: Mutex<Vec<String>>,
    got: Mutex<Vec<Got>>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/demo-sis/{slug}", web::get().to(page))
        .route("/demo-sis/{slug}/token", web::post().to(token))
        .route(
            "/demo-sis/{slug}/associations/{id}",
            web::patch().to(association),
        )
        .route(
            "/demo-sis/{slug}/associations/{id}",
            web::put().to(association),
        );
}

fn only_demo(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let slug = req.match_info().get("slug").unwrap_or_default();
    if state.settings.is_demo() && slug == DEMO_TENANT {
        Ok(())
    } else {
        Err(ApiError::NotFound(
            "the demo SIS exists only in the demo".into(),
        ))
    }
}

async fn token(
    state: web::Data<AppState>,
    demo: web::Data<DemoSis>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    only_demo(&state, &req)?;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if given != expected {
        return Err(ApiError::Unauthorized("unknown client".into()));
    }
    let t = uuid::Uuid::new_v4().to_string();
    if let Ok(mut tokens) = demo.tokens.lock() {
        tokens.push(t.clone());
    }
    Ok(HttpResponse::Ok()
        .json(json!({"access_token": t, "token_type": "Bearer", "expires_in": 3600})))
}

async fn association(
    state: web::Data<AppState>,
    demo: web::Data<DemoSis>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    only_demo(&state, &req)?;
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let known = demo
        .tokens
        .lock()
        .map(|t| t.contains(&bearer))
        .unwrap_or(false);
    if !known {
        return Err(ApiError::Unauthorized("unknown token".into()));
    }
    let id = req.match_info().get("id").unwrap_or_default().to_string();
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("not JSON: {e}")))?;
    let method = req.method().as_str().to_string();
    schema::check(&method, &value).map_err(ApiError::BadRequest)?;
    if let Ok(mut got) = demo.got.lock() {
        got.push(Got {
            at: Utc::now(),
            method,
            association: id.clone(),
            body: value,
        });
    }
    Ok(HttpResponse::Ok().json(json!({"associationId": id, "message": "ontvangen"})))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn page(
    state: web::Data<AppState>,
    demo: web::Data<DemoSis>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    only_demo(&state, &req)?;
    let mut rows = String::new();
    if let Ok(got) = demo.got.lock() {
        for g in got.iter().rev() {
            let r = &g.body["result"];
            let c = &r["consumers"][0];
            let docs: Vec<String> = c["documents"]
                .as_array()
                .map(|d| {
                    d.iter()
                        .filter_map(|d| d["documentName"].as_str().map(esc))
                        .collect()
                })
                .unwrap_or_default();
            let text = |v: &Value| v.as_str().map(esc).unwrap_or_else(|| "—".into());
            let moment = &g.body["consumers"][0]["testMomentEnrollmentDetails"];
            let planned = match (
                moment["startDateTime"].as_str(),
                moment["roomName"].as_str(),
            ) {
                (Some(at), Some(room)) => format!("{} · {}", esc(at), esc(room)),
                (Some(at), None) => esc(at),
                _ => "—".into(),
            };
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>\n",
                g.at.format("%Y-%m-%d %H:%M:%S UTC"),
                esc(&g.method),
                esc(&g.association),
                planned,
                text(&c["attendance"]),
                text(&r["state"]),
                text(&r["score"]),
                text(&r["pass"]),
                if c["final"] == json!(true) { "ja" } else { "nee" },
                docs.join("<br>"),
            ));
        }
    }
    if rows.is_empty() {
        rows = "<tr><td colspan=\"8\">Nog niets ontvangen.</td></tr>".into();
    }
    let html = format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/app/{DEMO_TENANT}/app.css\">\
         <title>Demo-SIS: ontvangen uitslagen</title></head><body><main>\
         <h1>Demo-SIS</h1><p>Wat Proeve aan het SIS van de demo-school stuurde (OKE flow 5), \
         nieuwste eerst. Alleen in de demo; na een herstart leeg.</p>\
         <table><thead><tr><th scope=\"col\">Ontvangen</th><th scope=\"col\">Toetsinschrijving</th>\
         <th scope=\"col\">Moment (OKE 1.1)</th><th scope=\"col\">Aanwezigheid</th><th scope=\"col\">Status</th><th scope=\"col\">Uitslag</th>\
         <th scope=\"col\">Definitief</th><th scope=\"col\">Documenten</th></tr></thead>\
         <tbody>\n{rows}</tbody></table></main></body></html>"
    );
    Ok(crate::http::html_page(
        actix_web::http::StatusCode::OK,
        html,
    ))
}
