//! The real Proeve on a random port with a fresh database (SQLite file, or a new PostgreSQL
//! database when `PROEVE_TEST_DATABASE_URL` points at a server) and two tenants, `roc-a` and
//! `roc-b`, whose tokens are verified against the identity provider of [`super::tokens`].
//! `TestApp` calls the OKE endpoints as a SIS; [`super::people`] calls the people's API.

use super::oke::assert_valid;
use super::tokens::*;
use proeve::config::{Settings, SisAuthSettings, TenantSettings};
use proeve::startup::Application;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The metrics token of the test configuration.
pub const METRICS_TOKEN: &str = "a-metrics-token-for-the-tests";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub idp: Arc<Idp>,
    pub app: actix_web::web::Data<proeve::http::AppState>,
    handle: actix_web::dev::ServerHandle,
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
            max_token_lifetime_minutes: 24 * 60,
        },
        sis: None,
        licensed_components: None,
        finalise_in_proeve: slug == "roc-a",
        exam_office: vec!["office@roc.example".into()],
        exam_committee: vec!["committee@roc.example".into()],
        oidc: None,
        appeal: None,
        contact: Some("Het examenbureau: examenbureau@roc.example".into()),
        evidence: Default::default(),
    }
}

/// Proeve with tenants `roc-a` and `roc-b`, each with its own identity provider key.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        super::logs::install();
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
        // The tests read the metrics as the operator's scraper would.
        metrics: proeve::config::MetricsAccess::Token(METRICS_TOKEN.to_string().into()),
        behind_proxy: false,
        delivery: proeve::config::DeliverySettings {
            poll_ms: 50,
            timeout_secs: 5,
            retry_base_ms: 100,
            retry_cap_secs: 1,
            lease_secs: 7,
            pending_after_secs: 0,
        },
    };
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        idp,
        app: state,
        handle,
    }
}

impl TestApp {
    /// Shuts this Proeve down (its workers too), as a restart's first half.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

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
        Response::read(req.send().await.expect("request")).await
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

pub static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn next() -> usize {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}
