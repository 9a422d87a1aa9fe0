//! The people's case lists: filtered and paged by the server, with an ETag so a refresh that
//! finds nothing changed transfers nothing.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashSet;

/// `n` more students enrolled on offering `o`.
async fn more_students(app: &TestApp, o: uuid::Uuid, n: usize) {
    for i in 0..n {
        let (s, sa) = (id(), id());
        assert_eq!(
            app.put(
                "roc-a",
                &format!("/persons/{s}"),
                &person(s, &format!("Student {i}"))
            )
            .await
            .status,
            201
        );
        assert_eq!(
            app.put("roc-a", &format!("/associations/{sa}"), &student(sa, s, o))
                .await
                .status,
            201
        );
    }
}

/// The planbare toets an exam is on.
async fn offering_of(app: &TestApp, case: uuid::Uuid) -> uuid::Uuid {
    use sea_orm::EntityTrait;
    entity::exam_case::Entity::find_by_id(("roc-a".to_string(), case))
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap()
        .offering_id
}

/// Every page of a list, following `next`; the ids in order.
async fn all_pages(api: &Api<'_>, query: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut after) = (Vec::new(), 0, None::<String>);
    loop {
        let path = match &after {
            Some(a) => format!("/cases?{query}&after={a}"),
            None => format!("/cases?{query}"),
        };
        let r = api.call("GET", &path, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        pages += 1;
        ids.extend(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["caseId"].as_str().unwrap().to_string()),
        );
        match r.body["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => return (ids, pages),
        }
    }
}

#[tokio::test]
async fn lists_are_paged_filtered_by_the_server_and_unchanged_pages_cost_nothing() {
    let app = demo_app().await;
    let w = world(&app).await;
    // Two exams planned for the two assessors, 11 more nobody planned yet.
    planned(&app, &w).await;
    let offering = offering_of(&app, w.case).await;
    more_students(&app, offering, 11).await;
    let first = app.api("roc-a", &w.first);

    // The office sees all 12, in pages of 5, each once, oldest first.
    let (ids, pages) = all_pages(&app.api("roc-a", &w.office), "limit=5").await;
    assert_eq!((ids.len(), pages), (12, 3));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 12);
    assert_eq!(ids[0], w.case.to_string());
    // The assessor: `mine` is the one exam they assess; `toPlan` the 11 nobody planned.
    let (mine, _) = all_pages(&first, "list=mine").await;
    assert_eq!(mine, vec![w.case.to_string()]);
    let (to_plan, pages) = all_pages(&first, "list=toPlan&limit=4").await;
    assert_eq!((to_plan.len(), pages), (11, 3));
    assert!(!to_plan.contains(&w.case.to_string()));
    // By state, for the office.
    let (planned_ids, _) = all_pages(&app.api("roc-a", &w.office), "state=planned").await;
    assert_eq!(planned_ids, vec![w.case.to_string()]);
    let (both, _) = all_pages(&app.api("roc-a", &w.office), "state=planned,received").await;
    assert_eq!(both.len(), 12);
    // The student sees only their own exam, whatever the list.
    let (theirs, _) = all_pages(&app.api("roc-a", &w.student), "list=all").await;
    assert_eq!(theirs, vec![w.case.to_string()]);

    // Bad values are named.
    for (query, field) in [
        ("limit=0", "`limit`"),
        ("limit=501", "`limit`"),
        ("list=everything", "`list`"),
        ("state=done", "`state`"),
        ("after=nonsense", "`after`"),
    ] {
        let r = first.call("GET", &format!("/cases?{query}"), None).await;
        assert!(r.assert_problem(400).contains(field), "{query}: {}", r.body);
    }

    // Asked again with its ETag, an unchanged page is 304 without a body.
    let url = format!("{}/api/roc-a/cases?list=mine", app.address);
    let get = |etag: Option<String>| {
        let (app, url, first) = (&app, url.clone(), &w.first);
        async move {
            let mut r = app.client.get(url).header("cookie", &first.cookie);
            if let Some(e) = etag {
                r = r.header("if-none-match", e);
            }
            r.send().await.unwrap()
        }
    };
    let r = get(None).await;
    assert_eq!(r.status().as_u16(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = get(Some(etag.clone())).await;
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    // A change to the exam (the office moves it) changes the page, and its ETag.
    let revision = app.api("roc-a", &w.office).case(w.case).await.body["revision"].clone();
    let moved = json!({
        "revision": revision, "start": "2026-12-09T08:00:00Z", "end": "2026-12-09T14:00:00Z",
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
    });
    let r = app.api("roc-a", &w.office).plan(w.case, moved).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let changed = get(Some(etag.clone())).await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["items"][0]["caseId"], json!(w.case));
}

#[tokio::test]
async fn the_office_overview_counts_by_state_on_the_server() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    let o = {
        use sea_orm::EntityTrait;
        entity::exam_case::Entity::find_by_id(("roc-a".to_string(), w.case))
            .one(&app.app.db)
            .await
            .unwrap()
            .unwrap()
            .offering_id
    };
    more_students(&app, o, 3).await;
    let counts = app
        .api("roc-a", &w.office)
        .call("GET", "/cases/counts", None)
        .await;
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(
        counts.body["counts"],
        json!({"received": 3, "planned": 1, "assessed": 0, "signed": 0, "final": 0, "canceled": 0})
    );
    // The candidate counts only their own exam.
    let theirs = app
        .api("roc-a", &w.student)
        .call("GET", "/cases/counts", None)
        .await;
    assert_eq!(theirs.body["counts"]["planned"], 1);
    assert_eq!(theirs.body["counts"]["received"], 0);
    // Nothing determined yet: the committee's list of the latest is empty, and has no next.
    let r = app
        .api("roc-a", &w.committee)
        .call("GET", "/cases?list=recentlyFinalised&limit=20", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"], json!([]));
    assert!(r.body.get("next").is_none());
}

#[tokio::test]
async fn an_assessors_own_exams_come_in_pages_oldest_first_each_once() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    let offering = offering_of(&app, w.case).await;
    more_students(&app, offering, 6).await;
    let office = app.api("roc-a", &w.office);
    // The office plans four of the six new exams for the first assessor as well.
    let (all, _) = all_pages(&office, "limit=100").await;
    for case in all.iter().filter(|c| **c != w.case.to_string()).take(4) {
        let case: uuid::Uuid = case.parse().unwrap();
        let revision = office.case(case).await.body["revision"].clone();
        let plan = json!({
            "revision": revision, "start": "2026-12-09T08:00:00Z", "end": "2026-12-09T14:00:00Z",
            "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
        });
        let r = office.plan(case, plan).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let first = app.api("roc-a", &w.first);
    let (mine, pages) = all_pages(&first, "list=mine&limit=2").await;
    assert_eq!(pages, 3, "{mine:?}");
    // The same five, in the office's order (oldest first), each once.
    let expected: Vec<String> = all.iter().filter(|c| mine.contains(c)).cloned().collect();
    assert_eq!(mine.len(), 5);
    assert_eq!(mine, expected);
    // A state filter applies to them too.
    let (planned_only, _) = all_pages(&first, "list=mine&state=planned&limit=2").await;
    assert_eq!(planned_only, mine);
    let (none, _) = all_pages(&first, "list=mine&state=final").await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn the_committee_filters_by_exam_and_day_on_the_server_and_finalises_a_hundred_at_most() {
    let app = demo_app().await;
    let w = world(&app).await;
    // Planned on 8 December 08:00 UTC: 09:00 in Amsterdam.
    let case = planned(&app, &w).await;
    let exam = case["exam"]["componentId"].as_str().unwrap().to_string();
    let committee = app.api("roc-a", &w.committee);
    let ids = |r: &Response| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["caseId"].as_str().unwrap().to_string())
            .collect()
    };
    let this = vec![w.case.to_string()];
    for (query, expected) in [
        (format!("state=planned&exam={exam}"), this.clone()),
        (format!("state=planned&exam={}", id()), vec![]),
        (
            "state=planned&from=2026-12-08&until=2026-12-08".into(),
            this.clone(),
        ),
        ("state=planned&from=2026-12-09".into(), vec![]),
        ("state=planned&until=2026-12-07".into(), vec![]),
        // Empty filters are no filters (a form sends them).
        ("state=planned&exam=&from=&until=".into(), this.clone()),
    ] {
        let r = committee
            .call("GET", &format!("/cases?{query}"), None)
            .await;
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        assert_eq!(ids(&r), expected, "{query}");
    }
    for (query, field) in [
        ("exam=nonsense", "`exam`"),
        ("from=8-12-2026", "`from`"),
        ("until=2026-02-30", "`until`"),
    ] {
        let r = committee
            .call("GET", &format!("/cases?{query}"), None)
            .await;
        assert!(r.assert_problem(400).contains(field), "{query}: {}", r.body);
    }
    // The counts name the exams with cases in the states asked, each with how many.
    let counts = committee
        .call("GET", "/cases/counts?state=planned", None)
        .await;
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(
        counts.body["exams"].as_array().unwrap().len(),
        1,
        "{}",
        counts.body
    );
    assert_eq!(counts.body["exams"][0]["componentId"], json!(exam));
    assert_eq!(counts.body["exams"][0]["count"], 1);
    assert_eq!(counts.body["exams"][0]["name"], case["exam"]["name"]);
    let plain = committee.call("GET", "/cases/counts", None).await;
    assert!(plain.body.get("exams").is_none(), "{}", plain.body);

    // Finalising takes 1 to 100 exams at a time, and says so.
    for n in [0, 101] {
        let many: Vec<String> = (0..n).map(|_| id().to_string()).collect();
        let r = committee
            .call("POST", "/finalise", Some(json!({ "caseIds": many })))
            .await;
        assert!(
            r.assert_problem(400).contains("`caseIds`"),
            "{n}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_offices_planned_exams_come_soonest_first_page_by_page_whatever_order_they_came_in() {
    let app = demo_app().await;
    let w = world(&app).await;
    let offering = offering_of(&app, w.case).await;
    more_students(&app, offering, 5).await;
    let office = app.api("roc-a", &w.office);
    let (received, _) = all_pages(&office, "state=received").await;
    assert_eq!(received.len(), 6);
    // Planned in the reverse of the order they came in: the last one received is first.
    for (n, case) in received.iter().enumerate() {
        let case: uuid::Uuid = case.parse().unwrap();
        let revision = office.case(case).await.body["revision"].clone();
        let day = 20 - n;
        let plan = json!({
            "revision": revision,
            "start": format!("2026-12-{day:02}T08:00:00Z"), "end": format!("2026-12-{day:02}T12:00:00Z"),
            "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
        });
        let r = office.plan(case, plan).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let (soonest, pages) = all_pages(&office, "state=planned&order=start&limit=4").await;
    assert_eq!(pages, 2);
    let reversed: Vec<String> = received.iter().rev().cloned().collect();
    assert_eq!(soonest, reversed);
    // The default order is still as they came in.
    let (as_received, _) = all_pages(&office, "state=planned&limit=4").await;
    assert_eq!(as_received, received);
    let r = office.call("GET", "/cases?order=soon", None).await;
    assert!(r.assert_problem(400).contains("`order`"), "{}", r.body);
}
