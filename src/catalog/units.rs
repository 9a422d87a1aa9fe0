//! Result units: the results one performance of an exam produces besides the exam's own (the
//! whole). A unit is a part of the exam (`part`: the criteria of that part's sections), or a
//! grouping of sections across parts (`sections`: e.g. a core task, *kerntaak*, assessed in
//! one proeve). Each has its own Component id and code (flow 0 lists it, a SIS may enrol on
//! it), result type, pass-from value and pass mark; the knock-out criteria among its criteria
//! count for it. The whole exam may read its grade from a conversion table, chosen by a
//! condition on the parts (NED-OOAPI issue 134: one table when every part passed, another
//! when a part failed).

use super::{Model, ResultValueType};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// One result the exam's performance produces besides the whole.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResultUnit {
    /// Its Component id in flow 0: stable across model versions.
    pub id: Uuid,
    /// Its readable code (the Component's `primaryCode`).
    pub code: String,
    pub name: String,
    /// A part of the exam: the criteria of that part's sections.
    pub part: Option<String>,
    /// Or a grouping of sections (their codes), across parts if need be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<String>,
    pub result_value_type: ResultValueType,
    pub pass_from: String,
    /// Minimum raw points of its own criteria to pass, with its knock-outs met.
    pub pass_mark: u32,
}

/// What a unit is, for the Component and the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Part,
    Group,
}

impl ResultUnit {
    pub fn kind(&self) -> UnitKind {
        if self.part.is_some() {
            UnitKind::Part
        } else {
            UnitKind::Group
        }
    }

    /// The codes of the criteria this unit judges, in the model's order.
    pub fn criteria<'m>(&self, model: &'m Model) -> Vec<&'m str> {
        model
            .sections
            .iter()
            .filter(|s| match &self.part {
                Some(p) => s.part.as_deref() == Some(p.as_str()),
                None => self.sections.iter().any(|c| c == &s.code),
            })
            .flat_map(|s| s.criteria.iter().map(|c| c.code.as_str()))
            .collect()
    }

    /// The highest raw score of its criteria.
    pub fn max_points(&self, model: &Model) -> u32 {
        let mine: HashSet<&str> = self.criteria(model).into_iter().collect();
        model
            .sections
            .iter()
            .flat_map(|s| &s.criteria)
            .filter(|c| mine.contains(c.code.as_str()))
            .filter_map(|c| model.scale(&c.scale))
            .filter_map(|s| s.levels.iter().map(|l| l.value).max())
            .sum()
    }
}

/// How an exam's parts are taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sittings {
    /// All in one performance: one moment, one set of sheets, whatever the SIS enrolled.
    #[default]
    Together,
    /// Each part on its own day (NED-OOAPI issue 134): a student enrolled on a part's
    /// planbare toets sits that part on its own (planned, scored and signed as an exam of
    /// its own criteria), and the whole's enrolment gets its result once every part has
    /// counted, each part's latest sitting.
    PerPart,
}

impl Sittings {
    pub fn is_together(&self) -> bool {
        *self == Sittings::Together
    }
}

impl Model {
    /// The model of one sitting of an exam taken per part: the part's sections only, its
    /// unit's pass mark, its unit as the only result, no conversion table (those are the
    /// whole's). `None`: the model has no unit for that part.
    pub fn sitting(&self, part: &str) -> Option<Model> {
        let unit = self
            .results
            .iter()
            .find(|u| u.part.as_deref() == Some(part))?;
        Some(Model {
            pass_mark: unit.pass_mark,
            good_mark: None,
            parts: self
                .parts
                .iter()
                .filter(|p| p.code == part)
                .cloned()
                .collect(),
            sections: self
                .sections
                .iter()
                .filter(|s| s.part.as_deref() == Some(part))
                .cloned()
                .collect(),
            results: vec![unit.clone()],
            conversions: Vec::new(),
            sittings: Sittings::Together,
            ..self.clone()
        })
    }

    /// The result unit of part `part`.
    pub fn part_unit(&self, part: &str) -> Option<&ResultUnit> {
        self.results
            .iter()
            .find(|u| u.part.as_deref() == Some(part))
    }
}

/// When a conversion table applies to the whole exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    Always,
    /// Every part unit passed.
    NoPartFailed,
    /// At least one part unit failed.
    APartFailed,
}

impl When {
    pub fn as_str(self) -> &'static str {
        match self {
            When::Always => "always",
            When::NoPartFailed => "no-part-failed",
            When::APartFailed => "a-part-failed",
        }
    }

    /// In the documents' words.
    pub fn dutch(self) -> &'static str {
        match self {
            When::Always => "altijd",
            When::NoPartFailed => "als geen onderdeel onvoldoende is",
            When::APartFailed => "als een onderdeel onvoldoende is",
        }
    }
}

/// A conversion table of the whole exam: from points to the grade. The first table whose
/// condition holds gives the grade; without one, the line through the cesuur does.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    pub when: When,
    /// Rows from low to high points: the grade of the last row whose `from` is reached.
    pub table: Vec<Row>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub from: u32,
    pub score: String,
}

impl Conversion {
    /// The grade at `raw` points.
    pub fn grade(&self, raw: u32) -> Option<&str> {
        self.table
            .iter()
            .rev()
            .find(|r| raw >= r.from)
            .map(|r| r.score.as_str())
    }
}

/// Checks the units and conversion tables of a model; the message names the field.
pub fn check(m: &Model, exam_id: Uuid, whole_type: ResultValueType) -> Result<(), String> {
    let mut ids = HashSet::from([exam_id]);
    let mut codes = HashSet::new();
    let sections: HashSet<&str> = m.sections.iter().map(|s| s.code.as_str()).collect();
    for (i, u) in m.results.iter().enumerate() {
        let at = format!("model.results[{i}]");
        if !ids.insert(u.id) {
            return Err(format!(
                "`{at}.id`: {} is used twice (or is the exam's own id)",
                u.id
            ));
        }
        if u.code.trim().is_empty() || !codes.insert(u.code.as_str()) {
            return Err(format!("`{at}.code`: must be given and unique"));
        }
        if u.name.trim().is_empty() {
            return Err(format!("`{at}.name`: must not be empty"));
        }
        match (&u.part, u.sections.is_empty()) {
            (Some(p), true) => {
                if !m.parts.iter().any(|x| &x.code == p) {
                    return Err(format!("`{at}.part`: unknown part {p:?}"));
                }
            }
            (None, false) => {
                if let Some(s) = u.sections.iter().find(|s| !sections.contains(s.as_str())) {
                    return Err(format!("`{at}.sections`: unknown section {s:?}"));
                }
            }
            _ => {
                return Err(format!(
                    "`{at}`: name either `part` (a part of the exam) or `sections` (a grouping)"
                ))
            }
        }
        if !u.result_value_type.allows(&u.pass_from) {
            return Err(format!(
                "`{at}.pass_from`: {:?} is not a value of result_value_type {:?}",
                u.pass_from,
                u.result_value_type.as_str()
            ));
        }
        let max = u.max_points(m);
        if u.pass_mark == 0 || u.pass_mark > max {
            return Err(format!(
                "`{at}.pass_mark`: must be between 1 and its maximum of {max} points"
            ));
        }
    }
    let has_parts = m.results.iter().any(|u| u.kind() == UnitKind::Part);
    for (i, c) in m.conversions.iter().enumerate() {
        let at = format!("model.conversions[{i}]");
        if c.when != When::Always && !has_parts {
            return Err(format!(
                "`{at}.when`: {:?} needs result units for the parts ([[model.results]] with `part`)",
                c.when.as_str()
            ));
        }
        if c.table.first().is_none_or(|r| r.from != 0) {
            return Err(format!("`{at}.table`: the first row is `from = 0`"));
        }
        for (j, r) in c.table.iter().enumerate() {
            if j > 0 && r.from <= c.table[j - 1].from {
                return Err(format!(
                    "`{at}.table[{j}].from`: rows go up in points ({} after {})",
                    r.from,
                    c.table[j - 1].from
                ));
            }
            if r.from > m.max_points() {
                return Err(format!(
                    "`{at}.table[{j}].from`: above the maximum of {} points",
                    m.max_points()
                ));
            }
            if !whole_type.allows(&r.score) {
                return Err(format!(
                    "`{at}.table[{j}].score`: {:?} is not a value of result_value_type {:?}",
                    r.score,
                    whole_type.as_str()
                ));
            }
        }
    }
    if m.sittings == Sittings::PerPart {
        if m.parts.is_empty() {
            return Err("`model.sittings`: \"per-part\" needs parts ([[model.parts]])".into());
        }
        if let Some(p) = m.parts.iter().find(|p| m.part_unit(&p.code).is_none()) {
            return Err(format!(
                "`model.sittings`: \"per-part\" needs a result unit for each part; part {:?} has none ([[model.results]] with `part = {:?}`)",
                p.code, p.code
            ));
        }
    }
    if let Some(i) = m
        .conversions
        .iter()
        .position(|c| c.when == When::Always)
        .filter(|&i| i + 1 < m.conversions.len())
    {
        return Err(format!(
            "`model.conversions[{i}].when`: `always` comes last (the tables after it never apply)"
        ));
    }
    Ok(())
}
