//! The demo mode and the command line, as a newcomer meets them.

use crate::helpers::*;
use proeve::auth::demo::DemoKey;
use proeve::config::Settings;
use std::process::Command;

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("proeve-{}-{name}", uuid::Uuid::new_v4()))
}

#[tokio::test]
async fn the_demo_serves_its_seeded_school_to_a_demo_token() {
    let key_file = temp("demo-key.pem");
    let db = temp("demo.db");
    let env = |k: &str| match k {
        "PROEVE_BIND" => Some("127.0.0.1:0".to_string()),
        "PROEVE_DATABASE_URL" => Some(format!("sqlite://{}?mode=rwc", db.display())),
        "PROEVE_CATALOG_DIR" => Some(repo().join("catalog").display().to_string()),
        "PROEVE_DEMO_KEY_FILE" => Some(key_file.display().to_string()),
        _ => None,
    };
    let settings = Settings::demo(&env).unwrap();
    let app = proeve::startup::Application::build(settings.clone())
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}/ooapi/demo", app.port());
    tokio::spawn(app.run_until_stopped());
    // Started again on the same database, the demo data is not loaded again.
    let again = proeve::startup::Application::build(settings).await.unwrap();
    let seeded = proeve::intake::find_offering(
        &again.state().db,
        "demo",
        "6a1f0c2e-5b3d-4e8f-9a7b-2c4d6e8f0a12".parse().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(seeded.revision, 1);
    drop(again);

    let token = DemoKey::load_or_create(&key_file)
        .unwrap()
        .token("nl-test-admin-flow-1-5", 600)
        .unwrap();
    let client = reqwest::Client::new();
    let r = client
        .get(format!(
            "{base}/offerings/6a1f0c2e-5b3d-4e8f-9a7b-2c4d6e8f0a12/associations"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page: serde_json::Value = r.json().await.unwrap();
    assert_page_of("ComponentOfferingAssociation", &page);
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
    let jwks: serde_json::Value = client
        .get(base.replace("/ooapi/demo", "/.well-known/proeve-demo-jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "proeve-demo-1");
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "only the public half is served"
    );
}

#[tokio::test]
async fn a_demo_token_never_opens_a_configured_tenant() {
    let app = spawn_app().await;
    let key = DemoKey::load_or_create(&temp("key.pem")).unwrap();
    let t = key.token(&format!("{FLOW_0} {FLOW_1_5}"), 600).unwrap();
    let r = app
        .send("GET", &app.url("roc-a", "/components"), Some(&t), None)
        .await;
    r.assert_problem(401);
    let r = app
        .send(
            "GET",
            &format!("{}/.well-known/proeve-demo-jwks.json", app.address),
            None,
            None,
        )
        .await;
    r.assert_problem(404);
}

#[test]
fn an_invalid_configuration_stops_proeve_naming_the_key() {
    let config = temp("bad.toml");
    let text = std::fs::read_to_string(repo().join("proeve.example.toml"))
        .unwrap()
        .replace("audience = \"proeve\"", "audience = \"\"");
    std::fs::write(&config, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_proeve"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tenants[0].sis_auth.audience"), "{stderr}");
}

#[test]
fn demo_token_prints_a_jwt_and_explains_a_missing_scope() {
    let key_file = temp("cli-key.pem");
    let out = Command::new(env!("CARGO_BIN_EXE_proeve"))
        .args(["demo-token", "--scope", FLOW_1_5])
        .env("PROEVE_DEMO_KEY_FILE", &key_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(token.split('.').count(), 3);
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let out = Command::new(env!("CARGO_BIN_EXE_proeve"))
        .arg("demo-token")
        .env("PROEVE_DEMO_KEY_FILE", &key_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scope"));
}
