//! Mailed one-time sign-in links, against a real SMTP server (Python's aiosmtpd) on
//! 127.0.0.1 whose received mail the test reads from its Maildir.

use crate::helpers::*;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
}

/// An SMTP server that takes this long to accept each message, like a slow relay.
const SLOW_SMTP: &str = r#"
import asyncio, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
class Slow(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(float(sys.argv[3]))
        return await super().handle_DATA(server, session, envelope)
Controller(Slow(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1])).start()
while True:
    time.sleep(3600)
"#;

/// A port nothing listens on (as long as nobody takes it meanwhile).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpServer {
    fn start() -> SmtpServer {
        SmtpServer::on(free_port(), Duration::ZERO)
    }

    /// A server on `port` that holds each message `delay` before accepting it.
    fn on(port: u16, delay: Duration) -> SmtpServer {
        let maildir = std::env::temp_dir().join(format!("proeve-mail-{}", uuid::Uuid::new_v4()));
        let child = Command::new("python3")
            .args(["-c", SLOW_SMTP, &port.to_string()])
            .arg(&maildir)
            .arg(delay.as_secs_f64().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The messages once `n` have arrived (the mail goes after the answer, from the queue).
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{n} mails expected, {} arrived",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every message received, decoded enough to read: (headers and body as text).
    fn messages(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        dir.filter_map(Result::ok)
            .map(|e| decode(&std::fs::read_to_string(e.path()).unwrap()))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Undoes quoted-printable or base64 transfer encoding of a single-part text mail.
fn decode(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let lower = head.to_lowercase();
    let body = if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let mut out = Vec::new();
        let b = soft.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                out.push(u8::from_str_radix(&soft[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_string()
    };
    format!("{head}\n\n{body}")
}

fn link_in(mail: &str) -> String {
    let start = mail.find("http").expect("a link");
    let link: String = mail[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    // The path and query; the host is the test server's.
    link.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap()
}

async fn redeem(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    no_redirect
        .post(format!(
            "{}{}",
            app.address,
            path.split('?').next().unwrap()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap()
}

/// Waits until Proeve's mail queue is empty: every request looked at, every mail gone.
async fn queue_drained(app: &TestApp) {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let started = Instant::now();
    while entity::mail_job::Entity::find()
        .count(&app.app.db)
        .await
        .unwrap()
        > 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the mail queue did not drain"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Mail to 127.0.0.1:`port`, unencrypted (allowed only to this host).
fn smtp_on(port: u16) -> proeve::config::SmtpSettings {
    proeve::config::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: "none".into(),
        username: None,
        password: None,
        from: "Proeve <noreply@proeve.example>".into(),
    }
}

/// Proeve sending its mail to `smtp`.
async fn app_mailing_to(smtp: &SmtpServer) -> TestApp {
    let port = smtp.port;
    spawn_app_with(move |s| s.smtp = Some(smtp_on(port))).await
}

#[tokio::test]
async fn a_workplace_assessor_signs_in_with_a_mailed_link_once() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    let kees = with_kees(&app).await;

    let ask = |email: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/roc-a/sign-in/link", app.address))
                .json(&json!({"email": email}))
                .send()
                .await
                .unwrap()
        }
    };
    // An unknown address gets the same answer, and no mail.
    assert_eq!(ask("nobody@example.nl").await.status().as_u16(), 202);
    assert_eq!(ask("KEES@gouden-pollepel.nl").await.status().as_u16(), 202);
    queue_drained(&app).await;
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("kees@gouden-pollepel.nl") && mails[0].contains("één keer"),
        "{}",
        mails[0]
    );
    let path = link_in(&mails[0]);
    let token = path.split("token=").nth(1).unwrap().to_string();

    // Opening the link only asks to confirm; the link still works afterwards.
    let page = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("<button"));
    // Another school's address for the same token does not work.
    let elsewhere = redeem(&app, &path.replace("/roc-a/", "/roc-b/"), &token).await;
    assert_eq!(elsewhere.status().as_u16(), 410);

    let r = redeem(&app, &path, &token).await;
    assert_eq!(r.status().as_u16(), 200);
    let cookie_of = |r: &reqwest::Response| {
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let cookie = cookie_of(&r);
    let me_with = |cookie: String| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/api/roc-a/me", app.address))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let me: serde_json::Value = me_with(cookie).await.json().await.unwrap();
    assert_eq!(me["personId"], kees.to_string());
    // Signed in in this browser, and a code for the installed app, which may be another one.
    let landing = r.text().await.unwrap();
    assert!(
        landing.contains("Verder naar Proeve") && landing.contains("Ik heb een inlogcode"),
        "{landing}"
    );
    let code = code_on(&landing);
    let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
    let with_code = |code: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/roc-a/sign-in/code", app.address))
                .json(&json!({"code": code}))
                .send()
                .await
                .unwrap()
        }
    };
    let handed = with_code(typed.clone()).await;
    assert_eq!(handed.status().as_u16(), 200);
    let me: serde_json::Value = me_with(cookie_of(&handed)).await.json().await.unwrap();
    assert_eq!(me["personId"], kees.to_string());
    // Once only; and a code is no link.
    let again = with_code(typed).await;
    assert_eq!(again.status().as_u16(), 400);
    assert!(again.text().await.unwrap().contains("code"));
    assert_eq!(with_code(token.clone()).await.status().as_u16(), 400);

    // Asking again and again sends no more than three links in a quarter of an hour.
    for _ in 0..4 {
        assert_eq!(ask("kees@gouden-pollepel.nl").await.status().as_u16(), 202);
    }
    queue_drained(&app).await;
    assert_eq!(smtp.messages().len(), 3);

    // Used once, never again.
    assert_eq!(redeem(&app, &path, &token).await.status().as_u16(), 410);
    let page = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("werkt niet meer"));
}

#[tokio::test]
async fn an_address_two_people_share_gets_no_link() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    for name in ["Anna", "Bert"] {
        let p = id();
        assert_eq!(
            app.put("roc-a", &format!("/persons/{p}"), &person(p, name))
                .await
                .status,
            201
        );
    }
    let r = app
        .client
        .post(format!("{}/api/roc-a/sign-in/link", app.address))
        .json(&json!({"email": "student@roc.example"}))
        .send()
        .await
        .unwrap();
    // The same answer as ever, but no mail: a link would pick one of them at random.
    assert_eq!(r.status().as_u16(), 202);
    queue_drained(&app).await;
    assert!(smtp.messages().is_empty());
}

#[tokio::test]
async fn an_expired_link_does_not_sign_in() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    enrolment(&app, "roc-a").await;
    let r = app
        .client
        .post(format!("{}/api/roc-a/sign-in/link", app.address))
        .json(&json!({"email": "student@roc.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let path = link_in(&smtp.wait_for(1).await[0]);
    let token = path.split("token=").nth(1).unwrap().to_string();
    for link in entity::sign_in_link::Entity::find()
        .all(&app.app.db)
        .await
        .unwrap()
    {
        entity::sign_in_link::ActiveModel {
            token_hash: Set(link.token_hash),
            expires_at: Set(chrono::Utc::now() - chrono::Duration::minutes(1)),
            ..Default::default()
        }
        .update(&app.app.db)
        .await
        .unwrap();
    }
    assert_eq!(redeem(&app, &path, &token).await.status().as_u16(), 410);
    // Without a mail server configured there are no links at all.
    let plain = spawn_app().await;
    let r = plain
        .client
        .post(format!("{}/api/roc-a/sign-in/link", plain.address))
        .json(&json!({"email": "a@b.nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

/// Kees, a workplace assessor the SIS sent with his address; his person id.
async fn with_kees(app: &TestApp) -> uuid::Uuid {
    let kees = id();
    let mut body = person(kees, "Kees");
    body["mail"] = json!("kees@gouden-pollepel.nl");
    body["affiliations"] = json!(["guest"]);
    body.as_object_mut().unwrap().remove("consumers");
    assert_eq!(
        app.put("roc-a", &format!("/persons/{kees}"), &body)
            .await
            .status,
        201
    );
    kees
}

/// The hand-over code a link's landing page shows (`ABCD-EFGH`).
fn code_on(landing: &str) -> String {
    landing
        .split("<strong>")
        .filter_map(|p| p.split("</strong>").next())
        .find(|p| p.len() == 9 && p.as_bytes()[4] == b'-')
        .unwrap()
        .to_string()
}

async fn ask_link(app: &TestApp, email: &str) -> (u16, Duration) {
    let started = Instant::now();
    let r = app
        .client
        .post(format!("{}/api/roc-a/sign-in/link", app.address))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), started.elapsed())
}

#[tokio::test]
async fn a_known_address_is_answered_as_fast_as_an_unknown_one_however_slow_the_mail_server() {
    // A relay that takes 1.5 s per message: were the mail sent before the answer, a known
    // address would take that long and an unknown one not.
    let relay = Duration::from_millis(1500);
    let smtp = SmtpServer::on(free_port(), relay);
    let app = app_mailing_to(&smtp).await;
    with_kees(&app).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let (status, took) = ask_link(&app, "kees@gouden-pollepel.nl").await;
        assert_eq!(status, 202);
        known.push(took);
        let (status, took) = ask_link(&app, "nobody@gouden-pollepel.nl").await;
        assert_eq!(status, 202);
        unknown.push(took);
    }
    // Against the relay, never an absolute figure: each answer came before the relay could
    // have taken one message, and the two kinds differ by far less than one message takes.
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / v.len() as u32;
    for took in known.iter().chain(&unknown) {
        assert!(*took < relay, "an answer waited for the mail: {took:?}");
    }
    let (k, u) = (mean(&known), mean(&unknown));
    let gap = k.abs_diff(u);
    assert!(gap < relay / 3, "known {k:?} against unknown {u:?}");
    // And the links did go, afterwards: three, the most per quarter of an hour.
    let mails = smtp.wait_for(3).await;
    assert!(mails.iter().all(|m| m.contains("kees@gouden-pollepel.nl")));
    queue_drained(&app).await;
    assert_eq!(smtp.messages().len(), 3);
}

#[tokio::test]
async fn with_the_mail_server_down_every_address_gets_the_same_answer_and_the_link_goes_later() {
    let port = free_port();
    let app = spawn_app_with(move |s| s.smtp = Some(smtp_on(port))).await;
    with_kees(&app).await;
    assert_eq!(ask_link(&app, "kees@gouden-pollepel.nl").await.0, 202);
    assert_eq!(ask_link(&app, "nobody@gouden-pollepel.nl").await.0, 202);
    // The worker has tried and failed; the request waits in the queue, and the failed
    // attempt left no link that counts towards the limit.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let started = Instant::now();
    loop {
        let jobs = entity::mail_job::Entity::find()
            .all(&app.app.db)
            .await
            .unwrap();
        if jobs.len() == 1 && jobs[0].attempts >= 1 {
            assert!(jobs[0].last_error.is_some());
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{jobs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        entity::sign_in_link::Entity::find()
            .count(&app.app.db)
            .await
            .unwrap(),
        0
    );
    // The mail server comes back: the link arrives, once.
    let smtp = SmtpServer::on(port, Duration::ZERO);
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].contains("kees@gouden-pollepel.nl"), "{}", mails[0]);
    queue_drained(&app).await;
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_link_asked_just_before_a_restart_is_mailed_by_the_restarted_proeve() {
    // The first Proeve cannot reach its mail server; the request is in the database.
    let dead = free_port();
    let first = spawn_app_with(move |s| s.smtp = Some(smtp_on(dead))).await;
    with_kees(&first).await;
    assert_eq!(ask_link(&first, "kees@gouden-pollepel.nl").await.0, 202);
    // It tried once, and then it stops.
    use sea_orm::EntityTrait;
    let started = Instant::now();
    while !entity::mail_job::Entity::find()
        .all(&first.app.db)
        .await
        .unwrap()
        .iter()
        .any(|j| j.attempts >= 1)
    {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.stop().await;
    // A new Proeve on the same database, with a working mail server.
    let smtp = SmtpServer::start();
    let port = smtp.port;
    let url = first.app.settings.database_url.clone();
    let again = spawn_app_with(move |s| {
        s.database_url = url;
        s.smtp = Some(smtp_on(port))
    })
    .await;
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].contains("kees@gouden-pollepel.nl"));
    queue_drained(&again).await;
    assert_eq!(smtp.messages().len(), 1, "sent once");
}

#[tokio::test]
async fn one_address_asking_for_links_again_and_again_is_told_to_wait() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    for _ in 0..30 {
        assert_eq!(ask_link(&app, "someone@example.nl").await.0, 202);
    }
    let r = app
        .client
        .post(format!("{}/api/roc-a/sign-in/link", app.address))
        .json(&json!({"email": "kees@gouden-pollepel.nl"}))
        .send()
        .await
        .unwrap();
    let r = Response::read(r).await;
    r.assert_problem(429);
    // Another school counts for itself.
    let other = app
        .client
        .post(format!("{}/api/roc-b/sign-in/link", app.address))
        .json(&json!({"email": "kees@gouden-pollepel.nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 202);
}

#[tokio::test]
async fn the_log_of_a_link_sign_in_holds_neither_the_link_nor_the_code() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    with_kees(&app).await;
    crate::helpers::logs::install();
    assert_eq!(ask_link(&app, "kees@gouden-pollepel.nl").await.0, 202);
    let path = link_in(&smtp.wait_for(1).await[0]);
    let token = path.split("token=").nth(1).unwrap().to_string();
    // Opened (twice, as a mail scanner and then the person), then used.
    for _ in 0..2 {
        app.client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
    }
    let landing = redeem(&app, &path, &token).await.text().await.unwrap();
    let code = code_on(&landing);
    let handed = app
        .client
        .post(format!("{}/api/roc-a/sign-in/code", app.address))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(handed.status().as_u16(), 200);
    let log = crate::helpers::logs::logged();
    assert!(
        log.contains("/app/roc-a/sign-in/link?"),
        "the link page is in the log at all: {log}"
    );
    assert!(!log.contains(&token), "the link's token is in the log");
    assert!(
        !log.contains(&code) && !log.contains(&code.replace('-', "")),
        "the hand-over code is in the log"
    );
    assert!(
        !log.contains("kees@gouden-pollepel.nl"),
        "the address is in the log"
    );
}

#[tokio::test]
async fn a_forwarded_address_counts_only_behind_a_proxy_the_operator_named() {
    let smtp = SmtpServer::start();
    let ask_from = |app: &TestApp, forwarded: String| {
        let app_client = app.client.clone();
        let url = format!("{}/api/roc-a/sign-in/link", app.address);
        async move {
            app_client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .json(&json!({"email": "someone@example.nl"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Without a proxy, a client that makes up forwarded addresses is still one client.
    let direct = app_mailing_to(&smtp).await;
    for i in 0..30 {
        assert_eq!(ask_from(&direct, format!("10.0.0.{i}")).await, 202);
    }
    assert_eq!(ask_from(&direct, "10.0.1.1".into()).await, 429);
    // Behind a proxy, the people it forwards count each for themselves.
    let port = smtp.port;
    let proxied = spawn_app_with(move |s| {
        s.smtp = Some(smtp_on(port));
        s.behind_proxy = true;
    })
    .await;
    for _ in 0..30 {
        assert_eq!(ask_from(&proxied, "10.0.0.1".into()).await, 202);
    }
    assert_eq!(ask_from(&proxied, "10.0.0.1".into()).await, 429);
    assert_eq!(ask_from(&proxied, "10.0.0.2".into()).await, 202);
}
