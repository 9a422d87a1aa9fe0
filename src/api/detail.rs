//! What the phone app reads besides the case itself: the assessment model the exam is scored
//! against, the score sheets the person may see, a preview of the result from the scoring
//! engine, and the planned exam as a calendar file.

use super::access::{case_in_path, forbidden, CaseErrors};
use super::json_body;
use super::scoring::ScoreBody;
use super::views::OutcomeView;
use crate::assessment::scoring;
use crate::assessment::sheets::{self, StoredSheet};
use crate::audit;
use crate::case::CaseState;
use crate::catalog::{versions, Model};
use crate::http::ApiError;
use crate::http::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelView {
    component_id: Uuid,
    version: u32,
    /// How many assessors score and sign.
    assessors: u8,
    result_value_type: String,
    pass_from: String,
    /// Raw points needed to pass (with every knock-out met).
    pass_mark: u32,
    scales: Vec<ScaleView>,
    parts: Vec<PartView>,
    sections: Vec<SectionView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ScaleView {
    id: String,
    /// From the lowest (value 0) up; the label is the word assessors see.
    levels: Vec<LevelView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelView {
    value: u32,
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PartView {
    code: String,
    title: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SectionView {
    code: String,
    title: String,
    part: Option<String>,
    criteria: Vec<CriterionView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriterionView {
    code: String,
    text: String,
    scale: String,
    knock_out: bool,
    /// The lowest level that meets a knock-out criterion; a level below it (or 0 on any
    /// criterion) fails and needs a note.
    fails_below: u32,
}

fn model_view(component_id: Uuid, exam: &crate::catalog::Exam, m: &Model) -> ModelView {
    ModelView {
        component_id,
        version: m.version,
        assessors: m.assessors,
        result_value_type: exam.result_value_type.as_str().to_string(),
        pass_from: exam.pass_from.clone(),
        pass_mark: m.pass_mark,
        scales: m
            .scales
            .iter()
            .map(|s| ScaleView {
                id: s.id.clone(),
                levels: s
                    .levels
                    .iter()
                    .map(|l| LevelView {
                        value: l.value,
                        label: l.label.clone(),
                    })
                    .collect(),
            })
            .collect(),
        parts: m
            .parts
            .iter()
            .map(|p| PartView {
                code: p.code.clone(),
                title: p.title.clone(),
            })
            .collect(),
        sections: m
            .sections
            .iter()
            .map(|s| SectionView {
                code: s.code.clone(),
                title: s.title.clone(),
                part: s.part.clone(),
                criteria: s
                    .criteria
                    .iter()
                    .map(|c| CriterionView {
                        code: c.code.clone(),
                        text: c.text.clone(),
                        scale: c.scale.clone(),
                        knock_out: c.knock_out,
                        fails_below: if c.knock_out {
                            c.knock_out_min.unwrap_or(1)
                        } else {
                            1
                        },
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The case's exam and the model version it was planned with.
async fn model_of(
    state: &AppState,
    c: &entity::exam_case::Model,
) -> Result<(Uuid, ModelView, Model), ApiError> {
    let (Some(component), Some(version)) = (c.component_id, c.model_version) else {
        return Err(ApiError::NotFound(
            "this exam is not planned yet, so it has no assessment model".into(),
        ));
    };
    let exam = state
        .catalog
        .get(component)
        .ok_or_else(|| ApiError::NotFound("the exam is no longer in the catalogue".into()))?;
    let version = u32::try_from(version).unwrap_or(0);
    let model = versions::load(&state.db, component, version)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("assessment model version {version} is missing"))
        })?;
    Ok((component, model_view(component, exam, &model), model))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/model",
    tag = "cases",
    summary = "The assessment model the exam is scored against (the version it was planned with)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the model", body = ModelView), CaseErrors)
)]
pub async fn model(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, _, c, _) = case_in_path(&state, &req, false).await?;
    let (_, view, _) = model_of(&state, &c).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The audit action for an assessor shown the other assessor's sheet before judging.
const SAW_OTHER_SHEET: &str = "received the other assessor's sheet";

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SheetView {
    /// `mine`, `joint`, an assessor's person id, or `correction-{n}`.
    sheet: String,
    /// Send it back with the next save of this sheet.
    revision: i64,
    attendance: Option<String>,
    identity_checked: Option<bool>,
    identity_method: Option<String>,
    irregularities: Option<String>,
    scores: Vec<ScoreBody>,
    /// When the exam began and ended by this sheet (the device's clock, or the server's
    /// where the device sent none).
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SheetList {
    items: Vec<SheetView>,
}

fn sheet_view(s: StoredSheet, me: Uuid) -> SheetView {
    let key = s.sheet.sheet;
    SheetView {
        sheet: if key == me.to_string() {
            "mine".into()
        } else {
            key
        },
        revision: s.sheet.revision,
        attendance: s.sheet.attendance,
        identity_checked: s.sheet.identity_checked,
        identity_method: s.sheet.identity_method,
        irregularities: s.sheet.irregularities,
        scores: s
            .scores
            .into_iter()
            .map(|(criterion, (level, note))| ScoreBody {
                criterion,
                level,
                note,
            })
            .collect(),
        started_at: s.sheet.started_at,
        ended_at: s.sheet.ended_at,
        updated_at: s.sheet.updated_at,
    }
}

/// Whether a sheet holds a whole judgement, as judging demands: attendance, and for a
/// present candidate the identity check and every criterion.
fn complete(s: &StoredSheet, model: &Model) -> bool {
    match s.sheet.attendance.as_deref() {
        None => false,
        Some("present") => {
            s.sheet.identity_checked == Some(true)
                && model
                    .sections
                    .iter()
                    .flat_map(|sec| &sec.criteria)
                    .all(|c| s.scores.contains_key(&c.code))
        }
        Some(_) => true,
    }
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/sheets",
    tag = "cases",
    summary = "The score sheets you may see: your own; the other assessor's and the joint one once yours is complete; all of them for the exam office and committee, and for the candidate once signed",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the sheets", body = SheetList), CaseErrors)
)]
pub async fn list_sheets(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let all = sheets::sheets(&state.db, slug, c.case_id).await?;
    let signed = matches!(c.state, CaseState::Signed | CaseState::Final);
    let mine = me.person_id.to_string();
    let see_all = me.staff()
        || (r.candidate && signed)
        || (r.planned_assessor
            && matches!(
                c.state,
                CaseState::Assessed | CaseState::Signed | CaseState::Final
            ))
        || (r.planned_assessor && {
            match (all.iter().find(|s| s.sheet.sheet == mine), c.model_version) {
                (Some(own), Some(_)) => {
                    let (_, _, model) = model_of(&state, &c).await?;
                    complete(own, &model)
                }
                _ => false,
            }
        });
    let items: Vec<SheetView> = all
        .into_iter()
        .filter(|s| see_all || (r.planned_assessor && s.sheet.sheet == mine))
        .map(|s| sheet_view(s, me.person_id))
        .collect();
    // While the exam is still being scored, an assessor who receives the other assessor's
    // sheet leaves a mark in the audit trail (once per own sheet revision), so a change
    // made to one's own sheet after seeing the other's is on the record.
    if r.planned_assessor && !me.staff() && c.state == CaseState::Planned {
        let own = items.iter().find(|s| s.sheet == "mine").map(|s| s.revision);
        if items.iter().any(|s| s.sheet != "mine") {
            let actor = me.person_id.to_string();
            let seen = audit::trail(&state.db, slug, c.case_id)
                .await?
                .into_iter()
                .rev()
                .find(|e| e.actor == actor && e.action == SAW_OTHER_SHEET)
                .and_then(|e| e.after)
                .and_then(|a| serde_json::from_str::<serde_json::Value>(&a).ok())
                .and_then(|a| a["ownRevision"].as_i64());
            if seen != own {
                audit::record(
                    &state.db,
                    audit::Change {
                        tenant: slug,
                        case_id: c.case_id,
                        actor: &audit::Actor::Person(me.person_id),
                        action: SAW_OTHER_SHEET,
                        before: None,
                        after: Some(serde_json::json!({"ownRevision": own})),
                        reason: None,
                    },
                )
                .await?;
            }
        }
    }
    Ok(HttpResponse::Ok().json(SheetList { items }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreviewBody {
    attendance: String,
    #[serde(default)]
    scores: Vec<ScoreBody>,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/preview",
    tag = "cases",
    summary = "What these scores would give (nothing is stored)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = PreviewBody,
    responses((status = 200, description = "the result these scores give", body = OutcomeView), CaseErrors)
)]
pub async fn preview(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: PreviewBody = json_body(&req, payload).await?;
    let (_, me, c, r) = case_in_path(&state, &req, false).await?;
    if !(r.planned_assessor || me.exam_office) {
        return Err(forbidden("only the exam's assessors preview its result"));
    }
    let (component, _, model) = model_of(&state, &c).await?;
    let exam = state
        .catalog
        .get(component)
        .ok_or_else(|| ApiError::NotFound("the exam is no longer in the catalogue".into()))?;
    if body.attendance != "present" {
        return Ok(HttpResponse::Ok().json(OutcomeView {
            attendance: Some(body.attendance),
            raw_score: None,
            max_raw_score: None,
            passed: None,
            score: None,
        }));
    }
    let levels = body
        .scores
        .iter()
        .map(|s| (s.criterion.clone(), s.level))
        .collect();
    let o = scoring::score_model(&model, exam.result_value_type, &exam.pass_from, &levels)
        .map_err(|e| ApiError::bad("scores", e))?;
    let to_i32 = |v: u32| Some(i32::try_from(v).unwrap_or(i32::MAX));
    Ok(HttpResponse::Ok().json(OutcomeView {
        attendance: Some(body.attendance),
        raw_score: to_i32(o.raw_score),
        max_raw_score: to_i32(o.max_raw_score),
        passed: Some(o.passed),
        score: Some(o.score),
    }))
}

/// Text for an iCalendar property value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    // A bare CR would end the line in some readers: every line break becomes an escaped \n,
    // and no other control character gets through.
    let s: String = s
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        if len + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += ch.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/calendar.ics",
    tag = "cases",
    summary = "The planned exam as a calendar file (iCalendar)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar"), CaseErrors)
)]
pub async fn calendar(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, _, c, _) = case_in_path(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let (Some(start), Some(end)) = (c.planned_start, c.planned_end) else {
        return Err(ApiError::NotFound("this exam is not planned yet".into()));
    };
    if c.state == CaseState::Canceled {
        return Err(ApiError::NotFound("this exam is canceled".into()));
    }
    let exam = c
        .component_id
        .and_then(|id| state.catalog.get(id))
        .map_or_else(|| "Praktijkexamen".to_string(), |e| e.name.clone());
    let place = [c.place_name.as_deref(), c.place_address.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Proeve//Praktijkexamens//NL".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@{}.proeve", c.case_id, slug),
        // Changes with every re-plan, so a calendar replaces the older copy.
        format!("SEQUENCE:{}", c.revision),
        format!("DTSTAMP:{}", stamp(c.updated_at)),
        format!("DTSTART:{}", stamp(start)),
        format!("DTEND:{}", stamp(end)),
        format!("SUMMARY:{}", ics_text(&exam)),
        format!("LOCATION:{}", ics_text(&place)),
        format!(
            "DESCRIPTION:{}",
            ics_text(&format!("{} ({})", exam, tenant.settings.name))
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ] {
        ics.push_str(&fold(&line));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"praktijkexamen.ics\"",
        ))
        .body(ics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_text_is_escaped_and_folded_between_characters() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(
            ics_text("x\rBEGIN:VALARM\r\ny\u{7}"),
            "x\\nBEGIN:VALARM\\ny"
        );
        let long = format!("SUMMARY:{}", "ő".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }
}
