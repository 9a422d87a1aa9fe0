//! The digest's test vectors (OKE-DIGEST §8), run in order against one tenant as the file
//! prescribes; valid response vectors are checked against the schema, and so is what we serve.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_inbound_test_vector_gets_its_expected_status() {
    let app = spawn_app().await;
    let mut ran = 0;
    for v in vectors() {
        if v["direction"] != "inbound" {
            continue;
        }
        let name = v["name"].as_str().unwrap();
        let path = v["path"].as_str().unwrap();
        let method = v["method"].as_str().unwrap();
        if name == "TV-08" {
            // TV-08 cancels the programme enrolment that TV-16 sends without its id;
            // push a corrected TV-16 first so the id is known.
            let mut body = vector("TV-16");
            body["associationId"] = json!("54e58f68-ceac-4845-99d5-caa721fefb88");
            let r = app
                .put(
                    "roc-a",
                    "/associations/54e58f68-ceac-4845-99d5-caa721fefb88",
                    &body,
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
        let r = app.sis("roc-a", method, path, Some(&v["body"])).await;
        let expected = v["expect_status"].as_u64().unwrap() as u16;
        if v["valid"] == true {
            assert_eq!(r.status, expected, "{name}: {}", r.body);
            if method == "PUT" {
                // Idempotent: the same PUT again replaces.
                let again = app.sis("roc-a", method, path, Some(&v["body"])).await;
                assert_eq!(again.status, 200, "{name} again");
            }
        } else {
            r.assert_problem(expected);
        }
        ran += 1;
    }
    assert_eq!(ran, 14);

    // The effects the vectors describe: TV-05 changed the window, TV-06 canceled all.
    let o = app
        .get("roc-a", "/offerings/123e4567-e89b-12d3-a456-134564174000")
        .await;
    assert_eq!(o.body["consumers"][0]["offeringState"], "canceled");
    assert_valid("ComponentOffering", &o.body);
    for a in [
        "5a52f86b-edcd-4f7f-9ea9-c8617f6043b6",
        "9b2f6c1e-3d4a-4e5b-8c7d-1a2b3c4d5e6f",
    ] {
        let r = app.get("roc-a", &format!("/associations/{a}")).await;
        assert_eq!(r.body["state"], "canceled", "{a}");
        assert_valid("ComponentOfferingAssociation", &r.body);
    }
    app.get("roc-a", "/persons/500e6ac0-b5ab-4071-a207-7983ccd26f7b")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn the_invalid_vectors_are_rejected_for_the_reason_they_were_written() {
    let app = spawn_app().await;
    let expect = [
        ("TV-14", "differs from the id in the path"),
        ("TV-15", "associationType"),
        ("TV-16", "associationId"),
        ("TV-17", "startDateTime"),
        ("TV-19", "role"),
    ];
    // TV-15 needs the association to exist, or it would be a 404.
    app.put(
        "roc-a",
        "/offerings/123e4567-e89b-12d3-a456-134564174000",
        &vector("TV-01"),
    )
    .await;
    app.put(
        "roc-a",
        "/associations/5a52f86b-edcd-4f7f-9ea9-c8617f6043b6",
        &vector("TV-02"),
    )
    .await;
    for (name, reason) in expect {
        let v: Value = vectors().into_iter().find(|v| v["name"] == name).unwrap();
        let r = app
            .sis(
                "roc-a",
                v["method"].as_str().unwrap(),
                v["path"].as_str().unwrap(),
                Some(&v["body"]),
            )
            .await;
        let detail = r.assert_problem(400).to_string();
        assert!(detail.contains(reason), "{name}: {detail}");
    }
    // TV-19's other two faults are each caught on their own as well.
    let mut tv19 = vector("TV-19");
    tv19["role"] = json!("student");
    let d = app
        .put(
            "roc-a",
            "/associations/1c0ffee0-0000-4000-8000-000000000001",
            &tv19,
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("`state`"), "{d}");
    tv19["state"] = json!("associated");
    let d = app
        .put(
            "roc-a",
            "/associations/1c0ffee0-0000-4000-8000-000000000001",
            &tv19,
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("attendance"), "{d}");
}

#[tokio::test]
async fn the_response_vectors_are_valid_and_so_are_our_answers() {
    let app = spawn_app().await;
    assert_valid("Service", &vector("TV-12"));
    assert_page_of("Component", &vector("TV-13"));
    let ours = app.send("GET", &app.url("roc-a", "/"), None, None).await;
    assert_valid("Service", &ours.body);
    let t = token("roc-a", &[FLOW_0]);
    let list = app
        .send(
            "GET",
            &app.url(
                "roc-a",
                "/components?componentType=test&q=rekenen&licensed=true",
            ),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_page_of("Component", &list.body);
}
