//! The people's API as the phone app calls it: a person signed in through the demo page
//! ([`sign_in`]) and, for a school and a session, one method per endpoint ([`Api`]), each a
//! real HTTP request with the session cookie and its CSRF token. [`world`] sets up the usual
//! cast of one exam: a student, two assessors, the exam office and the committee.

use super::app::{Response, TestApp};
use super::fixtures::{enrolment, id, person, second_assessor, KOK};
use serde_json::{json, Value};
use std::fmt::Display;
use uuid::Uuid;

/// A drawn signature (a 1×1 PNG).
pub const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// A signed-in session: its cookie and CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Proeve in demo mode (the demo sign-in page exists), with the test schools.
pub async fn demo_app() -> TestApp {
    demo_app_with(|_| {}).await
}

/// The same, with settings changed first.
pub async fn demo_app_with(adjust: impl FnOnce(&mut proeve::config::Settings)) -> TestApp {
    let key = std::env::temp_dir().join(format!("proeve-demo-key-{}.pem", Uuid::new_v4()));
    super::app::spawn_app_with(move |s| {
        s.demo_key_file = Some(key);
        adjust(s);
    })
    .await
}

/// Signs a person in to a school through the demo page; the cookie must be HttpOnly and
/// SameSite=Lax.
pub async fn sign_in(app: &TestApp, tenant: &str, person: Uuid) -> Session {
    let r = app
        .client
        .post(format!("{}/api/{tenant}/demo/sign-in", app.address))
        .json(&json!({"personId": person}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let set_cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    Session {
        cookie,
        csrf: body["csrfToken"].as_str().unwrap().to_string(),
    }
}

/// A member of staff (no student consumer data) the SIS sent to a school.
pub async fn staff(app: &TestApp, tenant: &str, mail: &str, name: &str) -> Uuid {
    let p = id();
    let mut body = person(p, name);
    body["mail"] = json!(mail);
    body["affiliations"] = json!(["employee"]);
    body.as_object_mut().unwrap().remove("consumers");
    assert_eq!(
        app.put(tenant, &format!("/persons/{p}"), &body)
            .await
            .status,
        201
    );
    p
}

/// Every criterion of the Kok exam at one level.
pub fn scores(app: &TestApp, level: u32) -> Vec<Value> {
    let exam = app.app.catalog.get(KOK.parse().unwrap()).unwrap();
    exam.model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .map(|c| json!({"criterion": c.code, "level": level}))
        .collect()
}

/// One exam of `roc-a` (Kok, two assessors) and everyone around it, signed in.
pub struct World {
    pub case: Uuid,
    pub student: Session,
    pub first: Session,
    pub second: Session,
    pub office: Session,
    pub committee: Session,
    pub ids: (Uuid, Uuid),
}

pub async fn world(app: &TestApp) -> World {
    let (o, _, s, _, first) = enrolment(app, "roc-a").await;
    let second = second_assessor(app, o).await;
    let office = staff(app, "roc-a", "office@roc.example", "Fatima").await;
    let committee = staff(app, "roc-a", "committee@roc.example", "Pieter").await;
    let case = proeve::planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()[0]
        .case_id;
    World {
        case,
        student: sign_in(app, "roc-a", s).await,
        first: sign_in(app, "roc-a", first).await,
        second: sign_in(app, "roc-a", second).await,
        office: sign_in(app, "roc-a", office).await,
        committee: sign_in(app, "roc-a", committee).await,
        ids: (first, second),
    }
}

/// Asserts that `value` is what our own OpenAPI document promises for schema `name`.
pub async fn assert_described(app: &TestApp, name: &str, value: &Value) {
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["components"]["schemas"].get(name).is_some(),
        "{name} is not described"
    );
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "$ref": format!("#/components/schemas/{name}"),
        "unevaluatedProperties": false,
    });
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{value}");
}

/// Plans the world's case with both assessors, lets both score every criterion at `level`,
/// judges and signs it; returns the signed case.
pub async fn to_signed(app: &TestApp, w: &World, level: u32) -> Value {
    to_judged(app, w, level).await;
    sign_all(app, w).await
}

/// The exam office plans the world's case with both assessors (Keuken 2, 8 december);
/// returns the planned case.
pub async fn planned(app: &TestApp, w: &World) -> Value {
    let revision = app.api("roc-a", &w.office).case(w.case).await.body["revision"].clone();
    let plan = json!({
        "revision": revision, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
    });
    let planned = app.api("roc-a", &w.office).plan(w.case, plan).await;
    assert_eq!(planned.status, 200, "{}", planned.body);
    planned.body
}

/// Why the tests' exams take place today although planned for 8 December: an exam far from
/// its plan closes only with a reason.
pub const EARLIER: &str = "Vervroegd: het leerbedrijf kon alleen vandaag.";

/// An assessor saves their own first sheet: present, identity checked, every criterion at
/// `level` (a failing one with its note), and a motivation.
pub async fn score_mine(app: &TestApp, who: &Session, case: Uuid, level: u32) {
    let given: Vec<Value> = scores(app, level)
        .into_iter()
        .map(|mut s| {
            if level <= 1 {
                s["note"] = json!("onder de maat");
            }
            s
        })
        .collect();
    let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
        "identityMethod": "ID-kaart", "scores": given,
        "motivation": "Werkt netjes en op tijd; proef vaker tussendoor.",
        "timesReason": EARLIER});
    let r = app.api("roc-a", who).save_sheet(case, "mine", sheet).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Both assessors finish their sheets ("Beoordeling afronden"), the first first: the first
/// waits for the second, then the exam is judged; returns the judged case.
pub async fn judged(app: &TestApp, w: &World) -> Value {
    let first = finish(app, &w.first, w.case).await;
    assert_eq!(first["state"], "planned", "{first}");
    assert_eq!(
        first["finishing"]["waitingFor"][0]["personId"],
        w.ids.1.to_string(),
        "{first}"
    );
    let second = finish(app, &w.second, w.case).await;
    assert_eq!(second["state"], "assessed", "{second}");
    second
}

/// One assessor finishes their own sheet; returns the case as it then stands.
pub async fn finish(app: &TestApp, who: &Session, case: Uuid) -> Value {
    let revision = app.api("roc-a", who).case(case).await.body["revision"].clone();
    let r = app
        .api("roc-a", who)
        .judge(case, json!({"revision": revision}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Plans the world's case with both assessors, lets both score every criterion at `level`
/// and judges it; returns the judged case.
pub async fn to_judged(app: &TestApp, w: &World, level: u32) -> Value {
    planned(app, w).await;
    for who in [&w.first, &w.second] {
        score_mine(app, who, w.case, level).await;
    }
    judged(app, w).await
}

/// Both assessors sign the judged case and the candidate acknowledges it on the first
/// assessor's phone; returns the signed case.
pub async fn sign_all(app: &TestApp, w: &World) -> Value {
    let mut last = Value::Null;
    for (who, role) in [
        (&w.first, "assessor"),
        (&w.second, "assessor"),
        (&w.first, "candidate"),
    ] {
        let sig = json!({"role": role, "image": PNG});
        let r = app.api("roc-a", who).sign(w.case, sig).await;
        assert_eq!(r.status, 200, "{role}: {}", r.body);
        last = r.body;
    }
    assert_eq!(last["state"], "signed");
    last
}

/// The people's API of one school, as one signed-in session.
pub struct Api<'a> {
    app: &'a TestApp,
    tenant: &'a str,
    who: &'a Session,
}

impl TestApp {
    /// The people's API of `tenant` as `who` (who may belong to another school: the tests of
    /// isolation use that).
    pub fn api<'a>(&'a self, tenant: &'a str, who: &'a Session) -> Api<'a> {
        Api {
            app: self,
            tenant,
            who,
        }
    }
}

impl Api<'_> {
    /// Any request under `/api/{tenant}`, with the cookie and the CSRF token.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .app
            .client
            .request(m, format!("{}/api/{}{path}", self.app.address, self.tenant))
            .header("cookie", &self.who.cookie)
            .header("x-csrf-token", &self.who.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Response::read(req.send().await.unwrap()).await
    }

    pub async fn me(&self) -> Response {
        self.call("GET", "/me", None).await
    }

    pub async fn sign_out(&self) -> Response {
        self.call("POST", "/sign-out", None).await
    }

    pub async fn cases(&self) -> Response {
        self.call("GET", "/cases", None).await
    }

    pub async fn case(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}"), None).await
    }

    pub async fn plan(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/plan"), Some(body))
            .await
    }

    pub async fn cancel(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/cancel"), Some(body))
            .await
    }

    pub async fn extra_attempt(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/extra-attempt"), Some(body))
            .await
    }

    /// `sheet`: `mine` or `joint`.
    pub async fn save_sheet(&self, case: impl Display, sheet: &str, body: Value) -> Response {
        self.call("PUT", &format!("/cases/{case}/sheets/{sheet}"), Some(body))
            .await
    }

    pub async fn sheets(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/sheets"), None)
            .await
    }

    pub async fn model(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/model"), None)
            .await
    }

    pub async fn preview(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/preview"), Some(body))
            .await
    }

    pub async fn judge(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/judge"), Some(body))
            .await
    }

    pub async fn sign(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/signatures"), Some(body))
            .await
    }

    pub async fn confirm_joint(&self, case: impl Display, body: Value) -> Response {
        self.call(
            "POST",
            &format!("/cases/{case}/sheets/joint/confirm"),
            Some(body),
        )
        .await
    }

    pub async fn finalise(&self, body: Value) -> Response {
        self.call("POST", "/finalise", Some(body)).await
    }

    pub async fn correct(&self, case: impl Display, body: Value) -> Response {
        self.call("POST", &format!("/cases/{case}/corrections"), Some(body))
            .await
    }

    pub async fn audit(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/audit"), None)
            .await
    }

    pub async fn documents(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/documents"), None)
            .await
    }

    pub async fn record(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/record"), None)
            .await
    }

    pub async fn deliveries(&self, case: impl Display) -> Response {
        self.call("GET", &format!("/cases/{case}/deliveries"), None)
            .await
    }

    pub async fn undelivered(&self) -> Response {
        self.call("GET", "/deliveries", None).await
    }

    pub async fn retry(&self, message: impl Display) -> Response {
        self.call("POST", &format!("/deliveries/{message}/retry"), None)
            .await
    }

    pub async fn pull(&self, body: Value) -> Response {
        self.call("POST", "/sis/pull", Some(body)).await
    }
}
