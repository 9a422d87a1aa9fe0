//! Flow 5 against a SIS stand-in that checks every request against the official schemas:
//! attendance first, then the result with its documents, in order per enrolment, through
//! errors, outages and hangs; a refused message parks for the exam office, who sends it
//! again; a cancelled enrolment still gets its result; two Proeve instances on one database
//! send each message once; a worker that dies mid-send loses nothing.

use crate::helpers::sis::{Next, Sis, CLIENT_ID, CLIENT_SECRET};
use crate::helpers::*;
use proeve::config::{Settings, SisSettings};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn connect(sis: &Arc<Sis>) -> impl FnOnce(&mut Settings) {
    let (base_url, token_url) = (sis.base_url(), sis.token_url());
    move |s: &mut Settings| {
        let key = std::env::temp_dir().join(format!("proeve-demo-key-{}.pem", Uuid::new_v4()));
        s.demo_key_file = Some(key);
        s.tenants[0].sis = Some(SisSettings {
            base_url,
            token_url,
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.to_string().into(),
            pull_every_minutes: None,
            oke_version: Default::default(),
        });
    }
}

async fn app_with(sis: &Arc<Sis>) -> TestApp {
    spawn_app_with(connect(sis)).await
}

/// As [`app_with`], with a new enrolment's `pending` waiting an hour before it goes.
async fn slow_pending_app(sis: &Arc<Sis>) -> TestApp {
    spawn_app_with(|s| {
        connect(sis)(s);
        s.delivery.pending_after_secs = 3600;
    })
    .await
}

/// Waits until the SIS accepted `n` messages (or fails the test after 30 s). A message sent
/// again because its answer did not come back in time (the same body twice in a row)
/// counts once: the SIS sees the same PATCH again, which changes nothing.
async fn accepted(sis: &Sis, n: usize) -> Vec<crate::helpers::sis::Received> {
    let started = Instant::now();
    loop {
        let mut got = sis.accepted();
        got.dedup_by(|b, a| a.body == b.body);
        if got.len() >= n {
            return got;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the SIS accepted {} of {n}: {:#?}",
            got.len(),
            sis.received()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn consumer(body: &Value) -> &Value {
    &body["result"]["consumers"][0]
}

/// The student's association of the world's exam (the SIS's Toetsinschrijving).
async fn enrolment_of(app: &TestApp, case: Uuid) -> Uuid {
    proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == case)
        .unwrap()
        .association_id
}

async fn deliveries(app: &TestApp, who: &Session, case: Uuid) -> Vec<Value> {
    let r = app.api("roc-a", who).deliveries(case).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn attendance_then_the_result_with_its_documents_reach_the_sis_valid_and_in_order() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let association = enrolment_of(&app, w.case).await;
    to_signed(&app, &w, 2).await;

    let got = accepted(&sis, 2).await;
    assert_eq!(got.len(), 2, "{got:#?}");
    for r in &got {
        assert!(r.schema_errors.is_empty(), "{:#?}", r.schema_errors);
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.association, association.to_string());
        assert_eq!(r.body["associationType"], "componentOfferingAssociation");
        let c = &r.body["consumers"][0];
        assert_eq!(c["consumerKey"], "nl-test-admin");
        assert_eq!(c["orgAssociationId"], association.to_string());
        assert_eq!(c["attempt"], 1);
        assert_eq!(r.body["result"]["weight"], 100);
        assert_eq!(consumer(&r.body)["attendance"], "present");
        assert!(consumer(&r.body)["executedOfferingName"]
            .as_str()
            .unwrap()
            .contains("Proeve Kok"));
        // When the exam actually ended (here: when it was judged, moments ago), with the
        // Dutch offset.
        let test_date = consumer(&r.body)["testDate"].as_str().unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(test_date).unwrap();
        assert!(
            (chrono::Utc::now() - t.to_utc()).num_seconds().abs() < 120,
            "{test_date}"
        );
        assert!(test_date.ends_with("+01:00"), "{test_date}");
    }
    // Attendance first, while the result is not ready.
    let (first, second) = (&got[0].body, &got[1].body);
    assert_eq!(first["result"]["state"], "in progress");
    assert!(first["result"].get("score").is_none());
    assert!(consumer(first).get("documents").is_none());
    // Then the whole result, with the documents the SIS fetches from us.
    assert_eq!(second["result"]["state"], "completed");
    assert_eq!(second["result"]["pass"], "passed");
    assert_eq!(second["result"]["score"], "6.5");
    let c = consumer(second);
    assert_eq!(c["final"], false, "signed, not finalised yet");
    assert_eq!(c["assessorId"], w.ids.0.to_string());
    assert!(c["rawScore"].as_i64().unwrap() <= c["maxRawScore"].as_i64().unwrap());
    let docs = c["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    let types: Vec<&str> = docs
        .iter()
        .map(|d| d["documentType"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"assessmentForm") && types.contains(&"other"));
    for d in docs {
        let r = app
            .get(
                "roc-a",
                &format!("/documents/{}", d["documentId"].as_str().unwrap()),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    // One token for both, asked with the flow 1-5 scope.
    assert_eq!(sis.tokens_issued(), 1);
    assert!(sis.token_requests()[0].contains("scope=nl-test-admin-flow-1-5"));

    // The committee finalises: the same result again, now final.
    let r = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = accepted(&sis, 3).await;
    assert!(
        got[2].schema_errors.is_empty(),
        "{:#?}",
        got[2].schema_errors
    );
    assert_eq!(consumer(&got[2].body)["final"], true);
    assert_eq!(got[2].body["result"]["score"], "6.5");

    // The exam office sees what went when, and what the SIS said.
    let items = deliveries(&app, &w.office, w.case).await;
    let reasons: Vec<&str> = items
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["attendance", "signed", "finalised"]);
    assert!(items
        .iter()
        .all(|m| m["state"] == "delivered" && m["lastStatus"] == 200));
    assert_described(&app, "DeliveryList", &json!({"items": items})).await;
    // Assessors and students do not.
    let r = app.api("roc-a", &w.first).deliveries(w.case).await;
    assert_eq!(r.status, 403);

    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("proeve_sis_outbox_messages{tenant=\"roc-a\",state=\"delivered\"} 3"),
        "{metrics}"
    );
    assert!(metrics
        .contains("proeve_sis_delivery_attempts_total{tenant=\"roc-a\",outcome=\"delivered\"} 3"));
    assert!(metrics.contains("proeve_sis_outbox_oldest_undelivered_seconds{tenant=\"roc-a\"} 0"));
}

#[tokio::test]
async fn errors_outages_and_hangs_are_retried_until_each_message_arrives_once_in_order() {
    let sis = Sis::start();
    // 500, 429 with Retry-After: 1, a dropped connection, an answer slower than the timeout.
    sis.then([
        Next::Status(500, None),
        Next::Status(429, Some("1")),
        Next::Drop,
        Next::Hang(Duration::from_secs(6)),
        Next::Status(503, None),
    ]);
    let app = app_with(&sis).await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;

    let got = accepted(&sis, 2).await;
    let all = sis.received();
    let failed = all
        .iter()
        .filter(|r| !(200..300).contains(&r.answered))
        .count();
    assert!(failed >= 5, "five failures, then the deliveries: {all:#?}");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].body["result"]["state"], "in progress");
    assert_eq!(got[1].body["result"]["state"], "completed");
    // Every attempt of the attendance carried the same body until it arrived.
    let attendance: Vec<&Value> = all
        .iter()
        .filter(|r| r.body["result"]["state"] == "in progress")
        .map(|r| &r.body)
        .collect();
    assert!(attendance.len() >= 5, "{all:#?}");
    assert!(attendance.windows(2).all(|p| p[0] == p[1]));
    // Nothing of the result went before the attendance arrived.
    let first_result = all
        .iter()
        .position(|r| r.body["result"]["state"] == "completed")
        .unwrap();
    assert!(all[..first_result]
        .iter()
        .all(|r| r.body["result"]["state"] == "in progress"));
    assert!(all.iter().all(|r| r.schema_errors.is_empty()));

    let items = deliveries(&app, &w.office, w.case).await;
    assert!(items[0]["attempts"].as_i64().unwrap() >= 6, "{items:#?}");
    assert_eq!(items[0]["state"], "delivered");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sis = Sis::start();
    sis.then([Next::Status(429, Some("2"))]);
    let app = app_with(&sis).await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 2).await;
    assert_eq!(got[0].body["result"]["state"], "in progress");
    let items = deliveries(&app, &w.office, w.case).await;
    let created =
        chrono::DateTime::parse_from_rfc3339(items[0]["createdAt"].as_str().unwrap()).unwrap();
    let delivered =
        chrono::DateTime::parse_from_rfc3339(items[0]["deliveredAt"].as_str().unwrap()).unwrap();
    // The base backoff in the tests is 100 ms; the SIS asked for two seconds.
    assert!(
        delivered - created >= chrono::Duration::milliseconds(1900),
        "{created} → {delivered}"
    );
}

#[tokio::test]
async fn a_refused_message_parks_holds_back_the_next_and_the_exam_office_sends_it_again() {
    let sis = Sis::start();
    sis.then([Next::Status(400, None)]);
    let app = app_with(&sis).await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;

    // The attendance parks; the result waits behind it rather than overtaking it.
    let started = Instant::now();
    let parked = loop {
        let r = app.api("roc-a", &w.office).undelivered().await;
        assert_eq!(r.status, 200, "{}", r.body);
        let items = r.body["items"].as_array().unwrap().clone();
        if items.iter().any(|m| m["state"] == "parked") && items.len() == 2 {
            break items;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{items:#?} {:#?}",
            sis.received()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(parked[0]["reason"], "attendance");
    assert_eq!(parked[0]["state"], "parked");
    assert_eq!(parked[0]["lastStatus"], 400);
    assert!(parked[0]["lastError"].as_str().unwrap().contains("400"));
    assert!(parked[0]["lastResponse"]
        .as_str()
        .unwrap()
        .contains("scripted 400"));
    assert_eq!(parked[1]["reason"], "signed");
    assert_eq!(parked[1]["state"], "waiting");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sis.received().len(),
        1,
        "nothing overtakes a parked message"
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("proeve_sis_outbox_messages{tenant=\"roc-a\",state=\"parked\"} 1"));

    let id = parked[0]["messageId"].as_str().unwrap();
    // Only the exam office sends again.
    let r = app.api("roc-a", &w.first).retry(id).await;
    assert_eq!(r.status, 403);
    let r = app.api("roc-a", &w.office).retry(id).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "waiting");
    let got = accepted(&sis, 2).await;
    assert_eq!(got[0].body["result"]["state"], "in progress");
    assert_eq!(got[1].body["result"]["state"], "completed");
    // A message that is not parked is not sent again by hand.
    let r = app.api("roc-a", &w.office).retry(id).await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = app.api("roc-a", &w.office).retry(Uuid::new_v4()).await;
    assert_eq!(r.status, 404);
    // The retry is in the exam's audit trail.
    let audit = app.api("roc-a", &w.office).audit(w.case).await;
    assert!(audit.body.to_string().contains("delivery retried"));
}

#[tokio::test]
async fn a_cancelled_enrolment_still_gets_the_result_of_the_exam_it_took() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let association = enrolment_of(&app, w.case).await;
    to_signed(&app, &w, 2).await;
    // The SIS withdraws the enrolment after the exam took place.
    let r = app
        .patch(
            "roc-a",
            &format!("/associations/{association}"),
            &json!({"associationType": "componentOfferingAssociation", "state": "canceled"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"][0]["state"], "final", "{}", r.body);
    // All three messages arrive (the signed one may already say final, being built when it
    // is first sent); the SIS ends with the final result.
    let started = Instant::now();
    while !deliveries(&app, &w.office, w.case)
        .await
        .iter()
        .all(|m| m["state"] == "delivered")
        || deliveries(&app, &w.office, w.case).await.len() < 3
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:#?}",
            sis.received()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = sis.accepted();
    assert_eq!(
        consumer(&got.last().unwrap().body)["final"],
        true,
        "{got:#?}"
    );
    assert!(got.iter().all(|r| r.association == association.to_string()));
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_message_goes() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    accepted(&sis, 2).await;
    assert_eq!(sis.tokens_issued(), 1);
    sis.revoke_tokens();
    app.api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    let got = accepted(&sis, 3).await;
    assert_eq!(consumer(&got[2].body)["final"], true);
    assert_eq!(sis.tokens_issued(), 2);
    let refused = sis.received().iter().filter(|r| r.answered == 401).count();
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn a_worker_that_died_mid_send_leaves_the_message_to_be_sent_again_after_its_lease() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    // No SIS yet: the messages wait in the outbox.
    let sis = Sis::start();
    let app = demo_app().await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let rows = entity::sis_message::Entity::find()
        .all(&app.app.db)
        .await
        .unwrap();
    let mut reasons: Vec<(i32, &str)> = rows
        .iter()
        .map(|m| (m.position, m.reason.as_str()))
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        [(1, "planned"), (2, "attendance"), (3, "signed")],
        "queued with the changes, without a SIS to send to"
    );
    assert!(rows.iter().all(|m| m.state == "waiting"));
    // As a worker killed after claiming the attendance leaves it: sending, lease running.
    // (The planning status goes nowhere: this SIS speaks OKE 1.0.1.)
    let first = rows.iter().find(|m| m.position == 2).unwrap();
    entity::sis_message::ActiveModel {
        tenant: Set(first.tenant.clone()),
        message_id: Set(first.message_id),
        state: Set("sending".into()),
        lease_until: Set(Some(chrono::Utc::now() + chrono::Duration::seconds(2))),
        ..Default::default()
    }
    .update(&app.app.db)
    .await
    .unwrap();
    // A new Proeve on the same database, now with the SIS connected.
    let url = app.app.settings.database_url.clone();
    let with_sis = connect(&sis);
    let again = spawn_app_with(move |s| {
        with_sis(s);
        s.database_url = url;
    })
    .await;
    let got = accepted(&sis, 2).await;
    assert_eq!(got[0].body["result"]["state"], "in progress");
    assert_eq!(got[1].body["result"]["state"], "completed");
    assert_eq!(got.len(), 2, "each sent once");
    drop(again);
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_message_once() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let url = app.app.settings.database_url.clone();
    let second = spawn_app_with({
        let c = connect(&sis);
        move |s| {
            c(s);
            s.database_url = url;
        }
    })
    .await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let r = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Three messages; a body is built when first sent, so the signed result may already say
    // final if the committee was quicker: the SIS then gets the same PATCH twice.
    let started = Instant::now();
    while sis.received().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:#?}",
            sis.received()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = sis.received();
    assert_eq!(got.len(), 3, "each once, none twice at once: {got:#?}");
    assert!(got
        .iter()
        .all(|r| r.answered == 200 && r.schema_errors.is_empty()));
    assert_eq!(consumer(&got[2].body)["final"], true);
    let states: Vec<String> = got
        .iter()
        .map(|r| r.body["result"]["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, ["in progress", "completed", "completed"]);
    drop(second);
}

#[tokio::test]
async fn a_sis_that_does_not_push_is_pulled_and_stored_as_if_pushed() {
    use crate::helpers::{assessor, id, offering, person, student};
    let sis = Sis::start();
    let (o1, o2) = (id(), id());
    let (s1, s2, a) = (id(), id(), id());
    let (sa1, sa2, aa1) = (id(), id(), id());
    sis.holds(
        offering(o1),
        vec![student(sa1, s1, o1), assessor(aa1, a, o1)],
        vec![person(s1, "Ayşe"), person(a, "Bram")],
    );
    let mut broken = person(s2, "Zoë");
    broken["surname"] = json!(42);
    sis.holds(offering(o2), vec![student(sa2, s2, o2)], vec![broken]);
    let app = app_with(&sis).await;
    let office = sign_in(
        &app,
        "roc-a",
        staff(&app, "roc-a", "office@roc.example", "Fatima").await,
    )
    .await;

    let r = app
        .api("roc-a", &office)
        .pull(json!({"since": "2026-01-01", "until": "2026-12-31"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["offerings"], 2);
    assert_eq!(r.body["persons"], 2);
    // The enrolment of the person the SIS sent broken is stored; the person is reported.
    assert_eq!(r.body["associations"], 3);
    let skipped = r.body["skipped"].to_string();
    assert!(
        skipped.contains(&s2.to_string()) && skipped.contains("surname"),
        "{skipped}"
    );
    // Asked as OKE says: component offerings overlapping the period, page by page.
    let gets = sis.gets();
    assert!(gets.iter().any(|g| g.contains("offeringType=component")
        && g.contains("component.componentType=test")
        && g.contains("since=2026-01-01")
        && g.contains("until=2026-12-31")
        && g.contains("pageNumber=2")));
    // Stored exactly as a push would: the SIS reads it back, and the exam case is there.
    let back = app.get("roc-a", &format!("/offerings/{o1}")).await;
    assert_eq!(back.status, 200);
    assert_valid("ComponentOffering", &back.body);
    let back = app.get("roc-a", &format!("/associations/{sa1}")).await;
    assert_eq!(back.status, 200);
    assert_eq!(
        app.get("roc-a", &format!("/persons/{s1}")).await.status,
        200
    );
    let cases = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap();
    assert!(cases.iter().any(|c| c.association_id == sa1));
    // Pulling again changes nothing and doubles nothing.
    let again = app
        .api("roc-a", &office)
        .pull(json!({"since": "2026-01-01", "until": "2026-12-31"}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        proeve::planning::cases(&app.app.db, "roc-a", None)
            .await
            .unwrap()
            .len(),
        cases.len()
    );

    // Only the exam office pulls; a bad period is refused by name.
    let student = sign_in(&app, "roc-a", s1).await;
    let r = app.api("roc-a", &student).pull(json!({})).await;
    assert_eq!(r.status, 403);
    let r = app
        .api("roc-a", &office)
        .pull(json!({"since": "2026-12-31", "until": "2026-01-01"}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["detail"].as_str().unwrap().contains("until"));
    // A school without a SIS connection gets a clear answer.
    let other = sign_in(
        &app,
        "roc-b",
        staff(&app, "roc-b", "office@roc.example", "Fatima").await,
    )
    .await;
    let r = app.api("roc-b", &other).pull(json!({})).await;
    assert_eq!(r.status, 400, "{}", r.body);
}

/// A person of the exam office of `roc-a` (by the e-mail address the settings list).
/// Proeve as its own process (the release binary's code, built for the tests), with one
/// school whose SIS is the stand-in, on the given database.
struct Process {
    child: std::process::Child,
}

impl Process {
    fn start(sis: &Sis, database_url: &str, dir: &std::path::Path) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = format!(
            r#"
bind = "127.0.0.1:{port}"
database_url = "{database_url}"
catalog_dir = "{catalog}"

[delivery]
poll_ms = 50
timeout_secs = 6
retry_base_ms = 100
retry_cap_secs = 1
lease_secs = 8

[[tenants]]
slug = "roc-a"
name = "ROC A"
[tenants.sis_auth]
issuer = "https://idp.roc-a.example"
audience = "proeve"
jwks_url = "http://127.0.0.1:9/jwks"
[tenants.sis]
base_url = "{base}"
token_url = "{token}"
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
"#,
            catalog = repo().join("catalog").display(),
            base = sis.base_url(),
            token = sis.token_url(),
        );
        let file = dir.join(format!("proeve-{port}.toml"));
        std::fs::write(&file, config).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_proeve"))
            .arg("--config")
            .arg(&file)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Process { child }
    }

    fn kill_9(&mut self) {
        // SIGKILL: no shutdown, no cleanup, as a crash or an OOM kill.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn kill_9_during_delivery_then_restart_loses_nothing_and_sends_nothing_wrong() {
    // An exam judged and signed while the school had no SIS connection: its two messages
    // wait in the outbox.
    let app = demo_app().await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let url = app.app.settings.database_url.clone();

    // Proeve as a process, sending to a SIS that takes long to answer the first message.
    let sis = Sis::start();
    sis.then([Next::Hang(Duration::from_secs(60))]);
    let dir = std::env::temp_dir().join("proeve-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let mut first = Process::start(&sis, &url, &dir);
    let started = Instant::now();
    while sis.received().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing was sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Killed while the SIS holds the request.
    first.kill_9();
    assert!(sis.accepted().is_empty());

    // Started again: after the dead process's lease, the message goes again, then the next.
    let _second = Process::start(&sis, &url, &dir);
    let got = accepted(&sis, 2).await;
    assert_eq!(got[0].body["result"]["state"], "in progress");
    assert_eq!(got[1].body["result"]["state"], "completed");
    let all = sis.received();
    assert_eq!(
        all.len(),
        3,
        "the killed send, its resend, the result: {all:#?}"
    );
    assert_eq!(all[0].body, all[1].body, "the resend is the same message");
    // The SIS has both; the process records each answer a moment after it came.
    let mut items = deliveries(&app, &w.office, w.case).await;
    for _ in 0..100 {
        if items.iter().all(|m| m["state"] == "delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        items = deliveries(&app, &w.office, w.case).await;
    }
    assert!(
        items.iter().all(|m| m["state"] == "delivered"),
        "{items:#?}"
    );
}

#[tokio::test]
async fn an_extra_attempt_proeve_plans_goes_to_the_sis_as_a_new_association_by_put() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let original = enrolment_of(&app, w.case).await;
    let failed = to_signed(&app, &w, 1).await;
    assert_eq!(failed["outcome"]["passed"], false, "{failed}");
    accepted(&sis, 2).await;

    // Only the exam office plans it, and only after a result that did not pass.
    let body = json!({"revision": failed["revision"]});
    let r = app
        .api("roc-a", &w.first)
        .extra_attempt(w.case, body.clone())
        .await;
    assert_eq!(r.status, 403);
    // The SIS governs attempts: with attemptLeft 0 there is none.
    let attempts_left = |n: i64| {
        json!({"associationType": "componentOfferingAssociation",
               "consumers": [{"consumerKey": "nl-test-admin", "attemptLeft": n}]})
    };
    let r = app
        .patch(
            "roc-a",
            &format!("/associations/{original}"),
            &attempts_left(0),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .api("roc-a", &w.office)
        .extra_attempt(w.case, body.clone())
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("attemptLeft"));
    let r = app
        .patch(
            "roc-a",
            &format!("/associations/{original}"),
            &attempts_left(1),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .api("roc-a", &w.office)
        .extra_attempt(w.case, body.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["attempt"], 2);
    assert_eq!(r.body["state"], "received");
    let second_case: Uuid = r.body["caseId"].as_str().unwrap().parse().unwrap();
    // Not twice for the same result.
    let r = app
        .api("roc-a", &w.office)
        .extra_attempt(w.case, body)
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // The second attempt is planned, scored (a pass this time) and signed.
    let w2 = World {
        case: second_case,
        ..w
    };
    let passed = to_signed(&app, &w2, 2).await;
    assert_eq!(passed["outcome"]["passed"], true);
    let got = accepted(&sis, 4).await;
    let puts: Vec<_> = got.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 2, "{got:#?}");
    let new_id = puts[0].association.clone();
    assert_ne!(
        new_id,
        original.to_string(),
        "a new association, never the original"
    );
    for r in &puts {
        assert!(r.schema_errors.is_empty(), "{:#?}", r.schema_errors);
        assert_eq!(r.association, new_id);
        assert_eq!(r.body["associationId"], new_id.as_str());
        assert_eq!(r.body["role"], "student");
        assert_eq!(r.body["state"], "associated");
        assert_eq!(
            r.body["consumers"][0]["orgAssociationId"],
            original.to_string()
        );
        assert_eq!(r.body["consumers"][0]["attempt"], 2);
        assert!(r.body["person"].is_string() && r.body["offering"].is_string());
    }
    assert_eq!(puts[0].body["result"]["state"], "in progress");
    assert_eq!(puts[1].body["result"]["state"], "completed");
    assert_eq!(puts[1].body["result"]["pass"], "passed");
    // The first attempt's own messages stayed on the original enrolment.
    assert_eq!(
        got.iter()
            .filter(|r| r.association == original.to_string())
            .count(),
        2
    );

    // No extra attempt after a pass.
    let r = app
        .api("roc-a", &w2.office)
        .extra_attempt(second_case, json!({"revision": passed["revision"]}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body["detail"].as_str().unwrap().contains("passed"));
}

/// The OKE 1.1 draft's parts of a flow 5 body: the association consumer's planning state and
/// test moment, checked field by field against the draft's list (the official 1.0.1 schema
/// lets any extra consumer property through).
fn moment_of(body: &Value) -> &Value {
    let details = &body["consumers"][0]["testMomentEnrollmentDetails"];
    let allowed = [
        "startDateTime",
        "endDateTime",
        "roomName",
        "executedOfferingName",
        "attendance",
        "testDateTime",
        "irregularities",
        "coordinatorId",
        "coordinatorCode",
    ];
    for (k, v) in details.as_object().expect("testMomentEnrollmentDetails") {
        assert!(allowed.contains(&k.as_str()), "not a 1.1 field: {k}");
        if k.ends_with("DateTime") {
            chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).expect(k);
        }
    }
    details
}

#[tokio::test]
async fn a_sis_on_the_1_1_draft_hears_pending_then_associated_with_the_moment_then_finished_with_the_result(
) {
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let association = enrolment_of(&app, w.case).await;
    // (`pending_after_secs` is 0 in the tests: it goes at once.)
    accepted(&sis, 1).await;
    to_signed(&app, &w, 2).await;

    let got = accepted(&sis, 4).await;
    assert_eq!(got.len(), 4, "{got:#?}");
    for r in &got {
        // Checked against the 1.0.1 schema and the draft's own consumer schema.
        assert!(r.schema_errors.is_empty(), "{:#?}", r.schema_errors);
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.association, association.to_string());
        assert_eq!(
            r.body["consumers"][0]["orgAssociationId"],
            association.to_string()
        );
        assert_eq!(r.body["consumers"][0]["attempt"], 1);
    }
    let states: Vec<&str> = got
        .iter()
        .map(|r| r.body["consumers"][0]["planningState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["pending", "associated", "finished", "finished"]);
    // Pending: the enrolment arrived; no moment, no result.
    let pending = &got[0].body;
    assert!(pending.get("result").is_none(), "{pending:#}");
    assert!(
        pending["consumers"][0]
            .get("testMomentEnrollmentDetails")
            .is_none(),
        "{pending:#}"
    );
    // Associated: when and where, for the student's agenda, and who coordinates it (the lead
    // assessor); no result yet.
    let planned = &got[1].body;
    assert!(planned.get("result").is_none(), "{planned:#}");
    let m = moment_of(planned);
    assert_eq!(m["startDateTime"], "2026-12-08T09:00:00+01:00");
    assert_eq!(m["endDateTime"], "2026-12-08T15:00:00+01:00");
    assert_eq!(m["roomName"], "Keuken 2");
    assert_eq!(m["coordinatorId"], json!(w.ids.0));
    assert!(m["coordinatorCode"].is_string(), "{m:#}");
    assert!(m["executedOfferingName"]
        .as_str()
        .unwrap()
        .contains("Proeve Kok"));
    // Then attendance and the result: finished, with the planned moment, when it took place,
    // and the 1.0.1 fields all kept in the result.
    for (r, state) in [(&got[2], "in progress"), (&got[3], "completed")] {
        let m = moment_of(&r.body);
        assert_eq!(m["attendance"], "present");
        assert_eq!(m["roomName"], "Keuken 2");
        assert_eq!(m["startDateTime"], "2026-12-08T09:00:00+01:00");
        assert_eq!(m["coordinatorId"], json!(w.ids.0));
        assert_eq!(m["testDateTime"], consumer(&r.body)["testDate"]);
        assert_eq!(r.body["result"]["state"], state);
        assert_eq!(consumer(&r.body)["attendance"], "present");
        assert!(consumer(&r.body)["executedOfferingName"].is_string());
    }
    assert_eq!(
        consumer(&got[3].body)["documents"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The SIS was asked once which version it speaks.
    assert!(
        sis.gets().iter().filter(|g| g.as_str() == "/oke/").count() <= 1,
        "{:?}",
        sis.gets()
    );
}

#[tokio::test]
async fn a_sis_on_the_1_1_draft_hears_that_proeve_cancelled_a_planned_exam_and_its_examenleider() {
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = app_with(&sis).await;
    let w = world(&app).await;
    accepted(&sis, 1).await;
    let planned = planned(&app, &w).await;
    // (Each body is built when it is first sent, from the exam as it then stands: the first
    // planning goes before the exam is moved.)
    accepted(&sis, 2).await;
    let office = app.api("roc-a", &w.office);
    // The office names the second assessor examenleider: the coordinator from then on.
    let r = office
        .call(
            "POST",
            &format!("/cases/{}/plan", w.case),
            Some(json!({
                "revision": planned["revision"], "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
                "place": {"kind": "school", "location": "Keuken 3"}, "assessors": [w.ids.0, w.ids.1],
                "examLeader": w.ids.1,
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = office
        .cancel(
            w.case,
            json!({"revision": r.body["revision"], "reason": "Leerbedrijf failliet"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = accepted(&sis, 4).await;
    for r in &got {
        assert!(r.schema_errors.is_empty(), "{:#?}", r.schema_errors);
    }
    let states: Vec<&str> = got
        .iter()
        .map(|r| r.body["consumers"][0]["planningState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["pending", "associated", "associated", "canceled"]);
    assert_eq!(moment_of(&got[1].body)["coordinatorId"], json!(w.ids.0));
    let moved = moment_of(&got[2].body);
    assert_eq!(moved["roomName"], "Keuken 3");
    assert_eq!(moved["coordinatorId"], json!(w.ids.1));
    assert!(got[3].body.get("result").is_none());
    // The office sees it among what went to the SIS.
    let items = deliveries(&app, &w.office, w.case).await;
    let reasons: Vec<&str> = items
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["pending", "planned", "planned", "canceled"]);
}

#[tokio::test]
async fn a_sis_on_the_1_1_draft_hears_of_an_extra_attempt_at_once_as_a_new_pending_association() {
    let sis = Sis::start();
    sis.speaks("1.1");
    // A new enrolment's `pending` waits its hour; the extra attempt's does not.
    let app = slow_pending_app(&sis).await;
    let w = world(&app).await;
    let original = enrolment_of(&app, w.case).await;
    // (The enrolment's own `pending` is replaced by the planning before its hour is up.)
    let failed = to_signed(&app, &w, 1).await;
    accepted(&sis, 3).await;
    let r = app
        .api("roc-a", &w.office)
        .extra_attempt(w.case, json!({"revision": failed["revision"]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let got = accepted(&sis, 4).await;
    let put = &got[3];
    assert!(put.schema_errors.is_empty(), "{:#?}", put.schema_errors);
    assert_eq!(put.method, "PUT");
    assert_ne!(put.association, original.to_string());
    assert_eq!(put.body["consumers"][0]["planningState"], "pending");
    assert_eq!(put.body["consumers"][0]["attempt"], 2);
    assert_eq!(
        put.body["consumers"][0]["orgAssociationId"],
        original.to_string()
    );
    assert!(put.body.get("result").is_none(), "{:#}", put.body);
}

#[tokio::test]
async fn a_1_0_1_sis_gets_no_planning_status_and_the_exam_office_is_not_shown_one() {
    let sis = Sis::start();
    sis.speaks("1.0.1");
    let app = app_with(&sis).await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 2).await;
    assert_eq!(
        got.iter()
            .map(|r| r.body["result"]["state"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["in progress", "completed"]
    );
    for r in &got {
        let c = r.body["consumers"][0].as_object().unwrap();
        assert!(
            !c.contains_key("planningState") && !c.contains_key("testMomentEnrollmentDetails"),
            "{c:?}"
        );
    }
    // Never sent, so not among what the exam office reads as sent.
    let items = deliveries(&app, &w.office, w.case).await;
    let reasons: Vec<&str> = items
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["attendance", "signed"]);
}

#[tokio::test]
async fn a_score_the_planbare_toets_cannot_hold_is_parked_with_the_reason() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    // The SIS asks for a whole number from 0 to 10; the exam gives one decimal.
    let offering = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == w.case)
        .unwrap()
        .offering_id;
    let r = app
        .patch(
            "roc-a",
            &format!("/offerings/{offering}"),
            &json!({"offeringType": "component", "resultValueType": "0-10"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    to_signed(&app, &w, 2).await;
    // Attendance goes; the result does not.
    accepted(&sis, 1).await;
    let started = Instant::now();
    let parked = loop {
        let items = deliveries(&app, &w.office, w.case).await;
        if let Some(m) = items.iter().find(|m| m["state"] == "parked") {
            break m.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{items:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(parked["reason"], "signed");
    let error = parked["lastError"].as_str().unwrap();
    assert!(
        error.contains("resultValueType") && error.contains("\"0-10\""),
        "{error}"
    );
    assert!(parked["lastStatus"].is_null());
    assert_eq!(
        sis.accepted().len(),
        1,
        "nothing the SIS cannot store was sent"
    );
}

/// A second planbare toets for the same exam (another programme's), and the world's student
/// enrolled on it too: the enrolment's id.
async fn second_enrolment(app: &TestApp, w: &World) -> (Uuid, Uuid) {
    let case = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == w.case)
        .unwrap();
    let (o2, sa2) = (id(), id());
    let mut body = offering(o2);
    body["primaryCode"]["code"] = json!("PVB-KOK2-BBL");
    body["name"] = json!([{"language": "nl-NL", "value": "Proeve Kok niveau 2 BBL"}]);
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o2}"), &body)
            .await
            .status,
        201
    );
    let r = app
        .put(
            "roc-a",
            &format!("/associations/{sa2}"),
            &student(sa2, case.person_id, o2),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    (o2, sa2)
}

/// A SIS, Proeve, the world, and its student enrolled twice for the exam: the first (the
/// exam's own) enrolment and the second.
async fn two_enrolments() -> (Arc<Sis>, TestApp, World, Uuid, Uuid) {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    enrolled_twice(sis, app).await
}

/// As [`two_enrolments`], for a SIS on the OKE 1.1 draft, with each enrolment's `pending`
/// still waiting its hour.
async fn two_enrolments_on_1_1() -> (Arc<Sis>, TestApp, World, Uuid, Uuid) {
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = slow_pending_app(&sis).await;
    enrolled_twice(sis, app).await
}

async fn enrolled_twice(sis: Arc<Sis>, app: TestApp) -> (Arc<Sis>, TestApp, World, Uuid, Uuid) {
    let w = world(&app).await;
    let first = enrolment_of(&app, w.case).await;
    let (_, second) = second_enrolment(&app, &w).await;
    (sis, app, w, first, second)
}

/// What the exam still owes (or sent) an enrolment, by reason.
async fn owed_to(app: &TestApp, w: &World, association: Uuid) -> Vec<String> {
    deliveries(app, &w.office, w.case)
        .await
        .into_iter()
        .filter(|m| m["associationId"] == json!(association))
        .map(|m| m["reason"].as_str().unwrap().to_string())
        .collect()
}

/// The exams under way of the school.
async fn open_cases(app: &TestApp) -> Vec<entity::exam_case::Model> {
    proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| {
            matches!(
                c.state,
                proeve::case::CaseState::Received | proeve::case::CaseState::Planned
            )
        })
        .collect()
}

/// The SIS cancels an enrolment.
async fn cancel_enrolment(app: &TestApp, association: Uuid) {
    let cancel = json!({"associationType": "componentOfferingAssociation", "state": "canceled"});
    let r = app
        .patch("roc-a", &format!("/associations/{association}"), &cancel)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn one_performance_for_two_enrolments_of_one_student_gives_each_its_result() {
    let (sis, app, w, first, second) = two_enrolments().await;
    // One exam to plan, not two; the office sees both enrolments it answers.
    let office = app.api("roc-a", &w.office);
    let list = office.call("GET", "/cases?limit=100", None).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        list.body
    );
    let case = office.case(w.case).await;
    assert_eq!(
        case.body["answersFor"],
        json!(["Proeve Kok niveau 2 periode 3", "Proeve Kok niveau 2 BBL"]),
        "{}",
        case.body
    );
    // Planned, scored, judged and signed once: each enrolment gets attendance and result.
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 4).await;
    assert_eq!(got.len(), 4, "{got:#?}");
    for r in &got {
        assert!(r.schema_errors.is_empty(), "{:#?}", r.schema_errors);
        assert_eq!(r.method, "PATCH");
        assert_eq!(
            r.body["consumers"][0]["orgAssociationId"],
            json!(r.association),
            "each message names its own enrolment"
        );
    }
    for a in [first, second] {
        let theirs: Vec<&str> = got
            .iter()
            .filter(|r| r.association == a.to_string())
            .map(|r| r.body["result"]["state"].as_str().unwrap())
            .collect();
        assert_eq!(theirs, ["in progress", "completed"], "{a}");
    }
    let results: Vec<&Value> = got
        .iter()
        .filter(|r| r.body["result"]["state"] == "completed")
        .map(|r| &r.body["result"])
        .collect();
    assert_eq!(results[0]["score"], results[1]["score"]);
    assert_eq!(
        consumer(&json!({"result": results[0]}))["documents"],
        consumer(&json!({"result": results[1]}))["documents"],
        "one performance, one set of documents"
    );
    // The SIS cancels the second enrolment after the exam: nothing changes for the first, and
    // what was owed to the second stays delivered.
    cancel_enrolment(&app, second).await;
    assert_eq!(office.case(w.case).await.body["state"], "signed");
}

#[tokio::test]
async fn before_the_exam_a_cancelled_enrolment_no_longer_counts_and_the_exam_moves_to_the_other() {
    let (sis, app, w, first, second) = two_enrolments().await;
    let office = app.api("roc-a", &w.office);
    // The first (the exam's own) enrolment is cancelled before the exam: the exam stays, for
    // the second.
    cancel_enrolment(&app, first).await;
    let case = office.case(w.case).await;
    assert_eq!(case.body["state"], "received", "{}", case.body);
    assert!(case.body.get("answersFor").is_none(), "{}", case.body);
    assert_eq!(enrolment_of(&app, w.case).await, second);
    let trail = office
        .call("GET", &format!("/cases/{}/audit", w.case), None)
        .await;
    assert!(
        trail.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "enrolment moved"),
        "{}",
        trail.body
    );
    // The result goes to the second only.
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 2).await;
    assert!(
        got.iter().all(|r| r.association == second.to_string()),
        "{got:#?}"
    );
    assert!(got.iter().all(|r| r.schema_errors.is_empty()));
}

#[tokio::test]
async fn a_second_enrolment_cancelled_before_the_exam_is_unlinked_and_gets_no_result() {
    let (sis, app, w, first, second) = two_enrolments().await;
    let office = app.api("roc-a", &w.office);
    assert!(office.case(w.case).await.body["answersFor"].is_array());
    cancel_enrolment(&app, second).await;
    let case = office.case(w.case).await;
    assert_eq!(case.body["state"], "received");
    assert!(case.body.get("answersFor").is_none(), "{}", case.body);
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 2).await;
    assert!(
        got.iter().all(|r| r.association == first.to_string()),
        "{got:#?}"
    );
}

#[tokio::test]
async fn a_1_1_enrolment_cancelled_before_the_exam_hears_nothing_more_whichever_one_it_was() {
    // The exam's own enrolment: the exam moves to the other, and the first's waiting
    // `pending` is not sent.
    let (sis, app, w, first, second) = two_enrolments_on_1_1().await;
    assert_eq!(owed_to(&app, &w, first).await, ["pending"]);
    assert_eq!(owed_to(&app, &w, second).await, ["pending"]);
    cancel_enrolment(&app, first).await;
    assert!(owed_to(&app, &w, first).await.is_empty());
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 3).await;
    assert!(
        got.iter().all(|r| r.association == second.to_string()),
        "{got:#?}"
    );
    assert!(got.iter().all(|r| r.schema_errors.is_empty()), "{got:#?}");
    assert!(owed_to(&app, &w, first).await.is_empty());

    // The linked one: unlinked, and its waiting `pending` is not sent either.
    let (sis, app, w, first, second) = two_enrolments_on_1_1().await;
    cancel_enrolment(&app, second).await;
    assert!(owed_to(&app, &w, second).await.is_empty());
    to_signed(&app, &w, 2).await;
    let got = accepted(&sis, 3).await;
    assert!(
        got.iter().all(|r| r.association == first.to_string()),
        "{got:#?}"
    );
    assert!(owed_to(&app, &w, second).await.is_empty());
}

#[tokio::test]
async fn an_enrolment_enrolled_again_after_another_started_the_exam_counts_for_that_exam() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let first = enrolment_of(&app, w.case).await;
    // The SIS cancels the first enrolment (nothing linked: the exam is cancelled), enrols
    // the student under the other programme, then takes the first back.
    cancel_enrolment(&app, first).await;
    assert!(open_cases(&app).await.is_empty());
    let (_, second) = second_enrolment(&app, &w).await;
    let open = open_cases(&app).await;
    assert_eq!(open.len(), 1);
    let exam = open[0].case_id;
    let back = json!({"associationType": "componentOfferingAssociation", "state": "associated"});
    let r = app
        .patch("roc-a", &format!("/associations/{first}"), &back)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // One exam, answering both; the cancelled one stays cancelled.
    let open = open_cases(&app).await;
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].case_id, exam);
    assert_eq!(open[0].association_id, second);
    let office = app.api("roc-a", &w.office);
    assert_eq!(office.case(w.case).await.body["state"], "canceled");
    assert_eq!(
        office.case(exam).await.body["answersFor"],
        json!(["Proeve Kok niveau 2 BBL", "Proeve Kok niveau 2 periode 3"])
    );
    // Then the SIS cancels the second enrolment before the exam: the exam cannot move to the
    // first (it has an exam of its own), so that one comes back instead.
    cancel_enrolment(&app, second).await;
    let open = open_cases(&app).await;
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].case_id, w.case);
    assert_eq!(open[0].association_id, first);
    assert_eq!(office.case(exam).await.body["state"], "canceled");
    assert!(office.case(w.case).await.body.get("answersFor").is_none());
}

#[tokio::test]
async fn an_enrolment_moved_to_another_student_leaves_the_exam_it_was_linked_to() {
    let (_sis, app, w, _first, second) = two_enrolments().await;
    let office = app.api("roc-a", &w.office);
    assert!(office.case(w.case).await.body["answersFor"].is_array());
    // The SIS corrects the second enrolment: it was another student's.
    let other = id();
    let r = app
        .put(
            "roc-a",
            &format!("/persons/{other}"),
            &person(other, "Noor"),
        )
        .await;
    assert!(r.status == 201, "{}", r.body);
    let stored = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == w.case)
        .unwrap();
    let moved = student(second, other, stored_offering_of(&app, second).await);
    let r = app
        .put("roc-a", &format!("/associations/{second}"), &moved)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(office.case(w.case).await.body.get("answersFor").is_none());
    let open = open_cases(&app).await;
    assert_eq!(open.len(), 2, "Noor has an exam of her own: {open:#?}");
    assert!(open
        .iter()
        .any(|c| c.association_id == second && c.person_id == other));
    assert!(open.iter().any(|c| c.case_id == stored.case_id));
}

/// The planbare toets an enrolment is on, as Proeve stored it.
async fn stored_offering_of(app: &TestApp, association: Uuid) -> Uuid {
    use sea_orm::EntityTrait;
    entity::association::Entity::find_by_id(("roc-a".to_string(), association))
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap()
        .offering_id
}

#[tokio::test]
async fn two_enrolments_of_one_student_pushed_at_once_make_one_exam_and_cancelled_at_once_none() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let first = enrolment_of(&app, w.case).await;
    let student_id = open_cases(&app).await[0].person_id;
    let offering_id = stored_offering_of(&app, first).await;
    let o2 = id();
    let mut body = offering(o2);
    body["primaryCode"]["code"] = json!("PVB-KOK2-BBL");
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o2}"), &body)
            .await
            .status,
        201
    );
    // Another student, enrolled under both programmes in the same instant, ten times over.
    for round in 0..10 {
        let person_id = id();
        let r = app
            .put(
                "roc-a",
                &format!("/persons/{person_id}"),
                &person(person_id, "Sem"),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let (a, b) = (id(), id());
        let (pa, pb) = (format!("/associations/{a}"), format!("/associations/{b}"));
        let (sa, sb) = (
            student(a, person_id, offering_id),
            student(b, person_id, o2),
        );
        let (ra, rb) = tokio::join!(app.put("roc-a", &pa, &sa), app.put("roc-a", &pb, &sb));
        assert_eq!(
            (ra.status, rb.status),
            (201, 201),
            "{} {}",
            ra.body,
            rb.body
        );
        let theirs: Vec<_> = open_cases(&app)
            .await
            .into_iter()
            .filter(|c| c.person_id == person_id)
            .collect();
        assert_eq!(theirs.len(), 1, "round {round}: {theirs:#?}");
        // Both cancelled at once: no exam is left for an enrolment nobody expects it for.
        let cancel =
            json!({"associationType": "componentOfferingAssociation", "state": "canceled"});
        let (ca, cb) = tokio::join!(
            app.patch("roc-a", &pa, &cancel),
            app.patch("roc-a", &pb, &cancel)
        );
        assert_eq!(
            (ca.status, cb.status),
            (200, 200),
            "{} {}",
            ca.body,
            cb.body
        );
        assert!(
            open_cases(&app)
                .await
                .iter()
                .all(|c| c.person_id != person_id),
            "round {round}"
        );
    }
    assert!(open_cases(&app)
        .await
        .iter()
        .any(|c| c.person_id == student_id));
}

#[tokio::test]
async fn the_sis_sending_back_the_association_of_an_extra_attempt_makes_no_second_exam() {
    // With the attempt Proeve sent, and without one (read as 1).
    for attempt in [Some(2), None] {
        extra_attempt_sent_back(attempt).await;
    }
}

async fn extra_attempt_sent_back(attempt: Option<u32>) {
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = app_with(&sis).await;
    let w = world(&app).await;
    let failed = to_signed(&app, &w, 1).await;
    let r = app
        .api("roc-a", &w.office)
        .extra_attempt(w.case, json!({"revision": failed["revision"]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let extra = r.body["caseId"].as_str().unwrap().parse::<Uuid>().unwrap();
    let started = Instant::now();
    let minted: Uuid = loop {
        if let Some(put) = sis.accepted().iter().find(|m| m.method == "PUT") {
            break put.association.parse().unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no PUT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The SIS stores it and sends it to its consumers, Proeve among them.
    let c = open_cases(&app).await;
    assert_eq!(c.len(), 1, "{c:#?}");
    let mut echo = student(minted, c[0].person_id, c[0].offering_id);
    match attempt {
        Some(n) => echo["consumers"][0]["attempt"] = json!(n),
        None => {
            echo["consumers"][0]
                .as_object_mut()
                .unwrap()
                .remove("attempt");
        }
    }
    let r = app
        .put("roc-a", &format!("/associations/{minted}"), &echo)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let after = open_cases(&app).await;
    assert_eq!(
        after.len(),
        1,
        "no second exam for the same attempt: {after:#?}"
    );
    assert_eq!(after[0].case_id, extra);
    // Cancelled there before it took place: the extra attempt is cancelled.
    cancel_enrolment(&app, minted).await;
    assert!(open_cases(&app).await.is_empty());
    let office = app.api("roc-a", &w.office);
    assert_eq!(office.case(extra).await.body["state"], "canceled");
}

#[tokio::test]
async fn a_sis_on_the_1_1_draft_hears_the_planned_moment_on_an_enrolment_linked_to_a_planned_exam()
{
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = app_with(&sis).await;
    let w = world(&app).await;
    accepted(&sis, 1).await;
    planned(&app, &w).await;
    accepted(&sis, 2).await;
    let (_, second) = second_enrolment(&app, &w).await;
    let got = accepted(&sis, 3).await;
    let linked = &got[2];
    assert_eq!(linked.association, second.to_string());
    assert!(
        linked.schema_errors.is_empty(),
        "{:#?}",
        linked.schema_errors
    );
    assert_eq!(linked.body["consumers"][0]["planningState"], "associated");
    assert_eq!(
        linked.body["consumers"][0]["orgAssociationId"],
        json!(second)
    );
    let m = moment_of(&linked.body);
    assert_eq!(m["startDateTime"], "2026-12-08T09:00:00+01:00");
    assert!(
        m["executedOfferingName"].as_str().unwrap().contains("BBL"),
        "{m:#}"
    );
}

#[tokio::test]
async fn a_new_enrolments_pending_waits_its_time_and_a_planning_meanwhile_replaces_it() {
    let sis = Sis::start();
    sis.speaks("1.1");
    let app = slow_pending_app(&sis).await;
    let w = world(&app).await;
    // Waiting its time by design: not among what the exam office is told is stuck.
    assert_eq!(deliveries(&app, &w.office, w.case).await.len(), 1);
    let stuck = app
        .api("roc-a", &w.office)
        .call("GET", "/deliveries", None)
        .await;
    assert_eq!(stuck.body["items"], json!([]), "{}", stuck.body);
    // Planned within the hour: the SIS hears `associated`, never the stale `pending`.
    planned(&app, &w).await;
    let got = accepted(&sis, 1).await;
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].body["consumers"][0]["planningState"], "associated");
    let items = deliveries(&app, &w.office, w.case).await;
    let reasons: Vec<&str> = items
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["planned"],
        "the replaced one is not shown as sent"
    );
}

const VIG: &str = "a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b58";
const EMEI: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c0835";
const EMEI_A: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08a1";
const EMEI_B: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08b2";
const VIG_K1: &str = "a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b61";
const VIG_K2: &str = "a72e5d14-0b9c-4f3e-8a61-c2d94e7f3b62";

/// A planbare toets for `test` (an exam, or a result unit of one), named `name`, expecting
/// results of type `result_type`.
fn offering_for(id: Uuid, test: &str, name: &str, result_type: &str) -> Value {
    let mut o = offering(id);
    o["primaryCode"]["code"] = json!(format!("PT-{name}"));
    o["name"] = json!([{"language": "nl-NL", "value": name}]);
    o["resultValueType"] = json!(result_type);
    o["consumers"][0]["testsToBeUsed"] = json!([{"testProvider": "Proeve", "componentId": test}]);
    o
}

/// Every criterion of `exam`, at the level `level_of` gives its section (at most the top of
/// its scale; a failing level with its note).
fn scores_by_section(app: &TestApp, exam: &str, level_of: impl Fn(&str) -> u32) -> Vec<Value> {
    let exam = app.app.catalog.get(exam.parse().unwrap()).unwrap();
    let model = &exam.model;
    model
        .sections
        .iter()
        .flat_map(|s| s.criteria.iter().map(move |c| (s, c)))
        .map(|(s, c)| {
            let top = model.scale(&c.scale).unwrap().levels.len() as u32 - 1;
            let level = level_of(&s.code).min(top);
            let mut v = json!({"criterion": c.code, "level": level});
            if level <= 1 {
                v["note"] = json!("niet aangetoond");
            }
            v
        })
        .collect()
}

/// One performance as a SIS that records an exam's structure enrols for it: a planbare toets
/// per entry of `tests` (component, name, result type; the first is where the assessors are
/// enrolled), the student on each; the office plans it once, `assessors` assessors score it
/// once with `scores`, everyone signs. The exam, the enrolments in the order of `tests`, the
/// office's session.
async fn one_performance(
    app: &TestApp,
    tests: &[(&str, &str, &str)],
    assessors: usize,
    scores: Vec<Value>,
) -> (Uuid, Vec<Uuid>, Session) {
    let offerings: Vec<Uuid> = tests.iter().map(|_| id()).collect();
    for (o, (test, name, result_type)) in offerings.iter().zip(tests) {
        let body = offering_for(*o, test, name, result_type);
        let r = app.put("roc-a", &format!("/offerings/{o}"), &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let people: Vec<Uuid> = (0..=assessors).map(|_| id()).collect();
    for (p, name) in people.iter().zip(["Ayşe", "Bram", "Chris", "Dewi"]) {
        let r = app
            .put("roc-a", &format!("/persons/{p}"), &person(*p, name))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let mut enrolled = Vec::new();
    for o in &offerings {
        let sa = id();
        let r = app
            .put(
                "roc-a",
                &format!("/associations/{sa}"),
                &student(sa, people[0], *o),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        enrolled.push(sa);
    }
    for a in &people[1..] {
        let aa = id();
        let r = app
            .put(
                "roc-a",
                &format!("/associations/{aa}"),
                &assessor(aa, *a, offerings[0]),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // One exam to plan, answering every enrolment.
    let cases = open_cases(app).await;
    assert_eq!(cases.len(), 1, "{cases:#?}");
    let case = cases[0].case_id;
    let office = staff(app, "roc-a", "office@roc.example", "Fatima").await;
    let office = sign_in(app, "roc-a", office).await;
    let view = app.api("roc-a", &office).case(case).await;
    let names: Vec<&str> = tests.iter().map(|t| t.1).collect();
    assert_eq!(view.body["answersFor"], json!(names), "{}", view.body);
    let plan = json!({
        "revision": view.body["revision"], "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Praktijklokaal"}, "assessors": &people[1..],
    });
    let r = app.api("roc-a", &office).plan(case, plan).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut sessions = Vec::new();
    for a in &people[1..] {
        sessions.push(sign_in(app, "roc-a", *a).await);
    }
    // Scored once, on one set of sheets.
    for who in &sessions {
        let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
            "identityMethod": "ID-kaart", "scores": scores,
            "motivation": "Sterk in de uitvoering; een deel nog niet laten zien.",
            "timesReason": EARLIER});
        let r = app.api("roc-a", who).save_sheet(case, "mine", sheet).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    for who in &sessions {
        finish(app, who, case).await;
    }
    let roles = sessions
        .iter()
        .map(|s| (s, "assessor"))
        .chain([(&sessions[0], "candidate")]);
    for (who, role) in roles {
        let r = app
            .api("roc-a", who)
            .sign(case, json!({"role": role, "image": PNG}))
            .await;
        assert_eq!(r.status, 200, "{role}: {}", r.body);
    }
    (case, enrolled, office)
}

/// The result the SIS accepted for enrolment `a`.
fn result_for(got: &[crate::helpers::sis::Received], a: Uuid) -> Value {
    got.iter()
        .find(|r| r.association == a.to_string() && r.body["result"]["state"] == "completed")
        .map(|r| r.body["result"].clone())
        .unwrap_or_else(|| panic!("no result for {a}: {got:#?}"))
}

#[tokio::test]
async fn one_performance_gives_each_core_task_and_the_whole_its_own_result_one_failing() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    // The SIS records the whole and each core task; B1-K1 good throughout, B1-K2 not shown.
    let ovg = "insufficient-satisfactory-good";
    let scores = scores_by_section(&app, VIG, |s| if s.starts_with("B1-K2") { 0 } else { 2 });
    let (case, enrolled, office) = one_performance(
        &app,
        &[
            (VIG, "Proeve VIG 3", ovg),
            (VIG_K1, "Kerntaak B1-K1", ovg),
            (VIG_K2, "Kerntaak B1-K2", ovg),
        ],
        2,
        scores,
    )
    .await;
    // Each enrolment: attendance, then its own result from its own criteria, valid.
    let got = accepted(&sis, 6).await;
    assert_eq!(got.len(), 6, "{got:#?}");
    assert!(got.iter().all(|r| r.schema_errors.is_empty()), "{got:#?}");
    let (w, t1, t2) = (
        result_for(&got, enrolled[0]),
        result_for(&got, enrolled[1]),
        result_for(&got, enrolled[2]),
    );
    assert_eq!(
        (&w["score"], &w["pass"]),
        (&json!("good"), &json!("passed"))
    );
    assert_eq!(
        (&t1["score"], &t1["pass"]),
        (&json!("good"), &json!("passed"))
    );
    assert_eq!(
        (&t2["score"], &t2["pass"]),
        (&json!("insufficient"), &json!("failed"))
    );
    assert_eq!(t1["consumers"][0]["rawScore"], 48);
    assert_eq!(t1["consumers"][0]["maxRawScore"], 48);
    assert_eq!(t2["consumers"][0]["rawScore"], 0);
    assert_eq!(t2["consumers"][0]["maxRawScore"], 8);
    assert_eq!(w["consumers"][0]["maxRawScore"], 56);
    // One performance, one proces-verbaal on each; each core task's enrolment gets the
    // form of its core task, the whole's the exam's form.
    let docs = |r: &Value, kind: &str| -> Vec<String> {
        r["consumers"][0]["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["documentType"] == kind)
            .map(|d| d["documentId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(docs(&w, "other"), docs(&t2, "other"));
    assert_eq!(docs(&w, "other").len(), 1);
    let forms = [
        docs(&w, "assessmentForm"),
        docs(&t1, "assessmentForm"),
        docs(&t2, "assessmentForm"),
    ];
    assert!(forms.iter().all(|f| f.len() == 1), "{forms:?}");
    assert!(
        forms[0] != forms[1] && forms[1] != forms[2] && forms[0] != forms[2],
        "{forms:?}"
    );
    let k2_form = app
        .get("roc-a", &format!("/documents/{}", forms[2][0]))
        .await;
    assert_eq!(k2_form.status, 200);
    // The SIS cancels the failed core task's enrolment after the exam: its result stands,
    // the exam and the others are untouched.
    cancel_enrolment(&app, enrolled[2]).await;
    let office = app.api("roc-a", &office);
    let after = office.case(case).await;
    assert_eq!(after.body["state"], "signed");
    assert_eq!(after.body["answersFor"].as_array().unwrap().len(), 3);
    // The exam's screen shows each core task's result, as its enrolment got it.
    let units: Vec<(&str, &str)> = after.body["unitResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["code"].as_str().unwrap(), u["score"].as_str().unwrap()))
        .collect();
    assert_eq!(units.len(), 2, "{}", after.body);
    assert!(units.iter().any(|(_, s)| *s == "insufficient"), "{units:?}");
    assert!(units.iter().any(|(_, s)| *s == "good"), "{units:?}");
}

const EMEI_C: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08c3";
const EMEI_D: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08d4";

/// Every criterion of part `part` of `exam`, at the level `level_of` gives its section.
fn part_scores(
    app: &TestApp,
    exam: &str,
    part: &str,
    level_of: impl Fn(&str) -> u32,
) -> Vec<Value> {
    let model = &app.app.catalog.get(exam.parse().unwrap()).unwrap().model;
    let mine: Vec<&str> = model
        .sections
        .iter()
        .filter(|s| s.part.as_deref() == Some(part))
        .flat_map(|s| s.criteria.iter().map(|c| c.code.as_str()))
        .collect();
    scores_by_section(app, exam, level_of)
        .into_iter()
        .filter(|v| mine.contains(&v["criterion"].as_str().unwrap()))
        .collect()
}

/// A student of an exam taken per part: a planbare toets per entry of `tests` (component,
/// name), the student enrolled on each for `attempt`, the assessor on each. The enrolments,
/// in the order of `tests`.
async fn enrol_parts(
    app: &TestApp,
    tests: &[(&str, &str)],
    (student_id, assessor_id): (Uuid, Uuid),
    attempt: i32,
) -> Vec<Uuid> {
    let mut enrolled = Vec::new();
    for (test, name) in tests {
        let o = id();
        let r = app
            .put(
                "roc-a",
                &format!("/offerings/{o}"),
                &offering_for(o, test, name, "0-10"),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let sa = id();
        let mut body = student(sa, student_id, o);
        body["consumers"][0]["attempt"] = json!(attempt);
        let r = app
            .put("roc-a", &format!("/associations/{sa}"), &body)
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let aa = id();
        let r = app
            .put(
                "roc-a",
                &format!("/associations/{aa}"),
                &assessor(aa, assessor_id, o),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        enrolled.push(sa);
    }
    enrolled
}

/// The exam of enrolment `a` for `attempt`.
async fn case_of(app: &TestApp, a: Uuid, attempt: i32) -> entity::exam_case::Model {
    proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.association_id == a && c.attempt == attempt)
        .unwrap_or_else(|| panic!("no exam for enrolment {a}"))
}

/// One part's sitting, on its own day: planned by the office, scored on the part's criteria
/// only, finished and signed.
async fn sit(
    app: &TestApp,
    office: &Session,
    me: &Session,
    (case, day): (Uuid, u32),
    assessor: Uuid,
    scores: &[Value],
) {
    let view = app.api("roc-a", office).case(case).await;
    let plan = json!({
        "revision": view.body["revision"], "start": format!("2026-12-{day:02}T08:00:00Z"),
        "end": format!("2026-12-{day:02}T14:00:00Z"),
        "place": {"kind": "workplace", "name": "Installatiebedrijf Volt", "address": "Stationsweg 4, Utrecht"}, "assessors": [assessor],
    });
    let r = app.api("roc-a", office).plan(case, plan).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // No scores: the candidate did not come.
    let sheet = if scores.is_empty() {
        json!({"revision": 0, "attendance": "notPresent", "timesReason": EARLIER})
    } else {
        json!({"revision": 0, "attendance": "present", "identityChecked": true,
            "identityMethod": "ID-kaart", "scores": scores,
            "motivation": "Dit onderdeel laat zien wat de kandidaat kan.", "timesReason": EARLIER})
    };
    let r = app.api("roc-a", me).save_sheet(case, "mine", sheet).await;
    assert_eq!(r.status, 200, "{}", r.body);
    finish(app, me, case).await;
    let candidate = if scores.is_empty() {
        json!({"role": "candidateRefused", "reason": "Niet gekomen"})
    } else {
        json!({"role": "candidate", "image": PNG})
    };
    for body in [json!({"role": "assessor", "image": PNG}), candidate] {
        let r = app.api("roc-a", me).sign(case, body).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

/// The text of a PDF (pdftotext, as an archivist reads it), whitespace collapsed.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("proeve-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The results the SIS accepted for enrolment `a` (retries of one body counted once).
fn results_for(got: &[crate::helpers::sis::Received], a: Uuid) -> Vec<Value> {
    got.iter()
        .filter(|r| r.association == a.to_string() && r.body["result"]["state"] == "completed")
        .map(|r| r.body["result"].clone())
        .collect()
}

/// The messages the outbox holds for enrolment `a` with `reason`.
async fn queued_for(app: &TestApp, a: Uuid, reason: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::sis_message::Entity::find()
        .filter(entity::sis_message::Column::AssociationId.eq(a))
        .filter(entity::sis_message::Column::Reason.eq(reason))
        .all(&app.app.db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_exam_in_parts_over_weeks_gives_each_part_its_result_when_signed_and_the_whole_when_the_last_counts(
) {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let (student_id, assessor_id) = (id(), id());
    for (p, name) in [(student_id, "Ayşe"), (assessor_id, "Bram")] {
        let r = app
            .put("roc-a", &format!("/persons/{p}"), &person(p, name))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The SIS records the whole and each of the four parts (as flow 0 shows them).
    let tests = [
        (EMEI, "Proeve Eerste monteur"),
        (EMEI_A, "Onderdeel A"),
        (EMEI_B, "Onderdeel B"),
        (EMEI_C, "Onderdeel C"),
        (EMEI_D, "Onderdeel D"),
    ];
    let enrolled = enrol_parts(&app, &tests, (student_id, assessor_id), 1).await;
    // Four sittings to plan, each on its own; the whole waits for them and is not planned.
    let open = open_cases(&app).await;
    assert_eq!(open.len(), 5, "{open:#?}");
    let office = staff(&app, "roc-a", "office@roc.example", "Fatima").await;
    let office = sign_in(&app, "roc-a", office).await;
    let bram = sign_in(&app, "roc-a", assessor_id).await;
    let whole = case_of(&app, enrolled[0], 1).await;
    let view = app.api("roc-a", &office).case(whole.case_id).await;
    let plan = json!({"revision": view.body["revision"], "start": "2026-12-08T08:00:00Z",
        "end": "2026-12-08T14:00:00Z", "place": {"kind": "school", "location": "Lokaal 1"},
        "assessors": [assessor_id]});
    let r = app.api("roc-a", &office).plan(whole.case_id, plan).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["code"], "partsApart", "{}", r.body);
    // The office's list of exams to plan has the four parts, not the whole; the whole says
    // it waits for them, each part by its name.
    let to_plan = app
        .api("roc-a", &office)
        .call("GET", "/cases?list=toPlan", None)
        .await;
    let items = to_plan.body["items"].as_array().unwrap();
    let parts: Vec<&str> = items
        .iter()
        .map(|c| c["exam"]["part"]["code"].as_str().unwrap_or("whole"))
        .collect();
    assert_eq!(parts.len(), 4, "{}", to_plan.body);
    assert!(!parts.contains(&"whole"), "{parts:?}");
    let w = app.api("roc-a", &office).case(whole.case_id).await;
    assert_eq!(w.body["waitsForParts"], true, "{}", w.body);
    let listed: Vec<&str> = w.body["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["received"; 4], "{}", w.body);
    let a = case_of(&app, enrolled[1], 1).await;
    assert_eq!(a.part, "A");
    // Parts A, C, D good; part B (installing) below its pass mark.
    let level = |s: &str| match s {
        "B1-K1-W2" | "B1-K1-W3" => 1,
        _ => 3,
    };
    let days = [0, 8, 15, 22, 29];
    for (i, part) in ["A", "B", "C", "D"].into_iter().enumerate() {
        let case = case_of(&app, enrolled[i + 1], 1).await.case_id;
        sit(
            &app,
            &office,
            &bram,
            (case, days[i + 1]),
            assessor_id,
            &part_scores(&app, EMEI, part, level),
        )
        .await;
        if part != "D" {
            // The whole waits until the last part is signed.
            let w = app.api("roc-a", &office).case(whole.case_id).await;
            assert_eq!(w.body["state"], "received", "after part {part}: {}", w.body);
        }
        if part == "A" {
            // Part A's sitting was scored on part A's criteria only (its sheet closed
            // without the others'): its model is the part's.
            let model = app.api("roc-a", &office).model(case).await;
            let sections: Vec<&str> = model.body["sections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["code"].as_str().unwrap())
                .collect();
            assert_eq!(sections, ["B1-K1-W1"], "{}", model.body);
            // A's result goes when A is signed.
            let got = accepted(&sis, 2).await;
            let a = result_for(&got, enrolled[1]);
            assert_eq!((&a["score"], &a["pass"]), (&json!("10"), &json!("passed")));
            assert_eq!(a["consumers"][0]["rawScore"], 15);
            assert_eq!(a["consumers"][0]["maxRawScore"], 15);
        }
    }
    // Four parts, each its attendance and result; then the whole's, once.
    let got = accepted(&sis, 9).await;
    assert!(got.iter().all(|r| r.schema_errors.is_empty()), "{got:#?}");
    let b = result_for(&got, enrolled[2]);
    assert_eq!(b["pass"], "failed");
    assert_eq!(b["consumers"][0]["rawScore"], 10);
    // The whole: 54 of 72 points summed over the parts, which on the table for no failed
    // part would be a 7; a part failed: a 5.
    let w = result_for(&got, enrolled[0]);
    assert_eq!(w["consumers"][0]["rawScore"], 54);
    assert_eq!(w["consumers"][0]["maxRawScore"], 72);
    assert_eq!((&w["score"], &w["pass"]), (&json!("5"), &json!("failed")));
    // With it, each part's assessment form and proces-verbaal, each named by its part.
    let names: Vec<&str> = w["consumers"][0]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["documentName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 9, "{w}");
    for code in ["A", "B", "C", "D"] {
        let part = format!("PVB-EMEI3-2425-{code} ");
        assert_eq!(
            names.iter().filter(|n| n.contains(&part)).count(),
            2,
            "{names:?}"
        );
    }
    // And the whole's own form: an overview of its parts and how its grade was made.
    let overview = w["consumers"][0]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["documentName"]
                .as_str()
                .unwrap()
                .contains("PVB-EMEI3-2425 ")
        })
        .unwrap_or_else(|| panic!("no overview: {names:?}"));
    assert_eq!(overview["documentType"], "assessmentForm");
    let pdf = app
        .get(
            "roc-a",
            &format!("/documents/{}", overview["documentId"].as_str().unwrap()),
        )
        .await;
    assert_eq!(pdf.status, 200);
    let text = pdf_text(&pdf.bytes);
    for said in [
        "Onderdelen",
        "A Werkvoorbereiding 1",
        "15 van 15 10 — geslaagd",
        "B Installeren 1",
        "54 van 72 punten (cijfer uit de omzettingstabel hieronder)",
        "Tabel als een onderdeel onvoldoende is (toegepast)",
    ] {
        assert!(text.contains(said), "{said:?} not in the overview:\n{text}");
    }
    // Once: one result queued for the whole, one accepted.
    assert_eq!(queued_for(&app, enrolled[0], "signed").await, 1);
    assert_eq!(results_for(&got, enrolled[0]).len(), 1);
    let whole_now = app.api("roc-a", &office).case(whole.case_id).await;
    assert_eq!(whole_now.body["state"], "signed", "{}", whole_now.body);
    assert_eq!(whole_now.body["waitsForParts"], false);
    let scores: Vec<&str> = whole_now.body["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["score"].as_str().unwrap())
        .collect();
    assert_eq!(scores, ["10", "4", "10", "10"], "{}", whole_now.body);
    assert_eq!(whole_now.body["unitResults"].as_array().unwrap().len(), 4);

    // A re-sit of part B: the SIS enrols part B and the whole for a second attempt. Only B
    // is sat again; A, C and D keep their points, and the whole gets its second result.
    let again = enrol_parts(
        &app,
        &[(EMEI, "Proeve Eerste monteur"), (EMEI_B, "Onderdeel B")],
        (student_id, assessor_id),
        2,
    )
    .await;
    let b2 = case_of(&app, again[1], 2).await;
    assert_eq!(b2.part, "B");
    sit(
        &app,
        &office,
        &bram,
        (b2.case_id, 30),
        assessor_id,
        &part_scores(&app, EMEI, "B", |_| 3),
    )
    .await;
    let got = accepted(&sis, 12).await;
    let w2 = result_for(&got, again[0]);
    assert_eq!(w2["consumers"][0]["rawScore"], 72, "{w2}");
    assert_eq!(
        (&w2["score"], &w2["pass"]),
        (&json!("10"), &json!("passed"))
    );
}

#[tokio::test]
async fn a_part_corrected_after_the_whole_counted_it_makes_the_whole_again() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let (student_id, assessor_id) = (id(), id());
    for (p, name) in [(student_id, "Ayşe"), (assessor_id, "Bram")] {
        let r = app
            .put("roc-a", &format!("/persons/{p}"), &person(p, name))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let tests = [
        (EMEI, "Proeve Eerste monteur"),
        (EMEI_A, "Onderdeel A"),
        (EMEI_B, "Onderdeel B"),
        (EMEI_C, "Onderdeel C"),
        (EMEI_D, "Onderdeel D"),
    ];
    let enrolled = enrol_parts(&app, &tests, (student_id, assessor_id), 1).await;
    let office = staff(&app, "roc-a", "office@roc.example", "Fatima").await;
    let office = sign_in(&app, "roc-a", office).await;
    let bram = sign_in(&app, "roc-a", assessor_id).await;
    let level = |s: &str| match s {
        "B1-K1-W2" | "B1-K1-W3" => 1,
        _ => 3,
    };
    for (i, part) in ["A", "B", "C", "D"].into_iter().enumerate() {
        let case = case_of(&app, enrolled[i + 1], 1).await.case_id;
        let scores = part_scores(&app, EMEI, part, level);
        sit(
            &app,
            &office,
            &bram,
            (case, 8 + 7 * i as u32),
            assessor_id,
            &scores,
        )
        .await;
    }
    accepted(&sis, 9).await;
    let whole = case_of(&app, enrolled[0], 1).await;
    assert_eq!(whole.score.as_deref(), Some("5"));
    // The whole cannot be corrected itself: its result is its parts'.
    let body = json!({"revision": whole.revision, "attendance": "present", "scores": [],
        "reason": "Telfout", "authority": "appeal"});
    let r = app.api("roc-a", &office).correct(whole.case_id, body).await;
    assert_eq!(r.body["code"], "correctThePart", "{}", r.body);
    // On appeal, part B is corrected to what the candidate showed after all: B passes, and
    // the whole is made again from the parts: 72 points less B's shortfall, no part failed.
    let b = case_of(&app, enrolled[2], 1).await;
    let corrected: Vec<Value> = part_scores(&app, EMEI, "B", |_| 2)
        .into_iter()
        .map(|mut s| {
            s["note"] = json!("herzien na beroep");
            s
        })
        .collect();
    let body = json!({"revision": b.revision, "attendance": "present", "scores": corrected,
        "reason": "Beroep gegrond: de installatie was wel volgens tekening", "authority": "appeal"});
    let r = app.api("roc-a", &office).correct(b.case_id, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = accepted(&sis, 11).await;
    let results = results_for(&got, enrolled[0]);
    let last = results.last().unwrap();
    // A and C, D as they were (15 and 29 points), B as corrected.
    let b_points: u64 = part_scores(&app, EMEI, "B", |_| 2)
        .iter()
        .map(|s| s["level"].as_u64().unwrap())
        .sum();
    assert_eq!(b_points, 19);
    let points = 15 + 29 + b_points;
    assert_eq!(last["consumers"][0]["rawScore"], points, "{last}");
    assert_eq!(last["pass"], "passed", "{last}");
    let whole = case_of(&app, enrolled[0], 1).await;
    assert_eq!(whole.raw_score, Some(points as i32));
    // With part B's corrected documents (version 2), the others' as they were.
    let names: Vec<&str> = last["consumers"][0]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["documentName"].as_str().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .filter(|n| n.contains("PVB-EMEI3-2425-B "))
            .all(|n| n.contains("versie 2")),
        "{names:?}"
    );
    assert_eq!(names.len(), 9, "{names:?}");
    // The committee sees on the whole what its parts' records say.
    let view = app.api("roc-a", &office).case(whole.case_id).await;
    let flags = view.body["flags"].as_array().unwrap();
    assert!(flags.contains(&json!("corrected")), "{}", view.body);
    // On appeal again, part B is found not to have been sat by the candidate at all: the
    // whole has no result any more, and the SIS hears that.
    let b = case_of(&app, enrolled[2], 1).await;
    let body = json!({"revision": b.revision, "attendance": "notPresent", "scores": [],
        "reason": "Beroep: de kandidaat was die dag niet zelf aanwezig", "authority": "appeal"});
    let r = app.api("roc-a", &office).correct(b.case_id, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = accepted(&sis, 13).await;
    let last = results_for(&got, enrolled[0]).last().unwrap().clone();
    assert_eq!(last["consumers"][0]["attendance"], "notPresent", "{last}");
    assert!(last.get("score").is_none(), "{last}");
    let whole = case_of(&app, enrolled[0], 1).await;
    assert_eq!(
        (whole.attendance.as_deref(), whole.score),
        (Some("notPresent"), None)
    );
}

#[tokio::test]
async fn the_whole_enrolled_after_its_parts_or_for_a_resit_waits_for_the_parts_that_count() {
    let sis = Sis::start();
    let app = app_with(&sis).await;
    let (student_id, assessor_id) = (id(), id());
    for (p, name) in [(student_id, "Ayşe"), (assessor_id, "Bram")] {
        let r = app
            .put("roc-a", &format!("/persons/{p}"), &person(p, name))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The SIS enrols the four parts only; part B's day the candidate does not come.
    let parts = [
        (EMEI_A, "Onderdeel A"),
        (EMEI_B, "Onderdeel B"),
        (EMEI_C, "Onderdeel C"),
        (EMEI_D, "Onderdeel D"),
    ];
    let enrolled = enrol_parts(&app, &parts, (student_id, assessor_id), 1).await;
    let office = staff(&app, "roc-a", "office@roc.example", "Fatima").await;
    let office = sign_in(&app, "roc-a", office).await;
    let bram = sign_in(&app, "roc-a", assessor_id).await;
    for (i, part) in ["A", "B", "C", "D"].into_iter().enumerate() {
        let case = case_of(&app, enrolled[i], 1).await.case_id;
        let scores = if part == "B" {
            Vec::new()
        } else {
            part_scores(&app, EMEI, part, |_| 3)
        };
        sit(
            &app,
            &office,
            &bram,
            (case, 8 + 7 * i as u32),
            assessor_id,
            &scores,
        )
        .await;
    }
    accepted(&sis, 8).await;
    // Then the whole: it is not planned as one performance (its parts were sat), and the
    // catch-up gives it its result: without part B there is none, the candidate was absent.
    let whole = enrol_parts(
        &app,
        &[(EMEI, "Proeve Eerste monteur")],
        (student_id, assessor_id),
        1,
    )
    .await[0];
    let w = case_of(&app, whole, 1).await;
    let view = app.api("roc-a", &office).case(w.case_id).await;
    assert_eq!(view.body["waitsForParts"], true, "{}", view.body);
    let n = proeve::assessment::parts::combine_waiting(&app.app.db, &app.app.catalog)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let got = accepted(&sis, 9).await;
    let first = results_for(&got, whole);
    assert_eq!(first.len(), 1, "{got:#?}");
    assert_eq!(first[0]["consumers"][0]["attendance"], "notPresent");
    // Nothing more to do for it the next time round.
    let again = proeve::assessment::parts::combine_waiting(&app.app.db, &app.app.catalog)
        .await
        .unwrap();
    assert_eq!(again, 0);

    // The re-sit: the SIS enrols the whole for attempt 2 before part B's re-sit. It waits:
    // planning it as one performance would have all four parts sat again.
    let whole2 = enrol_parts(
        &app,
        &[(EMEI, "Proeve Eerste monteur")],
        (student_id, assessor_id),
        2,
    )
    .await[0];
    let w2 = case_of(&app, whole2, 2).await;
    let view = app.api("roc-a", &office).case(w2.case_id).await;
    assert_eq!(view.body["waitsForParts"], true, "{}", view.body);
    let plan = json!({"revision": view.body["revision"], "start": "2027-01-12T08:00:00Z",
        "end": "2027-01-12T14:00:00Z", "place": {"kind": "school", "location": "Lokaal 1"},
        "assessors": [assessor_id]});
    let r = app.api("roc-a", &office).plan(w2.case_id, plan).await;
    assert_eq!(r.body["code"], "partsApart", "{}", r.body);
    // Nor does the catch-up give it attempt 1's parts as a result of its own.
    let none = proeve::assessment::parts::combine_waiting(&app.app.db, &app.app.catalog)
        .await
        .unwrap();
    assert_eq!(none, 0);
    let b2 = enrol_parts(
        &app,
        &[(EMEI_B, "Onderdeel B")],
        (student_id, assessor_id),
        2,
    )
    .await[0];
    let b2 = case_of(&app, b2, 2).await;
    assert_eq!(b2.part, "B");
    sit(
        &app,
        &office,
        &bram,
        (b2.case_id, 19),
        assessor_id,
        &part_scores(&app, EMEI, "B", |_| 3),
    )
    .await;
    let got = accepted(&sis, 12).await;
    let second = results_for(&got, whole2);
    assert_eq!(second.len(), 1, "{got:#?}");
    assert_eq!(second[0]["consumers"][0]["rawScore"], 72);
    assert_eq!(
        (&second[0]["score"], &second[0]["pass"]),
        (&json!("10"), &json!("passed"))
    );
}
