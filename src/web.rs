//! The phone app (`web/`): plain HTML, CSS and ES modules, served at `/app/{slug}/` for each
//! school. Release builds carry the files inside the binary, so one file deploys; debug
//! builds read them from `web/` so a change shows on reload. Every answer carries an ETag
//! (the file's SHA-256) and a strict Content-Security-Policy: the app loads nothing from
//! anywhere else. A browser that takes gzip gets each file compressed once and kept (a
//! phone on a bad line fetches a quarter of the bytes), under its own ETag.

use crate::http::ApiError;
use crate::http::AppState;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Mutex, OnceLock};

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
    let tenant = crate::http::tenant(&state, &req)?;
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

/// Whether the request's `Accept-Encoding` takes gzip: its own entry decides when it has one
/// (`gzip;q=0` refuses it, whatever `*` says), else a `*` entry (RFC 9110 §12.5.3).
fn takes_gzip(req: &HttpRequest) -> bool {
    let mut gzip = None;
    let mut any = None;
    for coding in req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let accepted = !parts.any(|p| {
            p.split_once('=').is_some_and(|(k, q)| {
                k.trim().eq_ignore_ascii_case("q")
                    && q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(accepted);
        } else if name == "*" {
            any = Some(accepted);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// The gzipped form of a body, by the body's hash: compressed on first use, then kept (and
/// handed out without a copy). The app has a few dozen files (the service worker one per
/// school), so the map stays small.
fn gzipped(hash: &str, body: &[u8]) -> Option<Bytes> {
    static CACHE: OnceLock<Mutex<HashMap<String, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(hash).cloned()) {
        return Some(hit);
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec does not fail; if it did, the file goes as it is.
    let packed = Bytes::from(enc.write_all(body).and_then(|()| enc.finish()).ok()?);
    if let Ok(mut c) = cache.lock() {
        c.insert(hash.to_string(), packed.clone());
    }
    Some(packed)
}

/// `GET /app/{slug}/{file}`: a file of the app (`index.html` for the bare path).
pub async fn asset(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::http::tenant(&state, &req)?;
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
    let hash: String = Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Images are compressed already; text is worth it above a packet's worth.
    let packed = (takes_gzip(&req) && !path.ends_with(".png") && body.len() > 1024)
        .then(|| gzipped(&hash, &body))
        .flatten();
    let etag = if packed.is_some() {
        format!("\"{hash}-gz\"")
    } else {
        format!("\"{hash}\"")
    };
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
        .insert_header(("referrer-policy", "same-origin"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if path == "sw.js" {
        resp.insert_header(("service-worker-allowed", "./"));
    }
    if not_modified {
        return Ok(resp.finish());
    }
    resp.content_type(content_type(path));
    if let Some(packed) = packed {
        resp.insert_header((header::CONTENT_ENCODING, "gzip"));
        return Ok(resp.body(packed));
    }
    Ok(resp.body(body))
}
