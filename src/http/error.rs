//! One error type for the HTTP boundary, rendered as `application/problem+json` (OKE: `status`
//! is a string). 4xx say exactly what was wrong with the request; 5xx say nothing internal
//! and log the whole cause chain.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// A broken rule with a code and parameters for the app's own words (400).
    #[error("{detail}")]
    Refused {
        detail: String,
        code: &'static str,
        params: serde_json::Value,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{detail}")]
    Forbidden { detail: String, scope: String },
    #[error("{0}")]
    NotFound(String),
    /// Someone else changed the record; the body carries its current revision.
    #[error("{detail}")]
    Conflict {
        detail: String,
        current_revision: i64,
    },
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Unavailable(String),
    /// Too many attempts from one place (wrong sign-in codes); wait and try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// A server Proeve called (the school's SIS) failed; the detail says how.
    #[error("{0}")]
    BadGateway(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

#[derive(Serialize)]
pub struct Problem<'a> {
    pub status: String,
    pub title: &'a str,
    pub detail: String,
}

impl ApiError {
    pub fn bad(field: &str, rule: impl std::fmt::Display) -> Self {
        ApiError::BadRequest(format!("`{field}`: {rule}"))
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A database that is busy (pool exhausted, SQLite lock wait over) or cannot write (disk
    /// full, read-only) is a 503 the client may retry; anything else is internal.
    fn from(e: sea_orm::DbErr) -> Self {
        let busy = matches!(e, sea_orm::DbErr::ConnectionAcquire(_))
            || e.to_string().contains("database is locked");
        if crate::db::cannot_write(&e) {
            tracing::error!(error = %e, "the database cannot write (disk full or read-only)");
            ApiError::Unavailable(
                "the database cannot store anything just now; nothing was changed; try again later"
                    .into(),
            )
        } else if busy {
            tracing::warn!(error = %e, "database busy");
            ApiError::Unavailable("the database is busy; try again shortly".into())
        } else {
            ApiError::Internal(e.into())
        }
    }
}

pub fn title_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Resource not found",
        405 => "Method not allowed",
        408 => "Request timeout",
        410 => "Gone",
        409 => "Conflict",
        413 => "Request body too large",
        415 => "Unsupported media type",
        431 => "Request header fields too large",
        429 => "Too many requests",
        502 => "Bad gateway",
        503 => "Service unavailable",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

/// A Problem response for any status, used for errors the framework itself produces too.
pub fn problem(status: StatusCode, detail: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(Problem {
            status: status.as_u16().to_string(),
            title: title_for(status),
            detail: detail.into(),
        })
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::Refused { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "request failed");
                "An unexpected error occurred; it has been logged.".to_string()
            }
            other => other.to_string(),
        };
        let mut resp = match self {
            ApiError::Conflict {
                current_revision, ..
            } => HttpResponse::build(status)
                .content_type("application/problem+json")
                .json(serde_json::json!({
                    "status": status.as_u16().to_string(),
                    "title": title_for(status),
                    "detail": detail,
                    "currentRevision": current_revision,
                })),
            ApiError::Refused { code, params, .. } => HttpResponse::build(status)
                .content_type("application/problem+json")
                .json(serde_json::json!({
                    "status": status.as_u16().to_string(),
                    "title": title_for(status),
                    "detail": detail,
                    "code": code,
                    "params": params,
                })),
            _ => problem(status, detail.clone()),
        };
        let headers = resp.headers_mut();
        match self {
            ApiError::Unauthorized(_) => {
                // Header values must be visible ASCII.
                let description: String = detail
                    .chars()
                    .map(|c| {
                        if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                            c
                        } else {
                            '\''
                        }
                    })
                    .collect();
                let v = format!(
                    "Bearer realm=\"proeve\", error=\"invalid_token\", error_description=\"{description}\""
                );
                if let Ok(v) = header::HeaderValue::from_str(&v) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                } else {
                    headers.insert(
                        header::WWW_AUTHENTICATE,
                        header::HeaderValue::from_static("Bearer realm=\"proeve\""),
                    );
                }
            }
            ApiError::Forbidden { scope, .. } => {
                let v = format!(
                    "Bearer realm=\"proeve\", error=\"insufficient_scope\", scope=\"{scope}\""
                );
                if let Ok(v) = header::HeaderValue::from_str(&v) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(v) = header::HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, v);
                }
            }
            ApiError::PayloadTooLarge(_) => {
                // The rest of the body was not read; the connection cannot be reused.
                resp.head_mut()
                    .set_connection_type(actix_web::http::ConnectionType::Close);
            }
            ApiError::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
            }
            _ => {}
        }
        resp
    }
}

impl From<crate::report::ReportError> for ApiError {
    fn from(e: crate::report::ReportError) -> Self {
        match e {
            crate::report::ReportError::Db(e) => e.into(),
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::ooapi::WireError> for ApiError {
    /// A document or query that breaks the standard's rules: 400, naming the field and rule.
    fn from(e: crate::ooapi::WireError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl From<crate::case::CaseError> for ApiError {
    /// A lifecycle step that did not happen: no such case (404), a stale revision (409 with
    /// the current one), a broken rule (400), not this person's step (403), or the database.
    fn from(e: crate::case::CaseError) -> Self {
        use crate::case::CaseError;
        match e {
            CaseError::NotFound(id) => ApiError::NotFound(format!("No exam case {id}")),
            CaseError::Stale { current, .. } => ApiError::Conflict {
                detail: e.to_string(),
                current_revision: current,
            },
            CaseError::Invalid(m) => ApiError::BadRequest(m),
            CaseError::Refused(r) => ApiError::Refused {
                detail: r.detail,
                code: r.code,
                params: r.params,
            },
            CaseError::Forbidden(detail) => ApiError::Forbidden {
                detail,
                scope: String::new(),
            },
            CaseError::Db(e) => e.into(),
        }
    }
}
