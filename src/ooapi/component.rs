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

/// How an exam stands at the school asking: licensed (the school's settings) and approved by
/// its exam committee (the latest decision, if any).
pub struct AtSchool<'a> {
    pub licensed: bool,
    pub approval: Option<&'a entity::exam_approval::Model>,
}

impl AtSchool<'_> {
    pub fn approved(&self) -> bool {
        self.approval.is_some_and(|a| a.approved)
    }
}

/// An exam as a Component. What the standard has no field for is in `ext`, OOAPI's place for
/// non-standard attributes: the MBO level (`levelOfQualification`, named as on an OOAPI
/// Program) and whether the school's exam committee approved the exam (`approvedBySchool`,
/// with the day: NED-OOAPI issue 142).
pub fn component(e: &Exam, at: &AtSchool<'_>) -> Value {
    let licensed = at.licensed;
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
    let mut ext = Map::new();
    if let Some(l) = e.level {
        ext.insert("levelOfQualification".into(), json!(l.to_string()));
    }
    ext.insert("approvedBySchool".into(), json!(at.approved()));
    if let Some(a) = at.approval.filter(|a| a.approved) {
        let day = a
            .decided_at
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .format("%Y-%m-%d");
        ext.insert("approvedOn".into(), json!(day.to_string()));
    }
    out.insert("ext".into(), Value::Object(ext));
    Value::Object(out)
}

/// The texts `q` searches: name, abbreviation and description.
pub fn search_text(e: &Exam) -> String {
    format!("{}\n{}\n{}", e.name, e.abbreviation, description(e)).to_lowercase()
}
