use crate::helpers::*;
use serde_json::json;

async fn components(app: &TestApp, query: &str) -> Response {
    let t = token("roc-a", &[FLOW_0]);
    app.send(
        "GET",
        &format!("{}{query}", app.url("roc-a", "/components")),
        Some(&t),
        None,
    )
    .await
}

#[tokio::test]
async fn service_metadata_is_public_and_valid() {
    let app = spawn_app().await;
    let r = app.send("GET", &app.url("roc-a", "/"), None, None).await;
    assert_eq!(r.status, 200);
    assert_valid("Service", &r.body);
    assert_eq!(
        r.body["supportedConsumers"][0]["consumerKey"],
        "nl-test-admin"
    );
    assert_eq!(r.body["supportedVersions"], serde_json::json!(["v5"]));
    let spec = app
        .send(
            "GET",
            &format!("{}/ooapi/openapi.yaml", app.address),
            None,
            None,
        )
        .await;
    assert_eq!(spec.status, 200);
    assert!(String::from_utf8_lossy(&spec.bytes).contains("openapi: 3.0"));
}

#[tokio::test]
async fn the_catalogue_lists_every_exam_as_a_valid_component() {
    let app = spawn_app().await;
    let r = components(&app, "").await;
    assert_eq!(r.status, 200);
    assert_page_of("Component", &r.body);
    let items = r.body["items"].as_array().unwrap();
    assert!(items.len() >= 3);
    assert_eq!(r.body["totalPages"], 1);
    for c in items {
        let oke = &c["consumers"][0];
        assert_eq!(oke["consumerKey"], "nl-test-admin");
        assert!(oke["resultValueType"].is_string() && oke["passFrom"].is_string());
        assert_eq!(c["componentType"], "test");
    }
}

#[tokio::test]
async fn q_searches_name_abbreviation_and_description_case_insensitively() {
    let app = spawn_app().await;
    let r = components(&app, "?q=KOK").await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", r.body);
    assert_eq!(items[0]["componentId"], crate::helpers::KOK);
    // The crebo finds the exam and its two core-task results.
    let r = components(&app, "?q=25655").await;
    assert_eq!(
        r.body["items"].as_array().unwrap().len(),
        3,
        "crebo is searchable"
    );
    let r = components(&app, "?q=ZORGVRAGERS").await;
    assert_eq!(
        r.body["items"].as_array().unwrap().len(),
        1,
        "description is searched"
    );
    assert_eq!(
        components(&app, "?q=rekenen").await.body["items"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn filters_on_type_code_and_licence_narrow_the_list() {
    let app =
        spawn_app_with(|s| s.tenants[0].licensed_components = Some(vec!["PVB-KOK2-2425".into()]))
            .await;
    assert_eq!(
        components(&app, "?componentType=course").await.body["items"],
        serde_json::json!([])
    );
    let r = components(&app, "?primaryCode=PVB-VIG3-2425").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let licensed = components(&app, "?licensed=true").await;
    let items = licensed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["consumers"][0]["licensed"], true);
    let unlicensed = components(&app, "?licensed=false").await;
    assert!(unlicensed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["consumers"][0]["licensed"] == false));
    components(&app, "?licensed=yes").await.assert_problem(400);
}

#[tokio::test]
async fn sort_orders_by_name_both_ways_and_rejects_unknown_keys() {
    let app = spawn_app().await;
    let names = |r: &Response| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"][0]["value"].as_str().unwrap().to_lowercase())
            .collect()
    };
    let up = names(&components(&app, "?sort=name").await);
    let mut sorted = up.clone();
    sorted.sort();
    assert_eq!(up, sorted);
    let down = names(&components(&app, "?sort=-name").await);
    assert_eq!(down, up.iter().rev().cloned().collect::<Vec<_>>());
    assert!(components(&app, "?sort=colour")
        .await
        .assert_problem(400)
        .contains("sort"));
}

#[tokio::test]
async fn paging_parameters_are_checked() {
    let app = spawn_app().await;
    for bad in [
        "?pageSize=7",
        "?pageSize=abc",
        "?pageNumber=0",
        "?pageNumber=-1",
    ] {
        let detail = components(&app, bad).await.assert_problem(400).to_string();
        assert!(detail.contains("page"), "{bad}: {detail}");
    }
    let far = components(&app, "?pageNumber=99999999999").await;
    assert_eq!(
        (far.status, far.body["items"].clone()),
        (200, serde_json::json!([]))
    );
    let beyond = components(&app, "?pageNumber=5").await;
    assert_eq!(beyond.status, 200);
    assert_eq!(beyond.body["items"], serde_json::json!([]));
    assert_eq!(beyond.body["hasNextPage"], false);
    assert_eq!(
        components(&app, "?unknownParam=1").await.status,
        200,
        "unknown parameters are ignored"
    );
}

#[tokio::test]
async fn one_component_by_id_or_404() {
    let app = spawn_app().await;
    let t = token("roc-a", &[FLOW_0]);
    let r = app
        .send(
            "GET",
            &app.url("roc-a", &format!("/components/{}", crate::helpers::KOK)),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_valid("Component", &r.body);
    let r = app
        .send(
            "GET",
            &app.url("roc-a", &format!("/components/{}", uuid::Uuid::new_v4())),
            Some(&t),
            None,
        )
        .await;
    r.assert_problem(404);
    let r = app
        .send("GET", &app.url("roc-a", "/components/kok"), Some(&t), None)
        .await;
    assert!(r.assert_problem(400).contains("UUID"));
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_token() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let r = app
            .send("GET", &format!("{}{path}", app.address), None, None)
            .await;
        assert_eq!(r.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_changed_model_needs_a_new_version_and_old_versions_stay() {
    // A catalogue of one exam, in a directory of its own.
    let dir = std::env::temp_dir().join(format!("proeve-catalog-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let original = std::fs::read_to_string(repo().join("catalog/kok-niveau-2.toml")).unwrap();
    std::fs::write(dir.join("kok.toml"), &original).unwrap();
    let database = std::env::temp_dir().join(format!("proeve-models-{}.db", uuid::Uuid::new_v4()));
    let settings = |catalog: &std::path::Path| {
        let catalog = catalog.to_path_buf();
        let url = format!("sqlite://{}?mode=rwc", database.display());
        move |s: &mut proeve::config::Settings| {
            s.catalog_dir = catalog;
            s.database_url = url;
        }
    };
    let first = spawn_app_with(settings(&dir)).await;
    let kok: uuid::Uuid = crate::helpers::KOK.parse().unwrap();
    // The shipped Kok model is at version 2 (level descriptors).
    let v2 = proeve::catalog::versions::load(&first.app.db, kok, 2)
        .await
        .unwrap()
        .unwrap();

    // The same version with a different pass mark is refused at start-up, naming the file.
    let edited = original.replacen("pass_mark = 46", "pass_mark = 47", 1);
    assert_ne!(edited, original);
    std::fs::write(dir.join("kok.toml"), &edited).unwrap();
    let refused = proeve::startup::Application::build(first.app.settings.clone()).await;
    let message = format!("{:#}", refused.err().expect("refused"));
    assert!(
        message.contains("kok.toml") && message.contains("model.version"),
        "{message}"
    );

    // With the version raised it starts, and version 2 is still there as it was.
    std::fs::write(
        dir.join("kok.toml"),
        edited.replacen("version = 2", "version = 3", 1),
    )
    .unwrap();
    let second = proeve::startup::Application::build(first.app.settings.clone())
        .await
        .unwrap();
    let db = &second.state().db;
    let old = proeve::catalog::versions::load(db, kok, 2)
        .await
        .unwrap()
        .unwrap();
    let new = proeve::catalog::versions::load(db, kok, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((old.pass_mark, new.pass_mark), (v2.pass_mark, 47));
}

/// The ids of a page of components.
fn ids(r: &Response) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["componentId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_catalogue_filters_on_crebo_level_and_status_and_says_them() {
    let app = spawn_app().await;
    let kok = components(&app, "?crebo=25180").await;
    assert_eq!(ids(&kok), vec![KOK.to_string()], "{}", kok.body);
    assert_page_of("Component", &kok.body);
    let c = &kok.body["items"][0];
    assert!(c["otherCodes"]
        .as_array()
        .unwrap()
        .contains(&json!({"codeType": "nationalEducationCode", "code": "25180"})));
    assert_eq!(c["ext"]["levelOfQualification"], "2", "{c}");
    assert_eq!(c["ext"]["approvedBySchool"], false);
    // Two exams at level 3, with their results per part (4) and per core task (2).
    let level3 = components(&app, "?level=3").await;
    assert_eq!(
        level3.body["items"].as_array().unwrap().len(),
        8,
        "{}",
        level3.body
    );
    assert!(!ids(&level3).contains(&KOK.to_string()));
    assert_eq!(
        ids(&components(&app, "?level=2").await),
        vec![KOK.to_string()]
    );
    assert!(ids(&components(&app, "?crebo=99999").await).is_empty());
    let active = components(&app, "?status=active").await;
    assert!(active.body["items"].as_array().unwrap().len() >= 3);
    assert!(ids(&components(&app, "?status=inactive").await).is_empty());
    for (query, field) in [
        ("?level=5", "level"),
        ("?level=niveau3", "level"),
        ("?status=open", "status"),
        ("?approved=ja", "approved"),
    ] {
        let r = components(&app, query).await;
        assert!(r.assert_problem(400).contains(field), "{query}: {}", r.body);
    }
}

#[tokio::test]
async fn the_exam_committee_approves_an_exam_and_flow_0_shows_and_filters_it_for_that_school_only()
{
    let app = demo_app_with(|s| {
        s.tenants[0].licensed_components =
            Some(vec!["PVB-KOK2-2425".into(), "PVB-EMEI3-2425".into()])
    })
    .await;
    let committee = staff(&app, "roc-a", "committee@roc.example", "Pieter").await;
    let office = staff(&app, "roc-a", "office@roc.example", "Fatima").await;
    let committee = sign_in(&app, "roc-a", committee).await;
    let office = sign_in(&app, "roc-a", office).await;
    let committee = app.api("roc-a", &committee);
    let office = app.api("roc-a", &office);

    // Nothing approved yet: the office sees every exam of the catalogue, with its licence.
    let list = office.call("GET", "/exams", None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert!(items.len() >= 3);
    assert!(items.iter().all(|e| e["approved"] == false));
    let kok = items.iter().find(|e| e["componentId"] == KOK).unwrap();
    assert_eq!(kok["licensed"], true);
    assert_eq!(kok["level"], 2);
    assert!(ids(&components(&app, "?approved=true").await).is_empty());

    // Only the committee decides.
    let path = format!("/exams/{KOK}/approval");
    let r = office
        .call("PUT", &path, Some(json!({"approved": true})))
        .await;
    r.assert_problem(403);
    let r = committee
        .call("PUT", &path, Some(json!({"approved": true})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["approved"], true);
    assert_eq!(r.body["decidedBy"], "Öztürk, Pieter");
    assert!(r.body["decidedAt"].is_string());
    // Flow 0 now says so and filters on it.
    let approved = components(&app, "?approved=true").await;
    assert_eq!(ids(&approved), vec![KOK.to_string()], "{}", approved.body);
    assert_page_of("Component", &approved.body);
    assert_eq!(approved.body["items"][0]["ext"]["approvedBySchool"], true);
    assert!(approved.body["items"][0]["ext"]["approvedOn"].is_string());
    assert!(!ids(&components(&app, "?approved=false").await).contains(&KOK.to_string()));
    // Another school decides for itself.
    let t = token("roc-b", &[FLOW_0]);
    let other = app
        .send(
            "GET",
            &format!("{}?approved=true", app.url("roc-b", "/components")),
            Some(&t),
            None,
        )
        .await;
    assert!(ids(&other).is_empty(), "{}", other.body);

    // An unlicensed exam cannot be approved; unknown exams are 404; bad bodies are named.
    let unlicensed = items
        .iter()
        .find(|e| e["licensed"] == false)
        .expect("an exam without licence");
    let r = committee
        .call(
            "PUT",
            &format!(
                "/exams/{}/approval",
                unlicensed["componentId"].as_str().unwrap()
            ),
            Some(json!({"approved": true})),
        )
        .await;
    assert!(r.assert_problem(400).contains("licence"), "{}", r.body);
    let r = committee
        .call(
            "PUT",
            &format!("/exams/{}/approval", id()),
            Some(json!({"approved": true})),
        )
        .await;
    r.assert_problem(404);
    let r = committee
        .call("PUT", &path, Some(json!({"approved": "ja"})))
        .await;
    r.assert_problem(400);

    // Withdrawing needs a reason; then flow 0 no longer lists it as approved.
    let r = committee
        .call("PUT", &path, Some(json!({"approved": false})))
        .await;
    assert!(r.assert_problem(400).contains("`reason`"), "{}", r.body);
    let r = committee
        .call(
            "PUT",
            &path,
            Some(json!({"approved": false, "reason": "Nieuwe versie van de leverancier nog niet beoordeeld"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["approved"], false);
    assert!(ids(&components(&app, "?approved=true").await).is_empty());
    let kok = office.call("GET", "/exams", None).await;
    let kok = kok.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["componentId"] == KOK)
        .unwrap()
        .clone();
    assert_eq!(
        kok["reason"],
        "Nieuwe versie van de leverancier nog niet beoordeeld"
    );
}

#[tokio::test]
async fn each_result_unit_is_a_valid_component_that_names_its_exam() {
    let app = spawn_app().await;
    let all = components(&app, "?pageSize=100").await;
    assert_page_of("Component", &all.body);
    let items = all.body["items"].as_array().unwrap();
    let whole = items
        .iter()
        .find(|c| c["primaryCode"]["code"] == "PVB-EMEI3-2425")
        .unwrap();
    let units = whole["ext"]["resultUnits"].as_array().unwrap();
    assert_eq!(units.len(), 4, "{whole}");
    for u in units {
        // Listed, and served by id, each naming the exam machine-readably.
        let id = u["componentId"].as_str().unwrap();
        let listed = items.iter().find(|c| c["componentId"] == id).unwrap();
        let one = components(&app, &format!("/{id}")).await;
        assert_eq!(one.status, 200, "{}", one.body);
        assert_valid("Component", &one.body);
        assert_eq!(&one.body, listed);
        assert_eq!(one.body["ext"]["resultUnit"]["of"], whole["componentId"]);
        assert_eq!(one.body["ext"]["resultUnit"]["kind"], "part");
        let codes = one.body["otherCodes"].as_array().unwrap();
        assert!(codes.contains(&json!({"codeType": "x-resultUnitOf", "code": "PVB-EMEI3-2425"})));
        // The exam's crebo, its own result type and pass-from value.
        assert!(codes.contains(&json!({"codeType": "nationalEducationCode", "code": "25329"})));
        assert_eq!(one.body["consumers"][0]["resultValueType"], "0-10");
        assert_eq!(one.body["consumers"][0]["passFrom"], "6");
    }
    let part_a = components(&app, "?primaryCode=PVB-EMEI3-2425-A").await;
    assert_eq!(
        ids(&part_a),
        vec!["5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08a1".to_string()]
    );
    assert_eq!(
        part_a.body["items"][0]["abbreviation"],
        "PVB Eerste monteur elektrotechniek 3 A"
    );
    // A core task spanning the proeve: a grouping of work processes.
    let k1 = components(&app, "?primaryCode=PVB-VIG3-2425-K1").await;
    let c = &k1.body["items"][0];
    assert_eq!(c["ext"]["resultUnit"]["kind"], "group");
    assert_eq!(
        c["ext"]["resultUnit"]["sections"].as_array().unwrap().len(),
        5
    );
    assert_eq!(c["abbreviation"], "PVB Verzorgende-IG 3 K1");
    assert_eq!(
        c["consumers"][0]["resultValueType"],
        "insufficient-satisfactory-good"
    );
    // The exam with only the whole has no units.
    let kok = components(&app, &format!("/{KOK}")).await;
    assert!(kok.body["ext"].get("resultUnits").is_none(), "{}", kok.body);
}
