//! The scoring engine: criterion scores against an assessment model give `rawScore`,
//! `maxRawScore`, pass or fail, and a `score` in the exam's result value type. Pure and
//! deterministic: integer arithmetic only, so the same scores always give the same result.
//!
//! The rules (also in the README):
//! - `rawScore` is the sum of the level values scored; `maxRawScore` the sum of each
//!   criterion's highest level.
//! - The exam is passed when every criterion is scored, every knock-out criterion reaches its
//!   minimum level (`knock_out_min`, default the second-lowest level), and `rawScore` reaches
//!   the pass mark (`pass_mark`, the cesuur, in points).
//! - Grades follow the usual two-segment line through the cesuur: 0 points gives the lowest
//!   grade (1.0 for `0.0-10.0`, 1 for `0-10`, 0 for `0-100`), `pass_mark` points give
//!   `passFrom`, all points give the highest grade; rounded half up to the type's precision.
//!   A failed exam never shows a passing grade (it is capped just below `passFrom`), and a
//!   passed one never a failing grade.
//! - `pass-or-fail` gives `passed`/`failed`. `insufficient-satisfactory-good` gives
//!   `insufficient` when failed, `good` from `good_mark` points (default halfway between the
//!   pass mark and the maximum, rounded up), else `satisfactory`.
//! - Exams in parts: each part's latest sitting counts, so a re-sit of one part keeps the
//!   points of the others ([`combine_parts`]).

use crate::catalog::{Conversion, Exam, Model, ResultUnit, ResultValueType, UnitKind, When};
use std::collections::BTreeMap;

/// Level values scored, by criterion code.
pub type Scores = BTreeMap<String, u32>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub raw_score: u32,
    pub max_raw_score: u32,
    pub passed: bool,
    /// The score in the exam's result value type, as OKE sends it (a string).
    pub score: String,
    /// Knock-out criteria that did not reach their minimum.
    pub failed_knock_outs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoringError {
    #[error("criteria not scored yet: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error("criterion {0} is not part of this assessment model")]
    UnknownCriterion(String),
    #[error("criterion {criterion}: level {value} is not on its scale (0 to {max})")]
    OffScale {
        criterion: String,
        value: u32,
        max: u32,
    },
}

/// The result of an exam scored against its model.
pub fn score(exam: &Exam, scores: &Scores) -> Result<Outcome, ScoringError> {
    score_model(&exam.model, exam.result_value_type, &exam.pass_from, scores)
}

/// The result of an exam case: scored against the model it was planned with (`model`), in
/// the exam's result type — or, for the sitting of one part (`part`), in that part's unit's.
pub fn score_case(
    exam: &Exam,
    model: &Model,
    part: &str,
    scores: &Scores,
) -> Result<Outcome, ScoringError> {
    match model.part_unit(part).filter(|_| !part.is_empty()) {
        Some(u) => score_model(model, u.result_value_type, &u.pass_from, scores),
        None => score_model(model, exam.result_value_type, &exam.pass_from, scores),
    }
}

pub fn score_model(
    model: &Model,
    result_type: ResultValueType,
    pass_from: &str,
    scores: &Scores,
) -> Result<Outcome, ScoringError> {
    let criteria: Vec<_> = model.sections.iter().flat_map(|s| &s.criteria).collect();
    if let Some(unknown) = scores
        .keys()
        .find(|k| !criteria.iter().any(|c| &c.code == *k))
    {
        return Err(ScoringError::UnknownCriterion(unknown.clone()));
    }
    let (raw, failed_knock_outs) = tally(model, &criteria, scores)?;
    let max = model.max_points();
    // A conversion table, chosen by how the parts went, gives the grade; the grade and the
    // knock-outs decide.
    if let Some(table) = conversion(model, scores)? {
        let mut score = table.grade(raw).unwrap_or_default().to_string();
        let passed = failed_knock_outs.is_empty() && reaches(result_type, &score, pass_from);
        // A failed exam (a knock-out not met) never shows a passing grade.
        if !passed && reaches(result_type, &score, pass_from) {
            score = just_below(result_type, pass_from);
        }
        return Ok(Outcome {
            raw_score: raw,
            max_raw_score: max,
            passed,
            score,
            failed_knock_outs,
        });
    }
    let cesuur = (model.pass_mark, good_mark(model, max));
    Ok(on_the_line(
        (raw, max),
        failed_knock_outs,
        cesuur,
        result_type,
        pass_from,
    ))
}

/// The outcome at `raw` of `max` points on the line through the cesuur (`pass_mark`, and
/// `good` for an o/v/g result that passes only from `good`).
fn on_the_line(
    (raw, max): (u32, u32),
    failed_knock_outs: Vec<String>,
    (pass_mark, good): (u32, u32),
    result_type: ResultValueType,
    pass_from: &str,
) -> Outcome {
    let mut passed = failed_knock_outs.is_empty() && raw >= pass_mark;
    if result_type == ResultValueType::InsufficientSatisfactoryGood && pass_from == "good" {
        passed = passed && raw >= good;
    }
    let score = grade((pass_mark, good), result_type, pass_from, raw, max, passed);
    Outcome {
        raw_score: raw,
        max_raw_score: max,
        passed,
        score,
        failed_knock_outs,
    }
}

/// The result of one result unit (a part, a grouping of sections) from the scores of the
/// performance: its own criteria only, its own pass mark, type and pass-from value; the
/// knock-outs among its criteria count.
pub fn score_unit(
    model: &Model,
    unit: &ResultUnit,
    scores: &Scores,
) -> Result<Outcome, ScoringError> {
    let mine: Vec<&str> = unit.criteria(model);
    let criteria: Vec<_> = model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .filter(|c| mine.contains(&c.code.as_str()))
        .collect();
    let (raw, failed_knock_outs) = tally(model, &criteria, scores)?;
    let max = unit.max_points(model);
    // The unit's own line through its cesuur, and `good` halfway to the top.
    let good = unit.pass_mark + max.saturating_sub(unit.pass_mark).div_ceil(2);
    Ok(on_the_line(
        (raw, max),
        failed_knock_outs,
        (unit.pass_mark, good),
        unit.result_value_type,
        &unit.pass_from,
    ))
}

/// The conversion table that applies to the whole, if the model has one that does (the
/// documents name it).
pub fn conversion<'m>(
    model: &'m Model,
    scores: &Scores,
) -> Result<Option<&'m Conversion>, ScoringError> {
    if model.conversions.is_empty() {
        return Ok(None);
    }
    let mut a_part_failed = false;
    for u in model.results.iter().filter(|u| u.kind() == UnitKind::Part) {
        a_part_failed |= !score_unit(model, u, scores)?.passed;
    }
    Ok(model.conversions.iter().find(|c| match c.when {
        When::Always => true,
        When::NoPartFailed => !a_part_failed,
        When::APartFailed => a_part_failed,
    }))
}

/// The highest value of type `t` that is below `pass_from`.
fn just_below(t: ResultValueType, pass_from: &str) -> String {
    match t {
        ResultValueType::PassOrFail => "failed".into(),
        ResultValueType::InsufficientSatisfactoryGood => "insufficient".into(),
        ResultValueType::Decimal0To10 => {
            let g = tenths(pass_from).unwrap_or(55).saturating_sub(1).max(10);
            format!("{}.{}", g / 10, g % 10)
        }
        ResultValueType::Whole0To10 => {
            let g = pass_from
                .parse::<u64>()
                .unwrap_or(6)
                .saturating_sub(1)
                .max(1);
            g.to_string()
        }
        ResultValueType::Whole0To100 => pass_from
            .parse::<u64>()
            .unwrap_or(55)
            .saturating_sub(1)
            .to_string(),
    }
}

/// Whether `score` is at least `pass_from` in the order of the type's values.
fn reaches(t: ResultValueType, score: &str, pass_from: &str) -> bool {
    let rank = |v: &str| -> Option<u64> {
        match t {
            ResultValueType::PassOrFail => Some(u64::from(v == "passed")),
            ResultValueType::InsufficientSatisfactoryGood => {
                ["insufficient", "satisfactory", "good"]
                    .iter()
                    .position(|x| *x == v)
                    .map(|p| p as u64)
            }
            ResultValueType::Decimal0To10 => tenths(v),
            ResultValueType::Whole0To10 | ResultValueType::Whole0To100 => v.parse().ok(),
        }
    };
    matches!((rank(score), rank(pass_from)), (Some(a), Some(b)) if a >= b)
}

/// The raw points of `criteria` and the knock-outs among them not met; every one scored.
fn tally(
    model: &Model,
    criteria: &[&crate::catalog::Criterion],
    scores: &Scores,
) -> Result<(u32, Vec<String>), ScoringError> {
    let mut missing = Vec::new();
    let mut failed_knock_outs = Vec::new();
    let mut raw = 0;
    for c in criteria {
        let top = model
            .scale(&c.scale)
            .map_or(0, |s| s.levels.len().saturating_sub(1) as u32);
        match scores.get(&c.code) {
            None => missing.push(c.code.clone()),
            Some(&v) if v > top => {
                return Err(ScoringError::OffScale {
                    criterion: c.code.clone(),
                    value: v,
                    max: top,
                })
            }
            Some(&v) => {
                raw += v;
                if c.knock_out && v < c.knock_out_min.unwrap_or(1) {
                    failed_knock_outs.push(c.code.clone());
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(ScoringError::Incomplete(missing));
    }
    Ok((raw, failed_knock_outs))
}

/// `num / den` rounded half up (both non-negative).
fn div_round(num: u64, den: u64) -> u64 {
    if den == 0 {
        return 0;
    }
    (2 * num + den) / (2 * den)
}

/// The two-segment line through the cesuur, in the type's units: `low` at 0 points,
/// `mid` at `pass_mark`, `high` at `max`.
fn on_line(raw: u32, pass_mark: u32, max: u32, low: u64, mid: u64, high: u64) -> u64 {
    let (raw, pm, max) = (u64::from(raw), u64::from(pass_mark), u64::from(max));
    if raw >= pm {
        mid + div_round((high - mid) * (raw - pm), max - pm).min(high - mid)
    } else {
        low + div_round((mid - low) * raw, pm)
    }
}

/// The grade at `raw` of `max` points on the line through the cesuur `pm`; `good`: points from
/// which an o/v/g result is `good`.
fn grade(
    (pm, good): (u32, u32),
    t: ResultValueType,
    pass_from: &str,
    raw: u32,
    max: u32,
    passed: bool,
) -> String {
    // Numeric types in their smallest unit: tenths for 0.0-10.0, whole numbers otherwise.
    let numeric = |low: u64, high: u64, pf: u64| -> u64 {
        let pf = pf.clamp(low, high);
        let g = on_line(raw, pm, max, low, pf, high);
        if passed {
            g.max(pf)
        } else {
            g.min(pf.saturating_sub(1)).max(low)
        }
    };
    match t {
        ResultValueType::PassOrFail => if passed { "passed" } else { "failed" }.to_string(),
        ResultValueType::InsufficientSatisfactoryGood => match (passed, raw >= good) {
            (false, _) => "insufficient",
            (true, true) => "good",
            (true, false) => "satisfactory",
        }
        .to_string(),
        ResultValueType::Decimal0To10 => {
            let pf = tenths(pass_from).unwrap_or(55);
            let g = numeric(10, 100, pf);
            format!("{}.{}", g / 10, g % 10)
        }
        ResultValueType::Whole0To10 => {
            let pf = pass_from.parse().unwrap_or(6);
            numeric(1, 10, pf).to_string()
        }
        ResultValueType::Whole0To100 => {
            let pf = pass_from.parse().unwrap_or(55);
            numeric(0, 100, pf).to_string()
        }
    }
}

/// Points from which an o/v/g exam is `good`: `good_mark`, or halfway between the pass mark
/// and the maximum, rounded up.
fn good_mark(model: &Model, max: u32) -> u32 {
    model
        .good_mark
        .unwrap_or_else(|| model.pass_mark + max.saturating_sub(model.pass_mark).div_ceil(2))
}

/// "5.5" → 55.
fn tenths(s: &str) -> Option<u64> {
    let (i, f) = s.split_once('.')?;
    Some(i.parse::<u64>().ok()? * 10 + f.parse::<u64>().ok()?)
}

/// The scores of an exam taken in parts: for each part, the latest sitting counts (a re-sit
/// of one part keeps the points of the others). `sittings` are in the order they were taken,
/// each with the part it covers and the scores given then.
pub fn combine_parts<'a>(
    model: &Model,
    sittings: impl IntoIterator<Item = (&'a str, &'a Scores)>,
) -> Scores {
    let part_of = |criterion: &str| {
        model
            .sections
            .iter()
            .find(|s| s.criteria.iter().any(|c| c.code == criterion))
            .and_then(|s| s.part.clone())
    };
    let mut latest: BTreeMap<String, &Scores> = BTreeMap::new();
    for (part, scores) in sittings {
        latest.insert(part.to_string(), scores);
    }
    let mut out = Scores::new();
    for (part, scores) in latest {
        for (criterion, v) in scores {
            if part_of(criterion).as_deref() == Some(part.as_str()) {
                out.insert(criterion.clone(), *v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// Four criteria on a 0-3 scale (12 points), the first a knock-out needing level 2.
    fn exam(result_type: &str, pass_from: &str, pass_mark: u32, extra: &str) -> Exam {
        let text = exam_toml(result_type, pass_from, pass_mark, extra);
        Catalog::parse("test.toml", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn exam_toml(result_type: &str, pass_from: &str, pass_mark: u32, extra: &str) -> String {
        format!(
            r#"
            id = "00000000-0000-4000-8000-000000000001"
            code = "T"
            abbreviation = "T"
            name = "Test"
            description = "Test"
            result_value_type = "{result_type}"
            pass_from = "{pass_from}"
            [model]
            version = 1
            assessors = 1
            pass_mark = {pass_mark}
            {extra}
            [[model.scales]]
            id = "0-3"
            levels = [{{ value = 0, label = "o" }}, {{ value = 1, label = "m" }}, {{ value = 2, label = "v" }}, {{ value = 3, label = "g" }}]
            [[model.parts]]
            code = "A"
            title = "A"
            [[model.parts]]
            code = "B"
            title = "B"
            [[model.sections]]
            code = "S1"
            title = "S1"
            part = "A"
            [[model.sections.criteria]]
            code = "ko"
            text = "veilig"
            scale = "0-3"
            knock_out = true
            knock_out_min = 2
            [[model.sections.criteria]]
            code = "a"
            text = "a"
            scale = "0-3"
            [[model.sections]]
            code = "S2"
            title = "S2"
            part = "B"
            [[model.sections.criteria]]
            code = "b"
            text = "b"
            scale = "0-3"
            [[model.sections.criteria]]
            code = "c"
            text = "c"
            scale = "0-3"
            "#
        )
    }

    fn scores(ko: u32, a: u32, b: u32, c: u32) -> Scores {
        [("ko", ko), ("a", a), ("b", b), ("c", c)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    fn outcome(e: &Exam, s: Scores) -> (u32, bool, String) {
        let o = score(e, &s).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(o.max_raw_score, 12);
        (o.raw_score, o.passed, o.score)
    }

    #[test]
    fn decimal_grades_follow_the_line_through_the_cesuur() {
        let e = exam("0.0-10.0", "5.5", 7, "");
        let table = [
            // knock-out met, below the pass mark: fails with a failing grade
            (scores(2, 2, 1, 1), (6, false, "4.9")),
            // exactly at the pass mark
            (scores(2, 2, 2, 1), (7, true, "5.5")),
            (scores(2, 2, 2, 2), (8, true, "6.4")),
            (scores(3, 3, 3, 3), (12, true, "10.0")),
            // a failed knock-out with a high total: capped below passFrom
            (scores(1, 3, 3, 3), (10, false, "5.4")),
            (scores(0, 0, 0, 0), (0, false, "1.0")),
        ];
        for (s, expected) in table {
            let got = outcome(&e, s.clone());
            assert_eq!((got.0, got.1, got.2.as_str()), expected, "{s:?}");
        }
    }

    #[test]
    fn halves_round_up() {
        // 5.5 + 4.5 * 1/2 = 7.75 → 7.8
        let e = exam("0.0-10.0", "5.5", 10, "");
        assert_eq!(outcome(&e, scores(3, 3, 3, 2)).2, "7.8");
        // just below the pass mark rounds to 5.4 on the line, never up to 5.5:
        // 1.0 + 4.5 * 9/10 = 5.05 → 5.1
        assert_eq!(
            outcome(&e, scores(3, 3, 3, 0)),
            (9, false, "5.1".to_string())
        );
        // A line that would round a failing raw score onto passFrom is capped.
        let steep = exam("0-10", "6", 12, "");
        assert_eq!(
            outcome(&steep, scores(3, 3, 3, 2)),
            (11, false, "5".to_string())
        );
    }

    #[test]
    fn whole_number_and_percentage_types() {
        let e = exam("0-10", "6", 7, "");
        assert_eq!(outcome(&e, scores(2, 2, 2, 1)), (7, true, "6".into()));
        assert_eq!(outcome(&e, scores(2, 2, 1, 1)), (6, false, "5".into()));
        assert_eq!(outcome(&e, scores(3, 3, 3, 3)), (12, true, "10".into()));
        assert_eq!(outcome(&e, scores(0, 0, 0, 0)), (0, false, "1".into()));
        let e = exam("0-100", "55", 7, "");
        assert_eq!(outcome(&e, scores(2, 2, 2, 1)), (7, true, "55".into()));
        assert_eq!(outcome(&e, scores(3, 3, 3, 3)), (12, true, "100".into()));
        assert_eq!(outcome(&e, scores(0, 0, 0, 0)), (0, false, "0".into()));
        assert_eq!(outcome(&e, scores(1, 3, 3, 3)), (10, false, "54".into()));
    }

    #[test]
    fn pass_or_fail_and_ovg() {
        let e = exam("pass-or-fail", "passed", 7, "");
        assert_eq!(outcome(&e, scores(2, 2, 2, 1)).2, "passed");
        assert_eq!(outcome(&e, scores(1, 3, 3, 3)).2, "failed");
        let e = exam("insufficient-satisfactory-good", "satisfactory", 7, "");
        // good from 7 + ceil(5/2) = 10 points
        assert_eq!(outcome(&e, scores(2, 2, 1, 1)).2, "insufficient");
        assert_eq!(outcome(&e, scores(2, 2, 2, 1)).2, "satisfactory");
        assert_eq!(outcome(&e, scores(3, 2, 2, 2)).2, "satisfactory");
        assert_eq!(outcome(&e, scores(3, 3, 2, 2)).2, "good");
        assert_eq!(outcome(&e, scores(1, 3, 3, 3)).2, "insufficient");
        let e = exam(
            "insufficient-satisfactory-good",
            "good",
            7,
            "good_mark = 11",
        );
        assert_eq!(
            outcome(&e, scores(3, 3, 3, 1)),
            (10, false, "insufficient".into())
        );
        assert_eq!(outcome(&e, scores(3, 3, 3, 2)), (11, true, "good".into()));
    }

    #[test]
    fn every_score_is_valid_for_its_type_and_agrees_with_pass() {
        for (t, pf) in [
            ("0.0-10.0", "5.5"),
            ("0-10", "6"),
            ("0-100", "55"),
            ("pass-or-fail", "passed"),
            ("insufficient-satisfactory-good", "satisfactory"),
        ] {
            for pm in 1..=12 {
                let e = exam(t, pf, pm, "");
                let mut previous: Option<String> = None;
                for raw in 0..=12u32 {
                    let (ko, rest) = (raw.clamp(2, 3), raw.saturating_sub(raw.clamp(2, 3)));
                    let s = scores(
                        ko,
                        rest.min(3),
                        rest.saturating_sub(3).min(3),
                        rest.saturating_sub(6).min(3),
                    );
                    let Ok(o) = score(&e, &s) else { continue };
                    assert!(
                        e.result_value_type.allows(&o.score),
                        "{t}: {:?} not allowed",
                        o.score
                    );
                    assert_eq!(
                        o.passed,
                        o.raw_score >= pm,
                        "{t} pm={pm} raw={}",
                        o.raw_score
                    );
                    if let (Some(p), Ok(now), Ok(before)) = (
                        &previous,
                        o.score.parse::<f64>(),
                        previous.clone().unwrap_or_default().parse::<f64>(),
                    ) {
                        assert!(now >= before, "{t} pm={pm}: {p} then {}", o.score);
                    }
                    previous = Some(o.score);
                }
            }
        }
    }

    #[test]
    fn incomplete_unknown_and_off_scale_scores_are_refused() {
        let e = exam("0.0-10.0", "5.5", 7, "");
        let mut s = scores(2, 2, 2, 2);
        s.remove("c");
        assert_eq!(
            score(&e, &s),
            Err(ScoringError::Incomplete(vec!["c".into()]))
        );
        let mut s = scores(2, 2, 2, 2);
        s.insert("z".into(), 1);
        assert_eq!(
            score(&e, &s),
            Err(ScoringError::UnknownCriterion("z".into()))
        );
        let s = scores(2, 4, 2, 2);
        assert!(matches!(score(&e, &s), Err(ScoringError::OffScale { .. })));
    }

    #[test]
    fn a_resit_of_one_part_keeps_the_points_of_the_other() {
        let e = exam("0.0-10.0", "5.5", 7, "");
        let first = scores(3, 3, 0, 0);
        let resit = scores(0, 0, 2, 2);
        // Part A once, part B twice: the later B sitting counts, A keeps its points, and
        // scores given for criteria outside a sitting's part are ignored.
        let combined = combine_parts(&e.model, [("A", &first), ("B", &first), ("B", &resit)]);
        assert_eq!(combined, scores(3, 3, 2, 2));
        assert_eq!(outcome(&e, combined), (10, true, "8.2".into()));
    }

    /// Units A and B (the parts) and a grouping of S1 with criterion b's section S2, each on a
    /// whole-number scale; `tables`: the whole's conversion tables.
    fn in_units(tables: &str) -> Exam {
        Catalog::parse("test.toml", &in_units_toml(tables)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn in_units_toml(tables: &str) -> String {
        let units = format!(
            r#"
            [[model.results]]
            id = "00000000-0000-4000-8000-00000000000a"
            code = "T-A"
            name = "Onderdeel A"
            part = "A"
            result_value_type = "0-10"
            pass_from = "6"
            pass_mark = 4
            [[model.results]]
            id = "00000000-0000-4000-8000-00000000000b"
            code = "T-B"
            name = "Onderdeel B"
            part = "B"
            result_value_type = "pass-or-fail"
            pass_from = "passed"
            pass_mark = 3
            [[model.results]]
            id = "00000000-0000-4000-8000-00000000000c"
            code = "T-K1"
            name = "Kerntaak 1"
            sections = ["S1", "S2"]
            result_value_type = "0-100"
            pass_from = "55"
            pass_mark = 7
            {tables}
            "#
        );
        exam_toml("0-10", "6", 7, &units)
    }

    fn unit_outcome(e: &Exam, code: &str, s: &Scores) -> (u32, u32, bool, String, Vec<String>) {
        let u = e.model.results.iter().find(|u| u.code == code).unwrap();
        let o = score_unit(&e.model, u, s).unwrap_or_else(|err| panic!("{err}"));
        (
            o.raw_score,
            o.max_raw_score,
            o.passed,
            o.score,
            o.failed_knock_outs,
        )
    }

    #[test]
    fn each_result_unit_is_judged_on_its_own_criteria_with_its_own_rule() {
        let e = in_units("");
        // Part A (ko, a): 5 of 6, passed; part B (b, c): 2 of 6, failed; the grouping of
        // both sections 7 of 12, at its pass mark.
        let s = scores(2, 3, 1, 1);
        assert_eq!(
            unit_outcome(&e, "T-A", &s),
            (5, 6, true, "8".into(), vec![])
        );
        assert_eq!(
            unit_outcome(&e, "T-B", &s),
            (2, 6, false, "failed".into(), vec![])
        );
        assert_eq!(
            unit_outcome(&e, "T-K1", &s),
            (7, 12, true, "55".into(), vec![])
        );
        // A knock-out not met fails the units it belongs to, not the others.
        let s = scores(1, 3, 3, 3);
        assert!(!unit_outcome(&e, "T-A", &s).2);
        assert_eq!(unit_outcome(&e, "T-A", &s).4, vec!["ko".to_string()]);
        assert!(unit_outcome(&e, "T-B", &s).2);
        // A unit needs only its own criteria: part B can be scored before part A.
        let only_b: Scores = [("b".to_string(), 3), ("c".to_string(), 2)].into();
        assert!(unit_outcome(&e, "T-B", &only_b).2);
        let u = e.model.results.iter().find(|u| u.code == "T-A").unwrap();
        assert!(matches!(
            score_unit(&e.model, u, &only_b),
            Err(ScoringError::Incomplete(m)) if m == ["ko", "a"]
        ));
    }

    #[test]
    fn a_unit_that_passes_only_from_good_needs_its_good_mark() {
        let units = r#"
            [[model.results]]
            id = "00000000-0000-4000-8000-0000000000d1"
            code = "T-G"
            name = "Alleen goed telt"
            part = "B"
            result_value_type = "insufficient-satisfactory-good"
            pass_from = "good"
            pass_mark = 3
        "#;
        let e = exam("0-10", "6", 7, units);
        // Part B (b, c): 6 points at most, pass mark 3, good from 3 + ceil(3 / 2) = 5. Below
        // it the unit is failed, shown as `insufficient` (as the whole is with that rule).
        assert_eq!(
            unit_outcome(&e, "T-G", &scores(2, 2, 2, 2)),
            (4, 6, false, "insufficient".into(), vec![])
        );
        assert_eq!(
            unit_outcome(&e, "T-G", &scores(2, 2, 3, 2)),
            (5, 6, true, "good".into(), vec![])
        );
    }

    #[test]
    fn the_whole_reads_its_grade_from_the_table_the_parts_choose() {
        let tables = r#"
            [[model.conversions]]
            when = "no-part-failed"
            table = [{ from = 0, score = "1" }, { from = 7, score = "6" }, { from = 10, score = "8" }, { from = 12, score = "10" }]
            [[model.conversions]]
            when = "a-part-failed"
            table = [{ from = 0, score = "1" }, { from = 8, score = "5" }, { from = 9, score = "6" }]
        "#;
        let e = in_units(tables);
        // Every part passed: 10 points is an 8.
        assert_eq!(outcome(&e, scores(2, 2, 3, 3)), (10, true, "8".into()));
        // Part A failed (2 of 6): 8 points read from the other table, a 5: failed.
        assert_eq!(outcome(&e, scores(2, 0, 3, 3)), (8, false, "5".into()));
        // A part failed, yet the whole reaches a 6 on its table: the table decides.
        assert_eq!(outcome(&e, scores(2, 1, 3, 3)), (9, true, "6".into()));
        // A knock-out not met fails the whole whatever the table says, and the grade shows
        // it: the table's 6 becomes a 5.
        let o = score(&e, &scores(1, 3, 3, 3)).unwrap();
        assert_eq!((o.raw_score, o.passed, o.score.as_str()), (10, false, "5"));
    }

    #[test]
    fn bad_units_and_tables_are_named() {
        let bad = |extra: &str, wants: &str| {
            let err = Catalog::parse("test.toml", &in_units_toml(extra))
                .err()
                .map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|m| m.contains(wants)),
                "{extra}: {err:?}"
            );
        };
        bad(
            "[[model.conversions]]\nwhen = \"always\"\ntable = [{ from = 1, score = \"6\" }]",
            "`model.conversions[0].table`: the first row is `from = 0`",
        );
        bad(
            "[[model.conversions]]\nwhen = \"always\"\ntable = [{ from = 0, score = \"6.5\" }]",
            "`model.conversions[0].table[0].score`",
        );
        bad(
            "[[model.conversions]]\nwhen = \"always\"\ntable = [{ from = 0, score = \"1\" }, { from = 0, score = \"6\" }]",
            "`model.conversions[0].table[1].from`: rows go up",
        );
    }
}
