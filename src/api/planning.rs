//! Planning an exam case: plan or re-plan (date, time, place, assessors), cancel one not yet
//! assessed, plan an extra attempt after a result that did not pass.

use super::access::{case_in_path, forbidden, relation, CaseErrors};
use super::json_body;
use super::views::{self, CaseView};
use crate::audit::Actor;
use crate::http::{ApiError, AppState};
use crate::planning::{self, Place, Plan, Planner};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanBody {
    revision: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    place: PlaceBody,
    /// First assessor first. Only the exam office changes the assessors of an exam that has
    /// any; an assessor on the exam sends them unchanged to move its moment or place.
    assessors: Vec<Uuid>,
    /// Why the assessors change once scoring has started (exam office; kept in the audit
    /// trail with the sheets of any removed assessor).
    reason: Option<String>,
    /// The examenleider (exam office only): a person of the school; `null` makes it the lead
    /// assessor again; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    exam_leader: Option<Option<Uuid>>,
}

/// A field that is present, even as `null`, is `Some`: absent means "leave it".
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "camelCase")]
pub enum PlaceBody {
    Workplace { name: String, address: String },
    School { location: String },
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/plan",
    tag = "cases",
    summary = "Plan or re-plan: date, time, place, assessors (who may change what: see the README)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = PlanBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn plan(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: PlanBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !(me.exam_office || r.enrolled_assessor || r.planned_assessor) {
        return Err(forbidden(
            "only the exam office and the exam's assessors plan it",
        ));
    }
    let place = match body.place {
        PlaceBody::Workplace { name, address } => Place::Workplace { name, address },
        PlaceBody::School { location } => Place::School { location },
    };
    let p = Plan {
        start: body.start,
        end: body.end,
        place,
        assessors: body.assessors,
        reason: body.reason,
        leader: body.exam_leader,
    };
    let by = Planner {
        actor: Actor::Person(me.person_id),
        exam_office: me.exam_office,
    };
    let planned = planning::plan(&state.exams(tenant), c.case_id, body.revision, &p, &by).await?;
    let r = relation(&state.db, slug, &me, &planned).await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &planned, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CancelBody {
    revision: i64,
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/cancel",
    tag = "cases",
    summary = "Cancel an exam not yet assessed (exam office)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = CancelBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CancelBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office cancels an exam"));
    }
    let canceled = planning::cancel(
        &state.exams(tenant),
        c.case_id,
        body.revision,
        &body.reason,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(views::view(&state, slug, &canceled, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtraAttemptBody {
    /// The case revision you saw.
    revision: i64,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/extra-attempt",
    tag = "cases",
    summary = "Plan an extra attempt after a result that did not pass (exam office), within the SIS's attemptLeft; its result goes to the SIS as a new association",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case that did not pass")),
    request_body = ExtraAttemptBody,
    responses((status = 201, description = "the new exam case, to plan", body = CaseView), CaseErrors)
)]
pub async fn extra_attempt(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: ExtraAttemptBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office plans an extra attempt"));
    }
    let created = planning::plan_extra_attempt(
        &state.exams(tenant),
        c.case_id,
        body.revision,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Created().json(views::view(&state, slug, &created, &r, &me).await?))
}
