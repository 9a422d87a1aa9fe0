//! The test harness: the real Proeve on a random port with a fresh database (SQLite file, or
//! a new PostgreSQL database when `PROEVE_TEST_DATABASE_URL` points at a server), two tenants
//! whose tokens are verified against a JWKS served over real HTTP on 127.0.0.1 by [`Idp`],
//! and the official OKE schemas to check every response against.

#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use proeve::config::{Settings, SisAuthSettings, TenantSettings};
use proeve::startup::Application;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub const FLOW_0: &str = "nl-test-admin-flow-0";
pub const FLOW_1_5: &str = "nl-test-admin-flow-1-5";
pub const FLOW_2_3_4: &str = "nl-test-admin-flow-2-3-4";
pub const AUDIENCE: &str = "proeve";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------------------ keys

/// An RSA signing key with its JWK.
pub struct RsaKey {
    pub private: rsa::RsaPrivateKey,
    pub kid: String,
}

impl RsaKey {
    fn generate(kid: &str) -> Self {
        let mut rng = rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("rsa key");
        RsaKey {
            private,
            kid: kid.into(),
        }
    }

    pub fn encoding(&self) -> EncodingKey {
        EncodingKey::from_rsa_der(self.private.to_pkcs1_der().expect("der").as_bytes())
    }

    /// The public JWK; `alg` is left out so the key serves RS256 and PS256 alike.
    pub fn jwk(&self) -> Value {
        let public = self.private.to_public_key();
        json!({
            "kty": "RSA", "use": "sig", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        })
    }

    pub fn public_pem(&self) -> String {
        use rsa::pkcs8::EncodePublicKey;
        self.private
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .expect("pem")
    }
}

/// RSA keys are slow to make; each test process makes its few once.
pub fn rsa_key(name: &'static str) -> &'static RsaKey {
    static KEYS: OnceLock<Mutex<HashMap<&'static str, &'static RsaKey>>> = OnceLock::new();
    let map = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap();
    map.entry(name)
        .or_insert_with(|| Box::leak(Box::new(RsaKey::generate(name))))
}

pub struct EcKey {
    pub secret: p256::SecretKey,
    pub kid: String,
}

impl EcKey {
    pub fn generate(kid: &str) -> Self {
        EcKey {
            secret: p256::SecretKey::random(&mut rand_core::OsRng),
            kid: kid.into(),
        }
    }

    pub fn encoding(&self) -> EncodingKey {
        use p256::pkcs8::EncodePrivateKey;
        EncodingKey::from_ec_der(self.secret.to_pkcs8_der().expect("der").as_bytes())
    }

    pub fn jwk(&self) -> Value {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let p = self.secret.public_key().to_encoded_point(false);
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(p.x().unwrap()), "y": URL_SAFE_NO_PAD.encode(p.y().unwrap()),
        })
    }
}

// ------------------------------------------------------------------ identity provider

/// A JWKS endpoint per tenant on 127.0.0.1, served by a plain thread over real HTTP, so
/// Proeve's production fetch path is what the tests exercise. It counts fetches and its key
/// sets can change while Proeve runs (rotation).
pub struct Idp {
    pub port: u16,
    jwks: Mutex<HashMap<String, Vec<Value>>>,
    fetches: Mutex<HashMap<String, usize>>,
}

impl Idp {
    pub fn start() -> Arc<Idp> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let idp = Arc::new(Idp {
            port: listener.local_addr().unwrap().port(),
            jwks: Mutex::new(HashMap::new()),
            fetches: Mutex::new(HashMap::new()),
        });
        let served = idp.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let tenant = path
                    .trim_start_matches('/')
                    .trim_end_matches("/jwks")
                    .to_string();
                *served
                    .fetches
                    .lock()
                    .unwrap()
                    .entry(tenant.clone())
                    .or_default() += 1;
                let keys = served.jwks.lock().unwrap().get(&tenant).cloned();
                let (status, body) = match keys {
                    Some(k) => ("200 OK", json!({"keys": k}).to_string()),
                    None => ("404 Not Found", "{}".to_string()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        idp
    }

    pub fn jwks_url(&self, tenant: &str) -> String {
        format!("http://127.0.0.1:{}/{tenant}/jwks", self.port)
    }

    pub fn set_keys(&self, tenant: &str, keys: Vec<Value>) {
        self.jwks.lock().unwrap().insert(tenant.into(), keys);
    }

    pub fn fetches(&self, tenant: &str) -> usize {
        self.fetches
            .lock()
            .unwrap()
            .get(tenant)
            .copied()
            .unwrap_or(0)
    }
}

pub fn issuer(tenant: &str) -> String {
    format!("https://login.{tenant}.example")
}

/// A token for `tenant` signed with `key` (RS256), with the given scopes.
pub fn token(tenant: &str, scopes: &[&str]) -> String {
    token_with(
        Algorithm::RS256,
        &rsa_key(key_name(tenant)).encoding(),
        Some(key_name(tenant)),
        claims(tenant, scopes),
    )
}

pub fn key_name(tenant: &str) -> &'static str {
    match tenant {
        "roc-a" => "roc-a-1",
        _ => "roc-b-1",
    }
}

pub fn claims(tenant: &str, scopes: &[&str]) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": issuer(tenant), "aud": AUDIENCE, "sub": format!("sis-{tenant}"),
        "client_id": format!("sis-{tenant}"), "scope": scopes.join(" "),
        "iat": now, "exp": now + 600,
    })
}

pub fn token_with(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

/// A token with `alg: none` and no signature.
pub fn unsigned_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}

// ------------------------------------------------------------------ the app

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub idp: Arc<Idp>,
    pub app: actix_web::web::Data<proeve::http::AppState>,
}

pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Response {
    pub async fn read(resp: reqwest::Response) -> Response {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an OKE Problem answer with this status, valid against the schema.
    pub fn assert_problem(&self, status: u16) -> &str {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert!(
            self.header("content-type")
                .starts_with("application/problem+json"),
            "content type {:?}",
            self.header("content-type")
        );
        assert_eq!(self.body["status"], json!(status.to_string()));
        assert_valid("Problem", &self.body);
        self.body["detail"].as_str().unwrap_or_default()
    }
}

async fn fresh_database() -> String {
    match std::env::var("PROEVE_TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sea_orm::ConnectionTrait;
            let name = format!("proeve_test_{}", uuid::Uuid::new_v4().simple());
            let db = sea_orm::Database::connect(admin.as_str())
                .await
                .expect("postgres");
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            db.close().await.ok();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
        _ => {
            let dir = std::env::temp_dir().join("proeve-tests");
            std::fs::create_dir_all(&dir).unwrap();
            format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{}.db", uuid::Uuid::new_v4())).display()
            )
        }
    }
}

pub fn tenant_settings(idp: &Idp, slug: &str) -> TenantSettings {
    TenantSettings {
        slug: slug.into(),
        name: format!("ROC {slug}"),
        sis_auth: SisAuthSettings {
            issuer: issuer(slug),
            jwks_url: idp.jwks_url(slug),
            audience: AUDIENCE.into(),
            client_id: None,
        },
        sis: None,
        licensed_components: None,
        finalise_in_proeve: slug == "roc-a",
        exam_office: vec!["office@roc.example".into()],
        exam_committee: vec!["committee@roc.example".into()],
        oidc: None,
    }
}

/// Proeve with tenants `roc-a` and `roc-b`, each with its own identity provider key.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        proeve::telemetry::init();
    }
    let idp = Idp::start();
    for t in ["roc-a", "roc-b"] {
        idp.set_keys(t, vec![rsa_key(key_name(t)).jwk()]);
    }
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        public_url: "http://127.0.0.1".into(),
        database_url: fresh_database().await,
        contact_email: "support@proeve.example".into(),
        documentation_url: "https://proeve.example/docs".into(),
        catalog_dir: repo().join("catalog"),
        tenants: vec![
            tenant_settings(&idp, "roc-a"),
            tenant_settings(&idp, "roc-b"),
        ],
        smtp: None,
        demo_key_file: None,
        group_commit: true,
        delivery: proeve::config::DeliverySettings {
            poll_ms: 50,
            timeout_secs: 5,
            retry_base_ms: 100,
            retry_cap_secs: 1,
            lease_secs: 7,
        },
    };
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        idp,
        app: state,
    }
}

impl TestApp {
    /// What a lifecycle step of this school's exam cases works with.
    pub fn exams(&self, slug: &str) -> proeve::case::Ctx<'_> {
        self.app
            .exams_of(slug)
            .expect("a school of the test configuration")
    }

    pub fn url(&self, tenant: &str, path: &str) -> String {
        format!("{}/ooapi/{tenant}{path}", self.address)
    }

    /// Sends a request with a bearer token (when given) and a JSON body (when given).
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method.clone(), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            let ct = if method == reqwest::Method::PATCH {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            req = req.header("content-type", ct).body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// As the SIS of `tenant` with flow 1-5 rights.
    pub async fn sis(
        &self,
        tenant: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let t = token(tenant, &[FLOW_1_5]);
        self.send(method, &self.url(tenant, path), Some(&t), body)
            .await
    }

    pub async fn put(&self, tenant: &str, path: &str, body: &Value) -> Response {
        self.sis(tenant, "PUT", path, Some(body)).await
    }

    pub async fn patch(&self, tenant: &str, path: &str, body: &Value) -> Response {
        self.sis(tenant, "PATCH", path, Some(body)).await
    }

    pub async fn get(&self, tenant: &str, path: &str) -> Response {
        self.sis(tenant, "GET", path, None).await
    }
}

// ------------------------------------------------------------------ schemas and vectors

fn schema_defs() -> &'static Value {
    static DEFS: OnceLock<Value> = OnceLock::new();
    DEFS.get_or_init(|| {
        let text =
            std::fs::read_to_string(repo().join("tests/oke/ooapiv5_MBO.schema.json")).unwrap();
        let mut schema: Value = serde_json::from_str(&text).unwrap();
        // The nl-test-admin consumer elements checked against their own add-on, not only
        // the generic branch that lets anything through.
        proeve::delivery::schema::strict_consumers(&mut schema);
        schema["$defs"].clone()
    })
}

/// Asserts that `value` is valid against the official OKE schema `def` (formats checked).
pub fn assert_valid(def: &str, value: &Value) {
    let errors = schema_errors(def, value);
    assert!(
        errors.is_empty(),
        "not a valid {def}: {errors:#?}\n{value:#}"
    );
}

/// What is wrong with `value` against the official OKE schema `def` (formats checked).
pub fn schema_errors(def: &str, value: &Value) -> Vec<String> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
        OnceLock::new();
    let cache = VALIDATORS.get_or_init(|| Mutex::new(HashMap::new()));
    let validator = {
        let mut cache = cache.lock().unwrap();
        cache
            .entry(def.to_string())
            .or_insert_with(|| {
                let schema = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$defs": schema_defs(),
                    "$ref": format!("#/$defs/{def}"),
                });
                Arc::new(
                    jsonschema::options()
                        .should_validate_formats(true)
                        .build(&schema)
                        .expect("schema compiles"),
                )
            })
            .clone()
    };
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Asserts a list page whose items are all valid `def`s.
pub fn assert_page_of(def: &str, page: &Value) {
    assert_valid("Pagination", page);
    for item in page["items"].as_array().expect("items") {
        assert_valid(def, item);
    }
}

pub fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("tests/oke/test-vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

pub fn vector(name: &str) -> Value {
    vectors()
        .into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))["body"]
        .clone()
}

pub static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn next() -> usize {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}
