//! A SIS stand-in on 127.0.0.1 for the outbound tests: a token endpoint (client
//! credentials), and `PATCH`/`PUT /associations/{id}` that check every request against the
//! official OKE schemas and record it. It can be told what to answer next: a status (500,
//! 429 with `Retry-After`, 400, 401), a hang longer than Proeve's timeout, or a dropped
//! connection (down). Plain threads over real HTTP, one per connection.

use super::oke::{draft_consumer_errors, schema_errors};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CLIENT_ID: &str = "proeve-roc-a";
pub const CLIENT_SECRET: &str = "geheim-roc-a";

/// What the stand-in does with the next association request.
#[derive(Clone, Debug)]
pub enum Next {
    Status(u16, Option<&'static str>),
    Hang(Duration),
    Drop,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub association: String,
    pub body: Value,
    /// What breaks the official schema (empty: valid).
    pub schema_errors: Vec<String>,
    /// The status the stand-in answered.
    pub answered: u16,
}

#[derive(Default)]
struct State {
    script: VecDeque<Next>,
    received: Vec<Received>,
    tokens_issued: usize,
    valid_tokens: Vec<String>,
    token_requests: Vec<String>,
    /// What flow 1 pull finds: the offerings, the associations per offering, the persons.
    offerings: Vec<Value>,
    associations: std::collections::HashMap<String, Vec<Value>>,
    persons: std::collections::HashMap<String, Value>,
    gets: Vec<String>,
    /// The `nl-test-admin` version `GET /` names (none: `GET /` is 404).
    version: Option<String>,
}

pub struct Sis {
    pub port: u16,
    state: Mutex<State>,
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn answer(mut stream: &TcpStream, status: u16, extra: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
}

impl Sis {
    pub fn start() -> Arc<Sis> {
        // Build both validators now, so the first request is answered at once (the
        // official schema takes a while to compile).
        for def in [
            "ComponentOfferingAssociation",
            "ComponentOfferingAssociationPatch",
        ] {
            schema_errors(def, &Value::Null);
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sis = Arc::new(Sis {
            port: listener.local_addr().unwrap().port(),
            state: Mutex::new(State::default()),
        });
        let served = sis.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let sis = served.clone();
                std::thread::spawn(move || sis.handle(stream));
            }
        });
        sis
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/oke", self.port)
    }

    pub fn token_url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// Scripts the answers to the next association requests, in order.
    pub fn then(&self, next: impl IntoIterator<Item = Next>) {
        self.state.lock().unwrap().script.extend(next);
    }

    /// Every association request so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The association requests that were answered 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    pub fn tokens_issued(&self) -> usize {
        self.state.lock().unwrap().tokens_issued
    }

    /// Makes every token issued so far invalid (as after a key rotation at the SIS).
    pub fn revoke_tokens(&self) {
        self.state.lock().unwrap().valid_tokens.clear();
    }

    pub fn token_requests(&self) -> Vec<String> {
        self.state.lock().unwrap().token_requests.clone()
    }

    /// What a flow 1 pull will find here.
    pub fn holds(&self, offering: Value, associations: Vec<Value>, persons: Vec<Value>) {
        let mut st = self.state.lock().unwrap();
        let id = offering["offeringId"].as_str().unwrap().to_string();
        st.offerings.push(offering);
        st.associations.insert(id, associations);
        for p in persons {
            st.persons
                .insert(p["personId"].as_str().unwrap().to_string(), p);
        }
    }

    /// Says in `GET /` that it speaks this `nl-test-admin` version.
    pub fn speaks(&self, version: &str) {
        self.state.lock().unwrap().version = Some(version.into());
    }

    /// The GET requests so far (path and query).
    pub fn gets(&self) -> Vec<String> {
        self.state.lock().unwrap().gets.clone()
    }

    /// A GET of flow 1: lists one item per page (so paging is exercised), checked against
    /// the official page schema on our side of the test.
    fn flow1_get(&self, stream: &TcpStream, req: &Request) {
        let st = &mut *self.state.lock().unwrap();
        st.gets.push(req.path.clone());
        let (path, query) = req.path.split_once('?').unwrap_or((req.path.as_str(), ""));
        let param = |k: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .map(str::to_string)
        };
        let page_of = |items: &[Value]| {
            let n: usize = param("pageNumber")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let item = items.get(n - 1).cloned();
            json!({
                "pageSize": 1, "pageNumber": n, "hasPreviousPage": n > 1,
                "hasNextPage": n < items.len(), "totalPages": items.len().max(1),
                "items": item.into_iter().collect::<Vec<_>>(),
            })
        };
        let rest = path.trim_start_matches("/oke");
        let found = if rest == "/offerings" {
            if param("offeringType").as_deref() != Some("component")
                || param("since").is_none()
                || param("until").is_none()
            {
                return answer(
                    stream,
                    400,
                    "",
                    r#"{"status":"400","title":"Bad request","detail":"offeringType, since and until"}"#,
                );
            }
            Some(page_of(&st.offerings))
        } else if let Some(id) = rest
            .strip_prefix("/offerings/")
            .and_then(|r| r.strip_suffix("/associations"))
        {
            st.associations.get(id).map(|a| page_of(a))
        } else if let Some(id) = rest.strip_prefix("/persons/") {
            st.persons.get(id).cloned()
        } else {
            None
        };
        match found {
            Some(v) => answer(stream, 200, "", &v.to_string()),
            None => answer(stream, 404, "", r#"{"status":"404","title":"Not Found"}"#),
        }
    }

    fn handle(&self, stream: TcpStream) {
        let Some(req) = read_request(&stream) else {
            return;
        };
        if req.path == "/token" {
            return self.token(&stream, &req);
        }
        if req.method == "GET" && req.path == "/oke/" {
            let version = self.state.lock().unwrap().version.clone();
            return match version {
                Some(v) => answer(&stream, 200, "", &json!({
                    "contactEmail": "sis@roc.example", "specification": "https://sis.roc.example/oas.yaml",
                    "documentation": "https://sis.roc.example/docs", "supportedVersions": ["v5"],
                    "supportedConsumers": [{"consumerKey": "nl-test-admin", "version": v}],
                }).to_string()),
                None => answer(&stream, 404, "", r#"{"status":"404","title":"Not Found"}"#),
            };
        }
        if req.method == "GET" {
            let bearer = req.header("authorization");
            let known = bearer.strip_prefix("Bearer ").is_some_and(|t| {
                self.state
                    .lock()
                    .unwrap()
                    .valid_tokens
                    .iter()
                    .any(|v| v == t)
            });
            if !known {
                return answer(
                    &stream,
                    401,
                    "",
                    r#"{"status":"401","title":"Unauthorized"}"#,
                );
            }
            return self.flow1_get(&stream, &req);
        }
        let Some(association) = req.path.strip_prefix("/oke/associations/") else {
            return answer(&stream, 404, "", r#"{"status":"404","title":"Not Found"}"#);
        };
        let bearer = req.header("authorization");
        let known = {
            let st = self.state.lock().unwrap();
            bearer
                .strip_prefix("Bearer ")
                .is_some_and(|t| st.valid_tokens.iter().any(|v| v == t))
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let def = if req.method == "PUT" {
            "ComponentOfferingAssociation"
        } else {
            "ComponentOfferingAssociationPatch"
        };
        let mut errors = schema_errors(def, &body);
        // A message with a planning status is for a SIS on the 1.1 draft: its consumer
        // must follow the draft's own schema too.
        if body["consumers"][0].get("planningState").is_some() {
            errors.extend(draft_consumer_errors(&body["consumers"][0]));
        }
        let content_type = req.header("content-type");
        let wanted = if req.method == "PUT" {
            "application/json"
        } else {
            "application/merge-patch+json"
        };
        if !content_type.starts_with(wanted) {
            errors.push(format!("Content-Type {content_type:?}, expected {wanted}"));
        }
        let next = if known {
            self.state.lock().unwrap().script.pop_front()
        } else {
            Some(Next::Status(401, None))
        };
        let status = match &next {
            None => 200,
            Some(Next::Status(s, _)) => *s,
            Some(Next::Hang(_)) | Some(Next::Drop) => 0,
        };
        self.state.lock().unwrap().received.push(Received {
            method: req.method.clone(),
            association: association.to_string(),
            body,
            schema_errors: errors,
            answered: status,
        });
        match next {
            None => answer(
                &stream,
                200,
                "",
                &json!({"associationId": association, "message": "ok"}).to_string(),
            ),
            Some(Next::Status(s, retry_after)) => {
                let extra = retry_after
                    .map(|r| format!("Retry-After: {r}\r\n"))
                    .unwrap_or_default();
                answer(
                    &stream,
                    s,
                    &extra,
                    &json!({"status": s.to_string(), "title": "scripted", "detail": format!("scripted {s}")}).to_string(),
                )
            }
            Some(Next::Hang(d)) => std::thread::sleep(d),
            Some(Next::Drop) => {}
        }
    }

    fn token(&self, stream: &TcpStream, req: &Request) {
        use base64::Engine;
        let form = String::from_utf8_lossy(&req.body).to_string();
        self.state.lock().unwrap().token_requests.push(form.clone());
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        let grant = form
            .split('&')
            .any(|p| p == "grant_type=client_credentials");
        let scope = form.split('&').any(|p| p == "scope=nl-test-admin-flow-1-5");
        if req.header("authorization") != expected || !grant || !scope {
            return answer(stream, 401, "", r#"{"error":"invalid_client"}"#);
        }
        let token = {
            let mut st = self.state.lock().unwrap();
            st.tokens_issued += 1;
            let t = format!("tok-{}", st.tokens_issued);
            st.valid_tokens.push(t.clone());
            t
        };
        answer(
            stream,
            200,
            "",
            &json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}).to_string(),
        );
    }
}
