//! The phone app (`web/`): plain HTML, CSS and ES modules, served at `/app/{slug}/` for each
//! school. Release builds carry the files inside the binary, so one file deploys; debug
//! builds read them from `web/` so a change shows on reload. Every answer carries an ETag
//! (the file's SHA-256) and a strict Content-Security-Policy: the app loads nothing from
//! anywhere else.

use crate::error::ApiError;
use crate::startup::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

#[derive(rust_embed::Embed)]
#[folder = "web/"]
struct Assets;

const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
                   script-src 'self'; connect-src 'self'; worker-src 'self'; \
                   manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'self'";

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// `GET /app/{slug}` → `/app/{slug}/`, so relative paths in the app resolve.
pub async fn app_root(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let tenant = crate::sis::tenant(&state, &req)?;
    Ok(HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, format!("/app/{}/", tenant.settings.slug)))
        .finish())
}

/// One name for this release of the app: a hash over every file's hash. The service worker
/// carries it, so a new release installs as a whole.
fn release() -> String {
    let mut all: Vec<(String, [u8; 32])> = Assets::iter()
        .filter(|p| p != "sw.js")
        .filter_map(|p| Assets::get(&p).map(|f| (p.to_string(), f.metadata.sha256_hash())))
        .collect();
    all.sort();
    let mut h = Sha256::new();
    for (path, hash) in all {
        h.update(path.as_bytes());
        h.update(hash);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /app/{slug}/{file}`: a file of the app (`index.html` for the bare path).
pub async fn asset(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::sis::tenant(&state, &req)?;
    let tail = req.match_info().get("file").unwrap_or_default();
    let path = if tail.is_empty() { "index.html" } else { tail };
    if path.contains("..") || path.starts_with('/') {
        return Err(ApiError::NotFound(format!("No file {path}")));
    }
    let Some(file) = Assets::get(path) else {
        return Err(ApiError::NotFound(format!("No file {path}")));
    };
    let body: Vec<u8> = if path == "sw.js" {
        // Caches belong to the origin, not the school: each school's app keeps its own.
        String::from_utf8_lossy(&file.data)
            .replace("__RELEASE__", &release())
            .replace(
                "__SCHOOL__",
                req.match_info().get("slug").unwrap_or_default(),
            )
            .into_bytes()
    } else {
        file.data.into_owned()
    };
    let etag = format!(
        "\"{}\"",
        Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag))
        // Always revalidated: the service worker keeps the offline copy.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("content-security-policy", CSP))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "same-origin"));
    if path == "sw.js" {
        resp.insert_header(("service-worker-allowed", "./"));
    }
    if not_modified {
        return Ok(resp.finish());
    }
    Ok(resp.content_type(content_type(path)).body(body))
}
