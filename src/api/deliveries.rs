//! The exam office and the SIS: what went to the SIS, when, and what it answered (flow 5),
//! per exam and for the whole school (what is still waiting or parked); sending a parked
//! message again once its cause is fixed; and fetching from a SIS that does not push
//! (flow 1 pull).

use super::access::{case_in_path, forbidden};
use super::signed_in;
use crate::audit::Actor;
use crate::http::ApiError;
use crate::http::AppState;
use crate::outbox::{self, Retried};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use entity::sis_message;
use serde::Serialize;
use uuid::Uuid;

/// One message to the SIS.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    message_id: Uuid,
    case_id: Uuid,
    /// The SIS's association the result goes onto.
    association_id: Uuid,
    /// A planning status to a SIS on the OKE 1.1 draft (`pending`, `planned` with the moment,
    /// `canceled`), or a result: `attendance`, `signed`, `finalised`, `corrected`,
    /// `countersigned`.
    reason: String,
    /// `PATCH` or `PUT`.
    method: String,
    /// `waiting`, `sending`, `delivered` or `parked` (needs a person).
    state: String,
    attempts: i32,
    created_at: DateTime<Utc>,
    /// When the next attempt is due, while waiting.
    next_attempt_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    /// The SIS's last HTTP status, and what went wrong if it did.
    last_status: Option<i32>,
    last_error: Option<String>,
    /// The start of the SIS's last answer.
    last_response: Option<String>,
    /// The body as sent (fixed at the first attempt).
    #[schema(value_type = Option<Object>)]
    body: Option<serde_json::Value>,
    /// Why a waiting message is not on its way: `noSis` (the school has no SIS connection
    /// configured) or `earlierMessage` (an earlier message of the same enrolment has to
    /// arrive first).
    waiting_for: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    items: Vec<DeliveryView>,
}

/// The views of `messages`, each waiting one with what it waits for.
fn views(messages: Vec<sis_message::Model>, has_sis: bool) -> Vec<DeliveryView> {
    let open: Vec<(Uuid, i32)> = messages
        .iter()
        .filter(|m| m.state != outbox::DELIVERED)
        .map(|m| (m.association_id, m.position))
        .collect();
    messages
        .into_iter()
        .map(|m| {
            let waiting_for = (m.state == outbox::WAITING)
                .then(|| {
                    if !has_sis {
                        Some("noSis".to_string())
                    } else if open
                        .iter()
                        .any(|(a, p)| *a == m.association_id && *p < m.position)
                    {
                        Some("earlierMessage".into())
                    } else {
                        None
                    }
                })
                .flatten();
            DeliveryView {
                waiting_for,
                ..view(m)
            }
        })
        .collect()
}

fn view(m: sis_message::Model) -> DeliveryView {
    DeliveryView {
        waiting_for: None,
        next_attempt_at: (m.state == outbox::WAITING).then_some(m.next_attempt_at),
        message_id: m.message_id,
        case_id: m.case_id,
        association_id: m.association_id,
        reason: m.reason,
        method: m.method,
        state: m.state,
        attempts: m.attempts,
        created_at: m.created_at,
        delivered_at: m.delivered_at,
        last_status: m.last_status,
        last_error: m.last_error,
        last_response: m.last_response,
        body: m.body.and_then(|b| serde_json::from_str(&b).ok()),
    }
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/deliveries",
    tag = "deliveries",
    summary = "What was sent to the SIS for this exam, when, and what it answered (exam office and committee)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "the messages, in order", body = DeliveryList), (status = 401, description = "not signed in"), (status = 403, description = "not exam office or committee"), (status = 404, description = "no such exam"))
)]
pub async fn of_case(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, _) = case_in_path(&state, &req, false).await?;
    if !me.staff() {
        return Err(forbidden(
            "only the exam office and committee see the deliveries",
        ));
    }
    let messages = outbox::of_case(&state.db, &tenant.settings.slug, c.case_id).await?;
    let items = views(messages, tenant.settings.sis.is_some());
    Ok(HttpResponse::Ok().json(DeliveryList { items }))
}

#[utoipa::path(
    get,
    path = "/api/{slug}/deliveries",
    tag = "deliveries",
    summary = "The school's messages to the SIS that are not delivered yet, oldest first (exam office and committee)",
    params(("slug" = String, Path, description = "the school")),
    responses((status = 200, description = "waiting, sending and parked messages", body = DeliveryList), (status = 401, description = "not signed in"), (status = 403, description = "not exam office or committee"))
)]
pub async fn undelivered(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    if !me.staff() {
        return Err(forbidden(
            "only the exam office and committee see the deliveries",
        ));
    }
    let messages = outbox::undelivered(&state.db, &tenant.settings.slug, 500).await?;
    let items = views(messages, tenant.settings.sis.is_some());
    Ok(HttpResponse::Ok().json(DeliveryList { items }))
}

#[utoipa::path(
    post,
    path = "/api/{slug}/deliveries/{messageId}/retry",
    tag = "deliveries",
    summary = "Send a parked message again, its body built anew from the exam as it stands (exam office)",
    params(("slug" = String, Path, description = "the school"), ("messageId" = Uuid, Path, description = "the message")),
    responses((status = 200, description = "queued again", body = DeliveryView), (status = 401, description = "not signed in"), (status = 403, description = "not exam office"), (status = 400, description = "the message is not parked"), (status = 404, description = "no such message"))
)]
pub async fn retry(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, true).await?;
    if !me.exam_office {
        return Err(forbidden("only the exam office sends a message again"));
    }
    let slug = tenant.settings.slug.as_str();
    let id = crate::http::path_uuid(&req, "messageId")?;
    let by = Actor::Person(me.person_id);
    match outbox::retry(&state.db, &state.delivery.doorbell, slug, id, &by).await? {
        Retried::Queued(m) => Ok(HttpResponse::Ok().json(view(*m))),
        Retried::NotParked(now) => Err(ApiError::bad(
            "messageId",
            format!(
                "message {id} is {now}, not parked: only a parked message is sent again by hand"
            ),
        )),
        Retried::NotFound => Err(ApiError::NotFound(format!("No message {id} to the SIS"))),
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PullBody {
    /// First day of the period (default: 30 days ago).
    since: Option<chrono::NaiveDate>,
    /// Last day of the period (default: a year from today).
    until: Option<chrono::NaiveDate>,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/sis/pull",
    tag = "deliveries",
    summary = "Fetch the planbare toetsen of a period, their enrolments and persons from the SIS (flow 1 pull; exam office)",
    params(("slug" = String, Path, description = "the school")),
    request_body = PullBody,
    responses((status = 200, description = "what was stored and what was skipped", body = crate::pull::PullReport), (status = 400, description = "a bad period, or no SIS configured"), (status = 401, description = "not signed in"), (status = 403, description = "not exam office"), (status = 502, description = "the SIS failed"))
)]
pub async fn pull(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: PullBody = super::json_body(&req, payload).await?;
    let (tenant, me) = signed_in(&state, &req, true).await?;
    if !me.exam_office {
        return Err(forbidden("only the exam office fetches from the SIS"));
    }
    let today = chrono::Utc::now().date_naive();
    let since = body.since.unwrap_or(today - chrono::Days::new(30));
    let until = body.until.unwrap_or(today + chrono::Days::new(365));
    if until < since {
        return Err(ApiError::bad("until", "must not be before `since`"));
    }
    match crate::pull::pull(&state.pull_sources(), tenant, since, until).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report)),
        Err(crate::pull::PullError::NotConfigured) => Err(ApiError::bad(
            "sis",
            "this school has no SIS connection configured",
        )),
        Err(crate::pull::PullError::Sis(e)) => Err(ApiError::BadGateway(e)),
        Err(crate::pull::PullError::Db(e)) => Err(e.into()),
    }
}
