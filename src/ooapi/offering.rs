//! Offerings as the SIS sends them: a planbare toets (`component`), or student context
//! (`program`, `course`). Parsing validates every field per the OKE tables, accepts the known
//! deviations (§7 of the digest) and yields the normalised document served back.

use super::read::{dutch, Obj};
use super::{time, Parsed, CONSUMER_KEY};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub const OFFERING_TYPES: [&str; 3] = ["component", "program", "course"];
pub const RESULT_VALUE_TYPES: [&str; 10] = [
    "pass-or-fail",
    "insufficient-satisfactory-good",
    "US letter",
    "UK letter",
    "DE grade",
    "0-100",
    "0-10",
    "0.0-10.0",
    "referenceLevelRKTR",
    "referenceLevelERK",
];
const MODES_OF_DELIVERY: [&str; 5] = [
    "distance-learning",
    "online",
    "situated",
    "on campus",
    "hybrid",
];
const SAFETY: [&str; 3] = ["securedComputer", "fixedLocation", "surveillance"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferingState {
    Active,
    Canceled,
}

impl OfferingState {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferingState::Active => "active",
            OfferingState::Canceled => "canceled",
        }
    }
}

/// An offering, parsed and normalised.
#[derive(Debug, Clone)]
pub struct Offering {
    pub id: Uuid,
    pub offering_type: &'static str,
    pub state: OfferingState,
    /// Whether the SIS sent `offeringState` (absent means active, but must not revive a
    /// canceled offering).
    pub state_given: bool,
    pub name: String,
    pub code: String,
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub result_expected: bool,
    pub result_value_type: Option<String>,
    pub final_results_allowed: bool,
    /// Catalogue tests the SIS asked for, in its order of preference.
    pub requested_components: Vec<Uuid>,
    /// The normalised OKE document.
    pub document: Value,
}

fn offering_type(s: &str) -> &'static str {
    OFFERING_TYPES
        .into_iter()
        .find(|t| *t == s)
        .unwrap_or("component")
}

/// Parses a full offering (PUT body, or a stored document with a PATCH merged in).
pub fn parse(v: &Value, path_id: Uuid) -> Parsed<Offering> {
    let o = Obj::root(v)?;
    let id = o.req_uuid("offeringId")?;
    if id != path_id {
        return Err(o.bad(
            "offeringId",
            format!("{id} differs from the id in the path ({path_id})"),
        ));
    }
    let kind = offering_type(o.req_one_of("offeringType", &OFFERING_TYPES)?);
    let mut out = Map::new();
    out.insert("offeringId".into(), json!(id));
    out.insert("primaryCode".into(), o.req_identifier("primaryCode")?);
    out.insert("offeringType".into(), json!(kind));
    let name = o.lang("name", true)?.unwrap_or_default();
    out.insert("name".into(), name.clone());
    if let Some(d) = o.lang("description", true)? {
        out.insert("description".into(), d);
    }
    let teaching_language = o
        .str("teachingLanguage")?
        .ok_or_else(|| o.bad("teachingLanguage", "is mandatory (nld)"))?;
    out.insert("teachingLanguage".into(), json!(teaching_language));
    if let Some(m) = o.strings("modeOfDelivery", Some(&MODES_OF_DELIVERY))? {
        out.insert("modeOfDelivery".into(), json!(m));
    }
    let result_expected = o.req_bool("resultExpected")?;
    out.insert("resultExpected".into(), json!(result_expected));
    let result_value_type = o.one_of("resultValueType", &RESULT_VALUE_TYPES)?;
    if let Some(r) = result_value_type {
        out.insert("resultValueType".into(), json!(r));
    }
    if let Some(c) = o.identifiers("otherCodes")? {
        out.insert("otherCodes".into(), c);
    }
    if let Some(org) = o.id_ref("organization", "organizationId")? {
        out.insert("organization".into(), json!(org));
    }

    let (consumer, others) = o.consumers()?;
    let mut start_at = None;
    let mut end_at = None;
    let mut state = OfferingState::Active;
    let mut state_given = false;
    let mut final_results_allowed = true;
    let mut requested_components = Vec::new();
    let mut consumers: Vec<Value> = Vec::new();
    match kind {
        "component" => {
            let start = o.req_date_time("startDateTime")?;
            let end = o.req_date_time("endDateTime")?;
            if end < start {
                return Err(o.bad("endDateTime", "must not be before startDateTime"));
            }
            out.insert(
                "startDateTime".into(),
                json!(time::format_date_time(&start)),
            );
            out.insert("endDateTime".into(), json!(time::format_date_time(&end)));
            start_at = Some(start.with_timezone(&Utc));
            end_at = Some(end.with_timezone(&Utc));
            let component = o.id_ref("component", "componentId")?;
            if let Some(c) = component {
                out.insert("component".into(), json!(c));
            }
            let Some(c) = consumer else {
                return Err(o.bad(
                    "consumers",
                    format!("must hold an element with consumerKey {CONSUMER_KEY:?}"),
                ));
            };
            let parsed = component_consumer(&c)?;
            state = parsed.state;
            state_given = c.has("offeringState");
            final_results_allowed = parsed.final_results_allowed;
            requested_components = parsed.tests;
            requested_components.extend(component);
            consumers.push(parsed.document);
        }
        _ => {
            let start = o
                .date("startDate")?
                .ok_or_else(|| o.bad("startDate", "is mandatory"))?;
            let end = o
                .date("endDate")?
                .ok_or_else(|| o.bad("endDate", "is mandatory"))?;
            if end < start {
                return Err(o.bad("endDate", "must not be before startDate"));
            }
            out.insert("startDate".into(), json!(start.to_string()));
            out.insert("endDate".into(), json!(end.to_string()));
            for (key, field) in [
                ("program", "programId"),
                ("programOffering", "offeringId"),
                ("course", "courseId"),
            ] {
                if let Some(r) = o.id_ref(key, field)? {
                    out.insert(key.into(), json!(r));
                }
            }
            match consumer {
                Some(c) => {
                    let (doc, s) = context_consumer(&c, kind == "program")?;
                    state = s;
                    state_given = c.has("offeringState");
                    consumers.push(doc);
                }
                None if kind == "program" => {
                    return Err(o.bad("consumers", format!("must hold an element with consumerKey {CONSUMER_KEY:?} (cohort, location)")));
                }
                None => {}
            }
        }
    }
    consumers.extend(others);
    if !consumers.is_empty() {
        out.insert("consumers".into(), Value::Array(consumers));
    }
    let code = out
        .get("primaryCode")
        .and_then(|p| p.get("code"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(Offering {
        id,
        offering_type: kind,
        state,
        state_given,
        name: dutch(&name),
        code,
        start_at,
        end_at,
        result_expected,
        result_value_type: result_value_type.map(str::to_string),
        final_results_allowed,
        requested_components,
        document: Value::Object(out),
    })
}

struct ComponentConsumer {
    state: OfferingState,
    final_results_allowed: bool,
    tests: Vec<Uuid>,
    document: Value,
}

fn read_state(c: &Obj) -> Parsed<OfferingState> {
    // Absent means active (digest §7 #12).
    Ok(match c.one_of("offeringState", &["active", "canceled"])? {
        Some("canceled") => OfferingState::Canceled,
        _ => OfferingState::Active,
    })
}

fn component_consumer(c: &Obj) -> Parsed<ComponentConsumer> {
    let state = read_state(c)?;
    let mut out = Map::new();
    out.insert("consumerKey".into(), json!(CONSUMER_KEY));
    out.insert("offeringState".into(), json!(state.as_str()));
    // The PDF spells it finalResultsAllowed, the YAML finalResultAllowed; either false wins.
    let a = c.bool("finalResultsAllowed")?;
    let b = c.bool("finalResultAllowed")?;
    let final_allowed = match (a, b) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(true) && y.unwrap_or(true)),
    };
    if let Some(f) = final_allowed {
        out.insert("finalResultsAllowed".into(), json!(f));
    }
    let duration = match c.get("duration") {
        None => None,
        Some(Value::String(s)) if crate::iso8601::is_duration(s) => Some(s.clone()),
        // Lenient: whole minutes (flow2.md).
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            Some(format!("PT{}M", n.as_u64().unwrap_or(0)))
        }
        Some(_) => return Err(c.bad("duration", "must be an ISO 8601 duration such as PT40M")),
    };
    if let Some(d) = duration {
        out.insert("duration".into(), json!(d));
    }
    for alias in [
        "lastPossibleStartDateTime",
        "lastPossibleStartTime",
        "entryDateTime",
    ] {
        if let Some(dt) = c.date_time(alias)? {
            out.insert(
                "lastPossibleStartDateTime".into(),
                json!(time::format_date_time(&dt)),
            );
            break;
        }
    }
    for (key, allowed) in [
        ("startOptions", &["individualStart", "triggeredStart"][..]),
        (
            "durationFrom",
            &[
                "startDateTime",
                "individualStartDateTime",
                "triggeredStartDateTime",
            ][..],
        ),
        ("durationUntil", &["testDuration", "endDateTime"][..]),
    ] {
        if let Some(v) = c.one_of(key, allowed)? {
            out.insert(key.into(), json!(v));
        }
    }
    if let Some(s) = c.strings("safety", Some(&SAFETY))? {
        out.insert("safety".into(), json!(s));
    }
    if let Some(l) = c.str("locationCode")? {
        out.insert("locationCode".into(), json!(l));
    }
    let mut tests = Vec::new();
    if let Some(entries) = c.objects("testsToBeUsed")? {
        let mut doc = Vec::new();
        for e in entries {
            let provider = e.req_str("testProvider")?;
            let component_id = match e.get("componentId") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(e.bad("componentId", "is mandatory (a string)")),
            };
            if let Some(u) = super::read::parse_uuid(&component_id) {
                tests.push(u);
            }
            doc.push(json!({"testProvider": provider, "componentId": component_id}));
        }
        out.insert("testsToBeUsed".into(), Value::Array(doc));
    }
    Ok(ComponentConsumer {
        state,
        final_results_allowed: final_allowed.unwrap_or(true),
        tests,
        document: Value::Object(out),
    })
}

fn context_consumer(c: &Obj, program: bool) -> Parsed<(Value, OfferingState)> {
    let state = read_state(c)?;
    let mut out = Map::new();
    out.insert("consumerKey".into(), json!(CONSUMER_KEY));
    // Always given when read back: the nl-test-admin consumer of an offering requires it.
    out.insert("offeringState".into(), json!(state.as_str()));
    match c.str("cohort")? {
        Some(cohort) => {
            out.insert("cohort".into(), json!(cohort));
        }
        None if program => return Err(c.bad("cohort", "is mandatory for a programme offering")),
        None => {}
    }
    // `location` as a string (PDF table), a list (PDF figure) or `locationCode` (flow1.md).
    let location = match c.get("location") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(_)) => c.strings("location", None)?.map(|l| l.join(", ")),
        Some(_) => return Err(c.bad("location", "must be a string")),
        None => c.str("locationCode")?.map(str::to_string),
    };
    match location {
        Some(l) => {
            out.insert("location".into(), json!(l));
        }
        None if program => return Err(c.bad("location", "is mandatory for a programme offering")),
        None => {}
    }
    Ok((Value::Object(out), state))
}

/// What a PATCH on an offering asks for.
pub enum OfferingPatch {
    /// Withdraw the offering; everything else in the body is ignored.
    Cancel,
    /// Merge these fields into the stored document.
    Merge,
}

/// Checks the PATCH rules that hold before merging: `offeringType` present and unchanged,
/// no different id. Tells a cancellation apart.
pub fn check_patch(patch: &Value, path_id: Uuid, stored_type: &str) -> Parsed<OfferingPatch> {
    let o = Obj::root(patch)?;
    let kind = o.req_one_of("offeringType", &OFFERING_TYPES)?;
    if kind != stored_type {
        return Err(o.bad(
            "offeringType",
            format!("is {stored_type:?} for this offering and cannot change to {kind:?}"),
        ));
    }
    if o.has("offeringId") {
        let id = o.req_uuid("offeringId")?;
        if id != path_id {
            return Err(o.bad("offeringId", "ids never change; leave it out of a PATCH"));
        }
    }
    let (consumer, _) = o.consumers()?;
    if let Some(c) = consumer {
        if read_state(&c)? == OfferingState::Canceled {
            return Ok(OfferingPatch::Cancel);
        }
    }
    Ok(OfferingPatch::Merge)
}

/// Renames the deviating spellings in a PATCH to the canonical keys the stored document uses,
/// so that a patch saying `finalResultAllowed` or `entryDateTime` changes what it means to.
pub fn canonical_patch(patch: &mut Value) {
    super::merge::rename_in_consumer(
        patch,
        &[
            ("finalResultAllowed", "finalResultsAllowed"),
            ("lastPossibleStartTime", "lastPossibleStartDateTime"),
            ("entryDateTime", "lastPossibleStartDateTime"),
            ("locationCode", "location"),
        ],
        // locationCode is the canonical key of a planbare toets; only context offerings map it.
        patch.get("offeringType").and_then(Value::as_str) != Some("component"),
    );
}

/// The stored document with its OKE state set (after a cancellation).
pub fn with_state(document: &Value, state: OfferingState) -> Value {
    let mut doc = document.clone();
    if let Some(items) = doc.get_mut("consumers").and_then(Value::as_array_mut) {
        if let Some(ours) = items
            .iter_mut()
            .find(|c| c.get("consumerKey").and_then(Value::as_str) == Some(CONSUMER_KEY))
        {
            ours["offeringState"] = json!(state.as_str());
            return doc;
        }
        items.insert(
            0,
            json!({"consumerKey": CONSUMER_KEY, "offeringState": state.as_str()}),
        );
    } else if let Some(map) = doc.as_object_mut() {
        map.insert(
            "consumers".into(),
            json!([{"consumerKey": CONSUMER_KEY, "offeringState": state.as_str()}]),
        );
    }
    doc
}

/// The `offeringId` of an offering as a SIS lists it (flow 1 pull), if valid.
pub fn id_of(o: &Value) -> Option<Uuid> {
    super::read::uuid_in(o, "offeringId")
}
