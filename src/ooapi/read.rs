//! A small reader over a JSON object that knows where it is, so every complaint names the
//! field by its path (`consumers[0].offeringState`) and the rule it broke. `null` counts as
//! absent: OKE uses it to remove optional values.

use super::{time, Parsed, WireError, CONSUMER_KEY};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Clone)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    pub fn root(v: &'a Value) -> Parsed<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                path: String::new(),
            }),
            other => Err(WireError::Document(format!(
                "the body must be a JSON object, not {}",
                type_name(other)
            ))),
        }
    }

    /// An object inside a document, at `path` (the root when empty).
    pub fn root_at(v: &'a Value, path: &str) -> Parsed<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                path: path.to_string(),
            }),
            other if path.is_empty() => Obj::root(other),
            other => Err(WireError::bad(
                path,
                format!("must be an object, not {}", type_name(other)),
            )),
        }
    }

    pub fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn bad(&self, key: &str, rule: impl std::fmt::Display) -> WireError {
        WireError::bad(&self.at(key), rule)
    }

    /// The value, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn req(&self, key: &str) -> Parsed<&'a Value> {
        self.get(key).ok_or_else(|| self.bad(key, "is mandatory"))
    }

    pub fn str(&self, key: &str) -> Parsed<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !clean(s) => Err(self.bad(key, CONTROL)),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.bad(key, format!("must be a string, not {}", type_name(v)))),
        }
    }

    pub fn req_str(&self, key: &str) -> Parsed<&'a str> {
        self.str(key)?.ok_or_else(|| self.bad(key, "is mandatory"))
    }

    /// A mandatory string that must not be blank and fits `max` characters.
    pub fn req_text(&self, key: &str, max: usize) -> Parsed<&'a str> {
        let s = self.req_str(key)?;
        if s.trim().is_empty() {
            return Err(self.bad(key, "must not be empty"));
        }
        if s.chars().count() > max {
            return Err(self.bad(key, format!("must be at most {max} characters")));
        }
        Ok(s)
    }

    pub fn uuid(&self, key: &str) -> Parsed<Option<Uuid>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => parse_uuid(s)
                .map(Some)
                .ok_or_else(|| self.bad(key, format!("{s:?} is not a UUID"))),
        }
    }

    pub fn req_uuid(&self, key: &str) -> Parsed<Uuid> {
        self.uuid(key)?.ok_or_else(|| self.bad(key, "is mandatory"))
    }

    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Parsed<Option<&'a str>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s) => Ok(Some(s)),
            Some(s) => Err(self.bad(key, format!("{s:?} is not one of {}", allowed.join(", ")))),
        }
    }

    pub fn req_one_of(&self, key: &str, allowed: &[&str]) -> Parsed<&'a str> {
        self.one_of(key, allowed)?
            .ok_or_else(|| self.bad(key, format!("is mandatory (one of {})", allowed.join(", "))))
    }

    pub fn bool(&self, key: &str) -> Parsed<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.bad(key, format!("must be true or false, not {}", type_name(v)))),
        }
    }

    pub fn req_bool(&self, key: &str) -> Parsed<bool> {
        self.bool(key)?.ok_or_else(|| self.bad(key, "is mandatory"))
    }

    pub fn int(&self, key: &str, min: i64, max: i64) -> Parsed<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
                _ => Err(self.bad(key, format!("must be a whole number from {min} to {max}"))),
            },
            Some(v) => Err(self.bad(key, format!("must be a whole number, not {}", type_name(v)))),
        }
    }

    pub fn date_time(&self, key: &str) -> Parsed<Option<DateTime<FixedOffset>>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => time::parse_date_time(s).map(Some).ok_or_else(|| {
                self.bad(
                    key,
                    format!("{s:?} is not an RFC 3339 date-time such as 2026-03-12T09:00:00+01:00"),
                )
            }),
        }
    }

    pub fn req_date_time(&self, key: &str) -> Parsed<DateTime<FixedOffset>> {
        self.date_time(key)?
            .ok_or_else(|| self.bad(key, "is mandatory"))
    }

    pub fn date(&self, key: &str) -> Parsed<Option<NaiveDate>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => time::parse_date(s)
                .map(Some)
                .ok_or_else(|| self.bad(key, format!("{s:?} is not a date such as 2026-03-12"))),
        }
    }

    pub fn child(&self, key: &str) -> Parsed<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.at(key),
            })),
            Some(v) => Err(self.bad(key, format!("must be an object, not {}", type_name(v)))),
        }
    }

    pub fn array(&self, key: &str) -> Parsed<Option<&'a Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.bad(key, format!("must be an array, not {}", type_name(v)))),
        }
    }

    /// A list of objects, each readable with its own path.
    pub fn objects(&self, key: &str) -> Parsed<Option<Vec<Obj<'a>>>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = self.at(&format!("{key}[{i}]"));
            match item {
                Value::Object(map) => out.push(Obj { map, path: at }),
                v => {
                    return Err(WireError::bad(
                        &at,
                        format!("must be an object, not {}", type_name(v)),
                    ))
                }
            }
        }
        Ok(Some(out))
    }

    /// A list of strings, each from `allowed` when given.
    pub fn strings(&self, key: &str, allowed: Option<&[&str]>) -> Parsed<Option<Vec<String>>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{key}[{i}]");
            match item {
                Value::String(s) if !clean(s) => return Err(self.bad(&at, CONTROL)),
                Value::String(s) => {
                    if let Some(allowed) = allowed {
                        if !allowed.contains(&s.as_str()) {
                            return Err(self
                                .bad(&at, format!("{s:?} is not one of {}", allowed.join(", "))));
                        }
                    }
                    out.push(s.clone());
                }
                v => return Err(self.bad(&at, format!("must be a string, not {}", type_name(v)))),
            }
        }
        Ok(Some(out))
    }

    /// A multilingual text (`LanguageTypedString[]`), normalised. `required` demands at
    /// least one entry.
    pub fn lang(&self, key: &str, required: bool) -> Parsed<Option<Value>> {
        let items = match self.get(key) {
            None if required => {
                return Err(self.bad(key, "is mandatory (a list of {language, value})"))
            }
            None => return Ok(None),
            // Lenient: a plain string (seen in examples) is Dutch text.
            Some(Value::String(s)) => {
                return Ok(Some(serde_json::json!([{"language": "nl-NL", "value": s}])))
            }
            Some(Value::Array(a)) => a,
            Some(v) => {
                return Err(self.bad(
                    key,
                    format!(
                        "must be a list of {{language, value}}, not {}",
                        type_name(v)
                    ),
                ))
            }
        };
        if required && items.is_empty() {
            return Err(self.bad(key, "must hold at least one {language, value}"));
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{key}[{i}]");
            let Value::Object(m) = item else {
                return Err(self.bad(&at, "must be an object {language, value}"));
            };
            let language = match m.get("language") {
                Some(Value::String(l)) if valid_language(l) => l.clone(),
                Some(Value::String(l)) => {
                    return Err(self.bad(
                        &format!("{at}.language"),
                        format!("{l:?} is not a language tag such as nl-NL"),
                    ))
                }
                _ => {
                    return Err(self.bad(
                        &format!("{at}.language"),
                        "is mandatory (a language tag such as nl-NL)",
                    ))
                }
            };
            let value = match m.get("value") {
                Some(Value::String(v)) if !clean(v) => {
                    return Err(self.bad(&format!("{at}.value"), CONTROL))
                }
                Some(Value::String(v)) => v.clone(),
                _ => return Err(self.bad(&format!("{at}.value"), "is mandatory (a string)")),
            };
            out.push(serde_json::json!({"language": language, "value": value}));
        }
        Ok(Some(Value::Array(out)))
    }

    /// An `IdentifierEntry` `{codeType, code}`, normalised.
    pub fn identifier(&self, key: &str) -> Parsed<Option<Value>> {
        match self.get(key) {
            None => Ok(None),
            // Lenient: examples send a bare code string.
            Some(Value::String(s)) => Ok(Some(
                serde_json::json!({"codeType": "identifier", "code": s}),
            )),
            Some(v) => identifier_entry(v).map(Some).map_err(|r| self.bad(key, r)),
        }
    }

    pub fn req_identifier(&self, key: &str) -> Parsed<Value> {
        self.identifier(key)?
            .ok_or_else(|| self.bad(key, "is mandatory ({codeType, code})"))
    }

    pub fn identifiers(&self, key: &str) -> Parsed<Option<Value>> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(identifier_entry(item).map_err(|r| self.bad(&format!("{key}[{i}]"), r))?);
        }
        Ok(Some(Value::Array(out)))
    }

    /// A reference that is either an id or the expanded object carrying `id_field`.
    pub fn id_ref(&self, key: &str, id_field: &str) -> Parsed<Option<Uuid>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => parse_uuid(s)
                .map(Some)
                .ok_or_else(|| self.bad(key, format!("{s:?} is not a UUID"))),
            Some(Value::Object(m)) => match m.get(id_field) {
                Some(Value::String(s)) => parse_uuid(s).map(Some).ok_or_else(|| {
                    self.bad(&format!("{key}.{id_field}"), format!("{s:?} is not a UUID"))
                }),
                _ => Err(self.bad(
                    &format!("{key}.{id_field}"),
                    "is mandatory in an expanded object",
                )),
            },
            Some(v) => Err(self.bad(
                key,
                format!("must be a UUID or an object, not {}", type_name(v)),
            )),
        }
    }

    pub fn req_id_ref(&self, key: &str, id_field: &str) -> Parsed<Uuid> {
        self.id_ref(key, id_field)?
            .ok_or_else(|| self.bad(key, "is mandatory (the id of the object)"))
    }

    /// The OKE element of `consumers` (with its path) and the elements of other consumers,
    /// which are kept as they came.
    pub fn consumers(&self) -> Parsed<(Option<Obj<'a>>, Vec<Value>)> {
        let Some(items) = self.array("consumers")? else {
            return Ok((None, Vec::new()));
        };
        let mut ours = None;
        let mut others = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = self.at(&format!("consumers[{i}]"));
            let Value::Object(m) = item else {
                return Err(WireError::bad(&at, "must be an object with a consumerKey"));
            };
            match m.get("consumerKey") {
                Some(Value::String(k)) if k == CONSUMER_KEY => {
                    if ours.is_some() {
                        return Err(WireError::bad(
                            &at,
                            "a second nl-test-admin element; send one",
                        ));
                    }
                    ours = Some(Obj { map: m, path: at });
                }
                Some(Value::String(_)) => others.push(item.clone()),
                _ => {
                    return Err(WireError::bad(
                        &format!("{at}.consumerKey"),
                        "is mandatory (a string)",
                    ))
                }
            }
        }
        Ok((ours, others))
    }
}

fn identifier_entry(v: &Value) -> Result<Value, String> {
    let Value::Object(m) = v else {
        return Err("must be an object {codeType, code}".into());
    };
    let code_type = match m.get("codeType") {
        Some(Value::String(s)) if !clean(s) => return Err(CONTROL.into()),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err("needs a codeType (a string)".into()),
    };
    let code = match m.get("code") {
        Some(Value::String(s)) if !clean(s) => return Err(CONTROL.into()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("needs a code (a string)".into()),
    };
    Ok(serde_json::json!({"codeType": code_type, "code": code}))
}

const CONTROL: &str = "must not contain control characters";

/// Text without control characters other than tab and line breaks. (PostgreSQL cannot even
/// store a NUL, and none belongs in a name, code or address.)
fn clean(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A UUID string under `key` of a JSON object another system sent, if it is one.
pub fn uuid_in(v: &Value, key: &str) -> Option<Uuid> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// Our consumer (`nl-test-admin`) in a stored document's `consumers`, or `null`.
pub fn our_consumer(doc: &Value) -> &Value {
    doc["consumers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["consumerKey"] == CONSUMER_KEY))
        .unwrap_or(&Value::Null)
}

/// RFC 4122 UUIDs in their hyphenated form only.
pub fn parse_uuid(s: &str) -> Option<Uuid> {
    if s.len() != 36 {
        return None;
    }
    Uuid::parse_str(s).ok()
}

/// The shape the OOAPI schema allows for language tags (`nl-NL`, `en-GB`, `nld`).
fn valid_language(l: &str) -> bool {
    let mut parts = l.split('-');
    let first = parts.next().unwrap_or("");
    if !(2..=4).contains(&first.len()) || !first.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    parts.all(|p| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
            || (p.len() == 4
                && p.as_bytes()[0].is_ascii_uppercase()
                && p.bytes().skip(1).all(|b| b.is_ascii_lowercase()))
    })
}

/// The Dutch text of a multilingual value (first entry as fallback), as OKE prescribes.
pub fn dutch(v: &Value) -> String {
    let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .find(|i| i.get("language").and_then(Value::as_str) == Some("nl-NL"))
        .or_else(|| items.first())
        .and_then(|i| i.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
