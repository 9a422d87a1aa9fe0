//! Catalogue exams as OOAPI `Component`s (flow 0).

use super::CONSUMER_KEY;
use crate::catalog::{Exam, ResultUnit, Status, UnitKind};
use serde_json::{json, Map, Value};

fn nl(text: &str) -> Value {
    json!([{"language": "nl-NL", "value": text}])
}

/// The description carries crebo and cohort, as OKE advises, so SIS text search finds them.
fn description(e: &Exam) -> String {
    with_tags(e, e.description.clone())
}

/// `d` with the exam's crebo and cohort after it, where it does not say them already.
fn with_tags(e: &Exam, mut d: String) -> String {
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
    // The whole names the results its performance produces besides its own.
    if !e.model.results.is_empty() {
        let units: Vec<Value> = e
            .model
            .results
            .iter()
            .map(|u| json!({"componentId": u.id, "code": u.code, "kind": kind(u)}))
            .collect();
        ext.insert("resultUnits".into(), Value::Array(units));
    }
    out.insert("ext".into(), Value::Object(ext));
    Value::Object(out)
}

/// The texts `q` searches: name, abbreviation and description.
pub fn search_text(e: &Exam) -> String {
    format!("{}\n{}\n{}", e.name, e.abbreviation, description(e)).to_lowercase()
}

/// The texts `q` searches for a result unit: its own name and code, and what it says of its
/// exam (name, code, crebo, cohort).
pub fn unit_search_text(e: &Exam, u: &ResultUnit) -> String {
    format!("{}\n{}\n{}", u.name, u.code, with_tags(e, e.name.clone())).to_lowercase()
}

/// What a unit is, in the Component's `ext.resultUnit.kind`.
fn kind(u: &ResultUnit) -> &'static str {
    match u.kind() {
        UnitKind::Part => "part",
        UnitKind::Group => "group",
    }
}

/// A result unit of an exam (a part, or a grouping of sections such as a core task) as a
/// Component of its own: a SIS can mirror the exam's result structure from flow 0 and enrol
/// on the unit. Its exam is named in `ext.resultUnit` (`of`: the exam's componentId, `ofCode`
/// its code) and, readable, in `otherCodes` as `x-resultUnitOf`: the standard's `course`
/// would name a course, which an exam is not. Everything else (licence, approval, status,
/// crebo, level) is the exam's.
pub fn unit_component(e: &Exam, u: &ResultUnit, at: &AtSchool<'_>) -> Value {
    let whole = component(e, at);
    let Value::Object(mut out) = whole else {
        return whole;
    };
    out.insert("componentId".into(), json!(u.id));
    out.insert(
        "primaryCode".into(),
        json!({"codeType": "componentCode", "code": u.code}),
    );
    out.insert("name".into(), nl(&u.name));
    // The exam's abbreviation with what sets the unit apart (its code after the exam's).
    let own = u
        .code
        .strip_prefix(e.code.as_str())
        .map(|c| c.trim_start_matches(['-', ' ', '.']))
        .filter(|c| !c.is_empty())
        .unwrap_or(&u.code);
    let abbreviation: String = format!("{} {own}", e.abbreviation)
        .chars()
        .take(256)
        .collect();
    out.insert("abbreviation".into(), json!(abbreviation));
    out.remove("duration");
    let what = match u.kind() {
        UnitKind::Part => format!("Onderdeel {} van", u.part.as_deref().unwrap_or_default()),
        UnitKind::Group => format!(
            "Resultaat over de werkprocessen {} van",
            u.sections.join(", ")
        ),
    };
    let text = format!(
        "{what} {} ({}), beoordeeld in dezelfde afname.",
        e.name, e.code
    );
    out.insert("description".into(), nl(&with_tags(e, text)));
    if let Some(Value::Array(codes)) = out.get_mut("otherCodes") {
        codes.push(json!({"codeType": "x-resultUnitOf", "code": e.code}));
    }
    if let Some(Value::Object(c)) = out.get_mut("consumers").and_then(|c| c.get_mut(0)) {
        c.insert(
            "resultValueType".into(),
            json!(u.result_value_type.as_str()),
        );
        c.insert("passFrom".into(), json!(u.pass_from));
    }
    if let Some(Value::Object(ext)) = out.get_mut("ext") {
        ext.remove("resultUnits");
        let mut unit = Map::new();
        unit.insert("kind".into(), json!(kind(u)));
        unit.insert("of".into(), json!(e.id));
        unit.insert("ofCode".into(), json!(e.code));
        match &u.part {
            Some(p) => unit.insert("part".into(), json!(p)),
            None => unit.insert("sections".into(), json!(u.sections)),
        };
        ext.insert("resultUnit".into(), Value::Object(unit));
    }
    Value::Object(out)
}
