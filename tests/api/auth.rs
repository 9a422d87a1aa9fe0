use crate::helpers::*;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

async fn components(app: &TestApp, token: &str) -> Response {
    app.send("GET", &app.url("roc-a", "/components"), Some(token), None)
        .await
}

#[tokio::test]
async fn a_request_without_token_gets_401_with_www_authenticate() {
    let app = spawn_app().await;
    let r = app
        .send("GET", &app.url("roc-a", "/components"), None, None)
        .await;
    r.assert_problem(401);
    assert!(
        r.header("www-authenticate").starts_with("Bearer"),
        "{:?}",
        r.headers
    );
}

#[tokio::test]
async fn a_valid_token_with_the_scope_is_accepted() {
    let app = spawn_app().await;
    let r = components(&app, &token("roc-a", &[FLOW_0])).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A token signed with roc-a's key, with these claims.
fn roc_a(claims: serde_json::Value) -> String {
    token_with(
        Algorithm::RS256,
        &rsa_key("roc-a-1").encoding(),
        Some("roc-a-1"),
        claims,
    )
}

#[tokio::test]
async fn a_token_with_a_bad_claim_gets_401_saying_which() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        ("exp", json!(now - 120), "expired"),
        ("nbf", json!(now + 600), "not valid yet"),
        ("iss", json!("https://evil.example"), "issuer"),
        ("aud", json!("another-api"), "audience"),
    ];
    for (claim, value, expected) in cases {
        let mut c = claims("roc-a", &[FLOW_0]);
        c[claim] = value;
        let detail = components(&app, &roc_a(c))
            .await
            .assert_problem(401)
            .to_string();
        assert!(detail.contains(expected), "{claim}: {detail}");
    }
    // Within the 30 s leeway an expired token still passes.
    let mut c = claims("roc-a", &[FLOW_0]);
    c["exp"] = json!(now - 5);
    assert_eq!(components(&app, &roc_a(c)).await.status, 200);
}

#[tokio::test]
async fn a_token_without_the_scope_gets_403() {
    let app = spawn_app().await;
    let r = components(&app, &token("roc-a", &[FLOW_1_5])).await;
    assert!(r.assert_problem(403).contains(FLOW_0));
    assert!(r.header("www-authenticate").contains("insufficient_scope"));
    let r = app
        .send(
            "PUT",
            &app.url("roc-a", &format!("/persons/{}", uuid::Uuid::new_v4())),
            Some(&token("roc-a", &[FLOW_0])),
            Some(&json!({})),
        )
        .await;
    r.assert_problem(403);
}

#[tokio::test]
async fn a_flow_2_3_4_token_cannot_push_flow_1_but_may_fetch_documents() {
    let app = spawn_app().await;
    let t = token("roc-a", &[FLOW_2_3_4]);
    let o = uuid::Uuid::new_v4();
    let r = app
        .send(
            "PUT",
            &app.url("roc-a", &format!("/offerings/{o}")),
            Some(&t),
            Some(&crate::helpers::offering(o)),
        )
        .await;
    assert!(r.assert_problem(403).contains("flows 2-4"));
    let r = app
        .send(
            "GET",
            &app.url("roc-a", &format!("/documents/{o}")),
            Some(&t),
            None,
        )
        .await;
    r.assert_problem(404);
}

#[tokio::test]
async fn an_scp_array_carries_scopes_too() {
    let app = spawn_app().await;
    let mut c = claims("roc-a", &[]);
    c.as_object_mut().unwrap().remove("scope");
    c["scp"] = json!([FLOW_0]);
    let t = roc_a(c);
    assert_eq!(components(&app, &t).await.status, 200);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_gets_401() {
    let app = spawn_app().await;
    let t = unsigned_token(&claims("roc-a", &[FLOW_0]));
    components(&app, &t).await.assert_problem(401);
}

#[tokio::test]
async fn an_hmac_token_signed_with_the_public_key_gets_401() {
    let app = spawn_app().await;
    let pem = rsa_key("roc-a-1").public_pem();
    for secret in [
        pem.as_bytes().to_vec(),
        rsa_key("roc-a-1").jwk()["n"]
            .as_str()
            .unwrap()
            .as_bytes()
            .to_vec(),
    ] {
        let t = token_with(
            Algorithm::HS256,
            &EncodingKey::from_secret(&secret),
            Some("roc-a-1"),
            claims("roc-a", &[FLOW_0]),
        );
        components(&app, &t).await.assert_problem(401);
    }
}

#[tokio::test]
async fn a_ps256_token_and_an_es256_token_are_accepted() {
    let app = spawn_app().await;
    let ec = EcKey::generate("ec-1");
    app.idp
        .set_keys("roc-a", vec![rsa_key("roc-a-1").jwk(), ec.jwk()]);
    let ps = token_with(
        Algorithm::PS256,
        &rsa_key("roc-a-1").encoding(),
        Some("roc-a-1"),
        claims("roc-a", &[FLOW_0]),
    );
    assert_eq!(components(&app, &ps).await.status, 200);
    let es = token_with(
        Algorithm::ES256,
        &ec.encoding(),
        Some("ec-1"),
        claims("roc-a", &[FLOW_0]),
    );
    assert_eq!(components(&app, &es).await.status, 200);
}

#[tokio::test]
async fn a_key_declared_for_rs256_does_not_verify_ps256() {
    let app = spawn_app().await;
    let mut jwk = rsa_key("roc-a-1").jwk();
    jwk["alg"] = json!("RS256");
    app.idp.set_keys("roc-a", vec![jwk]);
    let ps = token_with(
        Algorithm::PS256,
        &rsa_key("roc-a-1").encoding(),
        Some("roc-a-1"),
        claims("roc-a", &[FLOW_0]),
    );
    components(&app, &ps).await.assert_problem(401);
}

#[tokio::test]
async fn an_unknown_kid_gets_401_and_refetches_the_jwks_at_most_once_in_a_while() {
    let app = spawn_app().await;
    assert_eq!(
        components(&app, &token("roc-a", &[FLOW_0])).await.status,
        200
    );
    assert_eq!(app.idp.fetches("roc-a"), 1);
    let stranger = rsa_key("stranger");
    for _ in 0..5 {
        let t = token_with(
            Algorithm::RS256,
            &stranger.encoding(),
            Some("stranger"),
            claims("roc-a", &[FLOW_0]),
        );
        components(&app, &t).await.assert_problem(401);
    }
    assert_eq!(
        app.idp.fetches("roc-a"),
        2,
        "one refetch for the unknown kid, then throttled"
    );
    // Known keys keep working from the cache.
    assert_eq!(
        components(&app, &token("roc-a", &[FLOW_0])).await.status,
        200
    );
    assert_eq!(app.idp.fetches("roc-a"), 2);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_refetching_the_jwks() {
    let app = spawn_app().await;
    assert_eq!(
        components(&app, &token("roc-a", &[FLOW_0])).await.status,
        200
    );
    let next = rsa_key("roc-a-2");
    app.idp
        .set_keys("roc-a", vec![rsa_key("roc-a-1").jwk(), next.jwk()]);
    let t = token_with(
        Algorithm::RS256,
        &next.encoding(),
        Some("roc-a-2"),
        claims("roc-a", &[FLOW_0]),
    );
    let r = components(&app, &t).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_token_of_another_tenant_gets_401() {
    let app = spawn_app().await;
    let r = components(&app, &token("roc-b", &[FLOW_0])).await;
    r.assert_problem(401);
}

#[tokio::test]
async fn an_unreachable_jwks_gets_503_not_500() {
    let app = spawn_app_with(|s| {
        s.tenants[0].sis_auth.jwks_url = "http://127.0.0.1:9/jwks".into();
    })
    .await;
    let r = components(&app, &token("roc-a", &[FLOW_0])).await;
    r.assert_problem(503);
}

#[tokio::test]
async fn garbage_in_the_authorization_header_gets_401() {
    let app = spawn_app().await;
    for h in [
        "Basic abc",
        "Bearer",
        "Bearer not.a.jwt",
        "Bearer ....",
        "Bearer ∑",
    ] {
        let r = app
            .client
            .get(app.url("roc-a", "/components"))
            .header("authorization", h)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{h}");
    }
}

#[tokio::test]
async fn tenants_sharing_an_identity_provider_are_told_apart_by_client_id() {
    // One identity provider (same issuer, same key) for both schools, as a shared SURF or
    // Entra tenant would be; each school's SIS has its own client id.
    let app = spawn_app_with(|s| {
        let shared = s.tenants[0].sis_auth.clone();
        for (t, client) in s.tenants.iter_mut().zip(["sis-roc-a", "sis-roc-b"]) {
            t.sis_auth = proeve::config::SisAuthSettings {
                client_id: Some(client.into()),
                ..shared.clone()
            };
        }
    })
    .await;
    let a_token = token("roc-a", &[FLOW_0]);
    assert_eq!(
        app.send(
            "GET",
            &app.url("roc-a", "/components"),
            Some(&a_token),
            None
        )
        .await
        .status,
        200
    );
    let r = app
        .send(
            "GET",
            &app.url("roc-b", "/components"),
            Some(&a_token),
            None,
        )
        .await;
    assert!(r.assert_problem(401).contains("another client"));
}

#[tokio::test]
async fn keys_meant_for_encryption_are_not_used_to_verify() {
    let app = spawn_app().await;
    let mut jwk = rsa_key("roc-a-1").jwk();
    jwk["use"] = json!("enc");
    app.idp.set_keys("roc-a", vec![jwk]);
    components(&app, &token("roc-a", &[FLOW_0]))
        .await
        .assert_problem(401);
}
