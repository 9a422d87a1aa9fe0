//! Reading request bodies: content type, size limit and JSON syntax, each with a precise
//! Problem answer.

use crate::http::ApiError;
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde_json::Value;

/// The largest body Proeve accepts (documented in the README).
pub const MAX_BODY: usize = 1024 * 1024;

pub enum Kind {
    /// PUT: `application/json`.
    Put,
    /// PATCH: `application/merge-patch+json`, or `application/json`.
    Patch,
}

/// The raw body, read before anything else is decided so that the connection stays usable
/// whatever the answer (a response sent over an unread body would break keep-alive).
pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    read_at_most(req, payload, MAX_BODY, too_large).await
}

/// The raw body of at most `max` bytes (a larger one answers `too_large()`), refused by its
/// declared length before any of it is read.
pub async fn read_at_most(
    req: &HttpRequest,
    mut payload: web::Payload,
    max: usize,
    too_large: impl Fn() -> ApiError,
) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => too_large(),
            other => ApiError::BadRequest(format!("the body could not be read: {other}")),
        })?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// The body as JSON, and as the text received (kept for audit), after checking its type.
pub fn json(req: &HttpRequest, bytes: &[u8], kind: Kind) -> Result<(Value, String), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let accepted: &[&str] = match kind {
        Kind::Put => &["application/json"],
        Kind::Patch => &["application/merge-patch+json", "application/json"],
    };
    if !accepted.contains(&essence.as_str()) {
        let got = if content_type.is_empty() {
            "none".to_string()
        } else {
            format!("{content_type:?}")
        };
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the body as {} (Content-Type was {got})",
            accepted.join(" or ")
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::BadRequest("the body is not valid UTF-8".into()))?;
    if text.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "the body is empty; send a JSON object".into(),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body is not valid JSON: {} (line {}, column {})",
            strip_position(&e.to_string()),
            e.line(),
            e.column()
        ))
    })?;
    Ok((value, text.to_string()))
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("the body is larger than {} bytes", MAX_BODY))
}
