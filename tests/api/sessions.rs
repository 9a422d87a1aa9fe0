//! Sessions as the exam day needs them: an assessor's phone stays signed in through a long
//! exam, the staff's sessions end sooner when left alone, the exam office can end a person's
//! sessions, and a mailed link opened in another browser hands over to the installed app by
//! a code. Time is moved by ageing the session in the database.

use crate::helpers::*;
use chrono::{Duration, Utc};
use entity::session;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// Moves the clock for everyone's sessions: as if last used `idle` ago.
async fn age_sessions(app: &TestApp, person: Uuid, idle: Duration) {
    session::Entity::update_many()
        .col_expr(
            session::Column::LastSeenAt,
            sea_orm::sea_query::Expr::value(Utc::now() - idle),
        )
        .filter(session::Column::PersonId.eq(person))
        .exec(&app.app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_assessors_session_outlasts_a_six_hour_exam_and_the_staffs_end_after_half_an_hour() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    let office = app.api("roc-a", &w.office).me().await.body["personId"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    // Six hours with the phone in a pocket; the office left its desk for 31 minutes.
    age_sessions(&app, w.ids.0, Duration::hours(6)).await;
    age_sessions(&app, office, Duration::minutes(31)).await;
    let r = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "mine",
            json!({"revision": 0, "attendance": "present"}),
        )
        .await;
    assert_eq!(r.status, 200, "the assessor saves on: {}", r.body);
    assert_eq!(app.api("roc-a", &w.office).me().await.status, 401);
    // Used, the assessor's session is fresh again; past the exam day's idle limit it ends.
    age_sessions(&app, w.ids.0, Duration::hours(9)).await;
    assert_eq!(app.api("roc-a", &w.first).me().await.status, 401);
    // However used, a session ends 14 hours after sign-in.
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(session::Column::PersonId.eq(w.ids.1))
        .exec(&app.app.db)
        .await
        .unwrap();
    assert_eq!(app.api("roc-a", &w.second).me().await.status, 401);
}

#[tokio::test]
async fn the_exam_office_signs_a_lost_phone_out() {
    let app = demo_app().await;
    let w = world(&app).await;
    let path = format!("/people/{}/sign-out", w.ids.0);
    // Only the exam office; another assessor may not.
    let r = app.api("roc-a", &w.second).call("POST", &path, None).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .api("roc-a", &w.office)
        .call(
            "POST",
            &format!("/people/{}/sign-out", Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = app.api("roc-a", &w.office).call("POST", &path, None).await;
    assert_eq!(
        (r.status, r.body["ended"].as_u64()),
        (200, Some(1)),
        "{}",
        r.body
    );
    assert_eq!(app.api("roc-a", &w.first).me().await.status, 401);
    assert_eq!(app.api("roc-a", &w.second).me().await.status, 200);
}

#[tokio::test]
async fn guessing_sign_in_codes_is_stopped_after_ten_wrong_ones() {
    // (Another school than the sign-in tests use: the count is per school and address.)
    let app = demo_app().await;
    let wrong = |n: usize| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/roc-b/sign-in/code", app.address))
                .json(&json!({"code": format!("WRON-G{n:03}")}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for n in 0..10 {
        assert_eq!(wrong(n).await, 400, "wrong code {n}");
    }
    assert_eq!(wrong(10).await, 429);
}

#[tokio::test]
async fn a_person_whose_data_is_purged_is_signed_out_and_their_links_stop_working() {
    let app = demo_app().await;
    let w = world(&app).await;
    let student = app.api("roc-a", &w.student).case(w.case).await.body;
    let offering = student["offeringId"].as_str().unwrap().to_string();
    let person: Uuid = student["candidate"]["personId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // A link mailed before the purge, still unused.
    entity::sign_in_link::ActiveModel {
        token_hash: sea_orm::Set("0".repeat(64)),
        tenant: sea_orm::Set("roc-a".into()),
        person_id: sea_orm::Set(person),
        created_at: sea_orm::Set(Utc::now()),
        expires_at: sea_orm::Set(Utc::now() + Duration::minutes(10)),
        used_at: sea_orm::Set(None),
        kind: sea_orm::Set("mail".into()),
    }
    .insert(&app.app.db)
    .await
    .unwrap();
    assert_eq!(app.api("roc-a", &w.student).me().await.status, 200);
    // The SIS cancels before the exam took place: the student's data goes, and so do the
    // student's sessions and links.
    let r = app
        .patch(
            "roc-a",
            &format!("/offerings/{offering}"),
            &cancel_offering(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.api("roc-a", &w.student).me().await.status, 401);
    let links = entity::sign_in_link::Entity::find()
        .filter(entity::sign_in_link::Column::PersonId.eq(person))
        .all(&app.app.db)
        .await
        .unwrap();
    assert!(links.is_empty(), "{links:?}");
}

#[tokio::test]
async fn the_peoples_api_and_its_documents_are_never_cached_and_never_sniffed() {
    let app = demo_app().await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    let me = app.api("roc-a", &w.student).me().await;
    assert_eq!(me.header("cache-control"), "no-store");
    assert_eq!(me.header("x-content-type-options"), "nosniff");
    let list = app.api("roc-a", &w.student).documents(w.case).await;
    let href = list.body["items"][0]["href"].as_str().unwrap().to_string();
    let pdf = app
        .client
        .get(format!("{}{href}", app.address))
        .header("cookie", &w.student.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    let cache = pdf
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert!(
        cache
            .as_deref()
            .is_some_and(|c| c.contains("no-store") && !c.contains("max-age")),
        "{cache:?}"
    );
}

#[tokio::test]
async fn proeves_own_pages_have_a_policy_are_never_cached_and_never_framed() {
    let app = demo_app().await;
    let page = app
        .client
        .get(format!("{}/app/roc-a/sign-in/link?token=abc", app.address))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        page.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert!(header("content-security-policy").contains("default-src 'none'"));
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-content-type-options"), "nosniff");
    // The link's token is in this page's address: it goes to no other site as a referrer.
    assert_eq!(header("referrer-policy"), "same-origin");
}
