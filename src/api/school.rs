//! School sign-in in the browser: `GET /app/{slug}/sign-in/school` sends the person to the
//! school's OpenID Provider; the provider sends them back to `…/school/callback`, where the
//! account is matched to exactly one person the SIS sent. Everything that goes wrong ends on
//! a page that says what happened and what to do, never in a session.

use super::signin::{escape, page, signed_in_redirect};
use crate::auth::identify::{self, Found, Key};
use crate::auth::oidc::OidcError;
use crate::auth::session;
use crate::config::OidcSettings;
use crate::http::ApiError;
use crate::http::AppState;
use crate::tenant::Tenant;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

/// The cookie that carries state, nonce and PKCE verifier through the provider's pages.
const PENDING_COOKIE: &str = "proeve_oidc";

fn callback_url(state: &AppState, slug: &str) -> String {
    format!(
        "{}/app/{slug}/sign-in/school/callback",
        state.settings.public_url
    )
}

/// The pending cookie's name: behind https one per school (`__Host-` cookies all have the
/// path `/`, so two sign-ins at once in one browser would otherwise overwrite each other).
fn pending_name(state: &AppState, slug: &str) -> String {
    if super::https(state) {
        super::cookie_name(state, &format!("{PENDING_COOKIE}-{slug}"))
    } else {
        PENDING_COOKIE.to_string()
    }
}

fn pending_cookie(state: &AppState, slug: &str, value: String) -> Cookie<'static> {
    // `__Host-` demands the path `/`; over plain http (the demo) only the sign-in's own path.
    let path = if super::https(state) {
        "/".to_string()
    } else {
        format!("/app/{slug}/sign-in/school")
    };
    Cookie::build(pending_name(state, slug), value)
        .path(path)
        .http_only(true)
        // Lax: the provider sends the browser back with a top-level GET.
        .same_site(SameSite::Lax)
        .secure(super::https(state))
        .max_age(Duration::minutes(10))
        .finish()
}

fn html(slug: &str, status: StatusCode, title: &str, body: &str) -> HttpResponse {
    crate::http::html_page(status, page(slug, title, body))
}

fn school_oidc<'a>(
    state: &'a AppState,
    req: &HttpRequest,
) -> Result<(&'a Tenant, &'a OidcSettings), ApiError> {
    let tenant = crate::http::tenant(state, req)?;
    let oidc = tenant.settings.oidc.as_ref().ok_or_else(|| {
        ApiError::NotFound("this school has not set up sign-in with its school account".into())
    })?;
    Ok((tenant, oidc))
}

fn again(slug: &str) -> String {
    format!("<p><a href=\"/app/{slug}/sign-in/school\">Opnieuw inloggen</a></p>")
}

/// A page for a provider that failed or an answer that did not hold up.
fn failed(slug: &str, e: &OidcError) -> HttpResponse {
    match e {
        OidcError::Provider(m) => {
            tracing::warn!(tenant = slug, error = %m, "school sign-in: provider failed");
            html(
                slug,
                StatusCode::BAD_GATEWAY,
                "De inlogdienst van je school werkt nu niet",
                &format!(
                    "<p>Probeer het over een paar minuten opnieuw. Blijft het misgaan, meld \
                     het dan bij de ICT-servicedesk van je school.</p>{}",
                    again(slug)
                ),
            )
        }
        OidcError::Rejected(m) => {
            tracing::warn!(tenant = slug, error = %m, "school sign-in: answer rejected");
            html(
                slug,
                StatusCode::UNAUTHORIZED,
                "Inloggen is niet gelukt",
                &format!(
                    "<p>Het antwoord van de inlogdienst hoorde niet bij deze inlogpoging \
                     (of was verlopen). Begin opnieuw.</p>{}",
                    again(slug)
                ),
            )
        }
    }
}

/// `GET /app/{slug}/sign-in/school`: on to the school's OpenID Provider.
pub async fn start(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, oidc) = school_oidc(&state, &req)?;
    let slug = tenant.settings.slug.as_str();
    match state
        .oidc
        .begin(oidc, slug, &callback_url(&state, slug))
        .await
    {
        Ok((url, pending)) => Ok(HttpResponse::SeeOther()
            .cookie(pending_cookie(&state, slug, state.oidc.seal(&pending)))
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()),
        Err(e) => Ok(failed(slug, &e)),
    }
}

/// `GET /app/{slug}/sign-in/school/callback?code=…&state=…` (or `error=…`): back from the
/// provider.
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, oidc) = school_oidc(&state, &req)?;
    let slug = tenant.settings.slug.as_str();
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let field = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut gone = pending_cookie(&state, slug, String::new());
    gone.make_removal();
    let page_clearing = |mut resp: HttpResponse| {
        resp.add_cookie(&gone).ok();
        resp
    };
    let pending = req
        .cookie(&pending_name(&state, slug))
        .and_then(|c| state.oidc.open(slug, c.value()));
    if let Some(error) = field("error") {
        // The provider's words are shown only on an answer to this browser's own sign-in,
        // so nobody can put text of their choosing on Proeve's pages with a link.
        let ours = pending
            .as_ref()
            .zip(field("state"))
            .is_some_and(|(p, s)| session::csrf_matches(&p.state, s));
        let detail = field("error_description").unwrap_or(error);
        tracing::info!(
            tenant = slug,
            error,
            ours,
            "school sign-in: the provider said no"
        );
        let told = if ours {
            format!(
                "<p>De inlogdienst van je school meldt: {}</p>",
                escape(detail)
            )
        } else {
            "<p>De inlogdienst van je school heeft het inloggen niet afgerond.</p>".to_string()
        };
        return Ok(page_clearing(html(
            slug,
            StatusCode::UNAUTHORIZED,
            "Inloggen is afgebroken",
            &format!("{told}{}", again(slug)),
        )));
    }
    let (Some(pending), Some(code), Some(given_state)) = (pending, field("code"), field("state"))
    else {
        return Ok(page_clearing(html(
            slug,
            StatusCode::BAD_REQUEST,
            "Deze inlogpoging is niet meer geldig",
            &format!(
                "<p>Inloggen duurde te lang, of begon in een andere browser. Begin \
                 opnieuw.</p>{}",
                again(slug)
            ),
        )));
    };
    let account = match state
        .oidc
        .finish(
            oidc,
            &callback_url(&state, slug),
            pending,
            code,
            given_state,
        )
        .await
    {
        Ok(a) => a,
        Err(e) => return Ok(page_clearing(failed(slug, &e))),
    };
    let unknown = |why: &str| {
        tracing::info!(tenant = slug, subject = %account.subject, why, "school sign-in: no match");
        page_clearing(html(
            slug,
            StatusCode::FORBIDDEN,
            "We kennen je hier (nog) niet",
            &format!(
                "<p>Je bent ingelogd bij je school, maar {} heeft in Proeve niemand die bij \
                 dit account hoort: {why}. Proeve kent alleen mensen die het \
                 studentinformatiesysteem van de school heeft doorgegeven voor een \
                 praktijkexamen. Denk je dat dit niet klopt, neem dan contact op met het \
                 examenbureau.</p>",
                escape(&tenant.settings.name)
            ),
        ))
    };
    let Some(value) = account.identifier(oidc) else {
        return Ok(unknown(&format!(
            "de inlogdienst gaf geen (bevestigde) {}",
            escape(&oidc.claim)
        )));
    };
    let person = match identify::find(&state.db, slug, Key::for_claim(&oidc.claim, &value)).await? {
        Found::One(p) => p,
        Found::None => return Ok(unknown("niemand met dit account")),
        Found::Several => return Ok(unknown("meer dan één persoon heeft dit account")),
    };
    let mut roles = Vec::new();
    if let Some(claim) = &oidc.roles_claim {
        let held = account.strings(claim);
        if held.iter().any(|r| oidc.exam_office_roles.contains(r)) {
            roles.push(session::EXAM_OFFICE);
        }
        if held.iter().any(|r| oidc.exam_committee_roles.contains(r)) {
            roles.push(session::EXAM_COMMITTEE);
        }
    }
    let (token, _) = session::start(&state.db, slug, person.person_id, "oidc", &roles).await?;
    tracing::info!(tenant = slug, person = %person.person_id, ?roles, "signed in with the school account");
    let mut resp = signed_in_redirect(&state, slug, token);
    resp.add_cookie(&gone).ok();
    Ok(resp)
}
