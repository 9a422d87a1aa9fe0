//! The request log: one span per request (method, route, path, client, status), and one line
//! when it is answered. Query parameters that carry secrets (a sign-in link's `token`, the
//! school sign-in's `code` and `state`, any token or password a client puts in a URL) are
//! logged as `[redacted]`, so a log that is shipped or shown never signs anyone in.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

/// Query parameters whose values never reach the log (compared without regard to case).
pub const REDACTED: &[&str] = &[
    "token",
    "code",
    "state",
    "session_state",
    "id_token",
    "access_token",
    "refresh_token",
    "client_secret",
    "password",
    "key",
];

/// A path with its query, each secret value replaced by `[redacted]`.
pub fn redact(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            let plain = percent_decoded_lower(name);
            if REDACTED.iter().any(|r| *r == plain) {
                format!("{name}=[redacted]")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// A parameter name as compared: `%XX` decoded, `+` as a space, lower case (so `T%6Fken`
/// is `token` too).
fn percent_decoded_lower(name: &str) -> String {
    let b = name.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                if let (Some(high), Some(low)) = (hex(b[i + 1]), hex(b[i + 2])) {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).to_ascii_lowercase()
}

/// The root span of every request, with the path redacted.
pub struct RequestLog;

impl RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let target = redact(
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or(""),
        );
        let request_id = request.extensions().get::<RequestId>().copied();
        // The connection's address; a forwarded one only behind a proxy the operator named.
        let behind_proxy = request
            .app_data::<actix_web::web::Data<crate::http::AppState>>()
            .is_some_and(|s| s.settings.behind_proxy);
        let client = crate::http::client_ip_of(behind_proxy, request.request());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %target,
            http.client_ip = %client,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id.map(|r| r.to_string()).unwrap_or_default(),
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(r) => r.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        span.in_scope(|| tracing::info!(status, "answered"));
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secret_query_values_are_redacted_and_the_rest_kept() {
        assert_eq!(
            redact("/app/roc-a/sign-in/link?token=abc123"),
            "/app/roc-a/sign-in/link?token=[redacted]"
        );
        assert_eq!(
            redact("/app/roc-a/sign-in/school/callback?code=xyz&state=s1&iss=https%3A%2F%2Fidp"),
            "/app/roc-a/sign-in/school/callback?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp"
        );
        assert_eq!(
            redact("/ooapi/x/offerings?pageSize=10"),
            "/ooapi/x/offerings?pageSize=10"
        );
        assert_eq!(redact("/healthz"), "/healthz");
        // Not text a parameter name can be: kept as it came, never a panic.
        assert_eq!(redact("/x?%E2%82=1&%=2&é%4=3"), "/x?%E2%82=1&%=2&é%4=3");
    }

    #[test]
    fn a_disguised_or_repeated_name_is_redacted_too() {
        assert_eq!(
            redact("/x?TOKEN=a&T%6Fken=b&token"),
            "/x?TOKEN=[redacted]&T%6Fken=[redacted]&token=[redacted]"
        );
        assert_eq!(
            redact("/x?a=1&token=2&token=3"),
            "/x?a=1&token=[redacted]&token=[redacted]"
        );
    }
}
