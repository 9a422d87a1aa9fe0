//! Bodies a SIS would send, built from the digest's test vectors with fresh ids.

#![allow(dead_code)]

use serde_json::{json, Value};
use uuid::Uuid;

/// The Kok niveau 2 exam of the shipped catalogue.
pub const KOK: &str = "3f6b2a9e-7c41-4d8a-9e2f-1b5c8d7a6e40";

pub fn id() -> Uuid {
    Uuid::new_v4()
}

pub fn offering(id: Uuid) -> Value {
    json!({
        "offeringId": id,
        "primaryCode": {"codeType": "offeringCode", "code": "PVB-KOK2-P3"},
        "offeringType": "component",
        "name": [{"language": "nl-NL", "value": "Proeve Kok niveau 2 periode 3"}],
        "description": [{"language": "nl-NL", "value": "Planbare toets Kok"}],
        "teachingLanguage": "nld", "modeOfDelivery": ["situated"], "resultExpected": true,
        "resultValueType": "0.0-10.0",
        "consumers": [{
            "consumerKey": "nl-test-admin", "offeringState": "active", "finalResultsAllowed": true,
            "locationCode": "Keuken 2",
            "testsToBeUsed": [{"testProvider": "Proeve", "componentId": KOK}]
        }],
        "startDateTime": "2026-11-30T08:00:00+01:00", "endDateTime": "2027-01-29T17:00:00+01:00",
    })
}

pub fn person(id: Uuid, name: &str) -> Value {
    json!({
        "personId": id,
        "primaryCode": {"codeType": "studentNumber", "code": "1234567"},
        "givenName": name, "surname": "Öztürk", "displayName": format!("Öztürk, {name}"),
        "activeEnrollment": true, "affiliations": ["student"], "mail": "student@roc.example",
        "consumers": [{"consumerKey": "nl-test-admin", "preferredName": name, "idCheckName": format!("Öztürk, {name}")}]
    })
}

pub fn student(id: Uuid, person: Uuid, offering: Uuid) -> Value {
    json!({
        "associationId": id, "associationType": "componentOfferingAssociation",
        "role": "student", "state": "associated",
        "consumers": [{"consumerKey": "nl-test-admin", "attempt": 1, "attemptLeft": 2, "personalNeeds": ["extraTime"], "additionalTimeInMin": 30}],
        "person": person, "offering": offering,
    })
}

pub fn assessor(id: Uuid, person: Uuid, offering: Uuid) -> Value {
    json!({
        "associationId": id, "associationType": "componentOfferingAssociation",
        "role": "assessor", "state": "associated", "person": person, "offering": offering,
    })
}

pub fn group(id: Uuid) -> Value {
    json!({"groupId": id, "primaryCode": {"codeType": "groupCode", "code": "KOK2A"},
        "groupType": "class", "name": [{"language": "nl-NL", "value": "Kok 2A"}]})
}

pub fn cancel_offering() -> Value {
    json!({"offeringType": "component", "consumers": [{"consumerKey": "nl-test-admin", "offeringState": "canceled"}]})
}

pub fn cancel_association() -> Value {
    json!({"associationType": "componentOfferingAssociation", "state": "canceled"})
}

/// An offering with one student and one assessor, all with persons. Returns
/// (offering, student association, student, assessor association, assessor).
pub async fn enrolment(app: &super::app::TestApp, tenant: &str) -> (Uuid, Uuid, Uuid, Uuid, Uuid) {
    let (o, sa, s, aa, a) = (id(), id(), id(), id(), id());
    assert_eq!(
        app.put(tenant, &format!("/offerings/{o}"), &offering(o))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put(tenant, &format!("/persons/{s}"), &person(s, "Ayşe"))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put(tenant, &format!("/persons/{a}"), &{
            let mut bram = person(a, "Bram");
            bram["mail"] = serde_json::json!("bram@roc.example");
            bram
        })
        .await
        .status,
        201
    );
    assert_eq!(
        app.put(tenant, &format!("/associations/{sa}"), &student(sa, s, o))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put(tenant, &format!("/associations/{aa}"), &assessor(aa, a, o))
            .await
            .status,
        201
    );
    (o, sa, s, aa, a)
}

/// A second assessor, enrolled on the offering by the SIS; returns the person.
pub async fn second_assessor(app: &super::app::TestApp, o: Uuid) -> Uuid {
    let (p, a) = (id(), id());
    assert_eq!(
        app.put("roc-a", &format!("/persons/{p}"), &person(p, "Chris"))
            .await
            .status,
        201
    );
    assert_eq!(
        app.put("roc-a", &format!("/associations/{a}"), &assessor(a, p, o))
            .await
            .status,
        201
    );
    p
}
