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
    /// With `state`: the exams that have cases in those states, each with how many (the
    /// committee's filter by exam), by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    exams: Option<Vec<ExamCount>>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExamCount {
    component_id: uuid::Uuid,
    name: String,
    count: u64,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/counts",
    tag = "cases",
    summary = "How many of the exams you may see are in each state (the exam office's overview)",
    description = "With `state` (one or more states, comma-separated) also `exams`: each exam with cases in those states and how many.",
    params(
        ("slug" = String, Path, description = "the school"),
        ("state" = Option<String>, Query, description = "states, comma-separated: adds `exams`"),
    ),
    responses((status = 200, description = "the counts", body = CaseCounts), CaseErrors)
)]
pub async fn counts(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let query = ListQuery::parse(req.query_string())?;
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
    let exams = if query.states.is_empty() {
        None
    } else {
        let rows: Vec<(Option<uuid::Uuid>, i64)> = exam_case::Entity::find()
            .select_only()
            .column(exam_case::Column::ComponentId)
            .column_as(exam_case::Column::CaseId.count(), "n")
            .filter(exam_case::Column::Tenant.eq(slug))
            .filter(relations.condition(&me, Which::All))
            .filter(exam_case::Column::State.is_in(query.states))
            .group_by(exam_case::Column::ComponentId)
            .into_tuple()
            .all(&state.db)
            .await?;
        let mut exams: Vec<ExamCount> = rows
            .into_iter()
            .filter_map(|(id, n)| {
                let exam = state.catalog.get(id?)?;
                Some(ExamCount {
                    component_id: exam.id,
                    name: exam.name.clone(),
                    count: u64::try_from(n).unwrap_or(0),
                })
            })
            .collect();
        exams.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.component_id.cmp(&b.component_id))
        });
        Some(exams)
    };
    let body = serde_json::to_vec(&CaseCounts { counts, exams }).map_err(ApiError::internal)?;
    Ok(crate::http::with_etag(&req, body))
}

/// The most cases one page holds, and how many without `limit`.
pub const MAX_PAGE: u64 = 500;
pub const DEFAULT_PAGE: u64 = 100;

/// The order of a list: as the exams came in (the default), or by planned moment, soonest
/// first (`order=start`; exams without a moment are not in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Received,
    Start,
}

/// Where a case stands in a list of `order`.
fn key_of(c: &exam_case::Model, order: Order) -> (chrono::DateTime<chrono::Utc>, uuid::Uuid) {
    match order {
        Order::Received => (c.created_at, c.case_id),
        Order::Start => (c.planned_start.unwrap_or(c.created_at), c.case_id),
    }
}

/// A place in the list: the time (by the list's order) and id of the last case of the
/// previous page.
fn cursor_of(c: &exam_case::Model, order: Order) -> String {
    use base64::Engine;
    let (at, id) = key_of(c, order);
    let raw = format!(
        "{}|{}",
        at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        id
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
    /// The exam (component) the cases are of.
    exam: Option<uuid::Uuid>,
    /// Planned from the start of this day (Dutch time) on.
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Planned before the end of this day (Dutch time).
    until: Option<chrono::DateTime<chrono::Utc>>,
    limit: u64,
    after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    order: Order,
}

/// The start of a day in Dutch time, given as `YYYY-MM-DD`, `days` later.
fn dutch_day(
    field: &str,
    text: &str,
    days: i64,
) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    use chrono::TimeZone;
    let bad = || ApiError::bad(field, "must be a date as YYYY-MM-DD");
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
    let midnight = day
        .checked_add_signed(chrono::Duration::days(days))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(bad)?;
    // Midnight exists in Amsterdam every day (clocks change at 02:00 and 03:00).
    chrono_tz::Europe::Amsterdam
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.to_utc())
        .ok_or_else(bad)
}

impl ListQuery {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|_| ApiError::BadRequest("the query string is not URL encoded".into()))?;
        let mut q = ListQuery {
            which: Which::All,
            states: Vec::new(),
            exam: None,
            from: None,
            until: None,
            limit: DEFAULT_PAGE,
            after: None,
            order: Order::Received,
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
                "exam" if !v.is_empty() => {
                    q.exam =
                        Some(v.parse().map_err(|_| {
                            ApiError::bad("exam", "must be the componentId of an exam")
                        })?)
                }
                "from" if !v.is_empty() => q.from = Some(dutch_day("from", &v, 0)?),
                "until" if !v.is_empty() => q.until = Some(dutch_day("until", &v, 1)?),
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
                "order" => {
                    q.order = match v.as_str() {
                        "received" => Order::Received,
                        "start" => Order::Start,
                        _ => return Err(ApiError::bad("order", "must be received or start")),
                    }
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
    description = "`list`: `all` (default), `mine` (the exams you assess or sit: what the phone keeps offline) or `toPlan` (exams nobody planned yet that you may plan); `state`: one or more states, comma-separated; `exam`: an exam's `componentId`; `from`, `until`: planned on or after, on or before that day (YYYY-MM-DD, Dutch time); `limit`: 1 to 500 (default 100); `after`: the `next` of the previous page; `order`: `received` (default: oldest first) or `start` (by planned moment, soonest first; exams without a moment are left out). With `If-None-Match` and the page's `ETag` an unchanged page answers 304 without a body.",
    params(
        ("slug" = String, Path, description = "the school"),
        ("list" = Option<String>, Query, description = "all, mine or toPlan"),
        ("state" = Option<String>, Query, description = "states, comma-separated"),
        ("exam" = Option<Uuid>, Query, description = "an exam's componentId"),
        ("from" = Option<String>, Query, description = "planned on or after this day, YYYY-MM-DD"),
        ("until" = Option<String>, Query, description = "planned on or before this day, YYYY-MM-DD"),
        ("limit" = Option<u64>, Query, description = "1 to 500; default 100"),
        ("after" = Option<String>, Query, description = "the previous page's `next`"),
        ("order" = Option<String>, Query, description = "received (default) or start"),
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
    if let Some(exam) = query.exam {
        select = select.filter(exam_case::Column::ComponentId.eq(exam));
    }
    if let Some(from) = query.from {
        select = select.filter(exam_case::Column::PlannedStart.gte(from));
    }
    if let Some(until) = query.until {
        select = select.filter(exam_case::Column::PlannedStart.lt(until));
    }
    let mut page = if query.which == Which::Mine {
        // The person's own and planned exams are read by id (primary key) and put in order
        // here, so the page costs what the person has, not what the school has: SQLite's
        // planner, without statistics, walked the list-order index through every case of
        // the school instead (measured: 7.5 ms at 10,000 cases, 21 ms at 100,000).
        if query.order == Order::Start {
            select = select.filter(exam_case::Column::PlannedStart.is_not_null());
        }
        let mut rows = select.all(&state.db).await?;
        rows.retain(|c| query.after.is_none_or(|a| key_of(c, query.order) > a));
        rows.sort_by_key(|c| key_of(c, query.order));
        rows.truncate(query.limit as usize + 1);
        rows
    } else {
        let by = match query.order {
            Order::Received => exam_case::Column::CreatedAt,
            Order::Start => {
                select = select.filter(exam_case::Column::PlannedStart.is_not_null());
                exam_case::Column::PlannedStart
            }
        };
        if let Some((at, id)) = query.after {
            select = select.filter(
                Condition::any().add(by.gt(at)).add(
                    Condition::all()
                        .add(by.eq(at))
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
                .order_by_asc(by)
                .order_by_asc(exam_case::Column::CaseId)
                .limit(query.limit + 1)
        };
        ordered.all(&state.db).await?
    };
    let more = page.len() as u64 > query.limit;
    page.truncate(query.limit as usize);
    let next = more
        .then(|| page.last().map(|c| cursor_of(c, query.order)))
        .flatten();
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
