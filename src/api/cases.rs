//! Exam cases for the people involved: the list of those you may see (all of them for the
//! exam office and committee) and one case. The steps are in their own files: `planning`,
//! `scoring`, `signing`, `corrections`; who may see what is `access`, how it looks `views`.

use super::access::{case_in_path, CaseErrors, Relation, Relations, Which};
use super::signed_in;
use super::views::{self, CaseList, CaseView, Loaded, Shown};
use crate::case::CaseState;
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use entity::exam_case;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CaseCounts {
    /// How many exams you may see are in each state (every state named, 0 included).
    counts: std::collections::BTreeMap<String, u64>,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/counts",
    tag = "cases",
    summary = "How many of the exams you may see are in each state (the exam office's overview)",
    params(("slug" = String, Path, description = "the school")),
    responses((status = 200, description = "the counts", body = CaseCounts), CaseErrors)
)]
pub async fn counts(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let relations = Relations::load(&state.db, slug, &me).await?;
    let rows: Vec<(CaseState, i64)> = exam_case::Entity::find()
        .select_only()
        .column(exam_case::Column::State)
        .column_as(exam_case::Column::CaseId.count(), "n")
        .filter(exam_case::Column::Tenant.eq(slug))
        .filter(relations.condition(&me, Which::All))
        .group_by(exam_case::Column::State)
        .into_tuple()
        .all(&state.db)
        .await?;
    use sea_orm::Iterable;
    let mut counts: std::collections::BTreeMap<String, u64> = CaseState::iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for (s, n) in rows {
        counts.insert(s.as_str().to_string(), u64::try_from(n).unwrap_or(0));
    }
    let body = serde_json::to_vec(&CaseCounts { counts }).map_err(ApiError::internal)?;
    Ok(crate::http::with_etag(&req, body))
}

/// The most cases one page holds, and how many without `limit`.
pub const MAX_PAGE: u64 = 500;
pub const DEFAULT_PAGE: u64 = 100;

/// A place in the list: the creation time and id of the last case of the previous page.
fn cursor_of(c: &exam_case::Model) -> String {
    use base64::Engine;
    let raw = format!(
        "{}|{}",
        c.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        c.case_id
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn parse_cursor(text: &str) -> Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (at, id) = raw.split_once('|')?;
    Some((
        chrono::DateTime::parse_from_rfc3339(at).ok()?.to_utc(),
        id.parse().ok()?,
    ))
}

/// What a list request asks for.
struct ListQuery {
    which: Which,
    states: Vec<CaseState>,
    limit: u64,
    after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
}

impl ListQuery {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::BadRequest("the query string is not URL encoded".into()))?;
        let mut q = ListQuery {
            which: Which::All,
            states: Vec::new(),
            limit: DEFAULT_PAGE,
            after: None,
        };
        for (k, v) in pairs {
            match k.as_str() {
                "list" => {
                    q.which = match v.as_str() {
                        "all" => Which::All,
                        "mine" => Which::Mine,
                        "toPlan" => Which::ToPlan,
                        "recentlyFinalised" => Which::RecentlyFinalised,
                        _ => {
                            return Err(ApiError::bad(
                                "list",
                                "must be all, mine, toPlan or recentlyFinalised",
                            ))
                        }
                    }
                }
                "state" => {
                    for s in v.split(',').filter(|s| !s.is_empty()) {
                        use sea_orm::Iterable;
                        let known = CaseState::iter().find(|st| st.as_str() == s);
                        q.states.push(known.ok_or_else(|| {
                            ApiError::bad(
                                "state",
                                format!("{s:?} is not a state of an exam (received, planned, assessed, signed, final, canceled)"),
                            )
                        })?);
                    }
                }
                "limit" => {
                    q.limit = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE).contains(n))
                        .ok_or_else(|| {
                            ApiError::bad("limit", format!("must be a number from 1 to {MAX_PAGE}"))
                        })?
                }
                "after" => {
                    q.after =
                        Some(parse_cursor(&v).ok_or_else(|| {
                            ApiError::bad("after", "is not a `next` this list gave")
                        })?)
                }
                // Unknown parameters are ignored, as on the OKE endpoints.
                _ => {}
            }
        }
        Ok(q)
    }
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases",
    tag = "cases",
    summary = "The exam cases you are part of (all of them for the exam office and committee), a page at a time",
    description = "`list`: `all` (default), `mine` (the exams you assess or sit: what the phone keeps offline) or `toPlan` (exams nobody planned yet that you may plan); `state`: one or more states, comma-separated; `limit`: 1 to 500 (default 100); `after`: the `next` of the previous page. Oldest first. With `If-None-Match` and the page's `ETag` an unchanged page answers 304 without a body.",
    params(
        ("slug" = String, Path, description = "the school"),
        ("list" = Option<String>, Query, description = "all, mine or toPlan"),
        ("state" = Option<String>, Query, description = "states, comma-separated"),
        ("limit" = Option<u64>, Query, description = "1 to 500; default 100"),
        ("after" = Option<String>, Query, description = "the previous page's `next`"),
    ),
    responses(
        (status = 200, description = "a page of cases; `next` when there are more", body = CaseList),
        (status = 304, description = "the page is as the ETag sent says"),
        CaseErrors
    )
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let query = ListQuery::parse(req.query_string())?;
    let slug = tenant.settings.slug.as_str();
    let relations = Relations::load(&state.db, slug, &me).await?;
    let mut select = exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(slug))
        .filter(relations.condition(&me, query.which));
    if !query.states.is_empty() {
        select = select.filter(exam_case::Column::State.is_in(query.states.clone()));
    }
    let mut page = if query.which == Which::Mine {
        // The person's own and planned exams are read by id (primary key) and put in order
        // here, so the page costs what the person has, not what the school has: SQLite's
        // planner, without statistics, walked the list-order index through every case of
        // the school instead (measured: 7.5 ms at 10,000 cases, 21 ms at 100,000).
        let mut rows = select.all(&state.db).await?;
        rows.retain(|c| query.after.is_none_or(|a| (c.created_at, c.case_id) > a));
        rows.sort_by_key(|c| (c.created_at, c.case_id));
        rows.truncate(query.limit as usize + 1);
        rows
    } else {
        if let Some((at, id)) = query.after {
            select = select.filter(
                Condition::any()
                    .add(exam_case::Column::CreatedAt.gt(at))
                    .add(
                        Condition::all()
                            .add(exam_case::Column::CreatedAt.eq(at))
                            .add(exam_case::Column::CaseId.gt(id)),
                    ),
            );
        }
        // One more than the page: whether there is a next one.
        let ordered = if query.which == Which::RecentlyFinalised {
            // Newest first, one page only (it answers "what was determined lately").
            select
                .order_by_desc(exam_case::Column::FinalisedAt)
                .order_by_desc(exam_case::Column::CaseId)
                .limit(query.limit)
        } else {
            select
                .order_by_asc(exam_case::Column::CreatedAt)
                .order_by_asc(exam_case::Column::CaseId)
                .limit(query.limit + 1)
        };
        ordered.all(&state.db).await?
    };
    let more = page.len() as u64 > query.limit;
    page.truncate(query.limit as usize);
    let next = more.then(|| page.last().map(cursor_of)).flatten();
    let full = !me.staff();
    let relations: Vec<Relation> = page.iter().map(|c| relations.of(c)).collect();
    let shown: Vec<Shown<'_>> = page
        .iter()
        .zip(&relations)
        .map(|(case, relation)| Shown { case, relation })
        .collect();
    let loaded = Loaded::load(&state.db, &tenant.settings, &me, &shown, full).await?;
    let items = shown
        .iter()
        .map(|s| loaded.view(&state.catalog, s, &me, full))
        .collect();
    let body = serde_json::to_vec(&CaseList { items, next }).map_err(ApiError::internal)?;
    Ok(crate::http::with_etag(&req, body))
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
