//! School sign-in against a real OpenID Provider (npm oidc-provider, started by the test on
//! 127.0.0.1 from tests/js). The test plays the browser: it follows every redirect itself,
//! with a cookie jar, and logs in at the provider's login step.

use crate::helpers::*;
use proeve::config::OidcSettings;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

const CLIENT_ID: &str = "proeve-roc-a";
const CLIENT_SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";
/// Proeve's public URL in the tests has no port; the test rewrites it to the real address.
const CALLBACK: &str = "http://127.0.0.1/app/roc-a/sign-in/school/callback";

struct OpenIdProvider {
    child: Child,
    _stdin: ChildStdin,
    issuer: String,
}

impl OpenIdProvider {
    /// Starts the provider with these accounts (`{sub: {claims}}`).
    fn start(accounts: Value) -> OpenIdProvider {
        let dir = repo().join("tests/js");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "the OpenID Provider is not installed: run `npm ci --prefix tests/js`"
        );
        let config = json!({
            "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
            "redirectUris": [CALLBACK], "accounts": accounts,
        });
        let mut child = Command::new("node")
            .arg(dir.join("oidc-provider.mjs"))
            .arg(config.to_string())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node (Node.js 20 or later)");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("the provider did not start: {line:?}"));
        OpenIdProvider {
            child,
            _stdin: stdin,
            issuer: started["issuer"].as_str().unwrap().to_string(),
        }
    }

    fn settings(&self, claim: &str) -> OidcSettings {
        OidcSettings {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.to_string().into(),
            claim: claim.into(),
            scopes: vec![
                "email".into(),
                "profile".into(),
                "eckid".into(),
                "school".into(),
            ],
            roles_claim: None,
            exam_office_roles: Vec::new(),
            exam_committee_roles: Vec::new(),
            trust_unverified_email: false,
        }
    }
}

impl Drop for OpenIdProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_with(oidc: OidcSettings) -> TestApp {
    spawn_app_with(move |s| s.tenants[0].oidc = Some(oidc)).await
}

/// A browser: keeps cookies, follows no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(resp: &reqwest::Response, base: &str) -> String {
    let l = resp
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect from {}: {}", resp.url(), resp.status()))
        .to_str()
        .unwrap()
        .to_string();
    if l.starts_with('/') {
        format!("{base}{l}")
    } else {
        l
    }
}

/// Goes to the provider and logs in as `login`; returns where the provider sends the browser
/// back to (the callback URL on the test server) and the sign-in cookie Proeve set.
async fn log_in_at_provider(
    app: &TestApp,
    idp: &OpenIdProvider,
    b: &reqwest::Client,
    login: &str,
) -> (String, String) {
    let start = b
        .get(format!("{}/app/roc-a/sign-in/school", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status().as_u16(), 303);
    let pending = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("proeve_oidc="))
        .expect("the sign-in cookie");
    assert!(pending.contains("HttpOnly"), "{pending}");
    let pending = pending.split(';').next().unwrap().to_string();
    let authorize = location(&start, &app.address);
    assert!(authorize.starts_with(&idp.issuer), "{authorize}");
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "PKCE: {authorize}"
    );
    let at_idp = b.get(&authorize).send().await.unwrap();
    let interaction = location(&at_idp, &idp.issuer);
    let logged_in = b
        .post(&interaction)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("login={login}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status().as_u16(), 303, "login at the provider");
    let resume = location(&logged_in, &idp.issuer);
    let back = b.get(&resume).send().await.unwrap();
    let callback = location(&back, &idp.issuer);
    assert!(callback.starts_with(CALLBACK), "{callback}");
    (
        callback.replacen("http://127.0.0.1", &app.address, 1),
        pending,
    )
}

/// The whole sign-in; returns the callback's answer.
async fn sign_in(
    app: &TestApp,
    idp: &OpenIdProvider,
    b: &reqwest::Client,
    login: &str,
) -> reqwest::Response {
    let (callback, _) = log_in_at_provider(app, idp, b, login).await;
    b.get(callback).send().await.unwrap()
}

async fn me(app: &TestApp, b: &reqwest::Client) -> Response {
    Response::read(
        b.get(format!("{}/api/roc-a/me", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A student of roc-a as the SIS sent them, with an eckid.
async fn push_student(app: &TestApp) -> uuid::Uuid {
    let student = id();
    let mut body = person(student, "Maartje");
    body["otherCodes"] =
        json!([{"codeType": "eckid", "code": "https://ketenid.nl/201703/7aa26e2f"}]);
    assert_eq!(
        app.put("roc-a", &format!("/persons/{student}"), &body)
            .await
            .status,
        201
    );
    student
}

#[tokio::test]
async fn a_student_signs_in_with_the_school_account_matched_by_email() {
    // The provider writes the address in other capitals than the SIS did.
    let idp = OpenIdProvider::start(json!({
        "s1": {"email": "Student@ROC.example", "email_verified": true},
    }));
    let app = app_with(idp.settings("email")).await;
    let student = push_student(&app).await;
    let b = browser();
    let done = sign_in(&app, &idp, &b, "s1").await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(
        location(&done, &app.address),
        format!("{}/app/roc-a/", app.address)
    );
    let cookie = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("proeve_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let me = me(&app, &b).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["personId"], json!(student));
    assert_eq!(me.body["examOffice"], json!(false));
    // The same school account does not open another school.
    let other = b
        .get(format!("{}/api/roc-b/me", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 401);
}

#[tokio::test]
async fn an_account_the_sis_never_sent_gets_a_friendly_page_and_no_session() {
    let idp = OpenIdProvider::start(json!({
        "stranger": {"email": "stranger@roc.example", "email_verified": true},
        "unverified": {"email": "student@roc.example", "email_verified": false},
        "unconfirmed": {"email": "student@roc.example"},
    }));
    let app = app_with(idp.settings("email")).await;
    push_student(&app).await;
    // An address the provider does not vouch for does not count (unless the school says its
    // provider never sends email_verified).
    for login in ["stranger", "unverified", "unconfirmed"] {
        let b = browser();
        let done = sign_in(&app, &idp, &b, login).await;
        assert_eq!(done.status().as_u16(), 403, "{login}");
        assert!(done
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("proeve_session=")));
        let page = done.text().await.unwrap();
        assert!(page.contains("We kennen je hier (nog) niet"), "{page}");
        assert_eq!(me(&app, &b).await.status, 401, "{login}");
    }
}

#[tokio::test]
async fn eckid_and_student_number_claims_and_roles_from_the_identity_claim() {
    let idp = OpenIdProvider::start(json!({
        "by-eckid": {"eckid": "https://ketenid.nl/201703/7aa26e2f"},
        "by-number": {"student_number": "1234567", "groups": ["staff", "examenbureau"]},
    }));
    let app = app_with(idp.settings("eckid")).await;
    let student = push_student(&app).await;
    let b = browser();
    assert_eq!(
        sign_in(&app, &idp, &b, "by-eckid").await.status().as_u16(),
        303
    );
    assert_eq!(me(&app, &b).await.body["personId"], json!(student));

    let mut settings = idp.settings("student_number");
    settings.roles_claim = Some("groups".into());
    settings.exam_office_roles = vec!["examenbureau".into()];
    settings.exam_committee_roles = vec!["examencommissie".into()];
    let app = app_with(settings).await;
    let student = push_student(&app).await;
    let b = browser();
    assert_eq!(
        sign_in(&app, &idp, &b, "by-number").await.status().as_u16(),
        303
    );
    let me = me(&app, &b).await;
    assert_eq!(me.body["personId"], json!(student));
    assert_eq!(me.body["examOffice"], json!(true), "{}", me.body);
    assert_eq!(me.body["examCommittee"], json!(false));
    // The role counts: the exam office sees every case of the school.
    let cases = b
        .get(format!("{}/api/roc-a/cases", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status().as_u16(), 200);
}

#[tokio::test]
async fn a_forged_or_foreign_answer_from_the_provider_opens_nothing() {
    let idp = OpenIdProvider::start(json!({
        "s1": {"email": "student@roc.example", "email_verified": true},
        "plain": {"email": "student@roc.example"},
    }));
    let app = app_with(idp.settings("email")).await;
    push_student(&app).await;

    // A changed state: the answer does not belong to this browser's sign-in.
    let b = browser();
    let (callback, _) = log_in_at_provider(&app, &idp, &b, "s1").await;
    let resp = b.get(with_state(&callback, "forged")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Inloggen is niet gelukt"));
    assert_eq!(me(&app, &b).await.status, 401);

    // The right answer in another browser (without the sign-in cookie) opens nothing either.
    let b = browser();
    let (callback, pending) = log_in_at_provider(&app, &idp, &b, "s1").await;
    let elsewhere = browser().get(&callback).send().await.unwrap();
    assert_eq!(elsewhere.status().as_u16(), 400);
    // In the right browser it works, once: the provider refuses the code a second time.
    assert_eq!(
        b.get(&callback).send().await.unwrap().status().as_u16(),
        303
    );
    let replay = browser()
        .get(&callback)
        .header("cookie", pending)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status().as_u16(), 401);

    // The provider saying no (the person cancelled) ends on a page, not an error; its words
    // are shown only on an answer to this browser's own sign-in.
    let b = browser();
    let start = b
        .get(format!("{}/app/roc-a/sign-in/school", app.address))
        .send()
        .await
        .unwrap();
    let authorize = location(&start, &app.address);
    let state = authorize
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_string();
    let said = "error=access_denied&error_description=%3Cb%3Enee%3C%2Fb%3E";
    let callback = format!("{}/app/roc-a/sign-in/school/callback", app.address);
    let resp = b
        .get(format!("{callback}?{said}&state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let page = resp.text().await.unwrap();
    assert!(page.contains("&lt;b&gt;nee"), "escaped: {page}");
    let forged = browser()
        .get(format!("{callback}?{said}&state=whatever"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    assert!(!forged.text().await.unwrap().contains("nee"));

    // With trust_unverified_email the school accepts the provider's address as it is.
    let mut trusting = idp.settings("email");
    trusting.trust_unverified_email = true;
    let app = app_with(trusting).await;
    let student = push_student(&app).await;
    let b = browser();
    assert_eq!(
        sign_in(&app, &idp, &b, "plain").await.status().as_u16(),
        303
    );
    assert_eq!(me(&app, &b).await.body["personId"], json!(student));
}

fn with_state(url: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let pairs: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.starts_with("state=") {
                format!("state={value}")
            } else {
                p.to_string()
            }
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

#[tokio::test]
async fn a_school_without_sso_or_a_provider_that_is_down() {
    // roc-b has no school sign-in.
    let app = spawn_app().await;
    let resp = app
        .client
        .get(format!("{}/app/roc-b/sign-in/school", app.address))
        .send()
        .await
        .unwrap();
    Response::read(resp).await.assert_problem(404);

    // A provider that does not answer: a page saying so, with a way to try again.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = app_with(OidcSettings {
        issuer: format!("http://127.0.0.1:{port}"),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.to_string().into(),
        claim: "email".into(),
        scopes: vec!["email".into()],
        roles_claim: None,
        exam_office_roles: Vec::new(),
        exam_committee_roles: Vec::new(),
        trust_unverified_email: false,
    })
    .await;
    let resp = browser()
        .get(format!("{}/app/roc-a/sign-in/school", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 502);
    assert!(resp.text().await.unwrap().contains("Opnieuw inloggen"));
}

/// The value of a query parameter of a URL.
fn param(url: &str, name: &str) -> String {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"))
        .to_string()
}

#[tokio::test]
async fn the_log_of_a_school_sign_in_holds_neither_its_code_nor_its_state() {
    let idp = OpenIdProvider::start(json!({
        "s1": {"email": "student@roc.example", "email_verified": true},
    }));
    let app = app_with(idp.settings("email")).await;
    push_student(&app).await;
    crate::helpers::logs::install();
    let b = browser();
    let (callback, _) = log_in_at_provider(&app, &idp, &b, "s1").await;
    let (code, state) = (param(&callback, "code"), param(&callback, "state"));
    // The callback, and a second use of it (refused, so something is surely logged).
    let done = b.get(&callback).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 303);
    b.get(&callback).send().await.unwrap();
    let log = crate::helpers::logs::logged();
    assert!(
        log.contains("/app/roc-a/sign-in/school/callback?"),
        "the callback is in the log at all: {log}"
    );
    assert!(code.len() > 8 && state.len() > 8);
    assert!(!log.contains(&code), "the code is in the log");
    assert!(!log.contains(&state), "the state is in the log");
    assert!(log.contains("code=[redacted]"));
}

/// The pending cookie's payload with one field changed, re-encoded as Proeve encodes it,
/// with its old signature or none.
fn tampered(pending: &str, field: &str, value: &str, keep_signature: bool) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let (name, rest) = pending.split_once('=').unwrap();
    let (payload, signature) = rest.split_once('.').expect("a signed cookie");
    let mut v: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    v[field] = json!(value);
    let payload = URL_SAFE_NO_PAD.encode(v.to_string());
    if keep_signature {
        format!("{name}={payload}.{signature}")
    } else {
        format!("{name}={payload}")
    }
}

#[tokio::test]
async fn a_pending_cookie_proeve_did_not_sign_opens_nothing() {
    let idp = OpenIdProvider::start(json!({
        "s1": {"email": "student@roc.example", "email_verified": true},
    }));
    let app = app_with(idp.settings("email")).await;
    push_student(&app).await;
    for (field, value, keep) in [
        // Someone who set the cookie chooses the state the answer must carry.
        ("state", "forged", true),
        ("state", "forged", false),
        // A sign-in started for another school.
        ("school", "roc-b", true),
    ] {
        let b = browser();
        let (callback, pending) = log_in_at_provider(&app, &idp, &b, "s1").await;
        let forged = tampered(&pending, field, value, keep);
        let callback = if field == "state" {
            with_state(&callback, value)
        } else {
            callback
        };
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(&callback)
            .header("cookie", forged)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{field} {value} {keep}");
        assert!(r.text().await.unwrap().contains("niet meer geldig"));
    }
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another() {
    let idp = OpenIdProvider::start(json!({
        "s1": {"email": "student@roc.example", "email_verified": true},
    }));
    let first = app_with(idp.settings("email")).await;
    push_student(&first).await;
    let url = first.app.settings.database_url.clone();
    let oidc = idp.settings("email");
    let second = spawn_app_with(move |s| {
        s.database_url = url;
        s.tenants[0].oidc = Some(oidc);
    })
    .await;
    let b = browser();
    let (callback, _) = log_in_at_provider(&first, &idp, &b, "s1").await;
    let on_second = callback.replacen(&first.address, &second.address, 1);
    let done = b.get(on_second).send().await.unwrap();
    assert_eq!(
        done.status().as_u16(),
        303,
        "{}",
        done.text().await.unwrap()
    );
}

#[tokio::test]
async fn behind_https_the_cookies_are_host_only_and_only_those_are_read() {
    let app = spawn_app_with(|s| s.public_url = "https://proeve.roc.example".into()).await;
    let person = id();
    assert_eq!(
        app.put(
            "roc-a",
            &format!("/persons/{person}"),
            &crate::helpers::person(person, "Anna")
        )
        .await
        .status,
        201
    );
    let (code, _) = proeve::auth::link::hand_over(&app.app.db, "roc-a", person)
        .await
        .unwrap();
    let r = app
        .client
        .post(format!("{}/api/roc-a/sign-in/code", app.address))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let set = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(set.starts_with("__Host-proeve_session="), "{set}");
    assert!(
        set.contains("Secure") && set.contains("Path=/") && !set.contains("Domain"),
        "{set}"
    );
    let token = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let me_with = |cookie: String| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/api/roc-a/me", app.address))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me_with(format!("__Host-proeve_session={token}")).await, 200);
    // The same token under the plain name (which another host of the domain could set) is
    // not read.
    assert_eq!(me_with(format!("proeve_session={token}")).await, 401);
}
