use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_person_is_created_once_per_school_then_replaced() {
    let app = spawn_app().await;
    let p = id();
    let path = format!("/persons/{p}");
    assert_eq!(app.put("roc-a", &path, &person(p, "Eva")).await.status, 201);
    assert_eq!(app.put("roc-a", &path, &person(p, "Eva")).await.status, 200);
    let r = app.put("roc-a", &path, &person(p, "Evelien")).await;
    assert_eq!(r.status, 200);
    // The same id at another school is another person.
    assert_eq!(app.put("roc-b", &path, &person(p, "Eva")).await.status, 201);
    let r = app.get("roc-a", &path).await;
    assert_eq!(r.status, 200);
    assert_valid("Person", &r.body);
    assert_eq!(r.body["givenName"], "Evelien", "{}", r.body);
    let r = app.get("roc-b", &path).await;
    assert_eq!(r.body["givenName"], "Eva", "{}", r.body);
}

#[tokio::test]
async fn a_person_sent_inside_an_enrolment_is_stored_as_a_person() {
    let app = spawn_app().await;
    let (o, sa, s) = (id(), id(), id());
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
            .await
            .status,
        201
    );
    // The standard allows the person inside the enrolment (OKE §3.1, table 4.3.A).
    let mut enrolment = student(sa, s, o);
    enrolment["person"] = person(s, "Noor");
    assert_valid("ComponentOfferingAssociation", &enrolment);
    let r = app
        .put("roc-a", &format!("/associations/{sa}"), &enrolment)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let p = app.get("roc-a", &format!("/persons/{s}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["givenName"], "Noor");
    assert_eq!(p.body["consumers"][0]["idCheckName"], "Öztürk, Noor");
    // The enrolment itself keeps only the id: the person lives in one place.
    let a = app.get("roc-a", &format!("/associations/{sa}")).await;
    assert_eq!(a.body["person"], json!(s), "{}", a.body);
    // The candidate has a name on the exam.
    let case = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.association_id == sa)
        .expect("an exam case");
    let stored = proeve::intake::find_person(&app.app.db, "roc-a", case.person_id)
        .await
        .unwrap()
        .expect("the person");
    assert_eq!(stored.display_name.as_deref(), Some("Öztürk, Noor"));

    // A broken person inside is refused as its own PUT would be, naming the field, and the
    // enrolment is not stored either.
    let (sa2, s2) = (id(), id());
    let mut broken = student(sa2, s2, o);
    broken["person"] = person(s2, "Sem");
    broken["person"]
        .as_object_mut()
        .unwrap()
        .remove("givenName");
    let r = app
        .put("roc-a", &format!("/associations/{sa2}"), &broken)
        .await;
    assert!(
        r.assert_problem(400).contains("person.givenName"),
        "{}",
        r.body
    );
    assert_eq!(
        app.get("roc-a", &format!("/associations/{sa2}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("roc-a", &format!("/persons/{s2}")).await.status,
        404
    );
}

#[tokio::test]
async fn put_creates_then_replaces_and_reads_back_valid() {
    let app = spawn_app().await;
    let o = id();
    let body = offering(o);
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &body)
            .await
            .status,
        201
    );
    let again = app.put("roc-a", &format!("/offerings/{o}"), &body).await;
    assert_eq!(again.status, 200);
    assert!(again.bytes.is_empty(), "PUT answers without a body");
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.status, 200);
    assert_valid("ComponentOffering", &r.body);
    assert_eq!(r.body["consumers"][0]["locationCode"], "Keuken 2");
    assert_eq!(r.body["startDateTime"], "2026-11-30T08:00:00+01:00");

    let mut changed = body.clone();
    changed["name"] = json!([{"language": "nl-NL", "value": "Nieuwe naam"}]);
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &changed)
            .await
            .status,
        200
    );
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.body["name"][0]["value"], "Nieuwe naam");
}

#[tokio::test]
async fn an_offering_reads_back_with_its_catalogue_test_expanded() {
    let app = spawn_app().await;
    let o = id();
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    let r = app
        .get("roc-a", &format!("/offerings/{o}?expand=component"))
        .await;
    assert_eq!(r.body["component"]["componentId"], KOK);
    assert_valid("ComponentOffering", &r.body);
    app.get("roc-a", &format!("/offerings/{o}?expand=colour"))
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn patch_merges_changes_removes_nulls_and_clears_lists() {
    let app = spawn_app().await;
    let o = id();
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    let patch = json!({
        "offeringType": "component",
        "endDateTime": "2027-02-12T17:00:00+01:00",
        "modeOfDelivery": [],
        "consumers": [{"consumerKey": "nl-test-admin", "locationCode": null}]
    });
    let r = app.patch("roc-a", &format!("/offerings/{o}"), &patch).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.body["endDateTime"], "2027-02-12T17:00:00+01:00");
    assert_eq!(r.body["modeOfDelivery"], json!([]));
    let c = &r.body["consumers"][0];
    assert!(c.get("locationCode").is_none(), "null removes: {c}");
    assert_eq!(
        c["testsToBeUsed"][0]["componentId"], KOK,
        "untouched fields stay"
    );
    assert_eq!(c["offeringState"], "active");
    assert_valid("ComponentOffering", &r.body);
}

#[tokio::test]
async fn patch_rules_are_enforced() {
    let app = spawn_app().await;
    let o = id();
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    let path = format!("/offerings/{o}");
    let d = app
        .patch(
            "roc-a",
            &path,
            &json!({"endDateTime": "2027-02-12T17:00:00+01:00"}),
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("offeringType"), "{d}");
    let d = app
        .patch("roc-a", &path, &json!({"offeringType": "program"}))
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("cannot change"), "{d}");
    let d = app
        .patch(
            "roc-a",
            &path,
            &json!({"offeringType": "component", "offeringId": id()}),
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("offeringId"), "{d}");
    let d = app
        .patch(
            "roc-a",
            &path,
            &json!({"offeringType": "component", "startDateTime": null}),
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(
        d.contains("startDateTime") && d.contains("mandatory"),
        "{d}"
    );
    let d = app
        .patch(
            "roc-a",
            &path,
            &json!({"offeringType": "component", "endDateTime": "2020-01-01T00:00:00Z"}),
        )
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("endDateTime"), "{d}");
    // Nothing of the rejected patches was stored.
    let r = app.get("roc-a", &path).await;
    assert_eq!(r.body["endDateTime"], "2027-01-29T17:00:00+01:00");
    app.patch(
        "roc-a",
        &format!("/offerings/{}", id()),
        &json!({"offeringType": "component"}),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn associations_and_persons_read_back_valid_and_expanded() {
    let app = spawn_app().await;
    let (o, sa, s, aa, _) = enrolment(&app, "roc-a").await;
    let r = app.get("roc-a", &format!("/associations/{sa}")).await;
    assert_eq!(r.status, 200);
    assert_valid("ComponentOfferingAssociation", &r.body);
    assert_eq!(r.body["consumers"][0]["attemptLeft"], 2);
    let r = app
        .get(
            "roc-a",
            &format!("/associations/{sa}?expand=person,offering"),
        )
        .await;
    assert_valid("ComponentOfferingAssociationExpanded", &r.body);
    assert_eq!(r.body["person"]["personId"], s.to_string());
    assert_eq!(r.body["offering"]["offeringId"], o.to_string());
    let r = app.get("roc-a", &format!("/associations/{aa}")).await;
    assert_valid("ComponentOfferingAssociation", &r.body);
    assert!(
        r.body.get("consumers").is_none(),
        "staff associations carry no consumers"
    );
    let r = app.get("roc-a", &format!("/persons/{s}")).await;
    assert_valid("Person", &r.body);
    assert_eq!(r.body["surname"], "Öztürk");
}

#[tokio::test]
async fn an_offerings_associations_page_with_filters_and_totals() {
    let app = spawn_app().await;
    let o = id();
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    for i in 0..23 {
        let a = id();
        let body = if i < 21 {
            student(a, id(), o)
        } else {
            assessor(a, id(), o)
        };
        assert_eq!(
            app.put("roc-a", &format!("/associations/{a}"), &body)
                .await
                .status,
            201
        );
    }
    let path = format!("/offerings/{o}/associations");
    let p1 = app.get("roc-a", &path).await;
    assert_page_of("ComponentOfferingAssociation", &p1.body);
    assert_eq!(
        (
            p1.body["totalPages"].as_u64(),
            p1.body["hasNextPage"].as_bool()
        ),
        (Some(3), Some(true))
    );
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 10);
    let p3 = app.get("roc-a", &format!("{path}?pageNumber=3")).await;
    assert_eq!(p3.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        (
            p3.body["hasPreviousPage"].as_bool(),
            p3.body["hasNextPage"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let big = app.get("roc-a", &format!("{path}?pageSize=50")).await;
    let ids: Vec<String> = big.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["associationId"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ordered by associationId");
    let desc = app
        .get("roc-a", &format!("{path}?pageSize=50&sort=-associationId"))
        .await;
    assert_eq!(
        desc.body["items"][0]["associationId"],
        json!(sorted.last().unwrap())
    );
    let assessors = app.get("roc-a", &format!("{path}?role=assessor")).await;
    assert_eq!(assessors.body["items"].as_array().unwrap().len(), 2);
    app.get("roc-a", &format!("{path}?role=examiner"))
        .await
        .assert_problem(400);
    app.get("roc-a", &format!("/offerings/{}/associations", id()))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn pushes_out_of_order_are_accepted_and_link_up() {
    let app = spawn_app().await;
    let (o, sa, s) = (id(), id(), id());
    assert_eq!(
        app.put("roc-a", &format!("/associations/{sa}"), &student(sa, s, o))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put("roc-a", &format!("/persons/{s}"), &person(s, "Daan"))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
            .await
            .status,
        201
    );
    let r = app
        .get("roc-a", &format!("/offerings/{o}/associations"))
        .await;
    assert_eq!(r.body["items"][0]["associationId"], sa.to_string());
    let r = app
        .get(
            "roc-a",
            &format!("/associations/{sa}?expand=person,offering"),
        )
        .await;
    assert_eq!(r.body["person"]["givenName"], "Daan");
    assert_eq!(r.body["offering"]["offeringId"], o.to_string());
}

#[tokio::test]
async fn known_deviations_are_accepted_and_normalised() {
    let app = spawn_app().await;
    // Offering without offeringState, with the YAML spelling finalResultAllowed.
    let o = id();
    let mut body = offering(o);
    let c = body["consumers"][0].as_object_mut().unwrap();
    c.remove("offeringState");
    c.remove("finalResultsAllowed");
    c.insert("finalResultAllowed".into(), json!(false));
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &body)
            .await
            .status,
        201
    );
    let r = app.get("roc-a", &format!("/offerings/{o}")).await;
    assert_eq!(r.body["consumers"][0]["offeringState"], "active");
    assert_eq!(r.body["consumers"][0]["finalResultsAllowed"], false);
    assert_valid("ComponentOffering", &r.body);

    // A person with assignedNeeds as one object and preferredName at the top level.
    let p = id();
    let mut tv04 = vector("TV-04");
    tv04["personId"] = json!(p);
    let needs = tv04["consumers"][0]["assignedNeeds"][0].clone();
    tv04["consumers"][0]["assignedNeeds"] = needs;
    tv04["consumers"][0]
        .as_object_mut()
        .unwrap()
        .remove("preferredName");
    tv04["preferredName"] = json!("Maar");
    assert_eq!(
        app.put("roc-a", &format!("/persons/{p}"), &tv04)
            .await
            .status,
        201
    );
    let r = app.get("roc-a", &format!("/persons/{p}")).await;
    assert_eq!(
        r.body["consumers"][0]["assignedNeeds"][0]["code"],
        "extraTimeOnlyMath25%"
    );
    assert_eq!(r.body["consumers"][0]["preferredName"], "Maar");
    assert_valid("Person", &r.body);

    // extraTimeInMin for additionalTimeInMin; a result with a date-only testDate.
    let a = id();
    let mut s = student(a, p, o);
    s["consumers"][0]
        .as_object_mut()
        .unwrap()
        .remove("additionalTimeInMin");
    s["consumers"][0]["extraTimeInMin"] = json!(15);
    s["result"] = json!({"state": "in progress", "resultDate": "2020-09-29", "weight": 100,
        "consumers": [{"consumerKey": "nl-test-admin", "attendance": "present", "testDate": "2020-09-29"}]});
    assert_eq!(
        app.put("roc-a", &format!("/associations/{a}"), &s)
            .await
            .status,
        201
    );
    let r = app.get("roc-a", &format!("/associations/{a}")).await;
    assert_eq!(r.body["consumers"][0]["additionalTimeInMin"], 15);

    // A programme offering whose consumer has location as a list.
    let po = id();
    let program = json!({
        "offeringId": po, "primaryCode": {"codeType": "offeringCode", "code": "25180-BBL"},
        "offeringType": "program", "name": [{"language": "nl-NL", "value": "Kok BBL"}],
        "description": [{"language": "nl-NL", "value": "Kok"}], "teachingLanguage": "nld",
        "resultExpected": false, "startDate": "2024-09-01", "endDate": "2026-07-31",
        "consumers": [{"consumerKey": "nl-test-admin", "cohort": "24-25", "location": ["Campus Eindhoven"]}]
    });
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{po}"), &program)
            .await
            .status,
        201
    );
    let r = app.get("roc-a", &format!("/offerings/{po}")).await;
    assert_eq!(r.body["consumers"][0]["location"], "Campus Eindhoven");
    assert_valid("ProgramOffering", &r.body);
}

#[tokio::test]
async fn a_student_enrolment_without_the_oke_consumer_is_refused() {
    let app = spawn_app().await;
    let a = id();
    let mut s = student(a, id(), id());
    s.as_object_mut().unwrap().remove("consumers");
    let d = app
        .put("roc-a", &format!("/associations/{a}"), &s)
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("consumers"), "{d}");
}

#[tokio::test]
async fn groups_and_memberships_are_stored() {
    let app = spawn_app().await;
    let (g, p) = (id(), id());
    let group = group(g);
    assert_eq!(
        app.put("roc-a", &format!("/groups/{g}"), &group)
            .await
            .status,
        201
    );
    assert_eq!(
        app.put("roc-a", &format!("/groups/{g}"), &group)
            .await
            .status,
        200
    );
    let r = app.get("roc-a", &format!("/groups/{g}")).await;
    assert_valid("Group", &r.body);
    let member = json!({"personId": p, "startDateTime": "2026-09-01T00:00:00+02:00", "state": "active", "role": "student"});
    assert_eq!(
        app.put("roc-a", &format!("/groups/{g}/members/{p}"), &member)
            .await
            .status,
        201
    );
    let mut other = member.clone();
    other["personId"] = json!(id());
    app.put("roc-a", &format!("/groups/{g}/members/{p}"), &other)
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn patches_with_the_deviating_spellings_change_what_they_mean_to() {
    let app = spawn_app().await;
    let (o, sa, _, _, _) = enrolment(&app, "roc-a").await;
    let off = format!("/offerings/{o}");
    let r = app.patch("roc-a", &off, &json!({"offeringType": "component",
        "consumers": [{"consumerKey": "nl-test-admin", "finalResultAllowed": false, "entryDateTime": "2026-12-01T09:15:00+01:00"}]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = app.get("roc-a", &off).await.body["consumers"][0].clone();
    assert_eq!(c["finalResultsAllowed"], false);
    assert_eq!(c["lastPossibleStartDateTime"], "2026-12-01T09:15:00+01:00");
    app.patch(
        "roc-a",
        &off,
        &json!({"offeringType": "component",
        "consumers": [{"consumerKey": "nl-test-admin", "finalResultAllowed": true}]}),
    )
    .await;
    assert_eq!(
        app.get("roc-a", &off).await.body["consumers"][0]["finalResultsAllowed"],
        true
    );
    let r = app
        .patch(
            "roc-a",
            &format!("/associations/{sa}"),
            &json!({"associationType": "componentOfferingAssociation",
        "consumers": [{"consumerKey": "nl-test-admin", "extraTimeInMin": 45}]}),
        )
        .await;
    assert_eq!(r.status, 200);
    let a = app.get("roc-a", &format!("/associations/{sa}")).await;
    assert_eq!(a.body["consumers"][0]["additionalTimeInMin"], 45);
    assert_eq!(
        a.body["consumers"][0]["attemptLeft"], 2,
        "the rest of the consumer is kept"
    );
}

#[tokio::test]
async fn an_enrolment_must_match_its_offerings_kind() {
    let app = spawn_app().await;
    let o = id();
    app.put("roc-a", &format!("/offerings/{o}"), &offering(o))
        .await;
    let mut tv16 = vector("TV-16");
    let a = id();
    tv16["associationId"] = json!(a);
    tv16["offering"] = json!(o);
    let d = app
        .put("roc-a", &format!("/associations/{a}"), &tv16)
        .await
        .assert_problem(400)
        .to_string();
    assert!(d.contains("associationType"), "{d}");
}

#[tokio::test]
async fn mandatory_fields_of_context_offerings_and_students_are_enforced() {
    let app = spawn_app().await;
    let po = id();
    let program = json!({
        "offeringId": po, "primaryCode": {"codeType": "offeringCode", "code": "25180-BBL"},
        "offeringType": "program", "name": [{"language": "nl-NL", "value": "Kok BBL"}],
        "description": [{"language": "nl-NL", "value": "Kok"}], "teachingLanguage": "nld",
        "resultExpected": false, "endDate": "2026-07-31",
        "consumers": [{"consumerKey": "nl-test-admin", "cohort": "24-25", "location": "Campus Eindhoven"}]
    });
    assert!(app
        .put("roc-a", &format!("/offerings/{po}"), &program)
        .await
        .assert_problem(400)
        .contains("startDate"));
    let mut no_cohort = program.clone();
    no_cohort["startDate"] = json!("2024-09-01");
    no_cohort["consumers"][0]
        .as_object_mut()
        .unwrap()
        .remove("cohort");
    assert!(app
        .put("roc-a", &format!("/offerings/{po}"), &no_cohort)
        .await
        .assert_problem(400)
        .contains("cohort"));
    let p = id();
    let mut student = person(p, "Ayşe");
    student["consumers"][0]
        .as_object_mut()
        .unwrap()
        .remove("idCheckName");
    assert!(app
        .put("roc-a", &format!("/persons/{p}"), &student)
        .await
        .assert_problem(400)
        .contains("idCheckName"));
    let mut staff = person(p, "Bram");
    staff["affiliations"] = json!(["employee"]);
    staff.as_object_mut().unwrap().remove("consumers");
    assert_eq!(
        app.put("roc-a", &format!("/persons/{p}"), &staff)
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn control_characters_are_refused_not_stored() {
    let app = spawn_app().await;
    let o = id();
    let mut body = offering(o);
    body["name"][0]["value"] = json!("Kok\u{0}2");
    assert!(app
        .put("roc-a", &format!("/offerings/{o}"), &body)
        .await
        .assert_problem(400)
        .contains("control"));
    let p = id();
    let mut p_body = person(p, "Ayşe");
    p_body["mail"] = json!("a\u{0}@b.nl");
    app.put("roc-a", &format!("/persons/{p}"), &p_body)
        .await
        .assert_problem(400);
    let mut lines = offering(o);
    lines["description"][0]["value"] = json!("regel 1\nregel 2\tmet tab");
    assert_eq!(
        app.put("roc-a", &format!("/offerings/{o}"), &lines)
            .await
            .status,
        201
    );
}
