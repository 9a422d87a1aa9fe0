//! Ingest benchmark: how fast one SIS client can PUT enrolments (toetsinschrijvingen) into
//! Proeve on SQLite. Starts the real server in process (demo tenant, a fresh SQLite file with
//! the production settings: WAL, synchronous=FULL) and drives it over HTTP on 127.0.0.1.
//!
//!     cargo bench --bench ingest                 # 10,000 enrolments, 1 and 8 clients
//!     PROEVE_BENCH_ENROLMENTS=2000 cargo bench --bench ingest

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proeve::auth::demo::DemoKey;
use proeve::config::Settings;
use proeve::startup::Application;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const OFFERING: &str = "6a1f0c2e-5b3d-4e8f-9a7b-2c4d6e8f0a12";

fn enrolment(id: uuid::Uuid) -> String {
    json!({
        "associationId": id, "associationType": "componentOfferingAssociation",
        "role": "student", "state": "associated",
        "consumers": [{"consumerKey": "nl-test-admin", "attempt": 1, "attemptLeft": 2}],
        "person": uuid::Uuid::new_v4(), "offering": OFFERING,
    })
    .to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn run(base: &str, token: &str, total: usize, clients: usize) {
    let client = reqwest::Client::new();
    let per_client = total / clients;
    let started = Instant::now();
    let mut tasks = Vec::new();
    let base = Arc::new(base.to_string());
    let token = Arc::new(token.to_string());
    for _ in 0..clients {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            let mut errors = 0;
            for _ in 0..per_client {
                let id = uuid::Uuid::new_v4();
                let t = Instant::now();
                let r = client
                    .put(format!("{base}/associations/{id}"))
                    .bearer_auth(token.as_str())
                    .header("content-type", "application/json")
                    .body(enrolment(id))
                    .send()
                    .await;
                latencies.push(t.elapsed());
                if !matches!(r, Ok(ref r) if r.status().as_u16() == 201) {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let n = latencies.len();
    println!(
        "ingest sqlite clients={clients} enrolments={n} rate={:.0}/s p50={:.2}ms p99={:.2}ms errors={errors} elapsed={:.1}s",
        n as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("PROEVE_BENCH_ENROLMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("proeve-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key.pem");
    let db = dir.join("bench.db");
    let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let env = |k: &str| match k {
        "PROEVE_BIND" => Some("127.0.0.1:0".to_string()),
        "PROEVE_DATABASE_URL" => Some(format!("sqlite://{}?mode=rwc", db.display())),
        "PROEVE_CATALOG_DIR" => Some(catalog.display().to_string()),
        "PROEVE_DEMO_KEY_FILE" => Some(key_file.display().to_string()),
        _ => None,
    };
    let app = Application::build(Settings::demo(&env).unwrap())
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}/ooapi/demo", app.port());
    tokio::spawn(app.run_until_stopped());
    let token = DemoKey::load_or_create(&key_file)
        .unwrap()
        .token("nl-test-admin-flow-1-5", 3600)
        .unwrap();
    run(&base, &token, total, 1).await;
    run(&base, &token, total, 8).await;
    let _ = std::fs::remove_dir_all(&dir);
}
