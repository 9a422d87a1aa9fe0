//! The JSON API for people (the phone app) under `/api/{slug}`: who is signed in, the exam
//! cases they may see, and the lifecycle steps their role allows (plan, score, judge, sign,
//! finalise, read the audit trail). Every handler checks the session's tenant and the
//! person's relation to the case; every state-changing request must carry the session's CSRF
//! token. Sign-in: the school's OpenID Provider, mailed one-time links, and the demo page
//! (demo mode only).

mod access;
mod audit;
mod calendar;
mod cases;
mod corrections;
mod deliveries;
mod documents;
mod evidence;
mod exams;
mod model;
mod planning;
mod school;
mod scoring;
mod sheets;
mod signin;
mod signing;
mod views;

use crate::auth::session;
use crate::http::body::{self, Kind};
use crate::http::ApiError;
use crate::http::AppState;
use crate::tenant::Tenant;
use actix_web::{web, HttpRequest, ResponseError};
use chrono::Utc;
use entity::person;
use sea_orm::EntityTrait;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The OpenAPI document of this API, generated from the handlers and their bodies.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Proeve people's API", description = "The JSON API of the phone app: sessions in an HttpOnly cookie; every write sends the session's CSRF token in X-CSRF-Token."),
    paths(
        signin::me, signin::methods, signin::sign_out, signin::demo_sign_in_json, signin::request_link, signin::code_sign_in, signin::sign_out_person,
        cases::list, cases::counts, cases::get, planning::plan, planning::cancel, planning::extra_attempt, scoring::save_sheet, scoring::judge, scoring::confirm_joint,
        signing::sign, signing::finalise, audit::audit, corrections::correct, corrections::countersign,
        model::model, sheets::list_sheets, sheets::preview, calendar::calendar,
        documents::list, documents::download, documents::record,
        evidence::list, evidence::declare, evidence::get, evidence::upload, evidence::delete, evidence::content,
        deliveries::of_case, deliveries::undelivered, deliveries::retry, deliveries::pull,
        exams::list, exams::approve,
    ),
    tags((name = "cases", description = "Exam cases: plan, score, judge, sign, finalise"), (name = "sign-in", description = "Sessions"), (name = "deliveries", description = "Results sent to the SIS (flow 5)"), (name = "exams", description = "The catalogue at the school: licensed, approved by the exam committee"))
)]
pub struct ApiDoc;

async fn openapi() -> actix_web::HttpResponse {
    use utoipa::OpenApi;
    match ApiDoc::openapi().to_json() {
        Ok(json) => actix_web::HttpResponse::Ok()
            .content_type("application/json")
            .body(json),
        Err(e) => ApiError::internal(e).error_response(),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/openapi.json", web::get().to(openapi));
    let r = |path: &str, allow: &'static str| {
        web::resource(path).default_service(web::to(move |req: HttpRequest| async move {
            crate::http::method_not_allowed(&req, allow)
        }))
    };
    cfg.service(
        web::scope("/api/{slug}")
            // People's data: never kept in a (shared phone's) browser cache, never sniffed.
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((actix_web::http::header::CACHE_CONTROL, "no-store"))
                    .add((actix_web::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
            )
            .service(r("/me", "GET").route(web::get().to(signin::me)))
            .service(r("/sign-out", "POST").route(web::post().to(signin::sign_out)))
            .service(r("/demo/sign-in", "POST").route(web::post().to(signin::demo_sign_in_json)))
            .service(r("/sign-in/link", "POST").route(web::post().to(signin::request_link)))
            .service(r("/sign-in/code", "POST").route(web::post().to(signin::code_sign_in)))
            .service(
                r("/people/{personId}/sign-out", "POST")
                    .route(web::post().to(signin::sign_out_person)),
            )
            .service(r("/sign-in/methods", "GET").route(web::get().to(signin::methods)))
            .service(r("/cases", "GET").route(web::get().to(cases::list)))
            .service(r("/cases/counts", "GET").route(web::get().to(cases::counts)))
            .service(r("/cases/{id}", "GET").route(web::get().to(cases::get)))
            .service(r("/cases/{id}/plan", "POST").route(web::post().to(planning::plan)))
            .service(r("/cases/{id}/cancel", "POST").route(web::post().to(planning::cancel)))
            .service(
                r("/cases/{id}/extra-attempt", "POST")
                    .route(web::post().to(planning::extra_attempt)),
            )
            .service(
                r("/cases/{id}/sheets/{sheet}", "PUT").route(web::put().to(scoring::save_sheet)),
            )
            .service(r("/cases/{id}/model", "GET").route(web::get().to(model::model)))
            .service(r("/cases/{id}/sheets", "GET").route(web::get().to(sheets::list_sheets)))
            .service(r("/cases/{id}/preview", "POST").route(web::post().to(sheets::preview)))
            .service(r("/cases/{id}/calendar.ics", "GET").route(web::get().to(calendar::calendar)))
            .service(r("/cases/{id}/judge", "POST").route(web::post().to(scoring::judge)))
            .service(
                r("/cases/{id}/sheets/joint/confirm", "POST")
                    .route(web::post().to(scoring::confirm_joint)),
            )
            .service(r("/cases/{id}/signatures", "POST").route(web::post().to(signing::sign)))
            .service(r("/cases/{id}/audit", "GET").route(web::get().to(audit::audit)))
            .service(
                r("/cases/{id}/corrections", "POST").route(web::post().to(corrections::correct)),
            )
            .service(
                r("/cases/{id}/corrections/countersign", "POST")
                    .route(web::post().to(corrections::countersign)),
            )
            .service(r("/cases/{id}/documents", "GET").route(web::get().to(documents::list)))
            .service(
                r("/cases/{id}/documents/{documentId}", "GET")
                    .route(web::get().to(documents::download)),
            )
            .service(
                r("/cases/{id}/evidence", "GET, POST")
                    .route(web::get().to(evidence::list))
                    .route(web::post().to(evidence::declare)),
            )
            .service(
                r("/cases/{id}/evidence/{evidenceId}", "GET, DELETE")
                    .route(web::get().to(evidence::get))
                    .route(web::delete().to(evidence::delete)),
            )
            .service(
                r("/cases/{id}/evidence/{evidenceId}/content", "GET, PUT")
                    .route(web::get().to(evidence::content))
                    .route(web::put().to(evidence::upload)),
            )
            .service(r("/cases/{id}/record", "GET").route(web::get().to(documents::record)))
            .service(r("/cases/{id}/deliveries", "GET").route(web::get().to(deliveries::of_case)))
            .service(r("/deliveries", "GET").route(web::get().to(deliveries::undelivered)))
            .service(r("/sis/pull", "POST").route(web::post().to(deliveries::pull)))
            .service(
                r("/deliveries/{messageId}/retry", "POST").route(web::post().to(deliveries::retry)),
            )
            .service(r("/finalise", "POST").route(web::post().to(signing::finalise)))
            .service(r("/exams", "GET").route(web::get().to(exams::list)))
            .service(
                r("/exams/{componentId}/approval", "PUT").route(web::put().to(exams::approve)),
            ),
    );
    cfg.service(r("/app/{slug}/sign-in/school", "GET").route(web::get().to(school::start)));
    cfg.service(
        r("/app/{slug}/sign-in/school/callback", "GET").route(web::get().to(school::callback)),
    );
    cfg.service(
        r("/app/{slug}/sign-in/link", "GET, POST")
            .route(web::get().to(signin::link_page))
            .route(web::post().to(signin::redeem_link)),
    );
    cfg.service(
        r("/app/{slug}/sign-in", "GET, POST")
            .route(web::get().to(signin::demo_page))
            .route(web::post().to(signin::demo_sign_in_form)),
    );
    // The phone app itself, after every other /app/{slug}/… page.
    cfg.service(r("/app/{slug}", "GET").route(web::get().to(crate::web::app_root)));
    cfg.service(r("/app/{slug}/{file:.*}", "GET").route(web::get().to(crate::web::asset)));
}

/// The signed-in person on this request.
pub struct Me {
    pub person_id: Uuid,
    pub display_name: Option<String>,
    pub exam_office: bool,
    pub exam_committee: bool,
    pub csrf_token: String,
}

impl Me {
    pub fn staff(&self) -> bool {
        self.exam_office || self.exam_committee
    }
}

/// Whether the deployment is served over https (its public URL says so).
pub(crate) fn https(state: &AppState) -> bool {
    state.settings.public_url.starts_with("https://")
}

/// A cookie's name: behind https with the `__Host-` prefix, which the browser keeps only for
/// a cookie set by this host over https, with `Secure` and `Path=/`, so no other host of the
/// domain and no plain-http page can set or shadow it. Only that name is read then.
pub(crate) fn cookie_name(state: &AppState, base: &str) -> String {
    if https(state) {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// The session token the browser sent, under this deployment's cookie name.
pub(crate) fn session_token(state: &AppState, req: &HttpRequest) -> Option<String> {
    req.cookie(&cookie_name(state, session::COOKIE))
        .map(|c| c.value().to_string())
}

/// The tenant in the path and the person signed in to it. `write` demands the CSRF token.
pub async fn signed_in<'a>(
    state: &'a AppState,
    req: &HttpRequest,
    write: bool,
) -> Result<(&'a Tenant, Me), ApiError> {
    let tenant = crate::http::tenant(state, req)?;
    let token =
        session_token(state, req).ok_or_else(|| ApiError::Unauthorized("sign in first".into()))?;
    let s = session::find(&state.db, &token)
        .await?
        .filter(|s| s.tenant == tenant.settings.slug)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "your session has ended or belongs to another school; sign in again".into(),
            )
        })?;
    if write {
        let given = req
            .headers()
            .get(session::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !session::csrf_matches(&s.csrf_token, given) {
            return Err(ApiError::Forbidden {
                detail: "send the session's CSRF token in X-CSRF-Token".into(),
                scope: String::new(),
            });
        }
    }
    let p = person::Entity::find_by_id((tenant.settings.slug.clone(), s.person_id))
        .one(&state.db)
        .await?;
    let listed = |list: &[String]| {
        let id = s.person_id.to_string();
        let mail = p
            .as_ref()
            .and_then(|p| p.mail.clone())
            .unwrap_or_default()
            .to_lowercase();
        list.iter()
            .any(|e| *e == id || (!mail.is_empty() && e.to_lowercase() == mail))
    };
    let exam_office =
        listed(&tenant.settings.exam_office) || session::has_role(&s, session::EXAM_OFFICE);
    let exam_committee =
        listed(&tenant.settings.exam_committee) || session::has_role(&s, session::EXAM_COMMITTEE);
    // The staff's sessions reach every exam of the school: they end sooner when left alone.
    if (exam_office || exam_committee) && Utc::now() - s.last_seen_at >= session::STAFF_IDLE {
        session::end(&state.db, &token).await?;
        return Err(ApiError::Unauthorized(
            "your session has ended or belongs to another school; sign in again".into(),
        ));
    }
    session::touch(&state.db, &s).await?;
    Ok((
        tenant,
        Me {
            person_id: s.person_id,
            display_name: p.and_then(|p| p.display_name),
            exam_office,
            exam_committee,
            csrf_token: s.csrf_token,
        },
    ))
}

/// A JSON body of our own API, with the path of a bad field in the error.
pub async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let bytes = body::read(req, payload).await?;
    let (value, _) = body::json(req, &bytes, Kind::Put)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ApiError::bad(if path == "." { "body" } else { &path }, e.inner())
    })
}

/// Session cookie attributes: Secure when Proeve is reached over https.
pub fn session_cookie(state: &AppState, token: String) -> actix_web::cookie::Cookie<'static> {
    actix_web::cookie::Cookie::build(cookie_name(state, session::COOKIE), token)
        .path("/")
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Lax)
        .secure(https(state))
        // As long as the session itself may last.
        .max_age(actix_web::cookie::time::Duration::seconds(
            session::ABSOLUTE.num_seconds(),
        ))
        .finish()
}
