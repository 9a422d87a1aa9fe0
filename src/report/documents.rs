//! The two official documents of an exam, in Dutch: the assessment form
//! (beoordelingsformulier, OKE `assessmentForm`) and the proces-verbaal (OKE `sessionReport`).

use super::html::Html;
use super::layout::{self, bold, cell, col, Cell, Fonts, Layout, SignatureBlock, Sink};
use super::pdfa::{self, Meta, PdfError};
use super::record::{EvidenceRecord, Record, SheetRecord};
use base64::Engine;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use uuid::Uuid;

fn local(t: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&Amsterdam)
}

pub fn date(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".into(), |t| local(t).format("%d-%m-%Y").to_string())
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".into(), |t| local(t).format("%H:%M").to_string())
}

fn moment(t: DateTime<Utc>) -> String {
    local(t).format("%d-%m-%Y %H:%M:%S").to_string()
}

fn span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> String {
    match (from, to) {
        (None, None) => "niet vastgelegd".into(),
        (Some(f), Some(t)) if date(Some(f)) == date(Some(t)) => {
            format!("{} {}–{}", date(Some(f)), time(Some(f)), time(Some(t)))
        }
        (f, t) => format!("{} {} – {} {}", date(f), time(f), date(t), time(t)),
    }
}

pub fn attendance(a: Option<&str>) -> &'static str {
    match a {
        Some("present") => "aanwezig",
        Some("notPresent") => "niet verschenen",
        Some("notStarted") => "verschenen, niet begonnen",
        Some("notFinished") => "begonnen, niet afgerond",
        _ => "onbekend",
    }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "ja",
        Some(false) => "nee",
        None => "niet vastgelegd",
    }
}

fn or_none(s: Option<&str>, none: &str) -> String {
    match s.map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => none.to_string(),
    }
}

fn assessor_role(position: usize) -> String {
    match position {
        0 => "eerste beoordelaar".into(),
        1 => "tweede beoordelaar".into(),
        n => format!("beoordelaar {}", n + 1),
    }
}

fn place(r: &Record) -> String {
    r.place.as_ref().map_or_else(
        || "niet vastgelegd".into(),
        |p| {
            let kind = if p.kind == "school" {
                "school"
            } else {
                "werkplek"
            };
            let parts: Vec<&str> = [p.name.as_deref(), p.address.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .collect();
            if parts.is_empty() {
                kind.to_string()
            } else {
                format!("{} ({kind})", parts.join(", "))
            }
        },
    )
}

/// The results the performance gave besides the whole (each part, each core task), each
/// judged on its own criteria; on the assessment form (`full`) with points and knock-outs,
/// and the conversion tables of the whole with the one that applied.
fn unit_results(l: &mut impl Sink, r: &Record, full: bool) {
    let units = r.unit_results();
    if !r.model.results.is_empty() {
        l.heading("Resultaten per onderdeel");
        if units.is_empty() {
            l.paragraph("Geen: er is geen uitslag (de kandidaat was niet aanwezig of het oordeel is niet compleet).");
        } else if full {
            let cols = [
                col("Onderdeel", 2.0),
                col("Punten", 1.6),
                col("Knock-outs", 1.2),
                col("Resultaat", 0.8),
                col("Uitslag", 1.0),
            ];
            let rows: Vec<Vec<Cell>> = units
                .iter()
                .map(|u| {
                    let unit = r.model.results.iter().find(|x| x.id == u.unit_id);
                    vec![
                        cell(format!("{} ({})", u.name, u.code)),
                        cell(format!(
                            "{} van {} (cesuur {})",
                            u.raw_score,
                            u.max_raw_score,
                            unit.map_or(0, |x| x.pass_mark)
                        )),
                        cell(if u.failed_knock_outs.is_empty() {
                            "alle gehaald".to_string()
                        } else {
                            format!("niet gehaald: {}", u.failed_knock_outs.join(", "))
                        }),
                        cell(score_word(&u.score)),
                        cell(if u.passed {
                            "geslaagd"
                        } else {
                            "niet geslaagd"
                        }),
                    ]
                })
                .collect();
            l.table(&cols, &rows);
        } else {
            let rows: Vec<(String, String)> = units
                .iter()
                .map(|u| {
                    (
                        format!("{} ({})", u.name, u.code),
                        format!(
                            "{} — {}",
                            score_word(&u.score),
                            if u.passed {
                                "geslaagd"
                            } else {
                                "niet geslaagd"
                            }
                        ),
                    )
                })
                .collect();
            let fields: Vec<(&str, String)> =
                rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            l.fields(&fields);
        }
    }
    if full && !r.model.conversions.is_empty() {
        l.heading("Omzetting van punten naar cijfer");
        let applied = r.applied_conversion().map(|c| c.when);
        for c in &r.model.conversions {
            let rows: Vec<String> = c
                .table
                .iter()
                .map(|row| format!("vanaf {}: {}", row.from, score_word(&row.score)))
                .collect();
            let mark = if applied == Some(c.when) && r.outcome.score.is_some() {
                " (toegepast)"
            } else {
                ""
            };
            l.paragraph(&format!(
                "Tabel {}{mark}: {}.",
                c.when.dutch(),
                rows.join("; ")
            ));
        }
    }
}

fn result_words(r: &Record) -> String {
    let o = &r.outcome;
    match (&o.score, o.passed) {
        (Some(s), Some(p)) => format!(
            "{} — {}",
            score_word(s),
            if p { "geslaagd" } else { "niet geslaagd" }
        ),
        _ => format!(
            "geen uitslag (kandidaat {})",
            attendance(o.attendance.as_deref())
        ),
    }
}

/// An OKE result value type in words.
fn result_type_words(t: &str) -> String {
    match t {
        "0.0-10.0" => "een cijfer van 0,0 tot 10,0".into(),
        "0-10" => "een heel cijfer van 0 tot 10".into(),
        "0-100" => "een score van 0 tot 100".into(),
        "pass-or-fail" => "geslaagd of niet geslaagd".into(),
        "insufficient-satisfactory-good" => "onvoldoende, voldoende of goed".into(),
        other => other.into(),
    }
}

fn score_word(s: &str) -> String {
    match s {
        "passed" => "voldaan".into(),
        "failed" => "niet voldaan".into(),
        "insufficient" => "onvoldoende".into(),
        "satisfactory" => "voldoende".into(),
        "good" => "goed".into(),
        other => other.replace('.', ","),
    }
}

/// The level and its word on the criterion's scale, e.g. "2 · voldoende".
fn level_text(r: &Record, scale: &str, level: Option<u32>) -> String {
    let Some(level) = level else {
        return "—".into();
    };
    let word = r
        .model
        .scale(scale)
        .and_then(|s| s.levels.iter().find(|l| l.value == level))
        .map(|l| l.label.clone());
    // A no-break space keeps the value with its word.
    match word {
        Some(w) => format!("{level}\u{a0}{w}"),
        None => level.to_string(),
    }
}

fn level_of(sheet: Option<&SheetRecord>, criterion: &str) -> Option<u32> {
    sheet?
        .scores
        .iter()
        .find(|s| s.criterion == criterion)
        .map(|s| s.level)
}

fn note_of<'a>(sheet: Option<&'a SheetRecord>, criterion: &str) -> Option<&'a str> {
    sheet?
        .scores
        .iter()
        .find(|s| s.criterion == criterion)
        .and_then(|s| s.note.as_deref())
        .filter(|n| !n.trim().is_empty())
}

/// Criteria on which the assessors' own sheets differ: (code, levels per assessor, final).
fn disagreements(r: &Record) -> Vec<(String, Vec<Option<u32>>, Option<u32>)> {
    let sheets = r.assessor_sheets();
    if sheets.len() < 2 {
        return Vec::new();
    }
    let joint = r.sheet("joint");
    r.model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .filter_map(|c| {
            let levels: Vec<Option<u32>> =
                sheets.iter().map(|(_, s)| level_of(*s, &c.code)).collect();
            let differ = levels.windows(2).any(|w| w[0] != w[1]);
            differ.then(|| (c.code.clone(), levels, level_of(joint, &c.code)))
        })
        .collect()
}

fn attendance_disagreement(r: &Record) -> Option<String> {
    let sheets = r.assessor_sheets();
    let values: Vec<&str> = sheets
        .iter()
        .map(|(_, s)| attendance(s.and_then(|s| s.attendance.as_deref())))
        .collect();
    (values.len() > 1 && values.windows(2).any(|w| w[0] != w[1])).then(|| {
        let joint = attendance(r.sheet("joint").and_then(|s| s.attendance.as_deref()));
        format!(
            "Aanwezigheid: {}; gezamenlijk oordeel: {joint}",
            sheets
                .iter()
                .zip(&values)
                .map(|((a, _), v)| format!("{} {v}", name(a.display_name.as_deref(), a.person_id)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn name(display: Option<&str>, id: Uuid) -> String {
    display.map_or_else(|| id.to_string(), str::to_string)
}

pub(crate) fn irregularities(r: &Record) -> Vec<String> {
    per_sheet(r, |s| s.irregularities.as_deref())
}

/// Why the true begin or end lies far from the plan, per assessor who said so.
fn times_reasons(r: &Record) -> Vec<String> {
    per_sheet(r, |s| s.times_reason.as_deref())
}

/// The assessors' motivation of their judgement and feedback to the candidate, per sheet.
fn motivations(r: &Record) -> Vec<String> {
    per_sheet(r, |s| s.motivation.as_deref())
}

/// One text field of every sheet that has it, each line naming whose it is: the assessors in
/// planned order, then the joint judgement and corrections.
fn per_sheet(r: &Record, text: impl Fn(&SheetRecord) -> Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for (a, s) in r.assessor_sheets() {
        if let Some(t) = s.and_then(&text) {
            if !t.trim().is_empty() {
                out.push(format!(
                    "{}: {}",
                    name(a.display_name.as_deref(), a.person_id),
                    t.trim()
                ));
            }
        }
    }
    let own: Vec<String> = r
        .assessors
        .iter()
        .map(|a| a.person_id.to_string())
        .collect();
    for s in r.sheets.iter().filter(|s| !own.contains(&s.sheet)) {
        if let Some(t) = text(s).filter(|t| !t.trim().is_empty()) {
            let who = if s.sheet == "joint" {
                "gezamenlijk".to_string()
            } else if s.sheet.starts_with("correction-") {
                format!("correctie ({})", s.sheet)
            } else {
                // The sheet of an assessor the exam office replaced is kept, and says so.
                "een vervangen beoordelaar".to_string()
            };
            out.push(format!("{who}: {}", t.trim()));
        }
    }
    out
}

/// When a signature was made: drawn on the device, and when the server received it if that
/// was more than a minute later (a phone that was offline).
fn signed_when(s: &super::record::SignatureRecord) -> String {
    match s.drawn_at {
        Some(d) if (s.signed_at - d).num_seconds().abs() > 60 => {
            format!("{} (ontvangen {})", moment(d), moment(s.signed_at))
        }
        Some(d) => moment(d),
        None => moment(s.signed_at),
    }
}

fn signature_blocks(r: &Record) -> Vec<SignatureBlock> {
    let mut blocks = Vec::new();
    for (i, a) in r.assessors.iter().enumerate() {
        let sig = r
            .signatures
            .iter()
            .find(|s| s.role == "assessor" && s.person_id == a.person_id);
        blocks.push(SignatureBlock {
            role: format!("Handtekening {}", assessor_role(i)),
            image: sig.and_then(|s| decode(s.image.as_deref())),
            statement: if sig.is_some() {
                "ondertekend (handtekening niet leesbaar)".into()
            } else {
                "nog niet ondertekend".into()
            },
            lines: vec![
                name(a.display_name.as_deref(), a.person_id),
                sig.map_or_else(|| "—".into(), signed_when),
                sig.map_or_else(String::new, |s| format!("account: {}", s.account)),
            ],
        });
    }
    let candidate = r.signatures.iter().find(|s| s.role == "candidate");
    blocks.push(SignatureBlock {
        role: "Voor gezien: kandidaat".into(),
        image: candidate.and_then(|s| decode(s.image.as_deref())),
        statement: match candidate {
            Some(s) => match &s.refusal {
                Some(reason) => format!(
                    "De kandidaat heeft niet getekend. Vastgelegd door {}: {reason}",
                    s.account
                ),
                None => "getekend (handtekening niet leesbaar)".into(),
            },
            None => "nog niet getekend".into(),
        },
        lines: vec![
            r.candidate_name(),
            candidate.map_or_else(|| "—".into(), signed_when),
            candidate.map_or_else(String::new, |s| {
                format!("vastgelegd met account: {}", s.account)
            }),
        ],
    });
    blocks
}

fn decode(image: Option<&str>) -> Option<super::layout::Image> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(image?)
        .ok()?;
    super::layout::Image::from_png(&bytes)
}

fn footer(r: &Record, doc: &str) -> String {
    format!(
        "{doc} · {} · {} · poging {} · versie {}",
        r.candidate_name(),
        r.exam.code,
        r.attempt,
        r.version
    )
}

fn header(r: &Record) -> String {
    format!("{} · {} {}", r.school.name, r.exam.code, r.exam.name)
}

fn version_line(r: &Record) -> String {
    if let Some(c) = r.countersignatures.iter().find(|c| c.version == r.version) {
        return format!(
            "versie {} — correctie (versie {}) medeondertekend door {} op {}",
            r.version,
            c.correction_version,
            name(
                c.countersigned_by.display_name.as_deref(),
                c.countersigned_by.person_id
            ),
            moment(c.countersigned_at)
        );
    }
    let decision = r.decisions.iter().max_by_key(|d| d.version);
    let correction = r.corrections.iter().max_by_key(|c| c.version);
    if let Some(d) = decision.filter(|d| correction.is_none_or(|c| c.version < d.version)) {
        return format!(
            "versie {} — vastgesteld door de examencommissie op {} ({})",
            r.version,
            moment(d.decided_at),
            name(d.decided_by.display_name.as_deref(), d.decided_by.person_id)
        );
    }
    match correction {
        Some(c) => format!(
            "versie {} — correctie van {} door {}",
            r.version,
            moment(c.corrected_at),
            name(
                c.corrected_by.display_name.as_deref(),
                c.corrected_by.person_id
            )
        ),
        None => format!("versie {} — het ondertekende oordeel", r.version),
    }
}

fn common_fields(r: &Record) -> Vec<(&'static str, String)> {
    let assessors = r
        .assessors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "{} ({})",
                name(a.display_name.as_deref(), a.person_id),
                assessor_role(i)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        ("School", r.school.name.clone()),
        ("Examen", format!("{} — {}", r.exam.code, r.exam.name)),
        ("Beoordelingsmodel", format!("versie {}", r.model.version)),
        ("Kandidaat", r.candidate_name()),
        (
            "Naam op identiteitsbewijs",
            or_none(r.candidate.id_check_name.as_deref(), "niet aangeleverd"),
        ),
        (
            "Studentnummer",
            or_none(r.candidate.student_number.as_deref(), "niet aangeleverd"),
        ),
        ("Poging", r.attempt.to_string()),
        ("Datum", date(r.actual_start.or(r.planned_start))),
        ("Gepland", span(r.planned_start, r.planned_end)),
        (
            "Werkelijk begin en einde",
            match times_reasons(r).as_slice() {
                [] => span(r.actual_start, r.actual_end),
                why => format!(
                    "{} (afwijking van de planning: {})",
                    span(r.actual_start, r.actual_end),
                    why.join("; ")
                ),
            },
        ),
        ("Plaats", place(r)),
        (
            "Beoordelaars",
            if assessors.is_empty() {
                "geen".into()
            } else {
                assessors
            },
        ),
    ]
}

/// The result on the assessment form: attendance, points, knock-outs, the grade, and each
/// result unit's with the conversion tables.
fn result_block(l: &mut impl Sink, r: &Record) {
    l.heading("Uitslag");
    let o = &r.outcome;
    let points = match (o.raw_score, o.max_raw_score) {
        (Some(a), Some(b)) if r.applied_conversion().is_some() => {
            format!("{a} van {b} punten (cijfer uit de omzettingstabel hieronder)")
        }
        (Some(a), Some(b)) => format!("{a} van {b} punten (cesuur {} punten)", r.model.pass_mark),
        _ => "—".into(),
    };
    let knock_outs = if o.failed_knock_outs.is_empty() {
        "alle gehaald".to_string()
    } else {
        format!("niet gehaald: {}", o.failed_knock_outs.join(", "))
    };
    l.fields(&[
        ("Aanwezigheid", attendance(o.attendance.as_deref()).into()),
        ("Punten", points),
        ("Knock-outcriteria", knock_outs),
        (
            "Resultaat",
            format!(
                "{} ({}, geslaagd vanaf {})",
                o.score.as_deref().map_or_else(|| "—".into(), score_word),
                result_type_words(&r.exam.result_value_type),
                score_word(&r.exam.pass_from)
            ),
        ),
        ("Uitslag", result_words(r)),
    ]);
    unit_results(l, r, true);
}

/// The assessment form of the whole of an exam taken in parts: what each part's latest
/// signed sitting gave (when, by whom, its points and result), and the whole's result made
/// of them — points summed, the conversion table that applied. Each part's own form and
/// proces-verbaal go with it.
pub fn parts_overview(r: &Record) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get().ok_or(PdfError::Fonts)?;
    let mut l = Layout::new(fonts, &header(r));
    parts_overview_into(&mut l, r);
    finish(l, r, FORM, "assessmentForm".into())
}

fn parts_overview_into(l: &mut impl Sink, r: &Record) {
    l.title(
        "Beoordelingsformulier",
        &format!("{} — {}", r.exam.name, r.candidate_name()),
    );
    l.fields(&[
        ("School", r.school.name.clone()),
        ("Examen", format!("{} — {}", r.exam.code, r.exam.name)),
        ("Beoordelingsmodel", format!("versie {}", r.model.version)),
        ("Kandidaat", r.candidate_name()),
        (
            "Studentnummer",
            or_none(r.candidate.student_number.as_deref(), "niet aangeleverd"),
        ),
        ("Poging", r.attempt.to_string()),
        ("Versie", version_line(r)),
    ]);
    l.paragraph(
        "Dit examen is in onderdelen afgenomen, elk op een eigen dag. De uitslag is opgebouwd \
         uit de laatste ondertekende afname van elk onderdeel; het beoordelingsformulier en het \
         proces-verbaal van elk onderdeel horen bij dit overzicht.",
    );
    l.heading("Onderdelen");
    let cols = [
        col("Onderdeel", 2.0),
        col("Poging", 0.7),
        col("Datum", 1.0),
        col("Beoordelaars", 1.8),
        col("Punten", 0.9),
        col("Uitslag", 1.2),
    ];
    let rows: Vec<Vec<Cell>> = r
        .sittings
        .iter()
        .map(|s| {
            let title = r
                .model
                .parts
                .iter()
                .find(|p| p.code == s.part)
                .map_or_else(|| s.part.clone(), |p| format!("{} {}", p.code, p.title));
            let assessors = s
                .assessors
                .iter()
                .map(|a| name(a.display_name.as_deref(), a.person_id))
                .collect::<Vec<_>>()
                .join(", ");
            let points = match (s.outcome.raw_score, s.outcome.max_raw_score) {
                (Some(a), Some(b)) => format!("{a} van {b}"),
                _ => "—".into(),
            };
            let result = match (&s.outcome.score, s.outcome.passed) {
                (Some(sc), Some(p)) => format!(
                    "{} — {}",
                    score_word(sc),
                    if p { "geslaagd" } else { "niet geslaagd" }
                ),
                _ => format!("kandidaat {}", attendance(s.outcome.attendance.as_deref())),
            };
            vec![
                cell(title),
                cell(s.attempt.to_string()),
                cell(date(s.date)),
                cell(assessors),
                cell(points),
                cell(result),
            ]
        })
        .collect();
    l.table(&cols, &rows);
    result_block(l, r);
}

/// The assessment form (beoordelingsformulier).
pub fn assessment_form(r: &Record) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get().ok_or(PdfError::Fonts)?;
    let mut l = Layout::new(fonts, &header(r));
    assessment_form_into(&mut l, r);
    finish(l, r, FORM, "assessmentForm".into())
}

const FORM: &str = "Beoordelingsformulier";
const REPORT: &str = "Proces-verbaal";

fn assessment_form_into(l: &mut impl Sink, r: &Record) {
    l.title(
        "Beoordelingsformulier",
        &format!("{} — {}", r.exam.name, r.candidate_name()),
    );
    let mut fields = common_fields(r);
    fields.push(("Versie", version_line(r)));
    if let Some(x) = &r.extract_of {
        fields.push((
            "Uittreksel",
            format!(
                "van het beoordelingsformulier van {} — {} (SHA-256 {}): de criteria en de uitslag van dit onderdeel",
                x.exam_code,
                x.exam_name,
                grouped(&x.form_sha256)
            ),
        ));
    }
    l.fields(&fields);

    let team = r.assessor_sheets();
    let two = team.len() >= 2;
    let deciding = r.deciding_sheet();
    let corrected = !r.corrections.is_empty();
    let joint = r.sheet("joint");
    for section in &r.model.sections {
        let part = section
            .part
            .as_ref()
            .and_then(|p| r.model.parts.iter().find(|x| &x.code == p))
            .map(|p| format!(" (onderdeel {} {})", p.code, p.title))
            .unwrap_or_default();
        l.heading(&format!("{} {}{part}", section.code, section.title));
        let mut cols = vec![col("Criterium", 3.0)];
        if two {
            for (i, _) in team.iter().enumerate() {
                cols.push(col(&format!("Beoord. {}", i + 1), 1.15));
            }
        }
        let verdict = if corrected {
            "Oordeel na correctie"
        } else if two {
            "Eindoordeel"
        } else {
            "Oordeel"
        };
        cols.push(col(verdict, 1.3));
        cols.push(col("Toelichting", 2.3));
        let rows: Vec<Vec<Cell>> = section
            .criteria
            .iter()
            .map(|c| {
                let ko = if c.knock_out {
                    format!(
                        "\nKnock-out: minimaal {}",
                        level_text(r, &c.scale, Some(c.knock_out_min.unwrap_or(1)))
                    )
                } else {
                    String::new()
                };
                let mut row = vec![cell(format!("{} {}{ko}", c.code, c.text))];
                let levels: Vec<Option<u32>> =
                    team.iter().map(|(_, s)| level_of(*s, &c.code)).collect();
                if two {
                    for l in &levels {
                        row.push(cell(level_text(r, &c.scale, *l)));
                    }
                }
                let final_level = level_of(deciding, &c.code);
                let differ = levels.windows(2).any(|w| w[0] != w[1]);
                let mut final_text = level_text(r, &c.scale, final_level);
                if two && differ && !corrected && joint.is_some() {
                    final_text.push_str("\n(gezamenlijk)");
                }
                row.push(bold(final_text));
                let mut notes = Vec::new();
                for (a, s) in &team {
                    if let Some(n) = note_of(*s, &c.code) {
                        notes.push(if two {
                            format!("{}: {n}", name(a.display_name.as_deref(), a.person_id))
                        } else {
                            n.to_string()
                        });
                    }
                }
                if let Some(n) = note_of(joint, &c.code) {
                    notes.push(format!("Gezamenlijk: {n}"));
                }
                let shown = evidence_numbers(r, |e| e.criterion.as_deref() == Some(&c.code));
                if !shown.is_empty() {
                    notes.push(format!("Bewijs: {shown}"));
                }
                if corrected {
                    if let Some(n) = note_of(deciding, &c.code) {
                        notes.push(format!("Correctie: {n}"));
                    }
                }
                row.push(cell(notes.join("\n")));
                row
            })
            .collect();
        l.table(&cols, &rows);
    }
    if two {
        l.paragraph(&format!(
            "Beoord. 1 en 2: de eigen oordelen van {}.",
            people(
                &team
                    .iter()
                    .enumerate()
                    .map(|(i, (a, _))| format!(
                        "{} ({})",
                        name(a.display_name.as_deref(), a.person_id),
                        assessor_role(i)
                    ))
                    .collect::<Vec<_>>()
            )
        ));
    }

    result_block(l, r);

    l.heading("Verschillen tussen de beoordelaars");
    let diffs = disagreements(r);
    let mut lines = Vec::new();
    if let Some(a) = attendance_disagreement(r) {
        lines.push(a);
    }
    if diffs.is_empty() && lines.is_empty() {
        l.paragraph(if two {
            "Geen: de beoordelaars kwamen tot hetzelfde oordeel."
        } else {
            "Niet van toepassing: één beoordelaar."
        });
    } else {
        for line in lines {
            l.paragraph(&line);
        }
        if !diffs.is_empty() {
            let mut cols = vec![col("Criterium", 1.0)];
            for (i, _) in team.iter().enumerate() {
                cols.push(col(&format!("B{}", i + 1), 1.2));
            }
            cols.push(col("Gezamenlijk oordeel", 1.4));
            let rows: Vec<Vec<Cell>> = diffs
                .iter()
                .map(|(code, levels, joint)| {
                    let scale = r
                        .model
                        .sections
                        .iter()
                        .flat_map(|s| &s.criteria)
                        .find(|c| &c.code == code)
                        .map(|c| c.scale.as_str())
                        .unwrap_or_default();
                    let mut row = vec![cell(code.clone())];
                    row.extend(levels.iter().map(|l| cell(level_text(r, scale, *l))));
                    row.push(bold(level_text(r, scale, *joint)));
                    row
                })
                .collect();
            l.table(&cols, &rows);
            l.paragraph(&format!("Gezamenlijk oordeel: {}.", joint_who(r)));
        }
    }

    l.heading("Onregelmatigheden");
    let irr = irregularities(r);
    if irr.is_empty() {
        l.paragraph("Geen onregelmatigheden vastgelegd.");
    }
    for line in irr {
        l.paragraph(&line);
    }

    l.heading("Motivering en feedback aan de kandidaat");
    let why = motivations(r);
    if why.is_empty() {
        l.paragraph("Geen motivering vastgelegd.");
    }
    for line in why {
        l.paragraph(&line);
    }

    evidence_list(l, r);
    corrections(l, r);
    decision(l, r);

    let blocks = signature_blocks(r);
    l.keep_together(40.0 + layout::signatures_height(blocks.len()));
    l.heading("Ondertekening");
    l.paragraph(
        "De beoordelaars verklaren dat deze beoordeling naar waarheid is ingevuld. De kandidaat \
         tekent voor gezien: dat hij of zij de beoordeling heeft ontvangen, niet dat hij of zij \
         het ermee eens is.",
    );
    signed_version(l, r);
    l.signatures(&blocks);
}

/// What a piece of evidence is, in words.
fn evidence_kind(kind: &str) -> &'static str {
    match kind {
        "photo" => "foto",
        "video" => "video",
        "audio" => "geluidsopname",
        _ => "bestand",
    }
}

/// The numbers (1, 2, …, in the order of the record) of the evidence `which` picks.
fn evidence_numbers(r: &Record, which: impl Fn(&EvidenceRecord) -> bool) -> String {
    r.evidence
        .iter()
        .enumerate()
        .filter(|(_, e)| which(e))
        .map(|(i, _)| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bytes as people read them: kB or MB, with a decimal comma.
fn size_words(bytes: i64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6).replace('.', ",")
    } else {
        format!("{} kB", (bytes + 999) / 1000)
    }
}

/// Where a piece of evidence belongs on the exam.
fn evidence_place(r: &Record, e: &EvidenceRecord) -> String {
    let sections = &r.model.sections;
    if let Some(code) = &e.criterion {
        return format!("bij criterium {code}");
    }
    if let Some(code) = &e.section {
        let title = sections
            .iter()
            .find(|s| &s.code == code)
            .map(|s| format!(" {}", s.title))
            .unwrap_or_default();
        return format!("bij {code}{title}");
    }
    "bij het examen als geheel".into()
}

/// The proces-verbaal's count of the evidence.
fn evidence_count(r: &Record) -> String {
    let mut kinds: Vec<(&'static str, usize)> = Vec::new();
    for e in &r.evidence {
        let k = evidence_kind(&e.kind);
        match kinds.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => kinds.push((k, 1)),
        }
    }
    let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} × {k}")).collect();
    format!(
        "{} stuk(s): {}; elk met zijn SHA-256 op het beoordelingsformulier",
        r.evidence.len(),
        parts.join(", ")
    )
}

/// The evidence on the record: each piece where it belongs, who added it when, its size and
/// hash; a thumbnail of each photo.
fn evidence_list(l: &mut impl Sink, r: &Record) {
    if r.evidence.is_empty() {
        return;
    }
    l.heading("Bewijs");
    let rows: Vec<Vec<Cell>> = r
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut size = size_words(e.size);
            if let Some(ms) = e.duration_ms {
                let secs = ms / 1000;
                size.push_str(&format!("\n{}:{:02} min", secs / 60, secs % 60));
            }
            let mut hash = grouped(&e.sha256);
            if !e.received {
                hash.push_str("\nNiet ontvangen toen dit document werd gemaakt.");
            }
            vec![
                cell((i + 1).to_string()),
                cell(format!(
                    "{}: {}\n{}",
                    evidence_kind(&e.kind),
                    e.file_name,
                    evidence_place(r, e)
                )),
                cell(size),
                cell(format!(
                    "{}\n{}",
                    name(e.added_by.display_name.as_deref(), e.added_by.person_id),
                    moment(e.captured_at)
                )),
                cell(hash),
            ]
        })
        .collect();
    l.table(
        &[
            col("Nr.", 0.4),
            col("Bewijs", 2.4),
            col("Grootte", 1.0),
            col("Toegevoegd door", 1.6),
            col("SHA-256", 2.2),
        ],
        &rows,
    );
    let thumbs: Vec<SignatureBlock> = r
        .evidence
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let image = decode(e.thumbnail.as_deref())?;
            Some(SignatureBlock {
                role: format!("Bewijs {}: {}", i + 1, evidence_kind(&e.kind)),
                image: Some(image),
                statement: String::new(),
                lines: vec![e.file_name.clone()],
            })
        })
        .collect();
    if !thumbs.is_empty() {
        l.signatures(&thumbs);
    }
}

/// On a later version: the signatures are those of version 1, the judgement as signed.
fn signed_version(l: &mut impl Sink, r: &Record) {
    if r.version > 1 {
        l.paragraph(&format!(
            "Deze handtekeningen horen bij versie 1: het oordeel zoals het is ondertekend. Wat \
             daarna veranderde (versie {}), staat hierboven, met wie het deed en waarom.",
            if r.version == 2 {
                "2".to_string()
            } else {
                format!("2 tot en met {}", r.version)
            }
        ));
    }
}

/// The pages with their footer, written as the PDF/A file `doc` of this record; `kind` makes
/// the file identifier differ between the documents of one record.
fn finish(l: Layout<'_>, r: &Record, doc: &str, kind: String) -> Result<Vec<u8>, PdfError> {
    let fonts = l.fonts;
    let (pages, images) = l.finish(&footer(r, doc));
    let title = title(r, doc);
    let subject = format!(
        "{} {} poging {} versie {}",
        r.exam.code, r.case_id, r.attempt, r.version
    );
    let seed = format!("{kind} {} {}", r.case_id, r.version);
    pdfa::write(
        fonts,
        pages,
        images,
        &Meta {
            title: &title,
            subject: &subject,
            date: document_date(r),
            seed: seed.as_bytes(),
        },
    )
}

/// On whose authority a correction was made, in words.
fn authority(a: Option<&str>) -> &'static str {
    match a {
        Some("examCommittee") => "besluit van de examencommissie",
        Some("appeal") => "uitspraak in beroep",
        _ => "niet vastgelegd",
    }
}

fn corrections(l: &mut impl Sink, r: &Record) {
    if r.corrections.is_empty() {
        return;
    }
    l.heading("Correcties na ondertekening");
    let rows: Vec<Vec<Cell>> = r
        .corrections
        .iter()
        .map(|c| {
            vec![
                cell(format!("versie {}", c.version)),
                cell(moment(c.corrected_at)),
                cell(name(
                    c.corrected_by.display_name.as_deref(),
                    c.corrected_by.person_id,
                )),
                cell(authority(c.authority.as_deref())),
                cell(c.reason.clone()),
            ]
        })
        .collect();
    l.table(
        &[
            col("Versie", 0.8),
            col("Wanneer", 1.4),
            col("Door", 1.4),
            col("Op gezag van", 1.4),
            col("Reden", 2.6),
        ],
        &rows,
    );
    countersignatures(l, r);
}

/// Which assessors countersigned which correction, and who of those who signed has not yet
/// countersigned the latest.
fn countersignatures(l: &mut impl Sink, r: &Record) {
    l.heading("Medeondertekening door de beoordelaars");
    if !r.countersignatures.is_empty() {
        let rows: Vec<Vec<Cell>> = r
            .countersignatures
            .iter()
            .map(|c| {
                vec![
                    cell(format!("versie {}", c.version)),
                    cell(moment(c.countersigned_at)),
                    cell(name(
                        c.countersigned_by.display_name.as_deref(),
                        c.countersigned_by.person_id,
                    )),
                    cell(format!("correctie (versie {})", c.correction_version)),
                ]
            })
            .collect();
        l.table(
            &[
                col("Versie", 0.8),
                col("Wanneer", 1.4),
                col("Beoordelaar", 2.0),
                col("Tekent voor", 2.0),
            ],
            &rows,
        );
    }
    let Some(latest) = r.corrections.iter().max_by_key(|c| c.version) else {
        return;
    };
    let number = r.corrections.len();
    let mut open: Vec<String> = Vec::new();
    for s in r.signatures.iter().filter(|s| s.role == "assessor") {
        let done = r.countersignatures.iter().any(|c| {
            c.countersigned_by.person_id == s.person_id
                && usize::try_from(c.correction).is_ok_and(|n| n == number)
        });
        if !done {
            open.push(name(s.display_name.as_deref(), s.person_id));
        }
    }
    if !open.is_empty() {
        l.paragraph(&format!(
            "De correctie van versie {} is (nog) niet medeondertekend door {}.",
            latest.version,
            people(&open)
        ));
    }
}

/// Names joined so they read as people: "A", "A en B", "A, B en C".
pub(crate) fn people(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// Whether the result is determined: by the exam committee in Proeve, or elsewhere (the
/// school's SIS); with the school's words on objecting and appealing.
fn decision(l: &mut impl Sink, r: &Record) {
    l.heading("Vaststelling door de examencommissie");
    // Determined when the latest version is a decision: a correction after it makes the
    // result provisional again, until the committee decides anew.
    let last_decision = r.decisions.iter().map(|d| d.version).max();
    let last_correction = r.corrections.iter().map(|c| c.version).max();
    let determined = last_decision.is_some_and(|d| last_correction.is_none_or(|c| c < d));
    if !determined {
        l.paragraph(if r.finalised_in_proeve {
            "Voorlopige uitslag: nog niet vastgesteld door de examencommissie."
        } else {
            "De examencommissie stelt de uitslag vast in de studentenadministratie van de school."
        });
    }
    if !r.decisions.is_empty() {
        let rows: Vec<Vec<Cell>> = r
            .decisions
            .iter()
            .map(|d| {
                vec![
                    cell(format!("versie {}", d.version)),
                    cell(moment(d.decided_at)),
                    cell(format!(
                        "{}, namens de examencommissie",
                        name(d.decided_by.display_name.as_deref(), d.decided_by.person_id)
                    )),
                ]
            })
            .collect();
        l.table(
            &[
                col("Versie", 0.8),
                col("Vastgesteld op", 1.4),
                col("Door", 3.0),
            ],
            &rows,
        );
    }
    if let Some(appeal) = r.appeal.as_deref().filter(|a| !a.trim().is_empty()) {
        l.heading("Bezwaar en beroep");
        l.paragraph(appeal);
    }
}

/// When the record was fixed: the latest correction or decision, else the signing, else the
/// exam.
fn document_date(r: &Record) -> DateTime<Utc> {
    r.corrections
        .iter()
        .map(|c| c.corrected_at)
        .chain(r.decisions.iter().map(|d| d.decided_at))
        .max()
        .or(r.signed_at)
        .or(r.actual_end)
        .or(r.planned_start)
        .unwrap_or_default()
}

/// The proces-verbaal of the exam moment; `form_sha256` is the hash of the assessment form
/// it belongs to.
pub fn session_report(r: &Record, form_sha256: &str, form_name: &str) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get().ok_or(PdfError::Fonts)?;
    let mut l = Layout::new(fonts, &header(r));
    session_report_into(&mut l, r, form_sha256, form_name);
    finish(l, r, REPORT, format!("sessionReport {form_sha256}"))
}

/// Who led the exam moment: the person the exam office named, else the lead (first)
/// assessor; with their role on the exam where they had one.
fn exam_leader(r: &Record) -> String {
    let (person, position) = match &r.exam_leader {
        Some(l) => (
            l,
            r.assessors.iter().position(|a| a.person_id == l.person_id),
        ),
        None => match r.assessors.first() {
            Some(a) => (a, Some(0)),
            None => return "—".into(),
        },
    };
    let who = name(person.display_name.as_deref(), person.person_id);
    match position {
        Some(i) => format!("{who} ({})", assessor_role(i)),
        None => format!("{who} (aangewezen door het examenbureau)"),
    }
}

fn session_report_into(l: &mut impl Sink, r: &Record, form_sha256: &str, form_name: &str) {
    l.title(
        "Proces-verbaal",
        &format!(
            "van het praktijkexamen {} — {}",
            r.exam.name,
            r.candidate_name()
        ),
    );
    let mut fields = common_fields(r);
    fields.push(("Examenleider", exam_leader(r)));
    fields.push(("Versie", version_line(r)));
    if !r.evidence.is_empty() {
        fields.push(("Bewijs", evidence_count(r)));
    }
    l.fields(&fields);

    l.heading("Identiteitscontrole en aanwezigheid");
    let team = r.assessor_sheets();
    let rows: Vec<Vec<Cell>> = team
        .iter()
        .map(|(a, s)| {
            vec![
                cell(name(a.display_name.as_deref(), a.person_id)),
                cell(yes_no(s.and_then(|s| s.identity_checked)).to_string()),
                cell(or_none(s.and_then(|s| s.identity_method.as_deref()), "—")),
                cell(attendance(s.and_then(|s| s.attendance.as_deref())).to_string()),
            ]
        })
        .collect();
    l.table(
        &[
            col("Beoordelaar", 1.6),
            col("Identiteit gecontroleerd", 1.2),
            col("Hoe", 2.0),
            col("Aanwezigheid", 1.3),
        ],
        &rows,
    );
    l.fields(&[(
        "Vastgestelde aanwezigheid",
        attendance(r.outcome.attendance.as_deref()).into(),
    )]);

    l.heading("Toegekende voorzieningen");
    if r.candidate.personal_needs.is_empty() {
        l.paragraph("Geen.");
    }
    for need in &r.candidate.personal_needs {
        l.paragraph(&format!("• {need}"));
    }

    l.heading("Onregelmatigheden");
    let irr = irregularities(r);
    if irr.is_empty() {
        l.paragraph("Geen onregelmatigheden vastgelegd.");
    }
    for line in irr {
        l.paragraph(&line);
    }

    l.heading("Verschillen tussen de beoordelaars");
    let diffs = disagreements(r);
    let att = attendance_disagreement(r);
    if diffs.is_empty() && att.is_none() {
        l.paragraph(if team.len() >= 2 {
            "Geen."
        } else {
            "Niet van toepassing: één beoordelaar."
        });
    }
    if let Some(a) = att {
        l.paragraph(&a);
    }
    if !diffs.is_empty() {
        l.paragraph(&format!(
            "Op {} criteria verschilden de eigen oordelen; {}: {}.",
            diffs.len(),
            joint_who(r),
            diffs
                .iter()
                .map(|(code, levels, joint)| format!(
                    "{code} ({} → {})",
                    levels
                        .iter()
                        .map(|l| l.map_or_else(|| "—".into(), |v| v.to_string()))
                        .collect::<Vec<_>>()
                        .join(" / "),
                    joint.map_or_else(|| "—".into(), |v| v.to_string())
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    if let Some(why) = r
        .sheet("joint")
        .and_then(|s| s.motivation.as_deref())
        .filter(|t| !t.trim().is_empty())
    {
        l.paragraph(&format!(
            "Onderbouwing van het gezamenlijke oordeel: {}",
            why.trim()
        ));
    }

    l.heading("Niet beoordeelde onderdelen");
    l.paragraph(&not_assessed(r));

    l.heading("Opmerkingen");
    let mut remarks = Vec::new();
    if let Some(s) = r.signatures.iter().find(|s| s.role == "candidate") {
        if let Some(reason) = &s.refusal {
            remarks.push(format!(
                "De kandidaat weigerde te tekenen voor gezien: {reason}"
            ));
        }
    }
    for c in &r.corrections {
        remarks.push(format!(
            "Versie {} van de uitslag is een correctie na ondertekening ({}, {}, op gezag van: \
             {}): {}",
            c.version,
            moment(c.corrected_at),
            name(
                c.corrected_by.display_name.as_deref(),
                c.corrected_by.person_id
            ),
            authority(c.authority.as_deref()),
            c.reason
        ));
    }
    if remarks.is_empty() {
        l.paragraph("Geen.");
    }
    for line in remarks {
        l.paragraph(&line);
    }

    l.heading("Uitslag");
    l.fields(&[("Uitslag", result_words(r))]);
    unit_results(l, r, false);
    decision(l, r);

    l.heading("Beoordelingsformulier");
    l.fields(&[
        ("Document", form_name.to_string()),
        ("SHA-256", grouped(form_sha256)),
    ]);

    let blocks = signature_blocks(r);
    l.keep_together(30.0 + layout::signatures_height(blocks.len()));
    l.heading("Ondertekening");
    signed_version(l, r);
    l.signatures(&blocks);
}

/// Who stands behind the joint judgement: "the assessors came to it together" only when every
/// assessor saved or confirmed it as it is; else who recorded it and who did not confirm.
fn joint_who(r: &Record) -> String {
    let backed =
        |a: &super::record::Named| r.joint_backers.iter().any(|b| b.person_id == a.person_id);
    let who = |a: &super::record::Named| name(a.display_name.as_deref(), a.person_id);
    if r.assessors.iter().all(backed) {
        return "de beoordelaars kwamen samen tot het eindoordeel".into();
    }
    let (yes, no): (Vec<_>, Vec<_>) = r.assessors.iter().partition(|a| backed(a));
    let names =
        |v: &[&super::record::Named]| v.iter().map(|a| who(a)).collect::<Vec<_>>().join(" en ");
    if yes.is_empty() {
        format!("het eindoordeel is niet bevestigd door {}", names(&no))
    } else {
        format!(
            "het eindoordeel is vastgelegd door {}; {} heeft het niet bevestigd",
            names(&yes),
            names(&no)
        )
    }
}

fn not_assessed(r: &Record) -> String {
    let att = r.outcome.attendance.as_deref();
    if att != Some("present") {
        return format!("Het hele examen: de kandidaat was {}.", attendance(att));
    }
    let deciding = r.deciding_sheet();
    let missing: Vec<&str> = r
        .model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .filter(|c| level_of(deciding, &c.code).is_none())
        .map(|c| c.code.as_str())
        .collect();
    if missing.is_empty() {
        "Geen: alle onderdelen en criteria zijn beoordeeld.".into()
    } else {
        format!("Niet beoordeeld: {}.", missing.join(", "))
    }
}

/// Used in tests and by the render command: both documents of a record.
pub struct Rendered {
    pub form: Vec<u8>,
    pub form_sha256: String,
    pub report: Vec<u8>,
}

/// A hash as people read it off paper: groups of eight characters.
pub fn grouped(hex: &str) -> String {
    hex.as_bytes()
        .chunks(8)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub fn file_names(r: &Record) -> (String, String) {
    let who = r.candidate_name();
    let mut v = String::new();
    if r.attempt > 1 {
        v.push_str(&format!(" poging {}", r.attempt));
    }
    if r.version > 1 {
        v.push_str(&format!(" versie {}", r.version));
    }
    (
        format!("{FORM} {} {who}{v}.pdf", r.exam.code),
        format!("{REPORT} {} {who}{v}.pdf", r.exam.code),
    )
}

pub fn render(r: &Record) -> Result<Rendered, PdfError> {
    use sha2::{Digest, Sha256};
    let form = assessment_form(r)?;
    let form_sha256 = hex(&Sha256::digest(&form));
    let (form_name, _) = file_names(r);
    let report = session_report(r, &form_sha256, &form_name)?;
    Ok(Rendered {
        form,
        form_sha256,
        report,
    })
}

/// The assessment form of each result unit in `units` that has a result: an extract of the
/// exam's form (`form_sha256`), with its file name. A unit the record has no result for is
/// left out.
pub fn render_units(
    r: &Record,
    units: &[Uuid],
    form_sha256: &str,
) -> Result<Vec<(Uuid, String, Vec<u8>)>, PdfError> {
    let mut out = Vec::new();
    for id in units {
        let Some(extract) = r.unit_extract(*id, form_sha256) else {
            continue;
        };
        let (name, _) = file_names(&extract);
        out.push((*id, name, assessment_form(&extract)?));
    }
    Ok(out)
}

/// Both documents as HTML pages with print CSS, the same content as the PDFs (for the
/// benchmark against an HTML-to-PDF engine, and for people who want to compare). The
/// proces-verbaal names the PDF assessment form by `form_sha256`, as the PDF one does.
pub fn html(r: &Record, form_sha256: &str) -> (String, String) {
    let (form_name, _) = file_names(r);
    let mut form = Html::new(&header(r));
    assessment_form_into(&mut form, r);
    let mut report = Html::new(&header(r));
    session_report_into(&mut report, r, form_sha256, &form_name);
    (
        form.finish(&title(r, FORM), &footer(r, FORM)),
        report.finish(&title(r, REPORT), &footer(r, REPORT)),
    )
}

fn title(r: &Record, doc: &str) -> String {
    format!("{doc} {} — {}", r.exam.code, r.candidate_name())
}
