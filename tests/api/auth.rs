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

#[tokio::test]
async fn a_token_that_lives_longer_than_the_school_allows_gets_401() {
    let app = spawn_app_with(|s| s.tenants[0].sis_auth.max_token_lifetime_minutes = 60).await;
    let now = chrono::Utc::now().timestamp();
    // A year from iat to exp, or from now without iat.
    let mut c = claims("roc-a", &[FLOW_0]);
    c["exp"] = json!(now + 365 * 86_400);
    let detail = components(&app, &roc_a(c))
        .await
        .assert_problem(401)
        .to_string();
    assert!(detail.contains("60 minutes"), "{detail}");
    let mut c = claims("roc-a", &[FLOW_0]);
    c.as_object_mut().unwrap().remove("iat");
    c["exp"] = json!(now + 2 * 3600);
    components(&app, &roc_a(c)).await.assert_problem(401);
    // An iat in the past does not stretch it: an hour from iat, now almost over, is fine.
    let mut c = claims("roc-a", &[FLOW_0]);
    c["iat"] = json!(now - 3500);
    c["exp"] = json!(now + 100);
    assert_eq!(components(&app, &roc_a(c)).await.status, 200);
    // The default is a day.
    let plain = spawn_app().await;
    let mut c = claims("roc-a", &[FLOW_0]);
    c["exp"] = json!(now + 23 * 3600);
    assert_eq!(components(&plain, &roc_a(c)).await.status, 200);
    let mut c = claims("roc-a", &[FLOW_0]);
    c["exp"] = json!(now + 25 * 3600);
    components(&plain, &roc_a(c)).await.assert_problem(401);
}

#[tokio::test]
async fn a_token_of_another_type_than_an_access_token_gets_401() {
    use jsonwebtoken::{Algorithm, Header};
    let app = spawn_app().await;
    let key = rsa_key(key_name("roc-a")).encoding();
    let with_typ = |typ: Option<&str>| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key_name("roc-a").into());
        header.typ = typ.map(str::to_string);
        jsonwebtoken::encode(&header, &claims("roc-a", &[FLOW_0]), &key).unwrap()
    };
    for typ in ["logout+jwt", "secevent+jwt", "dpop+jwt"] {
        let detail = components(&app, &with_typ(Some(typ)))
            .await
            .assert_problem(401)
            .to_string();
        assert!(detail.contains("not an access token"), "{typ}: {detail}");
    }
    for typ in [
        Some("JWT"),
        Some("at+jwt"),
        Some("application/at+JWT"),
        None,
    ] {
        assert_eq!(
            components(&app, &with_typ(typ)).await.status,
            200,
            "{typ:?}"
        );
    }
}

/// A key server that answers every request with `answer(path)`: a raw HTTP response.
fn key_server(answer: impl Fn(&str) -> String + Send + 'static) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let _ = stream.write_all(answer(&path).as_bytes());
        }
    });
    port
}

#[tokio::test]
async fn a_key_server_cannot_send_proeve_elsewhere_nor_flood_it() {
    let idp_keys = json!({"keys": [rsa_key(key_name("roc-a")).jwk()]}).to_string();
    let keys = idp_keys.clone();
    let elsewhere = key_server(move |_| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{keys}",
            keys.len()
        )
    });
    let keys = idp_keys.clone();
    let port = key_server(move |path| {
        let redirect = |to: String| {
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        };
        match path {
            // Another host (a name for the same machine is another host too).
            "/away" => redirect(format!("http://localhost:{elsewhere}/jwks")),
            // The same host, another path: allowed.
            "/moved" => redirect("/jwks".into()),
            "/loop" => redirect("/loop".into()),
            "/huge" => {
                let body = format!(
                    "{{\"keys\": {}, \"padding\": \"{}\"}}",
                    &keys[8..keys.len() - 1],
                    "x".repeat(2 * 1024 * 1024)
                );
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{body}"
                )
            }
            _ => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{keys}",
                keys.len()
            ),
        }
    });
    for (path, status) in [
        ("/away", 503),
        ("/loop", 503),
        ("/huge", 503),
        ("/moved", 200),
    ] {
        let url = format!("http://127.0.0.1:{port}{path}");
        let app = spawn_app_with(move |s| s.tenants[0].sis_auth.jwks_url = url).await;
        let r = components(&app, &token("roc-a", &[FLOW_0])).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
    }
}
