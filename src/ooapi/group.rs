//! Ad-hoc groups and their memberships (optional in OKE; Proeve accepts them).

use super::read::Obj;
use super::{time, Parsed};
use serde_json::{json, Map, Value};
use uuid::Uuid;

const GROUP_TYPES: [&str; 3] = ["learning group", "class", "team"];

pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub document: Value,
}

pub fn parse_group(v: &Value, path_id: Uuid) -> Parsed<Group> {
    let o = Obj::root(v)?;
    let id = o.req_uuid("groupId")?;
    if id != path_id {
        return Err(o.bad(
            "groupId",
            format!("{id} differs from the id in the path ({path_id})"),
        ));
    }
    let mut out = Map::new();
    out.insert("groupId".into(), json!(id));
    out.insert("primaryCode".into(), o.req_identifier("primaryCode")?);
    out.insert(
        "groupType".into(),
        json!(o.req_one_of("groupType", &GROUP_TYPES)?),
    );
    let name = o.lang("name", true)?.unwrap_or_default();
    out.insert("name".into(), name.clone());
    if let Some(d) = o.lang("description", false)? {
        out.insert("description".into(), d);
    }
    for key in ["startDate", "endDate"] {
        if let Some(d) = o.date(key)? {
            out.insert(key.into(), json!(d.to_string()));
        }
    }
    if let Some(n) = o.int("personCount", 0, i32::MAX.into())? {
        out.insert("personCount".into(), json!(n));
    }
    if let Some(c) = o.identifiers("otherCodes")? {
        out.insert("otherCodes".into(), c);
    }
    if let Some(org) = o.id_ref("organization", "organizationId")? {
        out.insert("organization".into(), json!(org));
    }
    Ok(Group {
        id,
        name: super::read::dutch(&name),
        document: Value::Object(out),
    })
}

pub struct Membership {
    pub person_id: Uuid,
    pub state: &'static str,
    pub document: Value,
}

pub fn parse_membership(v: &Value, path_person: Uuid) -> Parsed<Membership> {
    let o = Obj::root(v)?;
    let id = o.req_uuid("personId")?;
    if id != path_person {
        return Err(o.bad(
            "personId",
            format!("{id} differs from the person id in the path ({path_person})"),
        ));
    }
    let start = o.req_date_time("startDateTime")?;
    let mut out = Map::new();
    out.insert("personId".into(), json!(id));
    out.insert(
        "startDateTime".into(),
        json!(time::format_date_time(&start)),
    );
    if let Some(end) = o.date_time("endDateTime")? {
        if end < start {
            return Err(o.bad("endDateTime", "must not be before startDateTime"));
        }
        out.insert("endDateTime".into(), json!(time::format_date_time(&end)));
    }
    let state = match o.one_of("state", &["active", "canceled"])? {
        Some("canceled") => "canceled",
        _ => "active",
    };
    out.insert("state".into(), json!(state));
    if let Some(r) = o.one_of("role", &super::association::ROLES)? {
        out.insert("role".into(), json!(r));
    }
    Ok(Membership {
        person_id: id,
        state,
        document: Value::Object(out),
    })
}
