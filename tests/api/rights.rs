//! Who may do what, in which state: every cell of the README's table, through the API. A
//! step a role may take answers anything but 403/404 (its own rules may still refuse it, for
//! example a stale revision: 409); a step it may not take answers 403; someone with no part
//! in the exam gets 404.

use crate::helpers::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// The cast of the table: the world of one exam, an assessor enrolled on its test selection
/// but not on the exam, and a colleague with no part in it.
struct Cast {
    w: World,
    third: Session,
    third_id: Uuid,
    outsider: Session,
}

async fn cast(app: &TestApp) -> Cast {
    let w = world(app).await;
    let offering: Uuid = app.api("roc-a", &w.office).case(w.case).await.body["offeringId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let third_id = second_assessor(app, offering).await;
    let outsider = staff(app, "roc-a", "someone@roc.example", "Els").await;
    Cast {
        third: sign_in(app, "roc-a", third_id).await,
        outsider: sign_in(app, "roc-a", outsider).await,
        third_id,
        w,
    }
}

#[track_caller]
fn may(r: &Response, cell: &str) {
    assert!(
        r.status != 403 && r.status != 404 && r.status < 500,
        "{cell}: refused with {}: {}",
        r.status,
        r.body
    );
}

#[track_caller]
fn may_not(r: &Response, cell: &str) {
    assert_eq!(r.status, 403, "{cell}: {}", r.body);
}

fn plan(revision: &Value, at: &str, assessors: &[Uuid]) -> Value {
    json!({
        "revision": revision, "start": format!("2026-12-08T{at}:00Z"),
        "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": assessors,
    })
}

async fn revision(app: &TestApp, c: &Cast) -> Value {
    app.api("roc-a", &c.w.office).case(c.w.case).await.body["revision"].clone()
}

#[tokio::test]
async fn who_plans_and_who_changes_the_assessors_is_a_rule_of_the_exam() {
    let app = demo_app().await;
    let c = cast(&app).await;
    let (w, case) = (&c.w, c.w.case);
    let (first, second, third) = (w.ids.0, w.ids.1, c.third_id);
    let api = |who| app.api("roc-a", who);

    // Anyone else of the school does not see the exam at all.
    assert_eq!(api(&c.outsider).case(case).await.status, 404);
    for (who, cell) in [
        (&w.office, "office"),
        (&w.committee, "committee"),
        (&w.first, "enrolled"),
        (&w.student, "candidate"),
    ] {
        assert_eq!(api(who).case(case).await.status, 200, "see: {cell}");
    }

    // Received, nobody planned: the exam office and the enrolled assessors may plan it (a
    // stale revision shows the step was theirs: 409), the committee and the candidate not.
    let stale = json!(0);
    let r = revision(&app, &c).await;
    for (who, cell) in [(&w.office, "office"), (&c.third, "enrolled")] {
        let answer = api(who)
            .plan(case, plan(&stale, "08:00", &[first, second]))
            .await;
        assert_eq!(
            answer.status, 409,
            "plan a new exam: {cell}: {}",
            answer.body
        );
    }
    for (who, cell) in [(&w.committee, "committee"), (&w.student, "candidate")] {
        may_not(
            &api(who)
                .plan(case, plan(&r, "08:00", &[first, second]))
                .await,
            &format!("plan a new exam: {cell}"),
        );
    }
    // An enrolled assessor plans it for two enrolled colleagues.
    let planned = api(&c.third)
        .plan(case, plan(&r, "08:00", &[first, second]))
        .await;
    assert_eq!(planned.status, 200, "{}", planned.body);

    // Naming the examenleider is the office's (409: theirs, with a stale revision).
    let leader = |revision: &Value| {
        let mut p = plan(revision, "08:00", &[first, second]);
        p["examLeader"] = json!(c.third_id);
        p
    };
    let now = revision(&app, &c).await;
    let r = api(&w.office).plan(case, leader(&stale)).await;
    assert_eq!(r.status, 409, "examenleider: office: {}", r.body);
    may_not(
        &api(&w.first).plan(case, leader(&now)).await,
        "examenleider: on the exam",
    );
    for (who, cell) in [
        (&c.third, "enrolled"),
        (&w.committee, "committee"),
        (&w.student, "candidate"),
    ] {
        may_not(
            &api(who).plan(case, leader(&now)).await,
            &format!("examenleider: {cell}"),
        );
    }

    // Planned: its own assessors and the office move it; the enrolled colleague who is not
    // on it, the committee and the candidate may not.
    for (who, cell) in [
        (&c.third, "enrolled"),
        (&w.committee, "committee"),
        (&w.student, "candidate"),
    ] {
        let r = revision(&app, &c).await;
        may_not(
            &api(who)
                .plan(case, plan(&r, "09:00", &[first, second]))
                .await,
            &format!("move: {cell}"),
        );
    }
    for (who, cell) in [(&w.first, "on the exam"), (&w.office, "office")] {
        let r = revision(&app, &c).await;
        let moved = api(who)
            .plan(case, plan(&r, "09:00", &[first, second]))
            .await;
        assert_eq!(moved.status, 200, "move: {cell}: {}", moved.body);
    }
    // Only the exam office changes the assessors: not one of them, not a colleague taking
    // the exam over (as was seen: an enrolled assessor re-planning it with himself).
    for (who, team, cell) in [
        (&w.first, [first, third], "on the exam"),
        (&c.third, [third, second], "enrolled"),
        (&w.committee, [first, third], "committee"),
    ] {
        let r = revision(&app, &c).await;
        may_not(
            &api(who).plan(case, plan(&r, "09:00", &team)).await,
            &format!("change the assessors: {cell}"),
        );
    }
    let seen = api(&w.office).case(case).await.body;
    let team: Vec<&Value> = seen["assessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["personId"])
        .collect();
    assert_eq!(team, [&json!(first), &json!(second)], "nothing changed");

    // Cancelling is the exam office's (409: the step was theirs, the revision stale).
    for (who, cell) in [
        (&w.first, "on the exam"),
        (&c.third, "enrolled"),
        (&w.committee, "committee"),
        (&w.student, "candidate"),
    ] {
        may_not(
            &api(who)
                .cancel(case, json!({"revision": 0, "reason": "x"}))
                .await,
            &format!("cancel: {cell}"),
        );
    }
    let r = api(&w.office)
        .cancel(case, json!({"revision": 0, "reason": "x"}))
        .await;
    assert_eq!(r.status, 409, "cancel: office: {}", r.body);

    // Once scoring has started, the office changes the assessors only with a reason; the
    // removed assessor's sheet is kept and named in the trail, and they score no more.
    let saved = api(&w.first)
        .save_sheet(
            case,
            "mine",
            json!({"revision": 0, "attendance": "present", "irregularities": "geen"}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let r = revision(&app, &c).await;
    let no_reason = api(&w.office)
        .plan(case, plan(&r, "09:00", &[third, second]))
        .await;
    assert_eq!(no_reason.status, 400, "{}", no_reason.body);
    assert!(
        no_reason.body["detail"]
            .as_str()
            .unwrap()
            .contains("reason"),
        "{}",
        no_reason.body
    );
    let mut body = plan(&r, "09:00", &[third, second]);
    body["reason"] = json!("Bram is ziek; Chris neemt het over");
    let changed = api(&w.office).plan(case, body).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let trail = api(&w.office).audit(case).await.body;
    let last = trail["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "replanned");
    assert_eq!(last["reason"], "Bram is ziek; Chris neemt het over");
    assert_eq!(
        last["after"]["sheetsOfRemovedAssessors"][0]["assessor"],
        json!(first.to_string())
    );
    assert_eq!(last["after"]["assessors"], json!([third, second]));
    let sheets = api(&w.office).sheets(case).await.body;
    assert!(
        sheets["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["sheet"] == json!(first.to_string()) && s["irregularities"] == "geen"),
        "the removed assessor's sheet is kept: {sheets}"
    );
    may_not(
        &api(&w.first)
            .save_sheet(case, "mine", json!({"revision": 1, "irregularities": "x"}))
            .await,
        "score: a removed assessor",
    );
    // The new assessor, once on the exam, may move it; still not change its assessors.
    let r = revision(&app, &c).await;
    let moved = api(&c.third)
        .plan(case, plan(&r, "10:00", &[third, second]))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
}

#[tokio::test]
async fn every_step_after_planning_is_for_whom_the_table_says() {
    let app = demo_app().await;
    let c = cast(&app).await;
    let (w, case) = (&c.w, c.w.case);
    let api = |who| app.api("roc-a", who);

    // Planned (by the office, with both world assessors): scoring and judging are the
    // exam's assessors'.
    planned(&app, w).await;
    let sheet = json!({"revision": 0, "irregularities": "geen"});
    for (who, cell) in [
        (&w.office, "office"),
        (&w.committee, "committee"),
        (&c.third, "enrolled"),
        (&w.student, "candidate"),
    ] {
        may_not(
            &api(who).save_sheet(case, "mine", sheet.clone()).await,
            &format!("score: {cell}"),
        );
        may_not(
            &api(who).save_sheet(case, "joint", sheet.clone()).await,
            &format!("joint judgement: {cell}"),
        );
        may_not(
            &api(who).judge(case, json!({"revision": 0})).await,
            &format!("judge: {cell}"),
        );
        may_not(
            &api(who).confirm_joint(case, json!({"revision": 0})).await,
            &format!("confirm the joint judgement: {cell}"),
        );
    }
    may(
        &api(&w.second)
            .confirm_joint(case, json!({"revision": 0}))
            .await,
        "confirm the joint judgement: on the exam",
    );
    may(
        &api(&w.first).judge(case, json!({"revision": 0})).await,
        "judge: on the exam",
    );

    // Assessed: the exam's assessors sign and record a refusal; the candidate acknowledges
    // (on their own phone or the assessor's). The steps are theirs: without an image or a
    // reason they are refused for that (400), not for who is asking.
    for who in [&w.first, &w.second] {
        score_mine(&app, who, case, 2).await;
    }
    judged(&app, w).await;
    let assessor = json!({"role": "assessor"});
    let candidate = json!({"role": "candidate"});
    let refused = json!({"role": "candidateRefused", "reason": " "});
    may(
        &api(&w.first).sign(case, assessor.clone()).await,
        "sign: on the exam",
    );
    may(
        &api(&w.first).sign(case, candidate.clone()).await,
        "acknowledge: on the exam",
    );
    may(
        &api(&w.student).sign(case, candidate.clone()).await,
        "acknowledge: candidate",
    );
    may(
        &api(&w.second).sign(case, refused.clone()).await,
        "refusal: on the exam",
    );
    for (who, cell) in [
        (&w.office, "office"),
        (&w.committee, "committee"),
        (&c.third, "enrolled"),
    ] {
        for (body, step) in [
            (&assessor, "sign"),
            (&candidate, "acknowledge"),
            (&refused, "refusal"),
        ] {
            may_not(
                &api(who).sign(case, body.clone()).await,
                &format!("{step}: {cell}"),
            );
        }
    }
    for (body, step) in [(&assessor, "sign"), (&refused, "refusal")] {
        may_not(
            &api(&w.student).sign(case, body.clone()).await,
            &format!("{step}: candidate"),
        );
    }

    // Signed: the committee finalises; the office corrects and plans an extra attempt (409:
    // theirs, with a stale revision); documents for the people of the exam and the staff;
    // the trail and the deliveries for the staff.
    sign_all(&app, w).await;
    let everyone = [
        (&w.office, "office"),
        (&w.committee, "committee"),
        (&w.first, "on the exam"),
        (&c.third, "enrolled"),
        (&w.student, "candidate"),
    ];
    for (who, cell) in everyone {
        let finalise = api(who).finalise(json!({"caseIds": []})).await;
        let correct = api(who)
            .correct(
                case,
                json!({"revision": 0, "attendance": "present", "scores": [], "reason": "x", "authority": "appeal"}),
            )
            .await;
        let extra = api(who).extra_attempt(case, json!({"revision": 0})).await;
        let countersign = api(who)
            .call(
                "POST",
                &format!("/cases/{case}/corrections/countersign"),
                Some(json!({"revision": 0})),
            )
            .await;
        let documents = api(who).documents(case).await;
        let audit = api(who).audit(case).await;
        let deliveries = api(who).deliveries(case).await;
        let (committee, office) = (cell == "committee", cell == "office");
        let staff = committee || office;
        let people = staff || cell == "on the exam" || cell == "candidate";
        for (answer, allowed, step) in [
            (&finalise, committee, "finalise"),
            (&correct, office, "correct"),
            (&extra, office, "extra attempt"),
            (&countersign, cell == "on the exam", "countersign"),
            (&documents, people, "documents"),
            (&audit, staff, "audit trail"),
            (&deliveries, staff, "deliveries"),
        ] {
            let cell = format!("{step}: {cell}");
            if allowed {
                may(answer, &cell);
            } else {
                may_not(answer, &cell);
            }
        }
        if office {
            assert_eq!(correct.status, 409, "{}", correct.body);
            assert_eq!(extra.status, 409, "{}", extra.body);
        }
    }
}
