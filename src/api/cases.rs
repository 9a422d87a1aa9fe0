//! Exam cases for the people involved: the list of those you may see (all of them for the
//! exam office and committee) and one case. The steps are in their own files: `planning`,
//! `scoring`, `signing`, `corrections`; who may see what is `access`, how it looks `views`.

use super::access::{case_in_path, CaseErrors, Relation, Relations};
use super::signed_in;
use super::views::{self, CaseList, CaseView, Loaded, Shown};
use crate::http::{ApiError, AppState};
use crate::planning;
use actix_web::{web, HttpRequest, HttpResponse};
use entity::exam_case;

#[utoipa::path(
    get,
    path = "/api/{slug}/cases",
    tag = "cases",
    summary = "The exam cases you are part of (all of them for the exam office and committee)",
    params(("slug" = String, Path, description = "the school")),
    responses((status = 200, description = "the cases", body = CaseList), CaseErrors)
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let all = planning::cases(&state.db, slug, None).await?;
    let relations = Relations::load(&state.db, slug, &me).await?;
    let mine: Vec<exam_case::Model> = if me.staff() {
        all
    } else {
        all.into_iter()
            .filter(|c| relations.of(c).sees(&me))
            .collect()
    };
    let full = !me.staff();
    let relations: Vec<Relation> = mine.iter().map(|c| relations.of(c)).collect();
    let shown: Vec<Shown<'_>> = mine
        .iter()
        .zip(&relations)
        .map(|(case, relation)| Shown { case, relation })
        .collect();
    let loaded = Loaded::load(&state.db, &tenant.settings, &me, &shown, full).await?;
    let items = shown
        .iter()
        .map(|s| loaded.view(&state.catalog, s, &me, full))
        .collect();
    Ok(HttpResponse::Ok().json(CaseList { items }))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}",
    tag = "cases",
    summary = "One exam case",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &c, &r, &me).await?))
}
