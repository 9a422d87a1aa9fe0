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

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = std::env::temp_dir().join(format!("proeve-mail-{}", uuid::Uuid::new_v4()));
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
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

/// Proeve sending its mail to `smtp`.
async fn app_mailing_to(smtp: &SmtpServer) -> TestApp {
    let port = smtp.port;
    spawn_app_with(move |s| {
        s.smtp = Some(proeve::config::SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: "none".into(),
            username: None,
            password: None,
            from: "Proeve <noreply@proeve.example>".into(),
        })
    })
    .await
}

#[tokio::test]
async fn a_workplace_assessor_signs_in_with_a_mailed_link_once() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
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
    let code = landing
        .split("<strong>")
        .filter_map(|p| p.split("</strong>").next())
        .find(|p| p.len() == 9 && p.as_bytes()[4] == b'-')
        .unwrap()
        .to_string();
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
    let path = link_in(&smtp.messages()[0]);
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
