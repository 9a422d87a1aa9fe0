//! The official OKE schemas, checked on every body before it leaves: a body that breaks them
//! is our bug, and goes nowhere.

use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The official schemas (OpenAPI components as one JSON Schema document).
static OFFICIAL: &str = include_str!("../../tests/oke/ooapiv5_MBO.schema.json");

/// The definitions `root` needs, following `$ref`s: a few hundred kilobytes instead of the
/// whole four-megabyte document, so building a validator is quick.
fn closure(defs: &Map<String, Value>, root: &str) -> Map<String, Value> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            if let Some(name) = r.strip_prefix("#/$defs/") {
                                out.push(name.to_string());
                            }
                        }
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            refs(def, &mut todo);
        }
    }
    seen.into_iter()
        .filter_map(|n| defs.get(&n).map(|d| (n, d.clone())))
        .collect()
}

/// Makes the `nl-test-admin` consumer elements count. The official schema allows each element
/// of a `consumers` list as `anyOf` a generic consumer (any properties) or the `nl-test-admin`
/// add-on, so any element passes through the generic branch and the add-on's rules (the
/// `attendance` values, `final` a boolean, `rawScore` an integer, …) are never applied. Here an
/// element whose `consumerKey` is `nl-test-admin` must match the add-on, the others the generic
/// branch: the standard's evident intent, applied wherever such a list occurs.
pub fn strict_consumers(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let branches = m.get("anyOf").and_then(Value::as_array).and_then(|a| {
                let [generic, addon] = a.as_slice() else {
                    return None;
                };
                let says = |b: &Value, what: &str| {
                    b.get("description")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.contains(what))
                };
                (says(generic, "specific consumer") && says(addon, "nl-test-admin add-on"))
                    .then(|| (generic.clone(), addon.clone()))
            });
            if let Some((generic, addon)) = branches {
                m.remove("anyOf");
                m.insert(
                    "if".into(),
                    json!({"properties": {"consumerKey": {"const": "nl-test-admin"}}, "required": ["consumerKey"]}),
                );
                m.insert("then".into(), addon);
                m.insert("else".into(), generic);
            }
            m.values_mut().for_each(strict_consumers);
        }
        Value::Array(a) => a.iter_mut().for_each(strict_consumers),
        _ => {}
    }
}

fn validator(root: &'static str) -> Option<&'static jsonschema::Validator> {
    static PATCH: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static PUT: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let cell = if root == PATCH_SCHEMA { &PATCH } else { &PUT };
    cell.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(OFFICIAL).ok()?;
        strict_consumers(&mut doc);
        let defs = doc.get("$defs")?.as_object()?;
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": closure(defs, root),
            "$ref": format!("#/$defs/{root}"),
        });
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .ok()
    })
    .as_ref()
}

/// The association consumer of the OKE 1.1 draft (its own YAML, converted to JSON as is).
static DRAFT_CONSUMER: &str =
    include_str!("../../tests/oke/nl-test-admin-Association.v1.1-draft.schema.json");

fn draft_validator() -> Option<&'static jsonschema::Validator> {
    static CELL: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut schema: Value = serde_json::from_str(DRAFT_CONSUMER).ok()?;
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .ok()
    })
    .as_ref()
}

/// Checks the `nl-test-admin` association consumer of a message to a SIS on the 1.1 draft
/// against the draft's own schema (the 1.0.1 schema lets any extra consumer property by).
pub fn check_v11_consumer(consumer: &Value) -> Result<(), String> {
    let v = draft_validator().ok_or("the OKE 1.1 draft's consumer schema could not be loaded")?;
    validate(v, consumer, "the OKE 1.1 draft's association consumer")
}

/// The first five things `value` breaks, and where, as one message.
fn validate(v: &jsonschema::Validator, value: &Value, what: &str) -> Result<(), String> {
    let errors: Vec<String> = v
        .iter_errors(value)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("breaks {what}: {}", errors.join("; ")))
    }
}

/// Builds the validators (a moment of CPU), so no delivery waits for them.
pub fn warm() {
    let _ = (
        validator(PATCH_SCHEMA),
        validator(PUT_SCHEMA),
        draft_validator(),
    );
}

pub const PATCH_SCHEMA: &str = "ComponentOfferingAssociationPatch";
pub const PUT_SCHEMA: &str = "ComponentOfferingAssociation";

/// Checks a flow 5 body against the official schema for `method`; the error lists what is
/// wrong and where.
pub fn check(method: &str, body: &Value) -> Result<(), String> {
    let root = if method == "PUT" {
        PUT_SCHEMA
    } else {
        PATCH_SCHEMA
    };
    let v = validator(root).ok_or("the official OKE schema could not be loaded")?;
    validate(v, body, &format!("the OKE schema {root}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_consumer_takes_its_own_example_and_refuses_what_breaks_it() {
        let ok = json!({"consumerKey": "nl-test-admin", "orgAssociationId": "5a52f86b-edcd-4f7f-9ea9-c8617f6043b6",
          "attempt": 2, "planningState": "finished", "testMomentEnrollmentDetails": {
            "startDateTime": "2024-12-15T08:50:00.000Z", "endDateTime": "2024-12-15T10:50:00.000Z",
            "roomName": "AZ12", "executedOfferingName": "NL 3F", "attendance": "present",
            "testDateTime": "2024-12-15T10:30:00.000Z", "irregularities": "none",
            "coordinatorId": "5a52f86b-edcd-4f7f-9ea9-c9999f6043b9", "coordinatorCode": "KetRF"}});
        assert_eq!(check_v11_consumer(&ok), Ok(()));
        let mut state = ok.clone();
        state["planningState"] = json!("planned");
        assert!(check_v11_consumer(&state)
            .unwrap_err()
            .contains("/planningState"));
        let mut moment = ok.clone();
        moment["testMomentEnrollmentDetails"]
            .as_object_mut()
            .unwrap()
            .remove("executedOfferingName");
        assert!(check_v11_consumer(&moment).is_err());
        let mut who = ok.clone();
        who["testMomentEnrollmentDetails"]["coordinatorId"] = json!("KetRF");
        assert!(check_v11_consumer(&who).is_err());
    }

    #[test]
    fn the_digest_vectors_pass_and_a_broken_body_fails() {
        let tv10 = json!({
          "associationType": "componentOfferingAssociation",
          "consumers": [{"consumerKey": "nl-test-admin", "orgAssociationId": "5a52f86b-edcd-4f7f-9ea9-c8617f6043b6", "attempt": 1}],
          "result": {
            "state": "completed", "pass": "passed", "score": "7.5", "resultDate": "2020-10-05", "weight": 100,
            "consumers": [{"consumerKey": "nl-test-admin", "attendance": "present", "executedOfferingName": "x",
              "final": true, "rawScore": 65, "maxRawScore": 75, "testDate": "2020-09-28T11:30:00+02:00",
              "documents": [{"documentId": "3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "documentType": "assessmentForm", "documentName": "a.pdf"}]}]
          }
        });
        assert_eq!(check("PATCH", &tv10), Ok(()));
        let mut broken = tv10.clone();
        broken["result"]["state"] = json!("done");
        let e = check("PATCH", &broken).unwrap_err();
        assert!(e.contains("/result/state"), "{e}");
    }

    #[test]
    fn the_nl_test_admin_consumer_must_follow_its_own_rules() {
        let ok = json!({
          "associationType": "componentOfferingAssociation",
          "consumers": [{"consumerKey": "nl-test-admin", "orgAssociationId": "5a52f86b-edcd-4f7f-9ea9-c8617f6043b6", "attempt": 1}],
          "result": {"state": "in progress", "resultDate": "2020-10-05", "weight": 100,
            "consumers": [{"consumerKey": "nl-test-admin", "attendance": "present"}, {"consumerKey": "other", "attendance": 7}]}
        });
        assert_eq!(check("PATCH", &ok), Ok(()));
        for (field, value) in [
            ("attendance", json!("absent")),
            ("final", json!("yes")),
            ("rawScore", json!("65")),
        ] {
            let mut bad = ok.clone();
            bad["result"]["consumers"][0][field] = value;
            let e = check("PATCH", &bad).unwrap_err();
            assert!(e.contains("/result/consumers/0"), "{field}: {e}");
        }
        let mut missing = ok.clone();
        missing["result"]["consumers"][0] = json!({"consumerKey": "nl-test-admin"});
        assert!(check("PATCH", &missing).is_err());
        let mut attempt = ok.clone();
        attempt["consumers"][0]["attempt"] = json!("1");
        assert!(check("PATCH", &attempt)
            .unwrap_err()
            .contains("/consumers/0"));
    }
}
