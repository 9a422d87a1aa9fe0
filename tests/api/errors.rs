use crate::helpers::*;
use serde_json::json;

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Response {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app
        .client
        .request(m, app.url("roc-a", path))
        .bearer_auth(token("roc-a", &[FLOW_1_5]))
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    Response::read(req.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_json_gets_400_saying_where() {
    let app = spawn_app().await;
    let o = id();
    let r = raw(
        &app,
        "PUT",
        &format!("/offerings/{o}"),
        Some("application/json"),
        b"{\"offeringId\": ".to_vec(),
    )
    .await;
    assert!(r.assert_problem(400).contains("line 1"));
    for body in [&b"[]"[..], b"42", b"\"x\"", b"", b"\xff\xfe"] {
        raw(
            &app,
            "PUT",
            &format!("/offerings/{o}"),
            Some("application/json"),
            body.to_vec(),
        )
        .await
        .assert_problem(400);
    }
}

#[tokio::test]
async fn a_wrong_content_type_gets_415() {
    let app = spawn_app().await;
    let o = id();
    let body = offering(o).to_string().into_bytes();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/merge-patch+json"),
    ] {
        raw(&app, "PUT", &format!("/offerings/{o}"), ct, body.clone())
            .await
            .assert_problem(415);
    }
    assert_eq!(
        raw(
            &app,
            "PUT",
            &format!("/offerings/{o}"),
            Some("application/json; charset=utf-8"),
            body
        )
        .await
        .status,
        201
    );
    let patch = json!({"offeringType": "component"})
        .to_string()
        .into_bytes();
    assert_eq!(
        raw(
            &app,
            "PATCH",
            &format!("/offerings/{o}"),
            Some("application/json"),
            patch.clone()
        )
        .await
        .status,
        200
    );
    raw(
        &app,
        "PATCH",
        &format!("/offerings/{o}"),
        Some("text/xml"),
        patch,
    )
    .await
    .assert_problem(415);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_gets_413_and_stores_nothing() {
    let app = spawn_app().await;
    let o = id();
    let mut body = offering(o);
    body["description"][0]["value"] = json!("x".repeat(1024 * 1024));
    let r = raw(
        &app,
        "PUT",
        &format!("/offerings/{o}"),
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await;
    r.assert_problem(413);
    app.get("roc-a", &format!("/offerings/{o}"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn unknown_paths_get_404_and_wrong_methods_405() {
    let app = spawn_app().await;
    let r = app
        .send("GET", &format!("{}/nothing/here", app.address), None, None)
        .await;
    r.assert_problem(404);
    let r = app
        .send(
            "GET",
            &app.url("no-such-school", "/components"),
            Some(&token("roc-a", &[FLOW_0])),
            None,
        )
        .await;
    r.assert_problem(404);
    let r = app
        .sis("roc-a", "DELETE", &format!("/offerings/{}", id()), None)
        .await;
    r.assert_problem(405);
    assert!(r.header("allow").contains("PATCH"));
    let r = app
        .sis("roc-a", "POST", "/components", Some(&json!({})))
        .await;
    r.assert_problem(405);
}

#[tokio::test]
async fn bad_ids_in_paths_get_400_naming_the_parameter() {
    let app = spawn_app().await;
    for path in [
        "/offerings/123",
        "/associations/not-a-uuid",
        "/persons/%20",
        "/documents/x",
    ] {
        let r = app.get("roc-a", path).await;
        r.assert_problem(400);
    }
    let r = app
        .put("roc-a", "/offerings/123e4567", &offering(id()))
        .await;
    assert!(r.assert_problem(400).contains("`id`"));
}

#[tokio::test]
async fn each_invalid_field_is_named_with_its_rule() {
    let app = spawn_app().await;
    let o = id();
    type Breaker = fn(&mut serde_json::Value);
    let cases: Vec<(Breaker, &str)> = vec![
        (
            |b| {
                b["offeringType"] = json!("lesson");
            },
            "`offeringType`",
        ),
        (
            |b| {
                b.as_object_mut().unwrap().remove("primaryCode");
            },
            "`primaryCode`: is mandatory",
        ),
        (
            |b| {
                b["name"] = json!([]);
            },
            "`name`",
        ),
        (
            |b| {
                b["name"][0]["language"] = json!("Dutch");
            },
            "`name[0].language`",
        ),
        (
            |b| {
                b["startDateTime"] = json!("next monday");
            },
            "`startDateTime`",
        ),
        (
            |b| {
                b["resultExpected"] = json!("yes");
            },
            "`resultExpected`: must be true or false",
        ),
        (
            |b| {
                b["resultValueType"] = json!("1-5");
            },
            "`resultValueType`",
        ),
        (
            |b| {
                b["consumers"][0]["offeringState"] = json!("paused");
            },
            "`consumers[0].offeringState`",
        ),
        (
            |b| {
                b["consumers"][0]["duration"] = json!("40 minutes");
            },
            "`consumers[0].duration`",
        ),
        (
            |b| {
                b["consumers"][0]["testsToBeUsed"][0] = json!({"componentId": "x"});
            },
            "`consumers[0].testsToBeUsed[0].testProvider`",
        ),
        (
            |b| {
                b["consumers"] = json!([{"consumerKey": "x-other"}]);
            },
            "`consumers`",
        ),
        (
            |b| {
                b["component"] = json!(12);
            },
            "`component`",
        ),
    ];
    for (break_it, expected) in cases {
        let mut body = offering(o);
        break_it(&mut body);
        let r = app.put("roc-a", &format!("/offerings/{o}"), &body).await;
        let detail = r.assert_problem(400).to_string();
        assert!(
            detail.contains(expected),
            "expected {expected} in {detail:?}"
        );
    }
    app.get("roc-a", &format!("/offerings/{o}"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn hostile_bodies_never_cause_a_500() {
    let app = spawn_app().await;
    let o = id();
    // The offering exists, so PATCHes get past the lookup into merging and parsing.
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
            .await
            .status,
        201
    );
    let nested = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies = vec![
        nested,
        json!({"offeringId": o, "offeringType": "component", "name": "x".repeat(10_000)}).to_string(),
        json!({"offeringId": o, "consumers": [null, 1, "x", []]}).to_string(),
        json!({"offeringId": o, "offeringType": "component", "startDateTime": "9999-99-99T99:99:99Z"}).to_string(),
        "{\"offeringId\": \"\\ud800\"}".to_string(),
        json!({"offeringType": "component", "name": [{"language": "nl-NL", "value": "a\u{0}b"}]}).to_string(),
        json!({"offeringType": "component", "endDateTime": "99999-01-01T00:00:00Z"}).to_string(),
        json!({"offeringType": "component", "consumers": [{"consumerKey": "nl-test-admin", "duration": 1e300}]}).to_string(),
    ];
    for b in bodies {
        for (method, path) in [
            ("PUT", format!("/offerings/{o}")),
            ("PUT", format!("/associations/{o}")),
            ("PUT", format!("/persons/{o}")),
            ("PATCH", format!("/offerings/{o}")),
        ] {
            let ct = if method == "PATCH" {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            let r = raw(&app, method, &path, Some(ct), b.clone().into_bytes()).await;
            // Some are merely odd and accepted (a long plain-string name is read as Dutch
            // text); none may fail the server, and every refusal is a Problem.
            assert!(r.status < 500, "{method} {path}: {} {}", r.status, r.body);
            if r.status >= 400 {
                assert_valid("Problem", &r.body);
            }
        }
    }
}

/// Asserts a problem JSON answer with this status, whatever produced it.
fn assert_problem_json(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8]) {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ct.starts_with("application/problem+json"),
        "{status}: content type {ct:?}, body {:?}",
        String::from_utf8_lossy(body)
    );
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["status"], json!(status.to_string()), "{v}");
    assert_valid("Problem", &v);
}

#[tokio::test]
async fn a_two_mebibyte_form_gets_a_problem_not_plain_text() {
    let app = spawn_app().await;
    for path in ["/app/roc-a/sign-in/link", "/demo-sis/roc-a/associations/x"] {
        let method = if path.starts_with("/demo") {
            reqwest::Method::PUT
        } else {
            reqwest::Method::POST
        };
        let r = app
            .client
            .request(method, format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &app.address)
            .body(format!("token={}", "x".repeat(2 * 1024 * 1024)))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await.unwrap();
        assert_eq!(status, 413, "{path}");
        assert_problem_json(413, &headers, &body);
    }
}

#[tokio::test]
async fn headers_over_32_kib_get_431_as_a_problem() {
    let app = spawn_app().await;
    for url in [
        app.url("roc-a", "/offerings"),
        format!("{}/api/roc-a/me", app.address),
        format!("{}/app/roc-a/", app.address),
    ] {
        let r = app
            .client
            .get(&url)
            .header("cookie", format!("x={}", "a".repeat(40 * 1024)))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.bytes().await.unwrap();
        assert_eq!(status, 431, "{url}");
        assert_problem_json(431, &headers, &body);
    }
    // A head within the limit is served as ever.
    let r = app
        .client
        .get(format!("{}/api/roc-a/sign-in/methods", app.address))
        .header("cookie", format!("x={}", "a".repeat(16 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn a_body_that_breaks_off_gets_a_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    // A chunked body whose second chunk size is not a number.
    let req = format!(
        "PUT /ooapi/roc-a/offerings/{} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\nzz\r\n",
        id(),
        token("roc-a", &[FLOW_1_5])
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        s.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    assert!(head.starts_with("HTTP/1.1 400"), "{text}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{text}"
    );
    assert!(body.contains("\"status\":\"400\""), "{text}");
}

#[tokio::test]
async fn metrics_are_for_the_operator_only() {
    let app = spawn_app().await;
    let get = |token: Option<&'static str>| {
        let app = &app;
        async move {
            let mut r = app.client.get(format!("{}/metrics", app.address));
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            Response::read(r.send().await.unwrap()).await
        }
    };
    get(None).await.assert_problem(401);
    get(Some("a-metrics-token-for-the-test"))
        .await
        .assert_problem(401);
    let ok = get(Some(METRICS_TOKEN)).await;
    assert_eq!(ok.status, 200);
    assert!(String::from_utf8_lossy(&ok.bytes).contains("tenant=\"roc-b\""));
    // Without a token configured there are none at all.
    let off = spawn_app_with(|s| s.metrics = proeve::config::MetricsAccess::Off).await;
    let r = Response::read(
        off.client
            .get(format!("{}/metrics", off.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_problem(404);
}

/// Runs `sql` on every connection of Proeve's pool: all of them held at once, so none is left
/// out (settings such as SQLite's `query_only` belong to a connection).
async fn on_every_connection(app: &TestApp, sql: &str) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let db = &app.app.db;
    let n = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => proeve::db::SQLITE_CONNECTIONS,
        _ => proeve::db::POSTGRES_CONNECTIONS,
    };
    let mut held = Vec::new();
    for _ in 0..n {
        held.push(db.begin().await.unwrap());
    }
    for txn in &held {
        txn.execute_unprepared(sql).await.unwrap();
    }
    for txn in held {
        txn.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_database_that_cannot_write_is_not_ready_and_answers_503_to_retry_losing_nothing() {
    let app = demo_app().await;
    // Someone signed in a while ago (the session's last use is older than a minute).
    let anna = id();
    assert_eq!(
        app.put("roc-a", &format!("/persons/{anna}"), &person(anna, "Anna"))
            .await
            .status,
        201
    );
    let session = sign_in(&app, "roc-a", anna).await;
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::session::Entity::update_many()
            .col_expr(
                entity::session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(5)),
            )
            .filter(entity::session::Column::PersonId.eq(anna))
            .exec(&app.app.db)
            .await
            .unwrap();
    }
    let kept = id();
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{kept}"), &offering(kept))
            .await
            .status,
        201
    );
    let sqlite = app.app.db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let readyz = || {
        let app = &app;
        async move {
            Response::read(
                app.client
                    .get(format!("{}/readyz", app.address))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    assert_eq!(readyz().await.status, 200);
    // The database turns read-only.
    on_every_connection(
        &app,
        if sqlite {
            "PRAGMA query_only = ON"
        } else {
            "SET SESSION default_transaction_read_only = on"
        },
    )
    .await;
    let r = readyz().await;
    r.assert_problem(503);
    assert_eq!(r.header("retry-after"), "30");
    let other = id();
    let r = app
        .put("roc-a", &format!("/offerings/{other}"), &offering(other))
        .await;
    assert!(r.assert_problem(503).contains("nothing was changed"));
    assert_eq!(r.header("retry-after"), "30");
    // What was stored is still served, to the SIS and to a person signed in.
    assert_eq!(
        app.get("roc-a", &format!("/offerings/{kept}")).await.status,
        200
    );
    let me = app.api("roc-a", &session).me().await;
    assert_eq!(me.status, 200, "{}", me.body);
    on_every_connection(
        &app,
        if sqlite {
            "PRAGMA query_only = OFF"
        } else {
            "SET SESSION default_transaction_read_only = off"
        },
    )
    .await;
    assert_eq!(readyz().await.status, 200);
    if sqlite {
        // A full disk: the file may not grow (SQLite keeps it at its current size).
        on_every_connection(&app, "PRAGMA max_page_count = 1").await;
        let big = id();
        let mut body = offering(big);
        body["description"][0]["value"] = json!("x".repeat(600 * 1024));
        let r = app.put("roc-a", &format!("/offerings/{big}"), &body).await;
        r.assert_problem(503);
        assert_eq!(r.header("retry-after"), "30");
        on_every_connection(&app, "PRAGMA max_page_count = 1073741823").await;
        assert_eq!(
            app.put("roc-a", &format!("/offerings/{big}"), &body)
                .await
                .status,
            201
        );
    }
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{other}"), &offering(other))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn the_metrics_tell_how_long_each_route_took_and_never_a_value_from_its_path() {
    let app = spawn_app().await;
    let p = id();
    for name in ["Eva", "Evelien"] {
        let r = app
            .put("roc-a", &format!("/persons/{p}"), &person(p, name))
            .await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
    }
    app.get("roc-a", &format!("/offerings/{}", id()))
        .await
        .assert_problem(404);
    // Made-up methods (HTTP allows any token) share one label: no client grows the set.
    for n in 0..5 {
        let method = reqwest::Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        let r = app
            .client
            .request(method, format!("{}/ooapi/roc-a/persons/{p}", app.address))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    let r = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    let route = "PUT /ooapi/{slug}/persons/{id}";
    assert!(
        text.contains(&format!(
            "proeve_http_request_duration_seconds_count{{route=\"{route}\"}} 2"
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "proeve_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} 2"
    )));
    assert!(text.contains(
        "proeve_http_request_duration_seconds_count{route=\"GET /ooapi/{slug}/offerings/{id}\"} 1"
    ));
    assert!(
        !text.contains(&p.to_string()) && !text.contains("roc-a/"),
        "{text}"
    );
    assert!(!text.contains("BREW"), "{text}");
    assert!(
        text.contains(
            "proeve_http_request_duration_seconds_count{route=\"OTHER /ooapi/{slug}/persons/{id}\"} 5"
        ),
        "{text}"
    );
}
