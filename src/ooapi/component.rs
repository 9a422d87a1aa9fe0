//! Catalogue exams as OOAPI `Component`s (flow 0).

use super::CONSUMER_KEY;
use crate::catalog::{Exam, Status};
use serde_json::{json, Map, Value};

fn nl(text: &str) -> Value {
    json!([{"language": "nl-NL", "value": text}])
}

/// The description carries crebo and cohort, as OKE advises, so SIS text search finds them.
fn description(e: &Exam) -> String {
    let mut d = e.description.clone();
    let mut tags = Vec::new();
    if let Some(c) = &e.crebo {
        if !d.contains(c.as_str()) {
            tags.push(format!("crebo {c}"));
        }
    }
    if let Some(c) = &e.cohort {
        if !d.contains(c.as_str()) {
            tags.push(format!("cohort {c}"));
        }
    }
    if !tags.is_empty() {
        d = format!("{} ({})", d.trim_end(), tags.join(", "));
    }
    d
}

pub fn component(e: &Exam, licensed: bool) -> Value {
    let mut out = Map::new();
    out.insert("componentId".into(), json!(e.id));
    out.insert(
        "primaryCode".into(),
        json!({"codeType": "componentCode", "code": e.code}),
    );
    out.insert("componentType".into(), json!("test"));
    out.insert("name".into(), nl(&e.name));
    out.insert("abbreviation".into(), json!(e.abbreviation));
    out.insert("modeOfDelivery".into(), json!(e.mode_of_delivery));
    if let Some(d) = &e.duration {
        out.insert("duration".into(), json!(d));
    }
    out.insert("description".into(), nl(&description(e)));
    out.insert("teachingLanguage".into(), json!("nld"));
    if let Some(a) = &e.assessment {
        out.insert("assessment".into(), nl(a));
    }
    let mut codes = vec![json!({"codeType": "x-testSystem", "code": "Proeve"})];
    if let Some(p) = &e.test_provider {
        codes.push(json!({"codeType": "x-testProvider", "code": p}));
    }
    if let Some(c) = &e.crebo {
        codes.push(json!({"codeType": "nationalEducationCode", "code": c}));
    }
    out.insert("otherCodes".into(), Value::Array(codes));
    let mut c = Map::new();
    c.insert("consumerKey".into(), json!(CONSUMER_KEY));
    if let Some(t) = e.additional_testing_time {
        c.insert("additionalTestingTime".into(), json!(t));
    }
    c.insert(
        "availablePersonalNeeds".into(),
        json!(e.available_personal_needs),
    );
    c.insert("safety".into(), json!(["fixedLocation", "surveillance"]));
    c.insert("exam".into(), json!(true));
    c.insert(
        "resultValueType".into(),
        json!(e.result_value_type.as_str()),
    );
    c.insert("passFrom".into(), json!(e.pass_from));
    if let Some(r) = e.retries {
        c.insert("retries".into(), json!(r));
    }
    let status = match e.status {
        Status::Active => "active",
        Status::Inactive => "inactive",
    };
    c.insert("status".into(), json!(status));
    c.insert("licensed".into(), json!(licensed));
    out.insert("consumers".into(), json!([Value::Object(c)]));
    Value::Object(out)
}

/// The texts `q` searches: name, abbreviation and description.
pub fn search_text(e: &Exam) -> String {
    format!("{}\n{}\n{}", e.name, e.abbreviation, description(e)).to_lowercase()
}
