//! Persons (students and staff) as the SIS sends them.

use super::read::Obj;
use super::{Parsed, CONSUMER_KEY};
use serde_json::{json, Map, Value};
use uuid::Uuid;

const AFFILIATIONS: [&str; 3] = ["student", "employee", "guest"];

#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub display_name: String,
    pub primary_code: String,
    pub mail: String,
    pub document: Value,
}

pub fn parse(v: &Value, path_id: Uuid) -> Parsed<Person> {
    parse_at(v, path_id, "")
}

/// A person inside another document (an enrolment's `person`): its errors name the field
/// with `at` in front (`person.givenName`).
pub fn parse_at(v: &Value, path_id: Uuid, at: &str) -> Parsed<Person> {
    let o = Obj::root_at(v, at)?;
    let id = o.req_uuid("personId")?;
    if id != path_id {
        return Err(o.bad(
            "personId",
            format!("{id} differs from the id in the path ({path_id})"),
        ));
    }
    let mut out = Map::new();
    out.insert("personId".into(), json!(id));
    let primary_code = o.req_identifier("primaryCode")?;
    out.insert("primaryCode".into(), primary_code.clone());
    let given = o.req_text("givenName", 256)?;
    out.insert("givenName".into(), json!(given));
    if let Some(p) = o.str("surnamePrefix")? {
        out.insert("surnamePrefix".into(), json!(p));
    }
    let surname = o.req_text("surname", 256)?;
    out.insert("surname".into(), json!(surname));
    let display = o.req_text("displayName", 256)?;
    out.insert("displayName".into(), json!(display));
    // Mandatory, always true in OKE; a false is accepted and kept as sent.
    out.insert(
        "activeEnrollment".into(),
        json!(o.req_bool("activeEnrollment")?),
    );
    let affiliations = o
        .strings("affiliations", Some(&AFFILIATIONS))?
        .unwrap_or_default();
    out.insert("affiliations".into(), json!(affiliations));
    let mail = o.req_text("mail", 320)?;
    if !mail.contains('@') {
        return Err(o.bad("mail", format!("{mail:?} is not an e-mail address")));
    }
    out.insert("mail".into(), json!(mail));
    if let Some(l) = o.strings("languageOfChoice", None)? {
        out.insert("languageOfChoice".into(), json!(l));
    }
    if let Some(c) = o.identifiers("otherCodes")? {
        out.insert("otherCodes".into(), c);
    }

    let (consumer, others) = o.consumers()?;
    let mut ours = Map::new();
    ours.insert("consumerKey".into(), json!(CONSUMER_KEY));
    // preferredName moved into the consumer in the PDF; examples keep it at the top level.
    let preferred = match consumer
        .as_ref()
        .map(|c| c.str("preferredName"))
        .transpose()?
        .flatten()
    {
        Some(p) => Some(p),
        None => o.str("preferredName")?,
    };
    if let Some(p) = preferred {
        if p.chars().count() > 256 {
            return Err(o.bad("consumers.preferredName", "must be at most 256 characters"));
        }
        ours.insert("preferredName".into(), json!(p));
    }
    if let Some(c) = &consumer {
        if let Some(n) = c.str("idCheckName")? {
            ours.insert("idCheckName".into(), json!(n));
        }
        let needs = match c.get("assignedNeeds") {
            None => None,
            // Every example sends one object instead of a list.
            Some(Value::Object(_)) => {
                let wrapped = json!({"assignedNeeds": [c.get("assignedNeeds")]});
                Some(assigned_needs(&Obj::root(&wrapped)?, c.path())?)
            }
            Some(_) => Some(assigned_needs(c, c.path())?),
        };
        if let Some(n) = needs {
            ours.insert("assignedNeeds".into(), Value::Array(n));
        }
    }
    if affiliations.iter().any(|a| a == "student") {
        for key in ["preferredName", "idCheckName"] {
            if !ours.contains_key(key) {
                return Err(o.bad(
                    &format!("consumers[{CONSUMER_KEY}].{key}"),
                    "is mandatory for a student",
                ));
            }
        }
    }
    let mut consumers = Vec::new();
    if consumer.is_some() || ours.len() > 1 {
        consumers.push(Value::Object(ours));
    }
    consumers.extend(others);
    if !consumers.is_empty() {
        out.insert("consumers".into(), Value::Array(consumers));
    }
    Ok(Person {
        id,
        display_name: display.to_string(),
        primary_code: primary_code
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        mail: mail.to_string(),
        document: Value::Object(out),
    })
}

fn assigned_needs(c: &Obj, _path: &str) -> Parsed<Vec<Value>> {
    let mut out = Vec::new();
    for need in c.objects("assignedNeeds")?.unwrap_or_default() {
        let mut m = Map::new();
        m.insert("code".into(), json!(need.req_text("code", 256)?));
        m.insert(
            "description".into(),
            need.lang("description", true)?.unwrap_or_default(),
        );
        for key in ["startDate", "endDate"] {
            if let Some(d) = need.date(key)? {
                m.insert(key.into(), json!(d.to_string()));
            }
        }
        out.push(Value::Object(m));
    }
    Ok(out)
}

/// A need the school granted a student (`assignedNeeds` of the OKE consumer), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub code: String,
    /// The first description the SIS gave, if any.
    pub description: Option<String>,
}

/// What an exam uses of a stored person: the name to check the identity document against
/// and the needs granted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonFacts {
    pub id_check_name: Option<String>,
    pub assigned_needs: Vec<Need>,
}

/// The facts of a person document as [`parse`] normalised and stored it (already valid, so
/// read leniently: anything missing is absent).
pub fn facts(document: &str) -> PersonFacts {
    let doc: Value = serde_json::from_str(document).unwrap_or(Value::Null);
    let ours = super::read::our_consumer(&doc);
    let assigned_needs = ours["assignedNeeds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| {
            Some(Need {
                code: n["code"].as_str()?.to_string(),
                description: n["description"]
                    .as_array()
                    .and_then(|d| d.first())
                    .and_then(|d| d["value"].as_str())
                    .map(String::from),
            })
        })
        .collect();
    PersonFacts {
        id_check_name: ours["idCheckName"].as_str().map(String::from),
        assigned_needs,
    }
}
