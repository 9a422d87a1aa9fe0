//! The HTTP layer's own floor, below the handlers (`sis`, `api`, `web`, `demo_sis`): the
//! problem+json error with its conversions from domain and wire errors ([`error`]), the
//! application state handlers share ([`AppState`]), reading bodies ([`body`]) and the small
//! extractors every handler uses (the tenant in the path, a UUID path parameter).

pub mod body;
pub mod error;
pub mod logging;
pub mod problems;
mod state;
mod throttle;
pub mod timing;

pub use error::{problem, ApiError};
pub use state::AppState;
pub use throttle::{Throttle, Throttles};

use crate::tenant::Tenant;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use uuid::Uuid;

/// Content-Security-Policy of Proeve's own server-made pages (sign-in steps, the demo SIS):
/// nothing but the app's style sheet, forms only to Proeve, never in a frame.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A server-made HTML page: its policy, never cached (a sign-in page may hold a token or a
/// code), never sniffed, and no referrer to carry its URL to another site.
pub fn html_page(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    use actix_web::http::header;
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Same-origin: nothing of its address leaves Proeve, and a form post keeps its Origin.
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(body)
}

/// These answers leave any request body unread, so the connection is not reused.
pub fn close_unread(resp: &mut HttpResponse) {
    resp.head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
}

pub fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let mut resp = problem(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed here; use {allow}", req.method()),
    );
    if let Ok(v) = header::HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    close_unread(&mut resp);
    resp
}

/// A JSON answer with a weak `ETag` over its bytes; `304` without a body when the request's
/// `If-None-Match` names it (the app's refresh then transfers nothing when nothing changed).
pub fn with_etag(req: &HttpRequest, body: Vec<u8>) -> HttpResponse {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&body);
    let tag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let etag = format!("W/\"{tag}\"");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, etag))
        .body(body)
}

/// The client's network address: the connection's, or behind a proxy (`behind_proxy`) the
/// one the proxy forwarded.
pub fn client_ip(state: &AppState, req: &HttpRequest) -> String {
    client_ip_of(state.settings.behind_proxy, req)
}

/// [`client_ip`], for where the state is not at hand (the request log).
pub fn client_ip_of(behind_proxy: bool, req: &HttpRequest) -> String {
    if behind_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_string();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// The tenant named in the path.
pub fn tenant<'a>(state: &'a AppState, req: &HttpRequest) -> Result<&'a Tenant, ApiError> {
    let slug = req.match_info().get("slug").unwrap_or_default();
    state
        .tenants
        .get(slug)
        .ok_or_else(|| ApiError::NotFound(format!("There is no school {slug:?} on this server")))
}

/// A path parameter that must be a UUID.
pub fn path_uuid(req: &HttpRequest, name: &str) -> Result<Uuid, ApiError> {
    let raw = req.match_info().get(name).unwrap_or_default();
    crate::ooapi::read::parse_uuid(raw)
        .ok_or_else(|| ApiError::bad(name, format!("{raw:?} is not a UUID")))
}
