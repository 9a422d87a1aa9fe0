//! The exam catalogue: practical exams and their assessment models, kept as TOML files in
//! `catalog/` (people write and review them), read and checked at start-up. A bad file stops
//! Proeve with a message naming the file and the field.

pub mod approval;
pub mod units;
pub mod versions;

pub use units::{Conversion, ResultUnit, Sittings, UnitKind, When};

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ResultValueType {
    #[serde(rename = "pass-or-fail")]
    PassOrFail,
    #[serde(rename = "insufficient-satisfactory-good")]
    InsufficientSatisfactoryGood,
    #[serde(rename = "0-10")]
    Whole0To10,
    #[serde(rename = "0.0-10.0")]
    Decimal0To10,
    #[serde(rename = "0-100")]
    Whole0To100,
}

impl ResultValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultValueType::PassOrFail => "pass-or-fail",
            ResultValueType::InsufficientSatisfactoryGood => "insufficient-satisfactory-good",
            ResultValueType::Whole0To10 => "0-10",
            ResultValueType::Decimal0To10 => "0.0-10.0",
            ResultValueType::Whole0To100 => "0-100",
        }
    }

    /// Whether `score` is a value this type allows (OKE-DIGEST §3.4).
    pub fn allows(self, score: &str) -> bool {
        let whole = |max: u32| {
            !score.is_empty()
                && score.len() <= 3
                && score.bytes().all(|b| b.is_ascii_digit())
                && score.parse::<u32>().is_ok_and(|v| v <= max)
                && (score == "0" || !score.starts_with('0'))
        };
        match self {
            ResultValueType::PassOrFail => matches!(score, "passed" | "failed"),
            ResultValueType::InsufficientSatisfactoryGood => {
                matches!(score, "insufficient" | "satisfactory" | "good")
            }
            ResultValueType::Whole0To10 => whole(10),
            ResultValueType::Whole0To100 => whole(100),
            ResultValueType::Decimal0To10 => match score.split_once('.') {
                Some((int, frac)) => {
                    frac.len() == 1
                        && frac.bytes().all(|b| b.is_ascii_digit())
                        && (int == "10" && frac == "0"
                            || (int.len() == 1 && int.bytes().all(|b| b.is_ascii_digit())))
                }
                None => false,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Inactive,
}

/// One practical exam as written in its catalogue file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exam {
    pub id: Uuid,
    pub code: String,
    pub abbreviation: String,
    pub name: String,
    pub description: String,
    pub crebo: Option<String>,
    /// The MBO level (*niveau*) 1 to 4 of the qualification the exam belongs to.
    pub level: Option<u8>,
    pub cohort: Option<String>,
    pub duration: Option<String>,
    pub result_value_type: ResultValueType,
    pub pass_from: String,
    pub retries: Option<u32>,
    #[serde(default = "active")]
    pub status: Status,
    #[serde(default = "situated")]
    pub mode_of_delivery: Vec<String>,
    #[serde(default)]
    pub available_personal_needs: Vec<String>,
    pub additional_testing_time: Option<u32>,
    pub test_provider: Option<String>,
    pub assessment: Option<String>,
    pub model: Model,
    /// The file it was read from, for messages.
    #[serde(skip)]
    pub source: String,
}

fn active() -> Status {
    Status::Active
}

fn situated() -> Vec<String> {
    vec!["situated".into()]
}

/// The assessment model: what assessors score and how it adds up. Versioned: an exam is
/// scored against the version it was planned with.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub version: u32,
    /// How many assessors must score and sign.
    pub assessors: u8,
    /// Minimum raw points to pass, with every knock-out criterion met (the cesuur).
    pub pass_mark: u32,
    /// For `insufficient-satisfactory-good`: points from which the result is `good`
    /// (default halfway between `pass_mark` and the maximum, rounded up).
    pub good_mark: Option<u32>,
    pub scales: Vec<Scale>,
    #[serde(default)]
    pub parts: Vec<Part>,
    pub sections: Vec<Section>,
    /// The results the performance produces besides the whole: parts, groupings ([`units`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ResultUnit>,
    /// Conversion tables of the whole exam's grade, the first that applies counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversions: Vec<Conversion>,
    /// How the parts are taken: in one performance (default), or each part on its own day
    /// (`per-part`: a planbare toets of a part is its own sitting; [`units`]).
    #[serde(default, skip_serializing_if = "Sittings::is_together")]
    pub sittings: Sittings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub levels: Vec<Level>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub value: u32,
    pub label: String,
}

/// A part taken on its own day; the points of all parts combine.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    pub title: String,
    pub part: Option<String>,
    pub criteria: Vec<Criterion>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub code: String,
    pub text: String,
    pub scale: String,
    #[serde(default)]
    pub knock_out: bool,
    /// For a knock-out criterion: the lowest level value that meets it.
    pub knock_out_min: Option<u32>,
    /// What each level of the scale means for this criterion, lowest level first (optional;
    /// one per level when given). Shown to the assessor under the options: bare rating
    /// words are known to hurt the agreement between two assessors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descriptors: Vec<String>,
}

impl Model {
    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// The highest raw score possible.
    pub fn max_points(&self) -> u32 {
        self.sections
            .iter()
            .flat_map(|s| &s.criteria)
            .filter_map(|c| self.scale(&c.scale))
            .filter_map(|s| s.levels.iter().map(|l| l.value).max())
            .sum()
    }
}

/// All exams, in catalogue order (sorted by code).
#[derive(Debug, Default)]
pub struct Catalog {
    pub exams: Vec<Exam>,
}

#[derive(Debug, thiserror::Error)]
#[error("catalogue: {0}")]
pub struct CatalogError(pub String);

impl Catalog {
    pub fn load(dir: &Path) -> Result<Self, CatalogError> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            CatalogError(format!("cannot read the directory {}: {e}", dir.display()))
        })?;
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut exams = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CatalogError(format!("{}: {e}", file.display())))?;
            exams.push(Self::parse(&file.display().to_string(), &text)?);
        }
        Self::from_exams(exams)
    }

    /// One catalogue file, parsed and checked; `name` is used in messages.
    pub fn parse(name: &str, text: &str) -> Result<Exam, CatalogError> {
        let mut exam: Exam = toml::from_str(text)
            .map_err(|e| CatalogError(format!("{name}: {}", e.to_string().trim())))?;
        exam.source = name.to_string();
        check(&exam).map_err(|m| CatalogError(format!("{name}: {m}")))?;
        Ok(exam)
    }

    pub fn from_exams(mut exams: Vec<Exam>) -> Result<Self, CatalogError> {
        let mut ids = HashSet::new();
        let mut codes = HashSet::new();
        for e in &exams {
            if !ids.insert(e.id) {
                return Err(CatalogError(format!(
                    "exam {}: `id` {} is used twice",
                    e.code, e.id
                )));
            }
            for u in &e.model.results {
                if !ids.insert(u.id) {
                    return Err(CatalogError(format!(
                        "exam {}: result unit {}: `id` {} is used twice in the catalogue",
                        e.code, u.code, u.id
                    )));
                }
            }
            if !codes.insert(e.code.clone()) {
                return Err(CatalogError(format!(
                    "exam {}: `code` is used twice",
                    e.code
                )));
            }
        }
        exams.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Catalog { exams })
    }

    pub fn get(&self, id: Uuid) -> Option<&Exam> {
        self.exams.iter().find(|e| e.id == id)
    }

    /// What a Component id of flow 0 names: an exam (the whole), or one of its result units.
    pub fn resolve(&self, id: Uuid) -> Option<(&Exam, Option<&ResultUnit>)> {
        self.exams.iter().find_map(|e| {
            if e.id == id {
                return Some((e, None));
            }
            e.model
                .results
                .iter()
                .find(|u| u.id == id)
                .map(|u| (e, Some(u)))
        })
    }
}

fn check(e: &Exam) -> Result<(), String> {
    let nonempty = |key: &str, v: &str| {
        if v.trim().is_empty() {
            Err(format!("`{key}`: must not be empty"))
        } else {
            Ok(())
        }
    };
    nonempty("code", &e.code)?;
    nonempty("name", &e.name)?;
    nonempty("abbreviation", &e.abbreviation)?;
    if e.abbreviation.chars().count() > 256 {
        return Err("`abbreviation`: must be at most 256 characters".into());
    }
    if let Some(c) = &e.crebo {
        if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`crebo`: {c:?} must be 5 digits"));
        }
    }
    if let Some(l) = e.level {
        if !(1..=4).contains(&l) {
            return Err(format!("`level`: {l} must be an MBO level, 1 to 4"));
        }
    }
    if let Some(c) = &e.cohort {
        let b = c.as_bytes();
        if !(b.len() == 5 && b[2] == b'-' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())) {
            return Err(format!("`cohort`: {c:?} must look like 24-25"));
        }
    }
    if let Some(d) = &e.duration {
        if !crate::iso8601::is_duration(d) {
            return Err(format!(
                "`duration`: {d:?} is not an ISO 8601 duration such as PT4H"
            ));
        }
    }
    if !e.result_value_type.allows(&e.pass_from) {
        return Err(format!(
            "`pass_from`: {:?} is not a value of result_value_type {:?}",
            e.pass_from,
            e.result_value_type.as_str()
        ));
    }
    for (i, m) in e.mode_of_delivery.iter().enumerate() {
        if !["distance-learning", "online", "situated"].contains(&m.as_str()) {
            return Err(format!(
                "`mode_of_delivery[{i}]`: {m:?} is not distance-learning, online or situated"
            ));
        }
    }
    for (i, n) in e.available_personal_needs.iter().enumerate() {
        if !["extraTime", "spoken", "spell-checker-on-screen"].contains(&n.as_str()) {
            return Err(format!(
                "`available_personal_needs[{i}]`: {n:?} is not extraTime, spoken or spell-checker-on-screen"
            ));
        }
    }
    let m = &e.model;
    if m.version == 0 {
        return Err("`model.version`: must be 1 or higher".into());
    }
    if !(1..=3).contains(&m.assessors) {
        return Err("`model.assessors`: must be 1, 2 or 3".into());
    }
    let mut scale_ids = HashSet::new();
    for (i, s) in m.scales.iter().enumerate() {
        if !scale_ids.insert(s.id.as_str()) {
            return Err(format!("`model.scales[{i}].id`: {:?} is used twice", s.id));
        }
        if !(2..=5).contains(&s.levels.len()) {
            return Err(format!(
                "`model.scales[{i}].levels`: a scale has 2 to 5 levels"
            ));
        }
        for (j, l) in s.levels.iter().enumerate() {
            if l.value != j as u32 {
                return Err(format!(
                    "`model.scales[{i}].levels[{j}].value`: levels count up from 0 in steps of 1 (expected {j})"
                ));
            }
            if l.label.trim().is_empty() {
                return Err(format!(
                    "`model.scales[{i}].levels[{j}].label`: must not be empty"
                ));
            }
        }
    }
    let parts: HashSet<&str> = m.parts.iter().map(|p| p.code.as_str()).collect();
    if parts.len() != m.parts.len() {
        return Err("`model.parts`: part codes must be unique".into());
    }
    if m.sections.is_empty() {
        return Err("`model.sections`: an exam needs at least one section".into());
    }
    let mut codes = HashSet::new();
    for (i, s) in m.sections.iter().enumerate() {
        match (&s.part, parts.is_empty()) {
            (Some(p), false) if parts.contains(p.as_str()) => {}
            (Some(p), false) => {
                return Err(format!("`model.sections[{i}].part`: unknown part {p:?}"))
            }
            (None, false) => {
                return Err(format!(
                    "`model.sections[{i}].part`: this exam has parts; name one"
                ))
            }
            (Some(_), true) => {
                return Err(format!(
                    "`model.sections[{i}].part`: this exam has no [[model.parts]]"
                ))
            }
            (None, true) => {}
        }
        if s.criteria.is_empty() {
            return Err(format!(
                "`model.sections[{i}].criteria`: a section needs at least one criterion"
            ));
        }
        for (j, c) in s.criteria.iter().enumerate() {
            let at = format!("model.sections[{i}].criteria[{j}]");
            if !codes.insert(c.code.as_str()) {
                return Err(format!("`{at}.code`: {:?} is used twice", c.code));
            }
            let Some(scale) = m.scale(&c.scale) else {
                return Err(format!("`{at}.scale`: unknown scale {:?}", c.scale));
            };
            if !c.descriptors.is_empty() && c.descriptors.len() != scale.levels.len() {
                return Err(format!(
                    "`{at}.descriptors`: one per level of scale {:?} ({}), not {}",
                    c.scale,
                    scale.levels.len(),
                    c.descriptors.len()
                ));
            }
            if c.descriptors.iter().any(|d| d.trim().is_empty()) {
                return Err(format!("`{at}.descriptors`: a descriptor is empty"));
            }
            if let Some(min) = c.knock_out_min {
                if !c.knock_out {
                    return Err(format!("`{at}.knock_out_min`: only for knock_out criteria"));
                }
                if min == 0 || min as usize >= scale.levels.len() {
                    return Err(format!(
                        "`{at}.knock_out_min`: must be a level of scale {:?} above 0",
                        c.scale
                    ));
                }
            }
        }
    }
    if m.pass_mark == 0 || m.pass_mark > m.max_points() {
        return Err(format!(
            "`model.pass_mark`: must be between 1 and the maximum of {} points",
            m.max_points()
        ));
    }
    if let Some(good) = m.good_mark {
        if e.result_value_type != ResultValueType::InsufficientSatisfactoryGood {
            return Err(
                "`model.good_mark`: only for result_value_type insufficient-satisfactory-good"
                    .into(),
            );
        }
        if good <= m.pass_mark || good > m.max_points() {
            return Err(format!(
                "`model.good_mark`: must be above pass_mark and at most the maximum of {} points",
                m.max_points()
            ));
        }
    }
    units::check(m, e.id, e.result_value_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_types_accept_exactly_their_values() {
        use ResultValueType::*;
        assert!(
            Decimal0To10.allows("5.5") && Decimal0To10.allows("10.0") && Decimal0To10.allows("0.0")
        );
        assert!(
            !Decimal0To10.allows("7")
                && !Decimal0To10.allows("10.5")
                && !Decimal0To10.allows("5,5")
        );
        assert!(Whole0To10.allows("6") && Whole0To10.allows("10") && !Whole0To10.allows("7.5"));
        assert!(!Whole0To10.allows("11") && !Whole0To10.allows("06"));
        assert!(Whole0To100.allows("100") && !Whole0To100.allows("101"));
        assert!(PassOrFail.allows("passed") && !PassOrFail.allows("pass"));
        assert!(
            InsufficientSatisfactoryGood.allows("good")
                && !InsufficientSatisfactoryGood.allows("goed")
        );
    }

    #[test]
    fn the_shipped_catalogue_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
        let catalog = Catalog::load(&dir).map_err(|e| e.to_string());
        assert!(
            matches!(&catalog, Ok(c) if c.exams.len() >= 3),
            "{catalog:?}"
        );
    }

    #[test]
    fn a_bad_file_names_itself_and_the_field() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/kok-niveau-2.toml");
        let text = std::fs::read_to_string(dir).unwrap_or_default();
        let broken = text.replace("scale = \"0-3\"", "scale = \"0-9\"");
        let err = Catalog::parse("kok.toml", &broken)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("kok.toml")
                && e.contains(".scale`")
                && e.contains("0-9")),
            "{err:?}"
        );
        // A descriptor per level, or none: three for a scale of four is refused by name.
        let short = text.replacen(
            "  \"Geen of een onbruikbare planning; begint zonder overzicht.\",\n",
            "",
            1,
        );
        assert_ne!(short, text, "the Kok exam describes its levels");
        let err = Catalog::parse("kok.toml", &short)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(
                |e| e.contains("criteria[0].descriptors`") && e.contains("one per level")
            ),
            "{err:?}"
        );
        let unknown = text.replacen("code = ", "colour = \"red\"\ncode = ", 1);
        let err = Catalog::parse("kok.toml", &unknown)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("kok.toml") && e.contains("colour")),
            "{err:?}"
        );
    }

    #[test]
    fn an_exam_taken_per_part_has_a_model_for_each_sitting_and_a_unit_for_each_part() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("catalog/eerste-monteur-elektrotechniek-niveau-3.toml");
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let exam = Catalog::parse("emei.toml", &text).map_err(|e| e.to_string());
        let Ok(exam) = exam else {
            panic!("{exam:?}");
        };
        assert_eq!(exam.model.sittings, Sittings::PerPart);
        // Part B's sitting: its sections and criteria only, its unit's pass mark, no table.
        let b = exam
            .model
            .sitting("B")
            .unwrap_or_else(|| panic!("no part B"));
        assert!(b.sections.iter().all(|s| s.part.as_deref() == Some("B")));
        assert!(!b.sections.is_empty());
        assert_eq!(b.pass_mark, 17);
        assert_eq!(b.max_points(), 28);
        assert!(b.conversions.is_empty() && b.results.len() == 1);
        assert!(exam.model.sitting("Z").is_none());
        // Per part, every part needs its result unit: the message names the part.
        let start = text.find("[[model.results]]\nid = \"5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08d4\"");
        let end = start.and_then(|s| text[s..].find("pass_mark = 9").map(|e| s + e + 13));
        let (Some(start), Some(end)) = (start, end) else {
            panic!("the sample has part D's unit");
        };
        let without_d = format!("{}{}", &text[..start], &text[end..]);
        let err = Catalog::parse("emei.toml", &without_d)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("model.sittings") && e.contains("\"D\"")),
            "{err:?}"
        );
    }
}
