//! Exam cases made from flow 1, planned within the SIS's window with the assessors the model
//! requires, following the SIS's changes; every step in the audit trail.

use crate::helpers::*;
use chrono::{DateTime, Utc};
use proeve::audit::{self, Actor};
use proeve::case::CaseError;
use proeve::planning::{self, Place, Plan, Planner};
use serde_json::json;
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn kitchen(assessors: Vec<Uuid>) -> Plan {
    Plan {
        start: at("2026-12-08T09:00:00+01:00"),
        end: at("2026-12-08T15:00:00+01:00"),
        place: Place::Workplace {
            name: "Restaurant De Gouden Pollepel".into(),
            address: "Markt 1, 5611 AA Eindhoven".into(),
        },
        assessors,
        reason: None,
        leader: None,
    }
}

async fn only_case(app: &TestApp, tenant: &str) -> entity::exam_case::Model {
    let cases = planning::cases(&app.app.db, tenant, None).await.unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    cases.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_student_enrolment_becomes_an_exam_case_and_staff_do_not() {
    let app = spawn_app().await;
    let (o, sa, s, _, _) = enrolment(&app, "roc-a").await;
    let case = only_case(&app, "roc-a").await;
    assert_eq!(
        (case.association_id, case.person_id, case.offering_id),
        (sa, s, o)
    );
    assert_eq!((case.state.as_str(), case.attempt), ("received", 1));
    assert_eq!(case.component_id, Some(KOK.parse().unwrap()));
    let trail = audit::trail(&app.app.db, "roc-a", case.case_id)
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].actor.as_str(), trail[0].action.as_str()),
        ("sis", "received")
    );
    // The same push again changes nothing; the other school has no cases.
    app.put("roc-a", &format!("/associations/{sa}"), &student(sa, s, o))
        .await;
    assert_eq!(only_case(&app, "roc-a").await.revision, 1);
    assert!(planning::cases(&app.app.db, "roc-b", None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_test_selection_without_result_expected_makes_no_case() {
    let app = spawn_app().await;
    let (o, a, p) = (id(), id(), id());
    let mut body = offering(o);
    body["resultExpected"] = json!(false);
    app.put("roc-a", &format!("/offerings/{o}"), &body).await;
    app.put("roc-a", &format!("/associations/{a}"), &student(a, p, o))
        .await;
    assert!(planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_exam_is_planned_in_the_window_with_the_assessors_the_model_requires() {
    let app = spawn_app().await;
    let (o, _, _, _, first) = enrolment(&app, "roc-a").await;
    let second = second_assessor(&app, o).await;
    let case = only_case(&app, "roc-a").await;
    let office = Actor::Person(id());
    let planned = planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        case.revision,
        &kitchen(vec![first, second]),
        &Planner {
            actor: office.clone(),
            exam_office: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(planned.state.as_str(), "planned");
    // Planned with the model version the catalogue has now (the Kok exam: 2, with level
    // descriptors).
    assert_eq!(planned.model_version, Some(2));
    assert_eq!(
        planned.place_name.as_deref(),
        Some("Restaurant De Gouden Pollepel")
    );
    let trail = audit::trail(&app.app.db, "roc-a", case.case_id)
        .await
        .unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.action, "planned");
    let after: serde_json::Value = serde_json::from_str(last.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["assessors"], json!([first, second]));
    let before: serde_json::Value = serde_json::from_str(last.before.as_deref().unwrap()).unwrap();
    assert_eq!(before["state"], "received");

    // Re-planning needs the current revision: a planner holding the old one is told.
    let stale = planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        case.revision,
        &kitchen(vec![second, first]),
        &Planner {
            actor: office.clone(),
            exam_office: true,
        },
    )
    .await;
    assert!(matches!(stale, Err(CaseError::Stale { current, .. }) if current == planned.revision));
    let again = planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        planned.revision,
        &kitchen(vec![second, first]),
        &Planner {
            actor: office.clone(),
            exam_office: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(again.revision, planned.revision + 1);
    assert_eq!(
        audit::trail(&app.app.db, "roc-a", case.case_id)
            .await
            .unwrap()
            .last()
            .unwrap()
            .action,
        "replanned"
    );
}

#[tokio::test]
async fn planning_mistakes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (o, _, s, _, first) = enrolment(&app, "roc-a").await;
    let second = second_assessor(&app, o).await;
    let outsider = id();
    assert_eq!(
        app.put(
            "roc-a",
            &format!("/persons/{outsider}"),
            &person(outsider, "Dirk")
        )
        .await
        .status,
        201
    );
    let case = only_case(&app, "roc-a").await;
    let office = Actor::Person(id());
    let plan = |p: Plan, exam_office: bool| {
        let app = &app;
        let office = office.clone();
        async move {
            planning::plan(
                &app.exams("roc-a"),
                case.case_id,
                case.revision,
                &p,
                &Planner {
                    actor: office,
                    exam_office,
                },
            )
            .await
        }
    };
    let mut early = kitchen(vec![first, second]);
    early.start = at("2026-11-01T09:00:00+01:00");
    let cases: Vec<(Plan, &str)> = vec![
        (early, "window"),
        (kitchen(vec![first]), "needs 2 assessor"),
        (kitchen(vec![first, first]), "twice"),
        (kitchen(vec![first, s]), "own exam"),
        (kitchen(vec![first, outsider]), "not enrolled"),
        (kitchen(vec![first, id()]), "not a person"),
        (
            Plan {
                place: Place::School {
                    location: " ".into(),
                },
                ..kitchen(vec![first, second])
            },
            "place",
        ),
        (
            Plan {
                end: at("2026-12-08T08:00:00+01:00"),
                ..kitchen(vec![first, second])
            },
            "after the start",
        ),
    ];
    for (p, expected) in cases {
        match plan(p, false).await {
            Err(e @ (CaseError::Invalid(_) | CaseError::Refused(_))) => {
                let m = e.to_string();
                assert!(m.contains(expected), "{expected}: {m}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
    assert_eq!(
        only_case(&app, "roc-a").await.revision,
        case.revision,
        "nothing was stored"
    );
    // The exam office may assign an assessor the SIS did not enrol.
    let planned = plan(kitchen(vec![first, outsider]), true).await.unwrap();
    assert_eq!(planned.state.as_str(), "planned");
}

#[tokio::test]
async fn the_sis_canceling_an_enrolment_cancels_its_planned_exam_and_can_reopen_it() {
    let app = spawn_app().await;
    let (o, sa, s, _, first) = enrolment(&app, "roc-a").await;
    let second = second_assessor(&app, o).await;
    let case = only_case(&app, "roc-a").await;
    planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        1,
        &kitchen(vec![first, second]),
        &Planner {
            actor: Actor::System,
            exam_office: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        app.patch(
            "roc-a",
            &format!("/associations/{sa}"),
            &cancel_association()
        )
        .await
        .status,
        200
    );
    assert_eq!(only_case(&app, "roc-a").await.state.as_str(), "canceled");
    let trail = audit::trail(&app.app.db, "roc-a", case.case_id)
        .await
        .unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.reason.as_deref()),
        ("canceled", Some("the SIS canceled the enrolment"))
    );
    app.put("roc-a", &format!("/persons/{s}"), &person(s, "Ayşe"))
        .await;
    assert_eq!(
        app.put("roc-a", &format!("/associations/{sa}"), &student(sa, s, o))
            .await
            .status,
        200
    );
    assert_eq!(only_case(&app, "roc-a").await.state.as_str(), "received");
}

#[tokio::test]
async fn withdrawing_the_test_selection_cancels_every_open_case() {
    let app = spawn_app().await;
    let (o, _, _, _, _) = enrolment(&app, "roc-a").await;
    let (a2, p2) = (id(), id());
    app.put("roc-a", &format!("/associations/{a2}"), &student(a2, p2, o))
        .await;
    assert_eq!(
        planning::cases(
            &app.app.db,
            "roc-a",
            Some(proeve::case::CaseState::Received)
        )
        .await
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
            .await
            .status,
        200
    );
    assert_eq!(
        planning::cases(
            &app.app.db,
            "roc-a",
            Some(proeve::case::CaseState::Canceled)
        )
        .await
        .unwrap()
        .len(),
        2
    );
}

#[tokio::test]
async fn a_selection_naming_no_known_exam_waits_for_manual_handling() {
    let app = spawn_app().await;
    let (o, a, p) = (id(), id(), id());
    let mut body = offering(o);
    body["consumers"][0]["testsToBeUsed"][0]["componentId"] = json!(id());
    app.put("roc-a", &format!("/offerings/{o}"), &body).await;
    app.put("roc-a", &format!("/associations/{a}"), &student(a, p, o))
        .await;
    let case = only_case(&app, "roc-a").await;
    assert_eq!(case.component_id, None);
    let r = planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        1,
        &kitchen(vec![]),
        &Planner {
            actor: Actor::System,
            exam_office: true,
        },
    )
    .await;
    assert!(matches!(r, Err(CaseError::Invalid(m)) if m.contains("manual handling")));
    // Once the SIS names a known exam, the case follows.
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    assert_eq!(
        only_case(&app, "roc-a").await.component_id,
        Some(KOK.parse().unwrap())
    );
}
