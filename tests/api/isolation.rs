use crate::helpers::*;
use sea_orm::EntityTrait;
use serde_json::json;

/// Everything one school pushed stays invisible and untouchable for another, whatever ids
/// the other guesses; the other school's own copies of the same ids are independent.
#[tokio::test]
async fn nothing_crosses_tenants_on_any_endpoint() {
    let app = spawn_app().await;
    let (o, sa, s, _, _) = enrolment(&app, "roc-a").await;
    let g = id();
    let group = group(g);
    assert_eq!(
        app.put("roc-a", &format!("/groups/{g}"), &group)
            .await
            .status,
        201
    );
    let doc = id();
    entity::document::Entity::insert(entity::document::ActiveModel {
        tenant: sea_orm::Set("roc-a".into()),
        document_id: sea_orm::Set(doc),
        document_type: sea_orm::Set("assessmentForm".into()),
        file_name: sea_orm::Set("Beoordelingsformulier Ayşe.pdf".into()),
        content_type: sea_orm::Set("application/pdf".into()),
        sha256: sea_orm::Set("00".into()),
        size: sea_orm::Set(8),
        content: sea_orm::Set(b"%PDF-1.7".to_vec()),
        created_at: sea_orm::Set(chrono::Utc::now()),
        case_id: sea_orm::Set(None),
        version: sea_orm::Set(None),
    })
    .exec(&app.app.db)
    .await
    .unwrap();

    // roc-b, with its own valid token, sees none of it.
    for path in [
        format!("/offerings/{o}"),
        format!("/offerings/{o}/associations"),
        format!("/associations/{sa}"),
        format!("/persons/{s}"),
        format!("/groups/{g}"),
        format!("/documents/{doc}"),
    ] {
        app.get("roc-b", &path).await.assert_problem(404);
    }
    app.patch("roc-b", &format!("/offerings/{o}"), &cancel_offering())
        .await
        .assert_problem(404);
    app.patch(
        "roc-b",
        &format!("/associations/{sa}"),
        &cancel_association(),
    )
    .await
    .assert_problem(404);

    // roc-a's token on roc-b's URLs is not accepted at all.
    let a_token = token("roc-a", &[FLOW_0, FLOW_1_5]);
    for path in [
        format!("/offerings/{o}"),
        format!("/documents/{doc}"),
        "/components".into(),
    ] {
        app.send("GET", &app.url("roc-b", &path), Some(&a_token), None)
            .await
            .assert_problem(401);
    }

    // roc-b may use the same ids for its own records without touching roc-a's.
    let mut b_offering = offering(o);
    b_offering["name"] = json!([{"language": "nl-NL", "value": "ROC B"}]);
    assert_eq!(
        app.put("roc-b", &format!("/offerings/{o}"), &b_offering)
            .await
            .status,
        201
    );
    app.patch("roc-b", &format!("/offerings/{o}"), &cancel_offering())
        .await;
    let a_view = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(a_view.body["consumers"][0]["offeringState"], "active");
    assert_eq!(
        a_view.body["name"][0]["value"],
        "Proeve Kok niveau 2 periode 3"
    );
    assert_eq!(
        app.get("roc-a", &format!("/associations/{sa}")).await.body["state"],
        "associated"
    );

    // The owner gets the document's raw bytes.
    let r = app.get("roc-a", &format!("/documents/{doc}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.bytes, b"%PDF-1.7");
    assert_eq!(r.header("content-type"), "application/octet-stream");
    assert!(r
        .header("content-disposition")
        .contains("filename*=UTF-8''Beoordelingsformulier%20Ay%C5%9Fe.pdf"));
}
