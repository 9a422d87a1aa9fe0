//! The score sheets of an exam case the person may see (an assessor sees the other
//! assessor's sheet only once their own is complete, and that is in the audit trail), and a
//! preview of the result the scoring engine would give.

use super::access::{case_in_path, forbidden, CaseErrors};
use super::json_body;
use super::model::model_of;
use super::scoring::ScoreBody;
use super::views::OutcomeView;
use crate::assessment::scoring;
use crate::assessment::sheets::{self, StoredSheet};
use crate::audit;
use crate::case::CaseState;
use crate::catalog::Model;
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The audit action for an assessor shown the other assessor's sheet before judging.
const SAW_OTHER_SHEET: &str = "received the other assessor's sheet";

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SheetView {
    /// `mine`, `joint`, an assessor's person id, or `correction-{n}`.
    sheet: String,
    /// For the joint sheet: the assessors who stand behind it as it is (who saved it last,
    /// then who confirmed it since).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    backed_by: Vec<Uuid>,
    /// Send it back with the next save of this sheet.
    revision: i64,
    attendance: Option<String>,
    identity_checked: Option<bool>,
    identity_method: Option<String>,
    irregularities: Option<String>,
    /// The overall motivation of the judgement and feedback to the candidate.
    motivation: Option<String>,
    scores: Vec<ScoreBody>,
    /// When the exam began and ended by this sheet (the device's clock, or the server's
    /// where the device sent none).
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    /// Why the begin or end lies more than an hour from the plan.
    times_reason: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SheetList {
    items: Vec<SheetView>,
}

fn sheet_view(s: StoredSheet, me: Uuid) -> SheetView {
    let key = s.sheet.sheet;
    SheetView {
        backed_by: Vec::new(),
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
        motivation: s.sheet.motivation,
        times_reason: s.sheet.times_reason,
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

/// Whether this person sees what every assessor recorded (their sheets, their evidence): the
/// exam office and committee; the candidate once it is signed; an assessor of the exam once
/// their own sheet is complete or the scoring is closed.
pub(super) async fn sees_all(
    state: &AppState,
    me: &super::Me,
    c: &entity::exam_case::Model,
    r: &super::access::Relation,
    all: &[StoredSheet],
) -> Result<bool, ApiError> {
    let signed = matches!(c.state, CaseState::Signed | CaseState::Final);
    let mine = me.person_id.to_string();
    Ok(me.staff()
        || (r.candidate && signed)
        || (r.planned_assessor
            && matches!(
                c.state,
                CaseState::Assessed | CaseState::Signed | CaseState::Final
            ))
        || (r.planned_assessor && {
            match (all.iter().find(|s| s.sheet.sheet == mine), c.model_version) {
                (Some(own), Some(_)) => {
                    let (_, _, model) = model_of(state, c).await?;
                    complete(own, &model)
                }
                _ => false,
            }
        }))
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
    let mine = me.person_id.to_string();
    let see_all = sees_all(&state, &me, &c, &r, &all).await?;
    let trail = audit::trail(&state.db, slug, c.case_id).await?;
    let backers = sheets::joint_backers(&trail);
    let items: Vec<SheetView> = all
        .into_iter()
        .filter(|s| see_all || (r.planned_assessor && s.sheet.sheet == mine))
        .map(|s| {
            let joint = s.sheet.sheet == "joint";
            let mut v = sheet_view(s, me.person_id);
            if joint {
                v.backed_by = backers.clone();
            }
            v
        })
        .collect();
    // While the exam is still being scored, an assessor who receives the other assessor's
    // sheet leaves a mark in the audit trail (once per own sheet revision), so a change
    // made to one's own sheet after seeing the other's is on the record.
    if r.planned_assessor && !me.staff() && c.state == CaseState::Planned {
        let own = items.iter().find(|s| s.sheet == "mine").map(|s| s.revision);
        if items.iter().any(|s| s.sheet != "mine") {
            let actor = me.person_id.to_string();
            let seen = trail
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
    let o = scoring::score_case(exam, &model, &c.part, &levels)
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
