//! The assessment model an exam case is scored against (the version it was planned with), as
//! the phone app shows it: scales, parts, sections and criteria.

use super::access::{case_in_path, CaseErrors};
use crate::catalog::{versions, Model};
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
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
    /// What each level means for this criterion, by level value (absent where the exam has
    /// none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    descriptors: Vec<String>,
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
                        descriptors: c.descriptors.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The case's exam and the model version it was planned with.
pub(super) async fn model_of(
    state: &AppState,
    c: &entity::exam_case::Model,
) -> Result<(Uuid, ModelView, std::sync::Arc<Model>), ApiError> {
    let (Some(component), Some(version)) = (c.component_id, c.model_version) else {
        return Err(ApiError::NotFound(
            "this exam is not planned yet, so it has no assessment model".into(),
        ));
    };
    let exam = state
        .catalog
        .get(component)
        .ok_or_else(|| ApiError::NotFound("the exam is no longer in the catalogue".into()))?;
    let model = versions::of_case(&state.db, c).await?.ok_or_else(|| {
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
