//! The net under every answer: whatever the framework answers by itself (a body it could not
//! read, a limit it enforced) leaves as problem JSON like Proeve's own errors, and a request
//! whose headers are too large is refused before any handler reads them.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::Error;

/// The most a request's head may hold, in bytes: its path and all its headers. Heads over
/// 128 KiB never reach Proeve: the HTTP server cuts them off with an empty 431.
pub const MAX_HEAD: usize = 32 * 1024;

/// What a framework error says, as Proeve would say it.
fn detail_for(status: StatusCode) -> String {
    match status.as_u16() {
        400 => "the request could not be read".into(),
        408 => "the request took too long to arrive".into(),
        413 => format!(
            "the body is larger than {} bytes",
            crate::http::body::MAX_BODY
        ),
        431 => format!("the request's headers are larger than {MAX_HEAD} bytes"),
        s if s >= 500 => "something went wrong on the server; try again shortly".into(),
        _ => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_lowercase(),
    }
}

/// Whether an error answer is already made for its reader: problem JSON, or one of Proeve's
/// own pages for people in a browser.
fn already_said(res: &ServiceResponse<impl MessageBody>) -> bool {
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ct.starts_with("application/problem+json") || ct.starts_with("text/html")
}

pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let head = req.uri().path_and_query().map_or(0, |p| p.as_str().len())
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head > MAX_HEAD {
        let status = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
        let mut res = crate::http::problem(status, detail_for(status));
        crate::http::close_unread(&mut res);
        return Ok(req.into_response(res));
    }
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || already_said(&res) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, old) = res.into_parts();
    let mut fresh = crate::http::problem(status, detail_for(status));
    // Headers the answer carried for a reason (Allow, Retry-After, …) stay.
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, fresh))
}
