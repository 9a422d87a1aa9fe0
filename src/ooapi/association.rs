//! Associations as the SIS sends them: a toetsinschrijving (`componentOfferingAssociation`,
//! a student or staff member on a planbare toets) or a programme/course enrolment (context).

use super::read::Obj;
use super::{time, Parsed, CONSUMER_KEY};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub const ASSOCIATION_TYPES: [&str; 3] = [
    "componentOfferingAssociation",
    "programOfferingAssociation",
    "courseOfferingAssociation",
];
/// OOAPI RoleType.
pub const ROLES: [&str; 7] = [
    "student",
    "lecturer",
    "teaching assistant",
    "coordinator",
    "guest",
    "invigilator",
    "assessor",
];
/// The association states OKE uses (of OOAPI's six).
pub const STATES: [&str; 3] = ["associated", "canceled", "finished"];
const RESULT_STATES: [&str; 4] = ["in progress", "postponed", "completed", "queued"];
const ATTENDANCE: [&str; 5] = [
    "notKnown",
    "notPresent",
    "notStarted",
    "notFinished",
    "present",
];

/// The type of offering an association type belongs to.
pub fn offering_type_of(association_type: &str) -> &'static str {
    match association_type {
        "programOfferingAssociation" => "program",
        "courseOfferingAssociation" => "course",
        _ => "component",
    }
}

#[derive(Debug, Clone)]
pub struct Association {
    pub id: Uuid,
    pub association_type: &'static str,
    pub role: &'static str,
    pub state: &'static str,
    pub person_id: Uuid,
    pub offering_id: Uuid,
    pub attempt: Option<i32>,
    /// `None`: unlimited.
    pub attempt_left: Option<i32>,
    pub document: Value,
}

fn pick(all: &[&'static str], s: &str) -> &'static str {
    all.iter().copied().find(|a| *a == s).unwrap_or(all[0])
}

pub fn parse(v: &Value, path_id: Uuid) -> Parsed<Association> {
    let o = Obj::root(v)?;
    let id = o.req_uuid("associationId")?;
    if id != path_id {
        return Err(o.bad(
            "associationId",
            format!("{id} differs from the id in the path ({path_id})"),
        ));
    }
    let association_type = pick(
        &ASSOCIATION_TYPES,
        o.req_one_of("associationType", &ASSOCIATION_TYPES)?,
    );
    let role = pick(&ROLES, o.req_one_of("role", &ROLES)?);
    let state = pick(&STATES, o.req_one_of("state", &STATES)?);
    let person_id = o.req_id_ref("person", "personId")?;
    let offering_id = o.req_id_ref("offering", "offeringId")?;
    if association_type != "componentOfferingAssociation" && role != "student" {
        return Err(o.bad("role", format!("must be student for a {association_type}")));
    }
    let mut out = Map::new();
    out.insert("associationId".into(), json!(id));
    out.insert("associationType".into(), json!(association_type));
    out.insert("role".into(), json!(role));
    out.insert("state".into(), json!(state));

    let (consumer, others) = o.consumers()?;
    let mut attempt = None;
    let mut attempt_left = None;
    let mut consumers = Vec::new();
    match (association_type, consumer) {
        ("componentOfferingAssociation", Some(c)) => {
            let mut m = Map::new();
            m.insert("consumerKey".into(), json!(CONSUMER_KEY));
            if let Some(n) = c.strings("personalNeeds", None)? {
                m.insert("personalNeeds".into(), json!(n));
            }
            // `extraTimeInMin` appears in the YAML example for the same thing.
            let extra = match c.int("additionalTimeInMin", 0, i32::MAX.into())? {
                Some(x) => Some(x),
                None => c.int("extraTimeInMin", 0, i32::MAX.into())?,
            };
            if let Some(x) = extra {
                m.insert("additionalTimeInMin".into(), json!(x));
            }
            attempt = c.int("attempt", 1, 1000)?.map(|a| a as i32);
            if let Some(a) = attempt {
                m.insert("attempt".into(), json!(a));
            }
            attempt_left = c.int("attemptLeft", 0, 1000)?.map(|a| a as i32);
            if let Some(a) = attempt_left {
                m.insert("attemptLeft".into(), json!(a));
            }
            let mut program_ids: Vec<Uuid> = c
                .uuid("programOfferingAssociationId")?
                .into_iter()
                .collect();
            if let Some(list) = c.strings("programOfferingAssociationIds", None)? {
                for (i, s) in list.iter().enumerate() {
                    let u = super::read::parse_uuid(s).ok_or_else(|| {
                        c.bad(
                            &format!("programOfferingAssociationIds[{i}]"),
                            format!("{s:?} is not a UUID"),
                        )
                    })?;
                    if !program_ids.contains(&u) {
                        program_ids.push(u);
                    }
                }
            }
            if let Some(first) = program_ids.first() {
                m.insert("programOfferingAssociationId".into(), json!(first));
            }
            if program_ids.len() > 1 {
                m.insert("programOfferingAssociationIds".into(), json!(program_ids));
            }
            if let Some(u) = c.uuid("courseOfferingAssociationId")? {
                m.insert("courseOfferingAssociationId".into(), json!(u));
            }
            if let Some(u) = c.uuid("orgAssociationId")? {
                m.insert("orgAssociationId".into(), json!(u));
            }
            consumers.push(Value::Object(m));
        }
        ("componentOfferingAssociation", None) if role == "student" => {
            return Err(o.bad(
                "consumers",
                format!("must hold an element with consumerKey {CONSUMER_KEY:?} for a student"),
            ));
        }
        ("programOfferingAssociation", Some(c)) => {
            let mut m = Map::new();
            m.insert("consumerKey".into(), json!(CONSUMER_KEY));
            for key in ["startDate", "expectedEndDate", "finalEndDate"] {
                if let Some(d) = c.date(key)? {
                    m.insert(key.into(), json!(d.to_string()));
                }
            }
            if let Some(s) = c.str("sequenceCode")? {
                m.insert("sequenceCode".into(), json!(s));
            }
            consumers.push(Value::Object(m));
        }
        _ => {}
    }
    consumers.extend(others);
    if !consumers.is_empty() {
        out.insert("consumers".into(), Value::Array(consumers));
    }
    // Flow 1 carries no result; one that comes along anyway must still be well-formed.
    if let Some(r) = o.child("result")? {
        check_result(&r)?;
    }
    out.insert("person".into(), json!(person_id));
    out.insert("offering".into(), json!(offering_id));
    Ok(Association {
        id,
        association_type,
        role,
        state,
        person_id,
        offering_id,
        attempt,
        attempt_left,
        document: Value::Object(out),
    })
}

/// Flow 1 carries no result (it is not stored); one that comes along must still be well-formed.
fn check_result(r: &Obj) -> Parsed<()> {
    r.req_one_of("state", &RESULT_STATES)?;
    if r.date("resultDate")?.is_none() {
        return Err(r.bad("resultDate", "is mandatory (a date)"));
    }
    r.one_of("pass", &["unknown", "passed", "failed"])?;
    r.str("score")?;
    r.int("weight", 0, 100)?;
    let (consumer, _) = r.consumers()?;
    if let Some(c) = consumer {
        c.req_one_of("attendance", &ATTENDANCE)?;
        if let Some(s) = c.str("testDate")? {
            if time::parse_date_time_or_date(s).is_none() {
                return Err(c.bad("testDate", format!("{s:?} is not a date-time")));
            }
        }
    }
    Ok(())
}

/// Renames `extraTimeInMin` in a PATCH to the canonical `additionalTimeInMin`.
pub fn canonical_patch(patch: &mut Value) {
    super::merge::rename_in_consumer(patch, &[("extraTimeInMin", "additionalTimeInMin")], true);
}

/// The raw body with an expanded `person` reduced to its id, so no personal data stays
/// behind in the audit copy once the person is purged.
pub fn scrub_raw(raw: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(raw) else {
        return raw.to_string();
    };
    let id = v.get("person").and_then(|p| p.get("personId")).cloned();
    match (id, v.as_object_mut()) {
        (Some(id), Some(m)) => {
            m.insert("person".into(), id);
            v.to_string()
        }
        _ => raw.to_string(),
    }
}

pub enum AssociationPatch {
    Cancel,
    Merge,
}

pub fn check_patch(patch: &Value, path_id: Uuid, stored_type: &str) -> Parsed<AssociationPatch> {
    let o = Obj::root(patch)?;
    let kind = o.req_one_of("associationType", &ASSOCIATION_TYPES)?;
    if kind != stored_type {
        return Err(o.bad(
            "associationType",
            format!("is {stored_type:?} for this association and cannot change to {kind:?}"),
        ));
    }
    if o.has("associationId") && o.req_uuid("associationId")? != path_id {
        return Err(o.bad("associationId", "ids never change; leave it out of a PATCH"));
    }
    Ok(match o.one_of("state", &STATES)? {
        Some("canceled") => AssociationPatch::Cancel,
        _ => AssociationPatch::Merge,
    })
}

/// The answer to a PATCH (YAML: `{associationId, state, message}`).
pub fn patch_response(id: Uuid, state: &str) -> Value {
    json!({
        "associationId": id,
        "state": state,
        "message": [{"language": "nl-NL", "value": "verwerkt"}],
    })
}

pub fn with_state(document: &Value, state: &str) -> Value {
    let mut doc = document.clone();
    if let Some(m) = doc.as_object_mut() {
        m.insert("state".into(), json!(state));
    }
    doc
}

/// The document with `person` and/or `offering` replaced by the full objects.
pub fn expanded(document: &Value, person: Option<Value>, offering: Option<Value>) -> Value {
    let mut doc = document.clone();
    if let Some(m) = doc.as_object_mut() {
        if let Some(p) = person {
            m.insert("person".into(), p);
        }
        if let Some(o) = offering {
            m.insert("offering".into(), o);
        }
    }
    doc
}

/// The personal needs an enrolment grants for this exam (`personalNeeds` of the OKE
/// consumer) in a stored association document; `None` when it names none.
pub fn personal_needs(document: &str) -> Option<Vec<String>> {
    let doc: Value = serde_json::from_str(document).unwrap_or(Value::Null);
    let needs = super::read::our_consumer(&doc)["personalNeeds"].as_array()?;
    Some(
        needs
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
    )
}

/// The extra time the SIS granted for this exam (`additionalTimeInMin`; 10000 or more means
/// unlimited), from a stored association.
pub fn additional_minutes(document: &str) -> Option<i64> {
    let doc: Value = serde_json::from_str(document).unwrap_or(Value::Null);
    super::read::our_consumer(&doc)["additionalTimeInMin"].as_i64()
}

/// The `associationId` of an association as a SIS lists it (flow 1 pull), if valid.
pub fn id_of(a: &Value) -> Option<Uuid> {
    super::read::uuid_in(a, "associationId")
}

/// The person an association names: its id, or the id of an expanded person.
pub fn person_of(a: &Value) -> Option<Uuid> {
    match a.get("person") {
        Some(Value::String(s)) => Uuid::parse_str(s).ok(),
        Some(p @ Value::Object(_)) => super::read::uuid_in(p, "personId"),
        _ => None,
    }
}

/// An association as a SIS lists it, with an expanded person or offering replaced by its id
/// (they are stored on their own; the enrolment names them).
pub fn by_reference(mut a: Value, offering_id: Uuid) -> Value {
    if let Some(p) = person_of(&a) {
        a["person"] = Value::String(p.to_string());
    }
    if a.get("offering").is_some_and(Value::is_object) {
        a["offering"] = Value::String(offering_id.to_string());
    }
    a
}
