//! The official OKE schemas, to check every body Proeve serves or sends against, and the
//! official test vectors.

use super::app::repo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

fn schema_defs() -> &'static Value {
    static DEFS: OnceLock<Value> = OnceLock::new();
    DEFS.get_or_init(|| {
        let text =
            std::fs::read_to_string(repo().join("tests/oke/ooapiv5_MBO.schema.json")).unwrap();
        let mut schema: Value = serde_json::from_str(&text).unwrap();
        // The nl-test-admin consumer elements checked against their own add-on, not only
        // the generic branch that lets anything through.
        proeve::delivery::schema::strict_consumers(&mut schema);
        schema["$defs"].clone()
    })
}

/// Asserts that `value` is valid against the official OKE schema `def` (formats checked).
pub fn assert_valid(def: &str, value: &Value) {
    let errors = schema_errors(def, value);
    assert!(
        errors.is_empty(),
        "not a valid {def}: {errors:#?}\n{value:#}"
    );
}

/// What is wrong with `value` against the official OKE schema `def` (formats checked).
pub fn schema_errors(def: &str, value: &Value) -> Vec<String> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
        OnceLock::new();
    let cache = VALIDATORS.get_or_init(|| Mutex::new(HashMap::new()));
    let validator = {
        let mut cache = cache.lock().unwrap();
        cache
            .entry(def.to_string())
            .or_insert_with(|| {
                let schema = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$defs": schema_defs(),
                    "$ref": format!("#/$defs/{def}"),
                });
                Arc::new(
                    jsonschema::options()
                        .should_validate_formats(true)
                        .build(&schema)
                        .expect("schema compiles"),
                )
            })
            .clone()
    };
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// What breaks the OKE 1.1 draft's own association consumer schema (its YAML, as JSON in
/// tests/oke/) in a consumer element.
pub fn draft_consumer_errors(consumer: &Value) -> Vec<String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let v = VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/oke/nl-test-admin-Association.v1.1-draft.schema.json"
        ))
        .expect("the draft's consumer schema");
        let mut schema: Value = serde_json::from_str(&text).expect("JSON");
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles")
    });
    v.iter_errors(consumer)
        .map(|e| format!("1.1 draft: {} at /consumers/0{}", e, e.instance_path()))
        .collect()
}

/// Asserts a list page whose items are all valid `def`s.
pub fn assert_page_of(def: &str, page: &Value) {
    assert_valid("Pagination", page);
    for item in page["items"].as_array().expect("items") {
        assert_valid(def, item);
    }
}

pub fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("tests/oke/test-vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

pub fn vector(name: &str) -> Value {
    vectors()
        .into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))["body"]
        .clone()
}
