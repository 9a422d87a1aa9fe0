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

fn validator(root: &'static str) -> Option<&'static jsonschema::Validator> {
    static PATCH: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static PUT: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let cell = if root == PATCH_SCHEMA { &PATCH } else { &PUT };
    cell.get_or_init(|| {
        let doc: Value = serde_json::from_str(OFFICIAL).ok()?;
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

/// Builds both validators (a moment of CPU), so no delivery waits for it.
pub fn warm() {
    let _ = (validator(PATCH_SCHEMA), validator(PUT_SCHEMA));
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
    let errors: Vec<String> = v
        .iter_errors(body)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "breaks the OKE schema {root}: {}",
            errors.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
