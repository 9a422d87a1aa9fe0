//! The people's JSON API: the whole lifecycle through HTTP (SIS push, planning by the exam
//! office, two assessors scoring, judging, signing, the candidate's view, the committee
//! finalising) and what each role may and may not do.

use crate::helpers::*;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test]
async fn a_test_selection_goes_from_push_to_final_through_the_api() {
    let app = demo_app().await;
    let w = world(&app).await;

    let listed = app.api("roc-a", &w.office).cases().await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let plan = json!({
        "revision": 1, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "workplace", "name": "Restaurant De Gouden Pollepel", "address": "Markt 1, Eindhoven"},
        "assessors": [w.ids.0, w.ids.1],
    });
    let planned = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert_eq!(planned.status, 200, "{}", planned.body);
    assert_eq!(planned.body["state"], "planned");
    assert_eq!(planned.body["assessors"][1]["displayName"], "Öztürk, Chris");

    // The student sees when, where and who, but no outcome yet.
    let seen = app.api("roc-a", &w.student).case(w.case).await;
    assert_eq!(seen.body["place"]["name"], "Restaurant De Gouden Pollepel");
    assert_eq!(seen.body["outcome"], Value::Null);

    for who in [&w.first, &w.second] {
        let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
            "identityMethod": "ID-kaart", "scores": scores(&app, 2), "timesReason": EARLIER});
        let r = app
            .api("roc-a", who)
            .save_sheet(w.case, "mine", sheet)
            .await;
        assert_eq!(
            (r.status, r.body["revision"].as_i64()),
            (200, Some(1)),
            "{}",
            r.body
        );
    }
    let stale = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "mine",
            json!({"revision": 0, "irregularities": "geen"}),
        )
        .await;
    stale.assert_problem(409);
    assert_eq!(stale.body["currentRevision"], 1);

    let revision = planned.body["revision"].clone();
    let waiting = app
        .api("roc-a", &w.first)
        .judge(w.case, json!({"revision": revision}))
        .await;
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert_described(&app, "CaseView", &waiting.body).await;
    assert_eq!(
        waiting.body["finishing"]["finished"][0]["personId"],
        w.ids.0.to_string()
    );
    let judged = app
        .api("roc-a", &w.second)
        .judge(w.case, json!({"revision": revision}))
        .await;
    assert_eq!(judged.status, 200, "{}", judged.body);
    assert_eq!(judged.body["outcome"]["score"], "6.5");

    for (who, role) in [
        (&w.first, "assessor"),
        (&w.second, "assessor"),
        (&w.first, "candidate"),
    ] {
        let r = app
            .api("roc-a", who)
            .sign(w.case, json!({"role": role, "image": PNG}))
            .await;
        assert_eq!(r.status, 200, "{role}: {}", r.body);
    }
    let seen = app.api("roc-a", &w.student).case(w.case).await;
    assert_eq!(
        (
            seen.body["state"].as_str(),
            seen.body["outcome"]["passed"].as_bool()
        ),
        (Some("signed"), Some(true))
    );

    let fin = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(fin.body["items"][0]["state"], "final", "{}", fin.body);
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let actions: Vec<&str> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"received"));
    // The committee's decision makes a new version of the documents.
    assert_eq!(
        actions[actions.len() - 2..],
        ["finalised", "documents rendered"]
    );
    assert!(
        actions.contains(&"planned") && actions.contains(&"judged") && actions.contains(&"signed")
    );
}

#[tokio::test]
async fn each_role_does_what_it_should_and_nothing_more() {
    let app = demo_app().await;
    let w = world(&app).await;
    let case = format!("/cases/{}", w.case);
    let plan = json!({"revision": 1, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Leerrestaurant"}, "assessors": [w.ids.0, w.ids.1]});
    let sheet = json!({"revision": 0, "attendance": "present"});
    let judge = json!({"revision": 2});
    let sign = json!({"role": "assessor", "image": PNG});
    let fin = json!({"caseIds": [w.case]});
    // (who, method, path, body, expected status)
    let matrix: Vec<(&Session, &str, String, Option<Value>, u16)> = vec![
        (
            &w.student,
            "POST",
            format!("{case}/plan"),
            Some(plan.clone()),
            403,
        ),
        (
            &w.committee,
            "POST",
            format!("{case}/plan"),
            Some(plan.clone()),
            403,
        ),
        (&w.student, "GET", format!("{case}/audit"), None, 403),
        (&w.first, "GET", format!("{case}/audit"), None, 403),
        (
            &w.office,
            "POST",
            "/finalise".into(),
            Some(fin.clone()),
            403,
        ),
        (&w.first, "POST", "/finalise".into(), Some(fin.clone()), 403),
        // an enrolled assessor may plan (with enrolled assessors only)
        (
            &w.first,
            "POST",
            format!("{case}/plan"),
            Some(plan.clone()),
            200,
        ),
        (
            &w.student,
            "PUT",
            format!("{case}/sheets/mine"),
            Some(sheet.clone()),
            403,
        ),
        (
            &w.office,
            "PUT",
            format!("{case}/sheets/mine"),
            Some(sheet.clone()),
            403,
        ),
        (
            &w.first,
            "PUT",
            format!("{case}/sheets/mine"),
            Some(sheet.clone()),
            200,
        ),
        (
            &w.student,
            "POST",
            format!("{case}/judge"),
            Some(judge.clone()),
            403,
        ),
        (
            &w.office,
            "POST",
            format!("{case}/signatures"),
            Some(sign.clone()),
            403,
        ),
        (
            &w.student,
            "POST",
            format!("{case}/signatures"),
            Some(sign.clone()),
            403,
        ),
        (
            &w.first,
            "PUT",
            format!("{case}/sheets/other"),
            Some(sheet.clone()),
            404,
        ),
        (&w.committee, "GET", format!("{case}/audit"), None, 200),
    ];
    for (who, method, path, body, expected) in matrix {
        let r = app.api("roc-a", who).call(method, &path, body).await;
        assert_eq!(r.status, expected, "{method} {path}: {}", r.body);
        if expected >= 400 {
            r.assert_problem(expected);
        }
    }

    // Someone with no part in the exam does not even see that it exists.
    let outsider = staff(&app, "roc-a", "someone@roc.example", "Els").await;
    let outsider = sign_in(&app, "roc-a", outsider).await;
    app.api("roc-a", &outsider)
        .case(w.case)
        .await
        .assert_problem(404);
    assert_eq!(
        app.api("roc-a", &outsider).cases().await.body["items"],
        json!([])
    );

    // No session, no CSRF token, another school's session.
    let r = app
        .client
        .get(format!("{}/api/roc-a/cases", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let no_csrf = Session {
        cookie: w.office.cookie.clone(),
        csrf: "guess".into(),
    };
    app.api("roc-a", &no_csrf)
        .plan(w.case, plan)
        .await
        .assert_problem(403);
    app.api("roc-b", &w.office)
        .cases()
        .await
        .assert_problem(401);

    // Signing out ends the session.
    let r = app.api("roc-a", &w.student).sign_out().await;
    assert_eq!(r.status, 204);
    app.api("roc-a", &w.student)
        .cases()
        .await
        .assert_problem(401);
}

#[tokio::test]
async fn there_is_no_demo_sign_in_outside_the_demo() {
    let app = spawn_app().await;
    let (_, _, s, _, _) = enrolment(&app, "roc-a").await;
    let r = app
        .client
        .post(format!("{}/api/roc-a/demo/sign-in", app.address))
        .json(&json!({"personId": s}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = app
        .client
        .get(format!("{}/app/roc-a/sign-in", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn bad_bodies_name_the_field() {
    let app = demo_app().await;
    let w = world(&app).await;
    let r = app
        .api("roc-a", &w.office)
        .plan(w.case, json!({"revision": "one"}))
        .await;
    assert!(r.assert_problem(400).contains("revision"));
    let r = app.api("roc-a", &w.office).plan(w.case, json!({"revision": 1, "start": "gisteren", "end": "2026-12-08T14:00:00Z", "place": {"kind": "school", "location": "x"}, "assessors": []})).await;
    assert!(r.assert_problem(400).contains("start"));
}

#[tokio::test]
async fn the_exam_office_cancels_an_unassessed_exam_with_a_reason() {
    let app = demo_app().await;
    let w = world(&app).await;
    app.api("roc-a", &w.first)
        .cancel(w.case, json!({"revision": 1, "reason": "x"}))
        .await
        .assert_problem(403);
    let r = app
        .api("roc-a", &w.office)
        .cancel(w.case, json!({"revision": 1, "reason": " "}))
        .await;
    assert!(r.assert_problem(400).contains("why"));
    let r = app
        .api("roc-a", &w.office)
        .cancel(
            w.case,
            json!({"revision": 1, "reason": "Leerbedrijf failliet"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["state"].as_str()),
        (200, Some("canceled")),
        "{}",
        r.body
    );
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let last = trail.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["action"].as_str(), last["reason"].as_str()),
        (Some("canceled"), Some("Leerbedrijf failliet"))
    );
    app.api("roc-a", &w.office)
        .cancel(w.case, json!({"revision": 2, "reason": "again"}))
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn the_api_describes_itself_in_openapi() {
    let app = spawn_app().await;
    let r = app
        .send(
            "GET",
            &format!("{}/api/openapi.json", app.address),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = r.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/{slug}/me", "get"),
        ("/api/{slug}/sign-in/link", "post"),
        ("/api/{slug}/cases", "get"),
        ("/api/{slug}/cases/{id}/plan", "post"),
        ("/api/{slug}/cases/{id}/sheets/{sheet}", "put"),
        ("/api/{slug}/cases/{id}/judge", "post"),
        ("/api/{slug}/cases/{id}/signatures", "post"),
        ("/api/{slug}/finalise", "post"),
        ("/api/{slug}/cases/{id}/audit", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let plan = &r.body["components"]["schemas"]["PlanBody"];
    assert!(
        plan["required"]
            .as_array()
            .unwrap()
            .contains(&json!("assessors")),
        "{plan}"
    );
}

#[tokio::test]
async fn the_exam_office_corrects_a_signed_exam_as_a_new_version_with_a_reason() {
    let app = demo_app().await;
    let w = world(&app).await;
    let signed = to_signed(&app, &w, 2).await;
    assert_eq!(signed["outcome"]["score"], "6.5");
    // Everything at level 1: fewer points, below the pass mark.
    let explained: Vec<Value> = scores(&app, 1)
        .into_iter()
        .map(|mut s| {
            s["note"] = json!("herzien na bezwaar");
            s
        })
        .collect();
    let lower = |revision: &Value, reason: &str| json!({"revision": revision, "attendance": "present", "scores": explained, "reason": reason, "authority": "examCommittee"});

    // Only the exam office corrects; assessors change nothing once signed.
    for who in [&w.first, &w.committee, &w.student] {
        let r = app
            .api("roc-a", who)
            .correct(w.case, lower(&signed["revision"], "x"))
            .await;
        assert!(matches!(r.status, 403 | 404), "{}", r.body);
    }
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "mine",
            json!({"revision": 1, "irregularities": "toch"}),
        )
        .await;
    r.assert_problem(400);
    // A reason is required, the revision must be current, and the scores complete.
    let r = app
        .api("roc-a", &w.office)
        .correct(w.case, lower(&signed["revision"], " "))
        .await;
    assert!(r.assert_problem(400).contains("reason"));
    let r = app
        .api("roc-a", &w.office)
        .correct(w.case, lower(&json!(1), "Telfout"))
        .await;
    r.assert_problem(409);
    let mut partial = lower(&signed["revision"], "Telfout");
    partial["scores"].as_array_mut().unwrap().pop();
    let r = app.api("roc-a", &w.office).correct(w.case, partial).await;
    assert!(r.assert_problem(400).contains("not scored"), "{}", r.body);

    let r = app
        .api("roc-a", &w.office)
        .correct(
            w.case,
            lower(
                &signed["revision"],
                "Telfout bij criterium 2 en 3 ontdekt bij bezwaar",
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "signed");
    assert_eq!(r.body["outcome"]["passed"], false);
    let c = &r.body["corrections"][0];
    assert_eq!(c["version"], 2);
    assert_eq!(c["before"]["score"], "6.5");
    assert_eq!(c["after"]["score"], r.body["outcome"]["score"]);
    assert_eq!(c["correctedBy"]["displayName"], "Öztürk, Fatima");

    // The signed sheets are kept as signed.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let first_sheet = entity::criterion_score::Entity::find()
        .filter(entity::criterion_score::Column::Sheet.eq(w.ids.0.to_string()))
        .all(&app.app.db)
        .await
        .unwrap();
    assert!(!first_sheet.is_empty() && first_sheet.iter().all(|s| s.level == 2));

    // A final exam that is corrected goes back to the committee.
    let fin = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(fin.body["items"][0]["state"], "final", "{}", fin.body);
    let now = app.api("roc-a", &w.office).case(w.case).await;
    let revision = now.body["revision"].clone();
    let back = json!({"revision": revision, "attendance": "present", "scores": scores(&app, 2),
        "reason": "Herziening na uitspraak commissie van beroep", "authority": "appeal"});
    let r = app.api("roc-a", &w.office).correct(w.case, back).await;
    assert_eq!(
        (r.status, r.body["state"].as_str()),
        (200, Some("signed")),
        "{}",
        r.body
    );
    assert_eq!(r.body["outcome"]["score"], "6.5");
    assert_eq!(r.body["corrections"].as_array().unwrap().len(), 2);

    // The candidate sees the result that stands and why it changed.
    let seen = app.api("roc-a", &w.student).case(w.case).await;
    assert_described(&app, "CaseView", &seen.body).await;
    assert_eq!(
        seen.body["corrections"][1]["reason"],
        "Herziening na uitspraak commissie van beroep"
    );
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let corrected: Vec<&Value> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "corrected")
        .collect();
    assert_eq!(corrected.len(), 2);
    assert_described(&app, "AuditTrail", &trail.body).await;
    let list = app.api("roc-a", &w.office).cases().await;
    assert_described(&app, "CaseList", &list.body).await;
    assert_eq!(corrected[0]["before"]["score"], "6.5");
    assert_eq!(
        corrected[0]["reason"],
        "Telfout bij criterium 2 en 3 ontdekt bij bezwaar"
    );
}

#[tokio::test]
async fn the_demo_form_refuses_a_post_from_another_site() {
    let app = demo_app().await;
    let (_, _, s, _, _) = enrolment(&app, "roc-a").await;
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |origin: Option<String>, site: Option<&'static str>| {
        let mut r = no_redirect
            .post(format!("{}/app/roc-a/sign-in", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("personId={s}"));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        r.send()
    };
    let evil = post(Some("https://evil.example".into()), None)
        .await
        .unwrap();
    Response::read(evil).await.assert_problem(403);
    let cross = post(None, Some("cross-site")).await.unwrap();
    assert_eq!(cross.status().as_u16(), 403);
    let own = post(Some(app.address.clone()), Some("same-origin"))
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 303);
}

#[tokio::test]
async fn ended_sessions_and_old_links_are_removed() {
    use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
    let app = demo_app().await;
    let w = world(&app).await;
    let db = &app.app.db;
    assert_eq!(entity::session::Entity::find().count(db).await.unwrap(), 5);
    // One session idle longer than an exam day, one past its absolute end.
    let sessions = entity::session::Entity::find().all(db).await.unwrap();
    let now = chrono::Utc::now();
    for (s, idle) in sessions.iter().take(2).zip([true, false]) {
        let mut row = entity::session::ActiveModel {
            token_hash: Set(s.token_hash.clone()),
            ..Default::default()
        };
        if idle {
            row.last_seen_at = Set(now - chrono::Duration::hours(9));
        } else {
            row.expires_at = Set(now - chrono::Duration::seconds(1));
        }
        row.update(db).await.unwrap();
    }
    let (sessions, links) = proeve::auth::session::purge_expired(db).await.unwrap();
    assert_eq!((sessions, links), (2, 0));
    assert_eq!(entity::session::Entity::find().count(db).await.unwrap(), 3);
    // The other three still work.
    let mut working = 0;
    for who in [&w.student, &w.first, &w.second, &w.office, &w.committee] {
        working += usize::from(app.api("roc-a", who).me().await.status == 200);
    }
    assert_eq!(working, 3);
}

#[tokio::test]
async fn the_app_reads_the_model_the_sheets_a_preview_and_a_calendar_file() {
    let app = demo_app().await;
    let w = world(&app).await;
    let case = format!("/cases/{}", w.case);
    // Nothing to read before planning.
    app.api("roc-a", &w.first)
        .model(w.case)
        .await
        .assert_problem(404);
    let plan = json!({
        "revision": 1, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "workplace", "name": "De Gouden Pollepel", "address": "Markt 1, Eindhoven"},
        "assessors": [w.ids.0, w.ids.1],
    });
    let planned = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert_eq!(planned.status, 200, "{}", planned.body);

    // The assessor sees whom to check and what the candidate needs; the candidate sees it
    // too (what was granted, the name the identity document must show), and whom to contact.
    let seen = app.api("roc-a", &w.first).case(w.case).await;
    assert_described(&app, "CaseView", &seen.body).await;
    let details = &seen.body["candidateDetails"];
    assert_eq!(details["idCheckName"], "Öztürk, Ayşe");
    // In words, with the minutes the SIS granted.
    assert_eq!(details["personalNeeds"], json!(["Extra tijd: 30 minuten"]));
    let own = app.api("roc-a", &w.student).case(w.case).await;
    assert_eq!(own.body["candidateDetails"], seen.body["candidateDetails"]);
    assert_eq!(
        own.body["contact"],
        "Het examenbureau: examenbureau@roc.example"
    );
    assert_eq!(seen.body["contact"], Value::Null, "for the candidate");

    let model = app.api("roc-a", &w.first).model(w.case).await;
    assert_eq!(model.status, 200, "{}", model.body);
    assert_described(&app, "ModelView", &model.body).await;
    assert_eq!(model.body["assessors"], 2);
    let criteria: Vec<&Value> = model.body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["criteria"].as_array().unwrap())
        .collect();
    assert_eq!(criteria.len(), scores(&app, 0).len());
    assert!(criteria
        .iter()
        .any(|c| c["knockOut"] == true && c["failsBelow"].as_u64() >= Some(1)));
    // What each level means for each criterion, one per level of its scale.
    assert!(
        criteria
            .iter()
            .all(|c| c["descriptors"].as_array().map(Vec::len) == Some(4)),
        "{}",
        criteria[0]
    );

    // Each scores alone: the other's sheet shows only once your own is complete.
    let half: Vec<Value> = scores(&app, 2).into_iter().take(2).collect();
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "mine",
            json!({"revision": 0, "attendance": "present", "scores": half}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.api("roc-a", &w.second).save_sheet(w.case, "mine", json!({"revision": 0, "attendance": "present", "identityChecked": true, "identityMethod": "ID-kaart", "scores": scores(&app, 2), "timesReason": EARLIER})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await;
    assert_described(&app, "SheetList", &sheets.body).await;
    let names: Vec<&str> = sheets.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sheet"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["mine"]);
    assert_eq!(
        sheets.body["items"][0]["scores"].as_array().unwrap().len(),
        2
    );
    let sheets = app.api("roc-a", &w.second).sheets(w.case).await;
    assert_eq!(
        sheets.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        sheets.body
    );
    // Receiving the other sheet before judging is on the record, once per own revision.
    app.api("roc-a", &w.second).sheets(w.case).await;
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let saw: Vec<&Value> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "received the other assessor's sheet")
        .collect();
    assert_eq!(saw.len(), 1, "{}", trail.body);
    assert_eq!(saw[0]["actor"], json!(w.ids.1.to_string()));
    let sheets = app.api("roc-a", &w.student).sheets(w.case).await;
    assert_eq!(sheets.body["items"], json!([]));

    // The preview is the engine's result, and stores nothing.
    let preview = app
        .api("roc-a", &w.first)
        .preview(
            w.case,
            json!({"attendance": "present", "scores": scores(&app, 2)}),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.body["score"], "6.5");
    let partial = app
        .api("roc-a", &w.first)
        .preview(w.case, json!({"attendance": "present", "scores": []}))
        .await;
    assert!(partial.assert_problem(400).contains("scores"));
    app.api("roc-a", &w.student)
        .preview(w.case, json!({"attendance": "present", "scores": []}))
        .await
        .assert_problem(403);
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await;
    assert_eq!(
        sheets.body["items"][0]["scores"].as_array().unwrap().len(),
        2
    );

    // The candidate adds the planned exam to a calendar.
    let ics = app
        .client
        .get(format!("{}/api/roc-a{case}/calendar.ics", app.address))
        .header("cookie", &w.student.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(ics.status().as_u16(), 200);
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    for line in [
        "BEGIN:VCALENDAR",
        "DTSTART:20261208T080000Z",
        "DTEND:20261208T140000Z",
        "LOCATION:De Gouden Pollepel\\, Markt 1\\, Eindhoven",
        "END:VCALENDAR",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(
        text.split('\n')
            .filter(|l| !l.is_empty())
            .all(|l| l.ends_with('\r')),
        "CRLF line ends"
    );
}

#[tokio::test]
async fn the_phone_app_is_served_per_school_with_a_strict_policy() {
    let app = spawn_app().await;
    let get = |path: &str, etag: Option<&str>| {
        let mut r = app.client.get(format!("{}{path}", app.address));
        if let Some(e) = etag {
            r = r.header("if-none-match", e);
        }
        r.send()
    };
    let index = get("/app/roc-a/", None).await.unwrap();
    assert_eq!(index.status().as_u16(), 200);
    let h = index.headers().clone();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let etag = h["etag"].to_str().unwrap().to_string();
    // index.html preloads every module, so a slow line costs one round trip, not one per
    // level of imports.
    let html = std::fs::read_to_string("web/index.html").unwrap();
    for module in std::fs::read_dir("web/js").unwrap() {
        let name = module.unwrap().file_name().into_string().unwrap();
        if name != "app.js" {
            assert!(
                html.contains(&format!("<link rel=\"modulepreload\" href=\"js/{name}\">")),
                "index.html preloads js/{name}"
            );
        }
    }
    assert_eq!(
        get("/app/roc-a/", Some(&etag))
            .await
            .unwrap()
            .status()
            .as_u16(),
        304
    );
    let sw = get("/app/roc-a/sw.js", None).await.unwrap();
    assert_eq!(sw.status().as_u16(), 200);
    assert!(sw.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    // The service worker names its cache after this release of the app.
    let sw = sw.text().await.unwrap();
    assert!(
        !sw.contains("__RELEASE__") && sw.contains("proeve-shell-"),
        "{sw}"
    );
    // A browser that takes gzip gets the same file gzipped, under an ETag of its own; one
    // that refuses it, or does not say, gets it as it is.
    let plain = get("/app/roc-a/js/cases.js", None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_string();
    let plain = plain.bytes().await.unwrap();
    let packed = app
        .client
        .get(format!("{}/app/roc-a/js/cases.js", app.address))
        .header("accept-encoding", "br;q=1.0, gzip;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(packed.headers()["content-encoding"], "gzip");
    let packed_etag = packed.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(packed_etag, plain_etag);
    let packed = packed.bytes().await.unwrap();
    assert!(
        packed.len() * 2 < plain.len(),
        "{} of {}",
        packed.len(),
        plain.len()
    );
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, plain);
    for refusing in ["gzip;q=0, identity", "gzip; Q=0, *"] {
        let refused = app
            .client
            .get(format!("{}/app/roc-a/js/cases.js", app.address))
            .header("accept-encoding", refusing)
            .send()
            .await
            .unwrap();
        assert!(
            refused.headers().get("content-encoding").is_none(),
            "{refusing}"
        );
    }
    // The bare path gets its slash; unknown files and schools are 404; no way out of web/.
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/app/roc-a", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.headers()["location"], "/app/roc-a/");
    for path in [
        "/app/roc-a/nope.js",
        "/app/roc-x/",
        "/app/roc-a/..%2FCargo.toml",
        "/app/roc-a/../../Cargo.toml",
    ] {
        assert_eq!(
            get(path, None).await.unwrap().status().as_u16(),
            404,
            "{path}"
        );
    }
    // The app learns how people of this school sign in.
    let m = Response::read(get("/api/roc-a/sign-in/methods", None).await.unwrap()).await;
    assert_eq!(
        m.body,
        json!({"school": "ROC roc-a", "schoolAccount": false, "mailedLink": false, "demo": false})
    );
}

#[tokio::test]
async fn the_devices_begin_and_end_are_kept_and_impossible_times_refused_by_name() {
    let app = demo_app().await;
    let w = world(&app).await;
    let plan = json!({
        "revision": 1, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
    });
    let r = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let now = chrono::Utc::now();
    let sheet = |started: chrono::DateTime<chrono::Utc>,
                 ended: Option<chrono::DateTime<chrono::Utc>>| {
        let mut s = json!({"revision": 0, "attendance": "present", "scores": [],
            "startedAt": started.to_rfc3339()});
        if let Some(e) = ended {
            s["endedAt"] = json!(e.to_rfc3339());
        }
        s
    };
    for (body, field, rule) in [
        (
            sheet(now + chrono::Duration::hours(2), None),
            "startedAt",
            "in the future",
        ),
        (
            sheet(now - chrono::Duration::days(400), None),
            "startedAt",
            "before this exam was received",
        ),
        (
            sheet(
                now - chrono::Duration::minutes(1),
                Some(now - chrono::Duration::minutes(3)),
            ),
            "endedAt",
            "before startedAt",
        ),
    ] {
        let r = app
            .api("roc-a", &w.first)
            .save_sheet(w.case, "mine", body)
            .await;
        let detail = r.assert_problem(400).to_string();
        assert!(detail.contains(field) && detail.contains(rule), "{detail}");
    }
    // Scored before the planned day (plans move) and saved a while later: the device's times
    // stand (the exam was received moments ago; a device clock may be ten minutes off).
    let began = now - chrono::Duration::minutes(8);
    let ended = now - chrono::Duration::minutes(1);
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", sheet(began, Some(ended)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await;
    let me = &sheets.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == "mine")
        .unwrap()
        .clone();
    let at = |k: &str| chrono::DateTime::parse_from_rfc3339(me[k].as_str().unwrap()).unwrap();
    assert_eq!(at("startedAt").timestamp(), began.timestamp());
    assert_eq!(at("endedAt").timestamp(), ended.timestamp());
}

#[tokio::test]
async fn saving_the_whole_sheet_again_records_only_the_scores_that_changed() {
    let app = demo_app().await;
    let w = world(&app).await;
    let plan = json!({"revision": 1, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1]});
    let r = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut given = scores(&app, 2);
    let save = |revision: i64, scores: Vec<Value>| json!({"revision": revision, "attendance": "present", "scores": scores});
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", save(0, given.clone()))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // As the phone does: the whole sheet again, one level changed.
    let changed = given[3]["criterion"].as_str().unwrap().to_string();
    given[3]["level"] = json!(3);
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", save(1, given.clone()))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let scored: Vec<&Value> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "scored")
        .collect();
    assert_eq!(scored.len(), 2, "{:#}", trail.body);
    let all = scored[0]["after"]["scores"].as_array().unwrap();
    assert_eq!(all.len(), given.len(), "the first save sets every score");
    let second = scored[1]["after"]["scores"].as_array().unwrap();
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0]["criterion"], changed.as_str());
    assert_eq!(
        (second[0]["from"].as_i64(), second[0]["to"].as_i64()),
        (Some(2), Some(3))
    );
    // And what is stored is the whole sheet as sent.
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await;
    let mine = sheets.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == "mine")
        .unwrap()
        .clone();
    let levels: Vec<i64> = mine["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["level"].as_i64().unwrap())
        .collect();
    assert_eq!(levels.len(), given.len());
    assert_eq!(levels.iter().filter(|l| **l == 3).count(), 1, "{mine:#}");
}

#[tokio::test]
async fn every_case_in_a_list_is_shown_as_the_case_itself_shows_it_to_that_person() {
    let app = demo_app().await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    // A second student on the same test selection: a case nobody has planned yet.
    let offering: Uuid = app.api("roc-a", &w.office).case(w.case).await.body["offeringId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (p, a) = (id(), id());
    assert_eq!(
        app.put("roc-a", &format!("/persons/{p}"), &person(p, "Daan"))
            .await
            .status,
        201
    );
    let enrolment = student(a, p, offering);
    assert_eq!(
        app.put("roc-a", &format!("/associations/{a}"), &enrolment)
            .await
            .status,
        201
    );

    let items = |r: &Response| r.body["items"].as_array().unwrap().clone();
    // The exam office's list of the whole school leaves the candidate details and the
    // assessor options out; each case itself has them.
    let office = items(&app.api("roc-a", &w.office).cases().await);
    assert_eq!(office.len(), 2);
    for item in &office {
        assert_eq!(item["candidateDetails"], Value::Null, "{item}");
        assert_eq!(item["assessorOptions"], json!([]), "{item}");
        let one = app
            .api("roc-a", &w.office)
            .case(&item["caseId"].as_str().unwrap())
            .await;
        assert_eq!(one.body["assessorOptions"].as_array().unwrap().len(), 2);
        assert!(one.body["candidateDetails"].is_object(), "{}", one.body);
    }

    // An assessor's list and a student's list show each case exactly as it shows alone.
    for (who, cases) in [(&w.first, 2), (&w.second, 2), (&w.student, 1)] {
        let listed = items(&app.api("roc-a", who).cases().await);
        assert_eq!(listed.len(), cases);
        for item in &listed {
            let one = app
                .api("roc-a", who)
                .case(&item["caseId"].as_str().unwrap())
                .await;
            assert_eq!(one.status, 200);
            assert_eq!(*item, one.body);
        }
    }
    let first = items(&app.api("roc-a", &w.first).cases().await);
    let signed = first.iter().find(|c| c["caseId"] == json!(w.case)).unwrap();
    let unplanned = first.iter().find(|c| c["caseId"] != json!(w.case)).unwrap();
    // The planned assessor sees what the identity check compares with on their exam only;
    // as an assessor enrolled on the selection, whom they may plan with on both.
    assert!(signed["candidateDetails"].is_object());
    assert_eq!(unplanned["candidateDetails"], Value::Null);
    assert_eq!(unplanned["assessorOptions"].as_array().unwrap().len(), 2);
    assert_eq!(signed["outcome"]["passed"], true);
    assert_eq!(unplanned["outcome"], Value::Null);
    // The signatures in the order of their key: the assessors (by person), then the candidate.
    let roles: Vec<&str> = signed["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["assessor", "assessor", "candidate"]);
    let assessors: Vec<&str> = signed["signatures"].as_array().unwrap()[..2]
        .iter()
        .map(|s| s["personId"].as_str().unwrap())
        .collect();
    assert!(assessors[0] < assessors[1], "{assessors:?}");
}

#[tokio::test]
async fn an_unchecked_identity_closes_with_what_happened_and_is_flagged_for_the_committee() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    let unchecked = json!({"revision": 0, "attendance": "present", "identityChecked": false,
        "identityMethod": "", "scores": scores(&app, 2), "timesReason": EARLIER});
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", unchecked)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    score_mine(&app, &w.second, w.case, 2).await;
    // Not checked is a path: closing asks what happened, then goes on.
    let revision = app.api("roc-a", &w.first).case(w.case).await.body["revision"].clone();
    let refused = app
        .api("roc-a", &w.first)
        .judge(w.case, json!({"revision": revision}))
        .await;
    assert!(
        refused.assert_problem(400).contains("irregularities"),
        "{}",
        refused.body
    );
    // With a code for the app's own words.
    assert_eq!(
        refused.body["code"], "identityUncheckedWithoutNote",
        "{}",
        refused.body
    );
    let what = "Kandidaat had geen identiteitsbewijs bij zich; herkend door de praktijkopleider.";
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "mine",
            json!({"revision": 1, "irregularities": what}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let judged = judged(&app, &w).await;
    assert_eq!(judged["flags"], json!([]), "only the staff see the flags");
    let office = app.api("roc-a", &w.office).case(w.case).await.body;
    assert_eq!(
        office["flags"],
        json!(["identityNotChecked", "irregularities", "timesFarFromPlan"])
    );
    let listed = app.api("roc-a", &w.committee).cases().await.body;
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["caseId"] == w.case.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        row["flags"], office["flags"],
        "the list shows them as the exam does"
    );
    sign_all(&app, &w).await;
}

#[tokio::test]
async fn two_assessors_finishing_at_the_same_moment_judge_the_exam_once() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    for who in [&w.first, &w.second] {
        score_mine(&app, who, w.case, 2).await;
    }
    let revision = app.api("roc-a", &w.first).case(w.case).await.body["revision"].clone();
    let body = json!({"revision": revision});
    let (first, second) = (app.api("roc-a", &w.first), app.api("roc-a", &w.second));
    let (a, b) = tokio::join!(
        first.judge(w.case, body.clone()),
        second.judge(w.case, body.clone()),
    );
    assert_eq!((a.status, b.status), (200, 200), "{} {}", a.body, b.body);
    let states = [a.body["state"].clone(), b.body["state"].clone()];
    assert!(
        states.contains(&json!("assessed")),
        "one of them judged it: {states:?}"
    );
    let trail = app.api("roc-a", &w.office).audit(w.case).await.body;
    let judged = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "judged")
        .count();
    assert_eq!(judged, 1, "{trail}");
}

#[tokio::test]
async fn refusals_people_meet_on_the_exam_day_carry_a_code_and_names_not_ids() {
    let app = demo_app().await;
    let w = world(&app).await;
    let revision = app.api("roc-a", &w.office).case(w.case).await.body["revision"].clone();
    let plan = |start: &str, end: &str, assessors: Vec<Uuid>| {
        json!({"revision": revision, "start": start, "end": end,
            "place": {"kind": "school", "location": "Keuken 2"}, "assessors": assessors})
    };
    let r = app
        .api("roc-a", &w.office)
        .plan(
            w.case,
            plan(
                "2026-12-08T14:00:00Z",
                "2026-12-08T08:00:00Z",
                vec![w.ids.0, w.ids.1],
            ),
        )
        .await;
    r.assert_problem(400);
    assert_eq!(r.body["code"], "endBeforeStart", "{}", r.body);
    let r = app
        .api("roc-a", &w.office)
        .plan(
            w.case,
            plan(
                "2026-12-08T08:00:00Z",
                "2026-12-08T14:00:00Z",
                vec![w.ids.0],
            ),
        )
        .await;
    assert_eq!(
        (r.body["code"].as_str(), r.body["params"]["needed"].as_u64()),
        (Some("assessorsNeeded"), Some(2)),
        "{}",
        r.body
    );
    planned(&app, &w).await;
    // Half a sheet, then finishing: the criteria still to score by code (the app names them).
    let half: Vec<Value> = scores(&app, 2).into_iter().take(3).collect();
    let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
        "identityMethod": "ID-kaart", "scores": half, "timesReason": EARLIER});
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", sheet)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let revision = app.api("roc-a", &w.first).case(w.case).await.body["revision"].clone();
    let r = app
        .api("roc-a", &w.first)
        .judge(w.case, json!({"revision": revision}))
        .await;
    r.assert_problem(400);
    assert_eq!(r.body["code"], "notScored", "{}", r.body);
    assert_eq!(
        r.body["params"]["criteria"].as_array().map(Vec::len),
        Some(24)
    );
    // A failing score without its note names the criterion.
    let failing = json!({"revision": 1, "scores": [{"criterion": "B1-K1-W1.1", "level": 0}]});
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", failing)
        .await;
    assert_eq!(
        (
            r.body["code"].as_str(),
            r.body["params"]["criterion"].as_str()
        ),
        (Some("noteNeeded"), Some("B1-K1-W1.1")),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn free_texts_are_bounded_and_the_trail_holds_only_what_a_save_changed() {
    let app = demo_app().await;
    let w = world(&app).await;
    // A place name beyond its bound is refused, naming the field.
    let revision = app.api("roc-a", &w.office).case(w.case).await.body["revision"].clone();
    let plan = json!({
        "revision": revision, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "K".repeat(201)}, "assessors": [w.ids.0, w.ids.1],
    });
    let r = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert!(
        r.assert_problem(400)
            .contains("`place.location`: at most 200 characters"),
        "{}",
        r.body
    );
    planned(&app, &w).await;
    let me = app.api("roc-a", &w.first);
    let sheet = |revision: i64, irregularities: &str, note: &str, level: u32| {
        let mut given = scores(&app, level);
        given[0]["note"] = json!(note);
        json!({"revision": revision, "attendance": "present", "irregularities": irregularities,
            "scores": given})
    };
    for (body, field, max) in [
        (sheet(0, &"x".repeat(4001), "", 2), "irregularities", 4000),
        (sheet(0, "", &"n".repeat(2001), 2), "note", 2000),
    ] {
        let r = me.save_sheet(w.case, "mine", body).await;
        let detail = r.assert_problem(400).to_string();
        assert!(
            detail.contains(field) && detail.contains(&format!("at most {max} characters")),
            "{detail}"
        );
    }
    let trail_len = || async {
        app.api("roc-a", &w.office).audit(w.case).await.body["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let before = trail_len().await;
    let first = me
        .save_sheet(
            w.case,
            "mine",
            sheet(0, "Brandalarm om 10:12.", "netjes", 2),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let rev = first.body["revision"].as_i64().unwrap();
    // The phone saves the whole sheet again, one score changed: the trail says that score.
    let mut again = sheet(rev, "Brandalarm om 10:12.", "netjes", 2);
    again["scores"][1]["level"] = json!(3);
    let second = me.save_sheet(w.case, "mine", again.clone()).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let trail = app.api("roc-a", &w.office).audit(w.case).await.body["items"].clone();
    let last = trail.as_array().unwrap().last().unwrap().clone();
    let after = last["after"].as_object().unwrap();
    assert_eq!(after.keys().collect::<Vec<_>>(), vec!["scores"], "{last}");
    assert_eq!(after["scores"].as_array().unwrap().len(), 1, "{last}");
    assert_eq!(last["before"], json!({}), "{last}");
    // The same again changes nothing: no new revision, nothing in the trail.
    let rev = second.body["revision"].as_i64().unwrap();
    again["revision"] = json!(rev);
    let same = me.save_sheet(w.case, "mine", again).await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(same.body["revision"], json!(rev));
    assert_eq!(trail_len().await, before + 2);
}

#[tokio::test]
async fn saving_a_finished_sheet_unchanged_reopens_it_and_the_exam_waits() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    score_mine(&app, &w.first, w.case, 2).await;
    score_mine(&app, &w.second, w.case, 2).await;
    let waiting = finish(&app, &w.first, w.case).await;
    assert_eq!(
        waiting["finishing"]["finished"].as_array().map(Vec::len),
        Some(1)
    );
    // "Toch aanpassen": the phone saves the sheet as it is, and the sheet is open again.
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await;
    let mine = sheets.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == "mine")
        .unwrap()
        .clone();
    let again = json!({"revision": mine["revision"], "attendance": mine["attendance"]});
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "mine", again)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["revision"],
        json!(mine["revision"].as_i64().unwrap() + 1)
    );
    let trail = app.api("roc-a", &w.office).audit(w.case).await.body["items"].clone();
    assert_eq!(
        trail.as_array().unwrap().last().unwrap()["after"]["reopened"],
        json!(true)
    );
    // The other finishing does not judge the exam: it waits for the first again.
    let other = finish(&app, &w.second, w.case).await;
    assert_eq!(other["state"], "planned", "{other}");
}
