//! The exam record: everything the two official documents show, in one self-contained JSON
//! document. The server builds it from the database (`GET /api/{slug}/cases/{id}/record`
//! serves it to the exam office), and `proeve render --input case.json` renders it, so a
//! record fetched from the API renders to the very bytes the server stored.

use crate::catalog::Model;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    pub school: School,
    pub case_id: Uuid,
    pub attempt: i32,
    /// Version of the record: 1 is the signed judgement; every correction and every decision
    /// of the exam committee adds one.
    pub version: i32,
    pub exam: ExamInfo,
    pub candidate: Candidate,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    /// When the assessors say the exam began and ended (else when scoring was closed).
    pub actual_start: Option<DateTime<Utc>>,
    pub actual_end: Option<DateTime<Utc>>,
    pub place: Option<Place>,
    /// In planned order: the first is the first assessor.
    pub assessors: Vec<Named>,
    /// The assessment model version the exam was scored against.
    #[schema(value_type = Object)]
    pub model: Model,
    /// The assessors' own sheets, the joint judgement and corrections, as stored.
    pub sheets: Vec<SheetRecord>,
    pub outcome: Outcome,
    pub signatures: Vec<SignatureRecord>,
    pub corrections: Vec<CorrectionRecord>,
    pub signed_at: Option<DateTime<Utc>>,
    /// Every time the exam committee determined the result in Proeve (vaststelling), oldest
    /// first; each made a version of the record.
    #[serde(default)]
    pub decisions: Vec<DecisionRecord>,
    /// The assessors who stand behind the joint judgement as it is: who saved it last, then
    /// who confirmed it since.
    #[serde(default)]
    pub joint_backers: Vec<Named>,
    /// Assessors who countersigned a correction, oldest first; each made a version.
    #[serde(default)]
    pub countersignatures: Vec<CountersignRecord>,
    /// The examenleider the exam office named (absent: the lead assessor led the exam).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exam_leader: Option<Named>,
    /// Whether the school's exam committee determines results in Proeve: until it has, the
    /// result on the documents is provisional.
    #[serde(default)]
    pub finalised_in_proeve: bool,
    /// How and until when the candidate may object or appeal (the school's words).
    #[serde(default)]
    pub appeal: Option<String>,
    /// For the whole of an exam taken per part: the sittings whose scores make its result,
    /// one per part (each part's latest), in the order of the parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sittings: Vec<SittingRecord>,
    /// For the assessment form of one result unit: the exam's form it is an extract of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract_of: Option<ExtractOf>,
    /// The evidence the assessors added (photos, clips, files), in the order it was captured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRecord>,
}

/// A piece of evidence on the record: what it is, where it belongs, its hash.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceRecord {
    pub evidence_id: Uuid,
    /// `photo`, `video`, `audio` or `file`.
    pub kind: String,
    pub file_name: String,
    /// The criterion or section it belongs to; neither: the exam as a whole.
    pub criterion: Option<String>,
    pub section: Option<String>,
    pub size: i64,
    pub sha256: String,
    pub duration_ms: Option<i32>,
    pub added_by: Named,
    pub captured_at: DateTime<Utc>,
    /// Whether its bytes had all arrived (and matched the hash) when the record was made.
    pub received: bool,
    /// A photo's thumbnail, a base64 PNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

/// The exam's own assessment form, which a result unit's form is an extract of.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtractOf {
    pub exam_code: String,
    pub exam_name: String,
    pub form_sha256: String,
}

/// One part's sitting as it counts for the whole exam.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SittingRecord {
    pub case_id: Uuid,
    pub part: String,
    pub attempt: i32,
    /// When it took place (as its record says) and was signed.
    pub date: Option<DateTime<Utc>>,
    pub signed_at: Option<DateTime<Utc>>,
    pub assessors: Vec<Named>,
    /// The part's own result.
    pub outcome: Outcome,
    /// The scores of its deciding sheet: the whole's scores for that part.
    pub scores: Vec<ScoreRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct School {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExamInfo {
    pub code: String,
    pub name: String,
    /// The OKE result value type (`0.0-10.0`, `pass-or-fail`, ...).
    pub result_value_type: String,
    /// The lowest passing score in that type.
    pub pass_from: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Candidate {
    pub person_id: Uuid,
    pub display_name: Option<String>,
    /// The name exactly as on the identity document, as the SIS sent it.
    pub id_check_name: Option<String>,
    pub student_number: Option<String>,
    /// Personal needs granted for this exam (code, with the SIS's description).
    #[serde(default)]
    pub personal_needs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Place {
    /// `workplace` or `school`.
    pub kind: String,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Named {
    pub person_id: Uuid,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SheetRecord {
    /// An assessor's person id, `joint`, or `correction-N`.
    pub sheet: String,
    pub attendance: Option<String>,
    pub identity_checked: Option<bool>,
    pub identity_method: Option<String>,
    pub irregularities: Option<String>,
    /// The overall motivation of the judgement and feedback to the candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motivation: Option<String>,
    /// Why the begin or end lies far from the plan, as the assessor said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times_reason: Option<String>,
    pub scores: Vec<ScoreRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreRecord {
    pub criterion: String,
    pub level: u32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    pub attendance: Option<String>,
    pub raw_score: Option<i32>,
    pub max_raw_score: Option<i32>,
    pub passed: Option<bool>,
    pub score: Option<String>,
    /// Knock-out criteria not met.
    #[serde(default)]
    pub failed_knock_outs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignatureRecord {
    /// `assessor` or `candidate`.
    pub role: String,
    pub person_id: Uuid,
    pub display_name: Option<String>,
    /// The signed-in account that made it.
    pub account: String,
    /// When the server received it.
    pub signed_at: DateTime<Utc>,
    /// When it was drawn on the device (by the server's clock, as the app measured it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn_at: Option<DateTime<Utc>>,
    /// The drawn signature, a base64 PNG; absent for a refusal.
    pub image: Option<String>,
    /// The candidate would not acknowledge: the reason the assessor recorded.
    pub refusal: Option<String>,
}

/// The exam committee's decision that the result stands (WEB 7.4.5a).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRecord {
    /// The version of the record this decision made.
    pub version: i32,
    pub decided_at: DateTime<Utc>,
    /// The member of the exam committee who recorded it.
    pub decided_by: Named,
}

/// An assessor's countersignature of a correction: they saw the corrected result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CountersignRecord {
    /// The version of the record this countersignature made.
    pub version: i32,
    /// The correction countersigned (`correction-N`) and the version it made.
    pub correction: i32,
    pub correction_version: i32,
    pub countersigned_at: DateTime<Utc>,
    pub countersigned_by: Named,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionRecord {
    /// The version of the record this correction made.
    pub version: i32,
    pub reason: String,
    pub corrected_at: DateTime<Utc>,
    pub corrected_by: Named,
    /// On whose authority: `examCommittee` or `appeal` (absent: not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
}

/// The result of one result unit of the exam (a part, a core task), from the deciding sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitResult {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub result_value_type: String,
    pub pass_from: String,
    pub raw_score: u32,
    pub max_raw_score: u32,
    pub passed: bool,
    pub score: String,
    pub failed_knock_outs: Vec<String>,
}

impl Record {
    /// The conversion table the whole exam's grade was read from, if its model has one that
    /// applies (chosen by how its parts went).
    pub fn applied_conversion(&self) -> Option<&crate::catalog::Conversion> {
        let scores = self.deciding_scores()?;
        crate::assessment::scoring::conversion(&self.model, &scores)
            .ok()
            .flatten()
    }

    /// The levels of the deciding sheet of a candidate who was present; for the whole of an
    /// exam taken per part, those of its sittings together.
    pub fn deciding_scores(&self) -> Option<crate::assessment::scoring::Scores> {
        if self.outcome.attendance.as_deref() != Some("present") {
            return None;
        }
        if !self.sittings.is_empty() {
            return Some(
                self.sittings
                    .iter()
                    .flat_map(|s| &s.scores)
                    .map(|s| (s.criterion.clone(), s.level))
                    .collect(),
            );
        }
        Some(
            self.deciding_sheet()?
                .scores
                .iter()
                .map(|s| (s.criterion.clone(), s.level))
                .collect(),
        )
    }

    /// Each result unit's result, from the deciding sheet by the model's rules; none while
    /// the candidate was not present or a unit's criteria are not all scored.
    pub fn unit_results(&self) -> Vec<UnitResult> {
        let Some(scores) = self.deciding_scores() else {
            return Vec::new();
        };
        self.model
            .results
            .iter()
            .filter_map(|u| {
                let o = crate::assessment::scoring::score_unit(&self.model, u, &scores).ok()?;
                Some(UnitResult {
                    unit_id: u.id,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    result_value_type: u.result_value_type.as_str().to_string(),
                    pass_from: u.pass_from.clone(),
                    raw_score: o.raw_score,
                    max_raw_score: o.max_raw_score,
                    passed: o.passed,
                    score: o.score,
                    failed_knock_outs: o.failed_knock_outs,
                })
            })
            .collect()
    }

    /// The record as the assessment form of result unit `unit_id` shows it: that unit's
    /// criteria and result only, in its own result type, as an extract of the exam's form
    /// (`form_sha256`). `None`: the model has no such unit, or it has no result.
    pub fn unit_extract(&self, unit_id: Uuid, form_sha256: &str) -> Option<Record> {
        let unit = self.model.results.iter().find(|u| u.id == unit_id)?;
        let result = self
            .unit_results()
            .into_iter()
            .find(|u| u.unit_id == unit_id)?;
        let mine = unit.criteria(&self.model);
        let mut model = self.model.clone();
        model.sections = self
            .model
            .sections
            .iter()
            .filter(|s| s.criteria.iter().any(|c| mine.contains(&c.code.as_str())))
            .cloned()
            .collect();
        let parts: Vec<&str> = model
            .sections
            .iter()
            .filter_map(|s| s.part.as_deref())
            .collect();
        model.parts.retain(|p| parts.contains(&p.code.as_str()));
        model.pass_mark = unit.pass_mark;
        model.good_mark = None;
        model.results = Vec::new();
        model.conversions = Vec::new();
        let mut r = self.clone();
        r.extract_of = Some(ExtractOf {
            exam_code: self.exam.code.clone(),
            exam_name: self.exam.name.clone(),
            form_sha256: form_sha256.to_string(),
        });
        r.exam = ExamInfo {
            code: unit.code.clone(),
            name: format!("{} — {}", self.exam.name, unit.name),
            result_value_type: unit.result_value_type.as_str().to_string(),
            pass_from: unit.pass_from.clone(),
        };
        r.model = model;
        r.outcome = Outcome {
            attendance: self.outcome.attendance.clone(),
            raw_score: i32::try_from(result.raw_score).ok(),
            max_raw_score: i32::try_from(result.max_raw_score).ok(),
            passed: Some(result.passed),
            score: Some(result.score),
            failed_knock_outs: result.failed_knock_outs,
        };
        Some(r)
    }

    pub fn name_of(&self, id: Uuid) -> String {
        self.assessors
            .iter()
            .find(|a| a.person_id == id)
            .and_then(|a| a.display_name.clone())
            .or_else(|| {
                self.signatures
                    .iter()
                    .find(|s| s.person_id == id)
                    .and_then(|s| s.display_name.clone())
            })
            .unwrap_or_else(|| id.to_string())
    }

    pub fn sheet(&self, key: &str) -> Option<&SheetRecord> {
        self.sheets.iter().find(|s| s.sheet == key)
    }

    /// The sheets of the planned assessors, in planned order.
    pub fn assessor_sheets(&self) -> Vec<(&Named, Option<&SheetRecord>)> {
        self.assessors
            .iter()
            .map(|a| (a, self.sheet(&a.person_id.to_string())))
            .collect()
    }

    /// The sheet whose scores count for this version: the latest correction (the sheet
    /// `correction-N` of the N-th; decisions of the committee change no scores), else the
    /// joint judgement, else the first assessor's.
    pub fn deciding_sheet(&self) -> Option<&SheetRecord> {
        if !self.corrections.is_empty() {
            if let Some(s) = self.sheet(&format!("correction-{}", self.corrections.len())) {
                return Some(s);
            }
        }
        self.sheet("joint")
            .or_else(|| self.assessor_sheets().into_iter().find_map(|(_, s)| s))
    }

    /// The candidate's name for the documents: as on the identity document where known.
    pub fn candidate_name(&self) -> String {
        self.candidate
            .display_name
            .clone()
            .or_else(|| self.candidate.id_check_name.clone())
            .unwrap_or_else(|| self.candidate.person_id.to_string())
    }
}
