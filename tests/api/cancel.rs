use crate::helpers::*;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

#[tokio::test]
async fn canceling_an_offering_cancels_its_enrolments_and_purges_personal_data() {
    let app = spawn_app().await;
    let (o, sa, s, aa, a) = enrolment(&app, "roc-a").await;
    let r = app
        .patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let off = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(off.body["consumers"][0]["offeringState"], "canceled");
    assert_valid("ComponentOffering", &off.body);
    for assoc in [sa, aa] {
        let r = app.get("roc-a", &format!("/associations/{assoc}")).await;
        assert_eq!(r.body["state"], "canceled");
    }
    for p in [s, a] {
        let d = app
            .get("roc-a", &format!("/persons/{p}"))
            .await
            .assert_problem(404)
            .to_string();
        assert!(d.contains("removed"), "{d}");
    }
    let canceled = app
        .get(
            "roc-a",
            &format!("/offerings/{o}/associations?state=canceled"),
        )
        .await;
    assert_eq!(canceled.body["items"].as_array().unwrap().len(), 2);
    // Cancelling again is fine.
    assert_eq!(
        app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_person_still_enrolled_elsewhere_keeps_their_data() {
    let app = spawn_app().await;
    let (o, _, s, _, _) = enrolment(&app, "roc-a").await;
    let (o2, a2) = (id(), id());
    app.put("roc-a", &format!("/offerings/{o2}"), &offering(o2))
        .await;
    app.put("roc-a", &format!("/associations/{a2}"), &student(a2, s, o2))
        .await;
    app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    let r = app.get("roc-a", &format!("/persons/{s}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["givenName"], "Ayşe");
}

#[tokio::test]
async fn a_person_whose_exam_took_place_keeps_their_data_for_the_result() {
    let app = spawn_app().await;
    let (o, sa, s, _, _) = enrolment(&app, "roc-a").await;
    entity::association::ActiveModel {
        tenant: Set("roc-a".into()),
        association_id: Set(sa),
        exam_taken_at: Set(Some(chrono::Utc::now())),
        ..Default::default()
    }
    .update(&app.app.db)
    .await
    .unwrap();
    app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    assert_eq!(
        app.get("roc-a", &format!("/associations/{sa}")).await.body["state"],
        "canceled"
    );
    assert_eq!(app.get("roc-a", &format!("/persons/{s}")).await.status, 200);
    let row = entity::association::Entity::find_by_id(("roc-a".to_string(), sa))
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.exam_taken_at.is_some());
}

#[tokio::test]
async fn canceling_one_enrolment_is_idempotent_and_answers_with_its_state() {
    let app = spawn_app().await;
    let (_, sa, s, _, _) = enrolment(&app, "roc-a").await;
    for _ in 0..2 {
        let r = app
            .patch(
                "roc-a",
                &format!("/associations/{sa}"),
                &cancel_association(),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["state"], "canceled");
        assert_eq!(r.body["associationId"], sa.to_string());
    }
    app.get("roc-a", &format!("/persons/{s}"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_person_pushed_again_after_a_purge_is_whole_again() {
    let app = spawn_app().await;
    let (_, sa, s, _, _) = enrolment(&app, "roc-a").await;
    app.patch(
        "roc-a",
        &format!("/associations/{sa}"),
        &cancel_association(),
    )
    .await;
    assert_eq!(
        app.put("roc-a", &format!("/persons/{s}"), &person(s, "Ayşe"))
            .await
            .status,
        200
    );
    assert_eq!(app.get("roc-a", &format!("/persons/{s}")).await.status, 200);
}

#[tokio::test]
async fn an_enrolment_pushed_onto_a_canceled_offering_is_canceled_too() {
    let app = spawn_app().await;
    let (o, _, _, _, _) = enrolment(&app, "roc-a").await;
    app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    let late = id();
    assert_eq!(
        app.put(
            "roc-a",
            &format!("/associations/{late}"),
            &student(late, id(), o)
        )
        .await
        .status,
        201
    );
    assert_eq!(
        app.get("roc-a", &format!("/associations/{late}"))
            .await
            .body["state"],
        "canceled"
    );
}

#[tokio::test]
async fn a_put_with_state_canceled_cancels_like_a_patch() {
    let app = spawn_app().await;
    let (o, sa, s, _, _) = enrolment(&app, "roc-a").await;
    let mut body = student(sa, s, o);
    body["state"] = serde_json::json!("canceled");
    assert_eq!(
        app.put("roc-a", &format!("/associations/{sa}"), &body)
            .await
            .status,
        200
    );
    app.get("roc-a", &format!("/persons/{s}"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_canceled_context_enrolment_is_kept_as_canceled() {
    let app = spawn_app().await;
    let mut tv16 = vector("TV-16");
    let a = uuid::Uuid::parse_str("54e58f68-ceac-4845-99d5-caa721fefb88").unwrap();
    tv16["associationId"] = serde_json::json!(a);
    assert_eq!(
        app.put("roc-a", &format!("/associations/{a}"), &tv16)
            .await
            .status,
        201
    );
    let r = app
        .patch("roc-a", &format!("/associations/{a}"), &vector("TV-08"))
        .await;
    assert_eq!(r.status, 200);
    let r = app.get("roc-a", &format!("/associations/{a}")).await;
    assert_eq!(r.body["state"], "canceled");
    assert_valid("ProgramOfferingAssociation", &r.body);
}

#[tokio::test]
async fn a_finished_enrolment_survives_the_cancellation_with_its_person() {
    let app = spawn_app().await;
    let (o, sa, s, _, _) = enrolment(&app, "roc-a").await;
    let finished = json!({"associationType": "componentOfferingAssociation", "state": "finished"});
    assert_eq!(
        app.patch("roc-a", &format!("/associations/{sa}"), &finished)
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
            .await
            .status,
        200
    );
    assert_eq!(
        app.get("roc-a", &format!("/associations/{sa}")).await.body["state"],
        "finished"
    );
    assert_eq!(app.get("roc-a", &format!("/persons/{s}")).await.status, 200);
}

#[tokio::test]
async fn a_canceled_offering_is_not_revived_by_a_put_that_leaves_the_state_out() {
    let app = spawn_app().await;
    let (o, _, _, _, _) = enrolment(&app, "roc-a").await;
    app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    let mut body = offering(o);
    body["consumers"][0]
        .as_object_mut()
        .unwrap()
        .remove("offeringState");
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &body)
            .await
            .status,
        200
    );
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.body["consumers"][0]["offeringState"], "canceled");
    // An explicit `active` is the SIS reopening it; its enrolments stay canceled.
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
            .await
            .status,
        200
    );
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.body["consumers"][0]["offeringState"], "active");
    let enrolments = app
        .get(
            "roc-a",
            &format!("/offerings/{o}/associations?state=associated"),
        )
        .await;
    assert_eq!(enrolments.body["items"], json!([]));
}

#[tokio::test]
async fn no_personal_data_stays_in_the_audit_copy_after_a_purge() {
    let app = spawn_app().await;
    let (o, s, a) = (id(), id(), id());
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    // The person arrives inline, as some SISs send it.
    let mut body = student(a, s, o);
    body["person"] = person(s, "Ayşe");
    assert_eq!(
        app.put("roc-a", &format!("/associations/{a}"), &body)
            .await
            .status,
        201
    );
    assert_eq!(
        app.patch("roc-a", &format!("/offerings/{o}"), &cancel_offering())
            .await
            .status,
        200
    );
    let row = entity::association::Entity::find_by_id(("roc-a".to_string(), a))
        .one(&app.app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.raw.contains("Ayşe") && !row.raw.contains("Öztürk"),
        "{}",
        row.raw
    );
    assert!(row.raw.contains(&s.to_string()));
}
