//! Signing in and out. The demo page lists the demo school's people so a newcomer can try
//! every role; it exists only in demo mode. (School SSO and mailed sign-in links come next.)

use super::{json_body, session_cookie, signed_in};
use crate::auth::session;
use crate::http::ApiError;
use crate::http::AppState;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use entity::person;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

#[utoipa::path(
    get,
    path = "/api/{slug}/me",
    tag = "sign-in",
    summary = "Who is signed in, their roles and the CSRF token",
    params(("slug" = String, Path, description = "the school")),
    responses(
        (status = 200, description = "done"),
        (status = 400, description = "a field or rule was broken", content_type = "application/problem+json"),
        (status = 401, description = "not signed in", content_type = "application/problem+json"),
        (status = 404, description = "not available on this server", content_type = "application/problem+json"),
    )
)]
pub async fn me(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    Ok(HttpResponse::Ok().json(json!({
        "school": tenant.settings.name,
        "personId": me.person_id,
        "displayName": me.display_name,
        "examOffice": me.exam_office,
        "examCommittee": me.exam_committee,
        "csrfToken": me.csrf_token,
    })))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInMethods {
    school: String,
    /// Sign in with the school account (OpenID Connect) at `/app/{slug}/sign-in/school`.
    school_account: bool,
    /// Ask for a mailed one-time link (`POST /api/{slug}/sign-in/link`).
    mailed_link: bool,
    /// The demo's sign-in page at `/app/{slug}/sign-in` (demo mode only).
    demo: bool,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/sign-in/methods",
    tag = "sign-in",
    summary = "How people of this school can sign in (no session needed)",
    params(("slug" = String, Path, description = "the school")),
    responses(
        (status = 200, description = "the ways in", body = SignInMethods),
        (status = 404, description = "no such school", content_type = "application/problem+json"),
    )
)]
pub async fn methods(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let tenant = crate::http::tenant(&state, &req)?;
    Ok(HttpResponse::Ok().json(SignInMethods {
        school: tenant.settings.name.clone(),
        school_account: tenant.settings.oidc.is_some(),
        mailed_link: state.settings.smtp.is_some(),
        demo: state.settings.is_demo(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/{slug}/sign-out",
    tag = "sign-in",
    summary = "End the session",
    params(("slug" = String, Path, description = "the school")),
    responses(
        (status = 204, description = "done"),
        (status = 400, description = "a field or rule was broken", content_type = "application/problem+json"),
        (status = 401, description = "not signed in", content_type = "application/problem+json"),
        (status = 404, description = "not available on this server", content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    signed_in(&state, &req, true).await?;
    if let Some(token) = super::session_token(&state, &req) {
        session::end(&state.db, &token).await?;
    }
    let mut gone = session_cookie(&state, String::new());
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[utoipa::path(
    post,
    path = "/api/{slug}/people/{personId}/sign-out",
    tag = "sign-in",
    summary = "End every session of a person (exam office: a lost or shared phone)",
    params(("slug" = String, Path, description = "the school"), ("personId" = Uuid, Path, description = "the person")),
    responses(
        (status = 200, description = "done; how many sessions ended"),
        (status = 401, description = "not signed in", content_type = "application/problem+json"),
        (status = 403, description = "not the exam office", content_type = "application/problem+json"),
        (status = 404, description = "no such person of this school", content_type = "application/problem+json"),
    )
)]
pub async fn sign_out_person(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = super::signed_in(&state, &req, true).await?;
    if !me.exam_office {
        return Err(super::access::forbidden(
            "only the exam office signs someone else out",
        ));
    }
    let slug = tenant.settings.slug.as_str();
    let person_id = crate::http::path_uuid(&req, "personId")?;
    let known = person::Entity::find_by_id((slug.to_string(), person_id))
        .one(&state.db)
        .await?
        .is_some();
    if !known {
        return Err(ApiError::NotFound(
            "there is no such person at this school".into(),
        ));
    }
    let ended = session::end_all(&state.db, slug, person_id).await?;
    tracing::info!(tenant = slug, person = %person_id, by = %me.person_id, ended, "signed out by the exam office");
    Ok(HttpResponse::Ok().json(json!({"ended": ended})))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DemoSignIn {
    person_id: Uuid,
}

/// Starts a demo session for a person of this school, if Proeve runs the demo.
async fn demo_session(
    state: &AppState,
    req: &HttpRequest,
    person_id: Uuid,
) -> Result<(String, String), ApiError> {
    let tenant = crate::http::tenant(state, req)?;
    if !state.settings.is_demo() {
        return Err(ApiError::NotFound(
            "the demo sign-in exists only in the demo".into(),
        ));
    }
    let slug = tenant.settings.slug.as_str();
    let known = person::Entity::find_by_id((slug.to_string(), person_id))
        .one(&state.db)
        .await?
        .is_some_and(|p| p.purged_at.is_none());
    if !known {
        return Err(ApiError::bad("personId", "is not a person of this school"));
    }
    let (token, s) = session::start(&state.db, slug, person_id, "demo", &[]).await?;
    Ok((token, s.csrf_token))
}

#[utoipa::path(
    post,
    path = "/api/{slug}/demo/sign-in",
    tag = "sign-in",
    summary = "Sign in as a demo person (demo mode only)",
    params(("slug" = String, Path, description = "the school")),
    request_body = DemoSignIn,
    responses(
        (status = 200, description = "done"),
        (status = 400, description = "a field or rule was broken", content_type = "application/problem+json"),
        (status = 401, description = "not signed in", content_type = "application/problem+json"),
        (status = 404, description = "not available on this server", content_type = "application/problem+json"),
    )
)]
pub async fn demo_sign_in_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: DemoSignIn = json_body(&req, payload).await?;
    let (token, csrf) = demo_session(&state, &req, body.person_id).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, token))
        .json(json!({"personId": body.person_id, "csrfToken": csrf})))
}

/// The fields of a posted form, read with the same limit and answers as every body.
async fn form_fields(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Vec<(String, String)>, ApiError> {
    let form = crate::http::body::read(req, payload).await?;
    serde_urlencoded::from_bytes(&form)
        .map_err(|_| ApiError::BadRequest("the form is not URL encoded".into()))
}

pub async fn demo_sign_in_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    same_origin(&state, &req)?;
    let fields = form_fields(&req, payload).await?;
    let person_id = fields
        .iter()
        .find(|(k, _)| k == "personId")
        .and_then(|(_, v)| crate::ooapi::read::parse_uuid(v))
        .ok_or_else(|| ApiError::bad("personId", "must be a person id"))?;
    let (token, _) = demo_session(&state, &req, person_id).await?;
    let slug = req.match_info().get("slug").unwrap_or_default();
    Ok(signed_in_redirect(&state, slug, token))
}

/// Refuses a form posted from another site (login CSRF: signing someone in as someone else).
/// Browsers send `Origin` (and `Sec-Fetch-Site`) with every form POST; other clients may
/// send neither.
pub(super) fn same_origin(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    // Proeve's own origin is its public URL (behind a proxy the Host header may be the
    // proxy's upstream); the Host a browser reached directly counts too.
    let public = reqwest::Url::parse(&state.settings.public_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let scheme = req.connection_info().scheme().to_string();
    let direct = format!("{scheme}://{}", req.connection_info().host());
    let cross_origin = header("origin").is_some_and(|o| o != public && o != direct);
    let cross_site = header("sec-fetch-site") == Some("cross-site");
    if cross_origin || cross_site {
        return Err(ApiError::Forbidden {
            detail: "this form can only be sent from Proeve's own page".into(),
            scope: String::new(),
        });
    }
    Ok(())
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The demo sign-in page: every person of the demo school, with their role.
pub async fn demo_page(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let tenant = crate::http::tenant(&state, &req)?;
    if !state.settings.is_demo() {
        return Err(ApiError::NotFound(
            "the demo sign-in exists only in the demo".into(),
        ));
    }
    let slug = tenant.settings.slug.as_str();
    let people = person::Entity::find()
        .filter(person::Column::Tenant.eq(slug))
        .filter(person::Column::PurgedAt.is_null())
        .order_by_asc(person::Column::DisplayName)
        .all(&state.db)
        .await?;
    let mut rows = String::new();
    for p in people {
        let id = p.person_id.to_string();
        let role = if tenant.settings.exam_office.contains(&id) {
            "examenbureau"
        } else if tenant.settings.exam_committee.contains(&id) {
            "examencommissie"
        } else {
            let doc = p.document.as_deref().unwrap_or_default();
            if doc.contains("\"student\"") {
                "student"
            } else {
                "beoordelaar"
            }
        };
        rows.push_str(&format!(
            "<li><form method=\"post\"><input type=\"hidden\" name=\"personId\" value=\"{id}\">\
             <button type=\"submit\">{}</button> <span>{role}</span></form></li>\n",
            escape(p.display_name.as_deref().unwrap_or(&id))
        ));
    }
    let html = format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/app/{slug}/app.css\">\
         <title>Proeve demo: inloggen</title></head><body><main>\
         <h1>Inloggen bij {}</h1><p>Demo: kies wie je bent.</p><ul>\n{rows}</ul></main></body></html>",
        escape(&tenant.settings.name)
    );
    Ok(crate::http::html_page(StatusCode::OK, html))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    email: String,
}

/// `POST /api/{slug}/sign-in/link {email}`: mails a one-time link if the address belongs to
/// a person of this school. Always the same answer, at once, so it reveals no addresses.
#[utoipa::path(
    post,
    path = "/api/{slug}/sign-in/link",
    tag = "sign-in",
    summary = "Mail a one-time sign-in link",
    params(("slug" = String, Path, description = "the school")),
    request_body = LinkRequest,
    responses(
        (status = 202, description = "done"),
        (status = 400, description = "a field or rule was broken", content_type = "application/problem+json"),
        (status = 404, description = "not available on this server", content_type = "application/problem+json"),
        (status = 429, description = "too many links asked from this address; wait", content_type = "application/problem+json"),
    )
)]
pub async fn request_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: LinkRequest = json_body(&req, payload).await?;
    let tenant = crate::http::tenant(&state, &req)?;
    if state.settings.smtp.is_none() {
        return Err(ApiError::NotFound(
            "sign-in links are not set up on this server".into(),
        ));
    }
    if !body.email.contains('@') {
        return Err(ApiError::bad("email", "is not an e-mail address"));
    }
    if body.email.len() > 254 {
        return Err(ApiError::bad("email", "is longer than 254 characters"));
    }
    // Nothing here depends on the address: it is queued, and looked up, rate-checked and
    // mailed after this answer, so neither the time taken nor the status says whether the
    // school knows it.
    let from = crate::http::client_ip(&state, &req);
    let key = format!("{} {from}", tenant.settings.slug);
    if state.throttles.link_requests.exhausted(&key) {
        return Err(ApiError::TooManyRequests(
            "too many sign-in links asked from here; try again in ten minutes".into(),
        ));
    }
    state.throttles.link_requests.count(&key);
    crate::auth::link::ask(&state.db, &tenant.settings.slug, body.email.trim()).await?;
    state.mail_bell.ring();
    Ok(HttpResponse::Accepted().json(json!({
        "message": "Als dit adres bij de school bekend is, staat er een inloglink in je mail."
    })))
}

/// A page of the server's own (sign-in steps), in the app's style.
pub(super) fn page(slug: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/app/{slug}/app.css\">\
         <title>{t}</title></head><body><main><h1>{t}</h1>{body}</main></body></html>",
        t = escape(title)
    )
}

fn token_of(req: &HttpRequest) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// `GET /app/{slug}/sign-in/link?token=…`: asks to confirm; does not use the link yet.
pub async fn link_page(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let tenant = crate::http::tenant(&state, &req)?;
    let token = token_of(&req);
    let html = match crate::auth::link::peek(&state.db, &tenant.settings.slug, &token).await? {
        Some(_) => page(
            &tenant.settings.slug,
            &format!("Inloggen bij {}", tenant.settings.name),
            &format!(
                "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
                 <button type=\"submit\">Inloggen</button></form>",
                escape(&token)
            ),
        ),
        None => page(
            &tenant.settings.slug,
            "Deze link werkt niet meer",
            "<p>De link is al gebruikt of verlopen. Vraag een nieuwe aan.</p>",
        ),
    };
    Ok(crate::http::html_page(StatusCode::OK, html))
}

/// `POST /app/{slug}/sign-in/link` (form `token`): uses the link and starts a session.
pub async fn redeem_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let tenant = crate::http::tenant(&state, &req)?;
    let slug = tenant.settings.slug.as_str();
    same_origin(&state, &req)?;
    let fields = form_fields(&req, payload).await?;
    let token = fields
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let Some(person_id) = crate::auth::link::redeem(&state.db, slug, &token).await? else {
        let html = page(
            slug,
            "Deze link werkt niet meer",
            "<p>De link is al gebruikt of verlopen. Vraag een nieuwe aan.</p>",
        );
        return Ok(crate::http::html_page(StatusCode::GONE, html));
    };
    let (token, _) = session::start(&state.db, slug, person_id, "link", &[]).await?;
    // A link opened from the mail often lands in the mail app's browser, not in the installed
    // app that keeps the exam's work: a short code hands the session over to it.
    let (code, until) = crate::auth::link::hand_over(&state.db, slug, person_id).await?;
    let until = until
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%H:%M");
    let html = page(
        slug,
        "Je bent ingelogd",
        &format!(
            "<p><a class=\"button\" href=\"/app/{slug}/\">Verder naar Proeve</a></p>\
             <h2>Gebruik je de Proeve-app op je beginscherm?</h2>\
             <p>Deze link is geopend in een andere browser dan de app. Open de app, kies \
             <strong>Ik heb een inlogcode</strong> en vul deze code in:</p>\
             <p class=\"code\" aria-label=\"inlogcode\"><strong>{code}</strong></p>\
             <p class=\"muted\">De code werkt één keer, tot {until}.</p>",
            slug = escape(slug),
        ),
    );
    let mut page = crate::http::html_page(StatusCode::OK, html);
    page.add_cookie(&session_cookie(&state, token))
        .map_err(ApiError::internal)?;
    Ok(page)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeSignIn {
    /// The code the sign-in page showed (`ABCD-EFGH`; case, spaces and dashes do not matter).
    code: String,
}

/// `POST /api/{slug}/sign-in/code {code}`: the installed app takes over the session a mailed
/// link started in another browser.
#[utoipa::path(
    post,
    path = "/api/{slug}/sign-in/code",
    tag = "sign-in",
    summary = "Sign in with the one-time code a sign-in page showed",
    params(("slug" = String, Path, description = "the school")),
    request_body = CodeSignIn,
    responses(
        (status = 200, description = "signed in"),
        (status = 400, description = "a field or rule was broken", content_type = "application/problem+json"),
        (status = 404, description = "no such school", content_type = "application/problem+json"),
        (status = 429, description = "too many wrong codes from this address; wait", content_type = "application/problem+json"),
    )
)]
pub async fn code_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CodeSignIn = json_body(&req, payload).await?;
    let tenant = crate::http::tenant(&state, &req)?;
    let slug = tenant.settings.slug.as_str();
    // Guessing is bounded: a few wrong codes from one address, then it waits.
    let from = crate::http::client_ip(&state, &req);
    let key = format!("{slug} {from}");
    if state.throttles.wrong_codes.exhausted(&key) {
        return Err(ApiError::TooManyRequests(
            "too many wrong sign-in codes from here; try again in ten minutes".into(),
        ));
    }
    let Some(person_id) = crate::auth::link::redeem_code(&state.db, slug, &body.code).await? else {
        state.throttles.wrong_codes.count(&key);
        return Err(ApiError::bad(
            "code",
            "is not a valid sign-in code (any more): codes work once, for 10 minutes",
        ));
    };
    let (token, s) = session::start(&state.db, slug, person_id, "code", &[]).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, token))
        .json(json!({"personId": person_id, "csrfToken": s.csrf_token})))
}

/// After a sign-in in the browser: the session cookie, and on to the app.
pub(super) fn signed_in_redirect(state: &AppState, slug: &str, token: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .cookie(session_cookie(state, token))
        .insert_header((header::LOCATION, format!("/app/{slug}/")))
        .finish()
}
