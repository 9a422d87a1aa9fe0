//! Proeve's benchmarks: the real server (in this process, release build) on a fresh SQLite
//! file or PostgreSQL database, driven over HTTP on 127.0.0.1 by `wrk` (a separate process)
//! or, for the flow 5 scenario, by the results Proeve sends to a SIS stand-in. Every
//! scenario prints one summary line. Run through `scripts/bench` (it builds, checks the
//! tools, and starts a throwaway PostgreSQL for `--db postgres`).
//!
//!     bench ingest    [--enrolments 10000,100000] [--db sqlite|postgres]
//!     bench exam-week [--assessors 200] [--seconds 30] [--db sqlite|postgres]
//!     bench exam-pace [--assessors 1000] [--every 10] [--seconds 120] [--db sqlite|postgres]
//!     bench delivery  [--exams 400] [--db sqlite|postgres]
//!     bench case-lists [--exams 1500] [--db sqlite|postgres]
//!
//! Figures are for `BENCHMARKS.md`, never asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{web, App, HttpResponse, HttpServer};
use proeve::auth::demo::DemoKey;
use proeve::config::{DeliverySettings, OkeVersion, Settings, SisSettings};
use proeve::http::AppState;
use proeve::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ELEKTRO: &str = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c0835";
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

#[derive(Clone)]
enum Db {
    Sqlite,
    /// A server URL whose role may `CREATE DATABASE`.
    Postgres(String),
}

impl Db {
    fn name(&self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}

struct Opts {
    scenarios: Vec<String>,
    db: Db,
    enrolments: Vec<usize>,
    assessors: usize,
    seconds: u64,
    exams: usize,
    /// Seconds between one assessor's saves (exam-pace).
    every: f64,
    /// Ingest with group commit on, off or both (for the before/after).
    group_commit: Vec<bool>,
}

const USAGE: &str = "usage: bench [ingest|exam-week|exam-pace|delivery|case-lists|all]... \
    [--db sqlite|postgres] [--enrolments 10000,100000] [--group-commit on|off|both] \
    [--assessors 200] [--seconds 30] [--every 10] [--exams 400]";

/// A wrong command line: what was wrong and how it goes, then exit 2.
fn usage(problem: &str) -> ! {
    eprintln!("{problem}\n{USAGE}");
    std::process::exit(2)
}

/// `--help`: how it goes, then exit 0.
fn help() -> ! {
    println!("Proeve's benchmarks (figures in BENCHMARKS.md)\n{USAGE}");
    std::process::exit(0)
}

/// A number option's value.
fn number<T: std::str::FromStr>(option: &str, text: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| usage(&format!("{option} takes a number, not {text}")))
}

fn opts() -> Opts {
    let mut o = Opts {
        scenarios: Vec::new(),
        db: Db::Sqlite,
        enrolments: vec![10_000, 100_000],
        assessors: 200,
        seconds: 30,
        exams: 400,
        every: 10.0,
        group_commit: vec![true],
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--db" => {
                o.db = match value().as_str() {
                    "sqlite" => Db::Sqlite,
                    "postgres" => {
                        Db::Postgres(std::env::var("PROEVE_BENCH_PG_URL").unwrap_or_else(|_| {
                            usage("--db postgres needs PROEVE_BENCH_PG_URL (scripts/bench sets it)")
                        }))
                    }
                    other => usage(&format!("--db sqlite|postgres, not {other}")),
                }
            }
            "--enrolments" => o.enrolments = value().split(',').map(|n| number(&a, n)).collect(),
            "--assessors" => o.assessors = number(&a, &value()),
            "--seconds" => o.seconds = number(&a, &value()),
            "--exams" => o.exams = number(&a, &value()),
            "--every" => o.every = number(&a, &value()),
            "--group-commit" => {
                o.group_commit = match value().as_str() {
                    "on" => vec![true],
                    "off" => vec![false],
                    "both" => vec![false, true],
                    other => usage(&format!("--group-commit on|off|both, not {other}")),
                }
            }
            "ingest" | "exam-week" | "exam-pace" | "delivery" | "case-lists" | "all" => {
                o.scenarios.push(a.clone())
            }
            "--help" | "-h" => help(),
            other => usage(&format!("unknown scenario or option {other}")),
        }
    }
    if o.scenarios.is_empty() || o.scenarios.iter().any(|s| s == "all") {
        o.scenarios = vec![
            "ingest".into(),
            "exam-week".into(),
            "exam-pace".into(),
            "delivery".into(),
            "case-lists".into(),
        ];
    }
    o
}

/// The repository: the workspace around this crate (`bench/`).
fn repo() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// A fresh database for one scenario.
async fn database_url(db: &Db, dir: &Path) -> String {
    match db {
        Db::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("proeve.db").display()),
        Db::Postgres(admin) => {
            let name = format!("proeve_bench_{}", Uuid::new_v4().simple());
            let c = sea_orm::Database::connect(admin.as_str()).await.unwrap();
            c.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            c.close().await.ok();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            format!("{base}/{name}")
        }
    }
}

struct Server {
    base: String,
    state: actix_web::web::Data<AppState>,
    key: DemoKey,
    dir: PathBuf,
}

impl Server {
    fn token(&self) -> String {
        self.key
            .token("nl-test-admin-flow-0 nl-test-admin-flow-1-5", 24 * 3600)
            .unwrap()
    }
    fn oke(&self) -> String {
        format!("{}/ooapi/demo", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The demo school on a fresh database, with `adjust` applied to the settings.
async fn start(db: &Db, adjust: impl FnOnce(&mut Settings)) -> Server {
    let dir = std::env::temp_dir().join(format!("proeve-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key.pem");
    let url = database_url(db, &dir).await;
    let catalog = repo().join("catalog");
    let env = |k: &str| match k {
        "PROEVE_BIND" => Some("127.0.0.1:0".to_string()),
        "PROEVE_DATABASE_URL" => Some(url.clone()),
        "PROEVE_CATALOG_DIR" => Some(catalog.display().to_string()),
        "PROEVE_DEMO_KEY_FILE" => Some(key_file.display().to_string()),
        _ => None,
    };
    let mut settings = Settings::demo(&env).unwrap();
    settings.group_commit = true;
    adjust(&mut settings);
    let app = Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    Server {
        base,
        state,
        key: DemoKey::load_or_create(&key_file).unwrap(),
        dir,
    }
}

fn offering(id: Uuid, component: &str, result_type: &str) -> Value {
    json!({
        "offeringId": id, "primaryCode": {"codeType": "offeringCode", "code": format!("BENCH-{id}")},
        "offeringType": "component", "name": [{"language": "nl-NL", "value": "Proeve benchmark"}],
        "description": [{"language": "nl-NL", "value": "Planbare toets"}], "teachingLanguage": "nld",
        "resultExpected": true, "resultValueType": result_type,
        "startDateTime": "2026-12-01T08:00:00+01:00", "endDateTime": "2027-06-30T17:00:00+02:00",
        "consumers": [{"consumerKey": "nl-test-admin", "offeringState": "active", "finalResultsAllowed": true,
            "testsToBeUsed": [{"testProvider": "Proeve", "componentId": component}]}],
    })
}

fn person(id: Uuid, n: usize, staff: bool) -> Value {
    let (role, code) = if staff {
        ("employee", "employeeNumber")
    } else {
        ("student", "studentNumber")
    };
    json!({
        "personId": id, "primaryCode": {"codeType": code, "code": format!("B{n:06}")},
        "givenName": "Zoë", "surname": format!("Dijkstra {n}"), "displayName": format!("Dijkstra {n}, Zoë"),
        "activeEnrollment": true, "affiliations": [role], "mail": format!("p{n}-{id}@roc.example"),
        "consumers": [{"consumerKey": "nl-test-admin", "preferredName": "Zoë", "idCheckName": format!("Dijkstra {n}, Zoë")}],
    })
}

fn association(id: Uuid, person: Uuid, offering: Uuid, role: &str) -> Value {
    let mut a = json!({
        "associationId": id, "associationType": "componentOfferingAssociation",
        "role": role, "state": "associated", "person": person, "offering": offering,
    });
    if role == "student" {
        a["consumers"] = json!([{"consumerKey": "nl-test-admin", "attempt": 1, "attemptLeft": 2}]);
    }
    a
}

async fn put(http: &reqwest::Client, token: &str, url: String, body: &Value) {
    let r = http
        .put(&url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "PUT {url}: {}", r.status());
}

/// A new person (number `n`; staff for an assessor) enrolled on the offering with `role`:
/// the person and the enrolment.
async fn enrolled(
    http: &reqwest::Client,
    token: &str,
    s: &Server,
    offering: Uuid,
    n: usize,
    role: &str,
) -> (Uuid, Uuid) {
    let (who, enrolment) = (Uuid::new_v4(), Uuid::new_v4());
    let url = format!("{}/persons/{who}", s.oke());
    put(http, token, url, &person(who, n, role != "student")).await;
    let url = format!("{}/associations/{enrolment}", s.oke());
    put(
        http,
        token,
        url,
        &association(enrolment, who, offering, role),
    )
    .await;
    (who, enrolment)
}

/// A signed-in person: the session cookie and the CSRF token.
#[derive(Clone)]
struct Person {
    cookie: String,
    csrf: String,
}

async fn sign_in(http: &reqwest::Client, s: &Server, id: Uuid) -> Person {
    let r = http
        .post(format!("{}/api/demo/demo/sign-in", s.base))
        .json(&json!({"personId": id}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-in {id}: {}", r.status());
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("proeve_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .expect("a session cookie");
    let body: Value = r.json().await.unwrap();
    Person {
        cookie,
        csrf: body["csrfToken"].as_str().unwrap().to_string(),
    }
}

async fn call(
    http: &reqwest::Client,
    s: &Server,
    who: &Person,
    method: &str,
    path: &str,
    body: Value,
) -> Value {
    let r = http
        .request(
            method.parse().unwrap(),
            format!("{}/api/demo{path}", s.base),
        )
        .header("Cookie", format!("proeve_session={}", who.cookie))
        .header("X-CSRF-Token", &who.csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {v}");
    v
}

/// Runs wrk for `seconds` and returns the JSON line its script's `done` printed.
fn wrk(
    threads: usize,
    connections: usize,
    seconds: u64,
    script: &str,
    url: &str,
    env: &[(&str, String)],
) -> Value {
    wrk_until(threads, connections, seconds, script, url, env, || false)
}

/// Runs wrk until `finished` says so (checked every 10 ms; wrk is then stopped with SIGINT,
/// on which it reports as at the end of its time) or `seconds` have passed.
fn wrk_until(
    threads: usize,
    connections: usize,
    seconds: u64,
    script: &str,
    url: &str,
    env: &[(&str, String)],
    finished: impl Fn() -> bool,
) -> Value {
    let child = std::process::Command::new("wrk")
        .args([
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            "30s",
            "-s",
            &repo()
                .join("benches/wrk")
                .join(script)
                .display()
                .to_string(),
            url,
        ])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("wrk (apt-get install wrk)");
    let pid = child.id().to_string();
    let watcher = std::thread::spawn(move || child.wait_with_output());
    while !watcher.is_finished() {
        if finished() {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &pid])
                .status();
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = watcher.join().unwrap().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| {
            panic!(
                "wrk printed no summary: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    serde_json::from_str(line).unwrap()
}

fn ms(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(0.0) / 1000.0
}

/// The process's resident memory now and at its peak, in MiB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds this process (Proeve and the bench, not wrk) has used so far: user, system.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    let tick = 100.0;
    (
        f.get(11).copied().unwrap_or(0.0) / tick,
        f.get(12).copied().unwrap_or(0.0) / tick,
    )
}

/// The machine's CPU time so far, from /proc/stat: (stolen by the hypervisor, all). On a
/// shared virtual machine the steal share tells how far a run's figures are the host's doing.
#[derive(Clone, Copy)]
struct Machine(u64, u64, u64);

impl Machine {
    fn now() -> Machine {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let f: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is within user).
        let all = f.iter().take(8).sum();
        let idle = f.get(3).copied().unwrap_or(0) + f.get(4).copied().unwrap_or(0);
        let steal = f.get(7).copied().unwrap_or(0);
        Machine(steal, all, all - idle - steal)
    }

    /// CPU seconds the whole machine (both cores: server, database, load tool) was busy
    /// since `self`.
    fn busy_since(self) -> f64 {
        (Machine::now().2 - self.2) as f64 / 100.0
    }

    /// The share of the machine's CPU time stolen since `self`, in percent.
    fn steal_since(self) -> f64 {
        let now = Machine::now();
        100.0 * (now.0 - self.0) as f64 / (now.1 - self.1).max(1) as f64
    }
}

// ------------------------------------------------------------------------------ ingest

/// Durable single-row upserts straight into the storage, as fast as it takes them: the wall
/// Proeve's ingest stands against.
async fn storage_limit(db: &Db, dir: &Path) -> (String, f64) {
    match db {
        Db::Sqlite => {
            // The same connection settings as Proeve (WAL, synchronous=FULL), one loop.
            let url = format!("sqlite://{}?mode=rwc", dir.join("raw.db").display());
            let c = proeve::db::connect(&url).await.unwrap();
            c.execute_unprepared("CREATE TABLE raw (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
                .await
                .unwrap();
            let doc = "x".repeat(600);
            let n = 5_000;
            let started = Instant::now();
            for _ in 0..n {
                c.execute_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Sqlite,
                    "INSERT INTO raw (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                    [Uuid::new_v4().to_string().into(), doc.clone().into()],
                ))
                .await
                .unwrap();
            }
            (
                "a loop of single-row upserts, each its own commit".into(),
                n as f64 / started.elapsed().as_secs_f64(),
            )
        }
        Db::Postgres(_) => {
            let url = database_url(db, dir).await;
            let c = sea_orm::Database::connect(url.as_str()).await.unwrap();
            c.execute_unprepared("CREATE TABLE raw (id uuid PRIMARY KEY, doc text NOT NULL)")
                .await
                .unwrap();
            c.close().await.ok();
            let script = dir.join("upsert.sql");
            std::fs::write(
                &script,
                format!(
                    "INSERT INTO raw (id, doc) VALUES (gen_random_uuid(), '{}') ON CONFLICT (id) DO UPDATE SET doc = excluded.doc;\n",
                    "x".repeat(600)
                ),
            )
            .unwrap();
            let out = std::process::Command::new(pgbench())
                .args(["-n", "-c", "8", "-j", "2", "-T", "15", "-f"])
                .arg(&script)
                .arg(&url)
                .output()
                .expect("pgbench");
            let text = String::from_utf8_lossy(&out.stdout);
            let tps = text
                .lines()
                .find(|l| l.starts_with("tps"))
                .and_then(|l| l.split_whitespace().nth(2))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| {
                    panic!("pgbench: {text}{}", String::from_utf8_lossy(&out.stderr))
                });
            ("pgbench, 8 clients, single-row upserts".into(), tps)
        }
    }
}

fn pgbench() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/pgbench"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from("pgbench"))
}

async fn ingest(o: &Opts) {
    for (&n, &group) in o
        .enrolments
        .iter()
        .flat_map(|n| o.group_commit.iter().map(move |g| (n, g)))
    {
        let s = start(&o.db, |settings| settings.group_commit = group).await;
        let http = reqwest::Client::new();
        let token = s.token();
        let offering_id = Uuid::new_v4();
        put(
            &http,
            &token,
            format!("{}/offerings/{offering_id}", s.oke()),
            &offering(
                offering_id,
                "3f6b2a9e-7c41-4d8a-9e2f-1b5c8d7a6e40",
                "0.0-10.0",
            ),
        )
        .await;
        // 2 wrk threads, 8 connections; each thread sends n requests: n/2 enrolments with
        // their persons.
        let run = format!("{:08x}", rand_u32());
        let stats = s.state.writer.stats.clone();
        let before = stats.writes.load(Ordering::Relaxed);
        let seeded = (
            count(&s.state.db, "association").await,
            count(&s.state.db, "person").await,
        );
        let target = before + 2 * n as u64;
        let started = Instant::now();
        let cpu_before = cpu();
        let machine = Machine::now();
        // Writes stored so far, every second: the rate at the start against the end shows
        // whether a PUT costs more as the tables grow.
        let progress = Arc::new(Mutex::new(vec![(0.0, before)]));
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let (progress, sampling, stats) = (progress.clone(), sampling.clone(), stats.clone());
            std::thread::spawn(move || {
                while sampling.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_secs(1));
                    let w = stats.writes.load(Ordering::Relaxed);
                    progress
                        .lock()
                        .unwrap()
                        .push((started.elapsed().as_secs_f64(), w));
                }
            })
        };
        let r = tokio::task::spawn_blocking({
            let (base, token, stats) = (s.base.clone(), token.clone(), stats.clone());
            move || {
                wrk_until(
                    2,
                    8,
                    3600,
                    "ingest.lua",
                    &base,
                    &[
                        ("BENCH_TOKEN", token),
                        ("BENCH_OFFERING", offering_id.to_string()),
                        ("BENCH_RUN", run),
                        ("BENCH_PER_THREAD", n.to_string()),
                        ("BENCH_PATH", "/ooapi/demo".into()),
                    ],
                    move || stats.writes.load(Ordering::Relaxed) >= target,
                )
            }
        })
        .await
        .unwrap();
        let secs = started.elapsed().as_secs_f64();
        let cpu_after = cpu();
        let steal = machine.steal_since();
        sampling.store(false, Ordering::Relaxed);
        sampler.join().ok();
        let (first, last) = tenths(&progress.lock().unwrap(), secs);
        // What was stored, not what was sent: each thread sends n requests (n/2 enrolments
        // with their persons).
        let requests = (stats.writes.load(Ordering::Relaxed) - before) as f64;
        let stored = count(&s.state.db, "association").await - seeded.0;
        let stored_persons = count(&s.state.db, "person").await - seeded.1;
        let writes = s.state.writer.stats.writes.load(Ordering::Relaxed);
        let batches = s.state.writer.stats.batches.load(Ordering::Relaxed);
        let rate = requests / 2.0 / secs;
        let (limit_how, limit) = storage_limit(&o.db, &s.dir).await;
        let ceiling = wrk(2, 8, 10, "get.lua", &format!("{}/", s.oke()), &[]);
        let ceiling_rate = ceiling["requests"].as_f64().unwrap()
            / (ceiling["duration_us"].as_f64().unwrap() / 1e6);
        println!(
            "ingest db={} group_commit={} enrolments={} (+persons) clients=8 rate={rate:.0} enrolments/s ({:.0} PUTs/s) p50={:.2}ms p99={:.2}ms p99.9={:.2}ms errors={} stored={stored} enrolments {stored_persons} persons; \
             commits={batches} for {writes} writes ({:.1} per commit); storage limit {limit:.0}/s ({limit_how}) ratio={:.2}; \
             GET / {ceiling_rate:.0}/s p50={:.2}ms ratio={:.3}; Proeve's CPU per PUT: {:.0}µs user + {:.0}µs system; \
             PUTs/s in the first tenth {first:.0}, in the last tenth {last:.0}; cpu steal {steal:.0}%",
            o.db.name(),
            if group { "on" } else { "off" },
            requests as u64 / 2,
            requests / secs,
            ms(&r, "p50_us"),
            ms(&r, "p99_us"),
            ms(&r, "p999_us"),
            r["errors_status"].as_u64().unwrap_or(0) + r["errors_other"].as_u64().unwrap_or(0),
            writes as f64 / batches.max(1) as f64,
            requests / secs / limit,
            ms(&ceiling, "p50_us"),
            requests / secs / ceiling_rate,
            (cpu_after.0 - cpu_before.0) / requests * 1e6,
            (cpu_after.1 - cpu_before.1) / requests * 1e6,
        );
    }
}

/// The write rate over the first and the last tenth of a run, from (seconds, writes) samples.
fn tenths(samples: &[(f64, u64)], secs: f64) -> (f64, f64) {
    let rate = |from: f64, to: f64| {
        let at = |t: f64| {
            samples
                .iter()
                .min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs()))
                .copied()
                .unwrap_or((t, 0))
        };
        let (a, b) = (at(from), at(to));
        (b.1 - a.1) as f64 / (b.0 - a.0).max(1e-9)
    };
    (rate(0.0, secs / 10.0), rate(secs * 0.9, secs))
}

fn rand_u32() -> u32 {
    (Uuid::new_v4().as_u128() & 0x7fff_ffff) as u32
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

// --------------------------------------------------------------------------- exam week

/// `n` planned exams of the one-assessor electrical exam, each with its own assessor, and
/// the assessors signed in.
struct Week {
    offering: Uuid,
    cases: Vec<(Uuid, Uuid)>,
    assessors: Vec<Person>,
    office: Person,
}

async fn plan_week(s: &Server, n: usize) -> Week {
    let http = reqwest::Client::new();
    let token = s.token();
    let offering_id = Uuid::new_v4();
    put(
        &http,
        &token,
        format!("{}/offerings/{offering_id}", s.oke()),
        &offering(offering_id, ELEKTRO, "0-10"),
    )
    .await;
    let mut students = Vec::new();
    let mut assessor_ids = Vec::new();
    for i in 0..n {
        let (_, a) = enrolled(&http, &token, s, offering_id, 2 * i, "student").await;
        let (assessor, _) = enrolled(&http, &token, s, offering_id, 2 * i + 1, "assessor").await;
        students.push(a);
        assessor_ids.push(assessor);
    }
    let office = sign_in(&http, s, proeve::config::DEMO_EXAM_OFFICE.parse().unwrap()).await;
    let all = proeve::planning::cases(&s.state.db, "demo", None)
        .await
        .unwrap();
    let mut cases = Vec::new();
    let mut assessors = Vec::new();
    for (enrolment, assessor) in students.iter().zip(&assessor_ids) {
        let c = all
            .iter()
            .find(|c| c.association_id == *enrolment)
            .expect("a case per enrolment");
        let plan = json!({
            "revision": c.revision, "start": "2026-12-14T08:00:00Z", "end": "2026-12-14T16:00:00Z",
            "place": {"kind": "school", "location": "Installatiehal"}, "assessors": [assessor],
        });
        call(
            &http,
            s,
            &office,
            "POST",
            &format!("/cases/{}/plan", c.case_id),
            plan,
        )
        .await;
        cases.push((c.case_id, *enrolment));
        assessors.push(sign_in(&http, s, *assessor).await);
    }
    Week {
        offering: offering_id,
        cases,
        assessors,
        office,
    }
}

fn criteria(s: &Server) -> Vec<(String, u32)> {
    let exam = s.state.catalog.get(ELEKTRO.parse().unwrap()).unwrap();
    exam.model
        .sections
        .iter()
        .flat_map(|sec| &sec.criteria)
        .map(|c| {
            let top = exam
                .model
                .scales
                .iter()
                .find(|sc| sc.id == c.scale)
                .and_then(|sc| sc.levels.iter().map(|l| l.value).max())
                .unwrap_or(1);
            (c.code.clone(), top)
        })
        .collect()
}

async fn exam_week(o: &Opts) {
    let s = start(&o.db, |_| {}).await;
    let setup = Instant::now();
    let week = plan_week(&s, o.assessors).await;
    let setup = setup.elapsed();
    let data = week_file(&s, &week);
    let n = o.assessors;
    let window = Window::open(&s);
    let r = tokio::task::spawn_blocking({
        let (base, seconds) = (s.base.clone(), o.seconds);
        move || {
            wrk(
                n,
                n,
                seconds,
                "exam_week.lua",
                &base,
                &[
                    ("BENCH_DATA", data.display().to_string()),
                    ("BENCH_PATH", "/api/demo".into()),
                ],
            )
        }
    })
    .await
    .unwrap();
    let m = window.close(&s);
    let secs = r["duration_us"].as_f64().unwrap() / 1e6;
    println!(
        "exam-week db={} assessors={n} seconds={secs:.0} saves={} ({:.0}/s) p50={:.2}ms p99={:.2}ms p99.9={:.2}ms max={:.0}ms errors={} conflicts={} \
         server's own time {}; machine CPU per save (both cores, wrk included) {}; {} (setup {:.0}s); cpu steal {:.0}%",
        o.db.name(),
        r["requests"],
        r["requests"].as_f64().unwrap() / secs,
        ms(&r, "p50_us"),
        ms(&r, "p99_us"),
        ms(&r, "p999_us"),
        ms(&r, "max_us"),
        r["errors_status"].as_u64().unwrap_or(0) + r["errors_other"].as_u64().unwrap_or(0),
        r["conflicts"],
        m.server_times(),
        m.cpu_per(r["requests"].as_f64().unwrap()),
        m.memory(),
        setup.as_secs_f64(),
        m.steal,
    );
    let _ = (week.offering, week.office);
}

/// The route of a sheet save, as Proeve's own timing names it.
const SHEET_SAVE: &str = "PUT /api/{slug}/cases/{id}/sheets/{sheet}";

/// The planned exam week on disk for a load tool: the criteria as "code:highest-level",
/// then a line "caseId session-cookie csrf-token" per assessor.
fn week_file(s: &Server, week: &Week) -> PathBuf {
    let data = s.dir.join("assessors.txt");
    let mut text = criteria(s)
        .iter()
        .map(|(c, top)| format!("{c}:{top}"))
        .collect::<Vec<_>>()
        .join(" ");
    text.push('\n');
    for ((case, _), a) in week.cases.iter().zip(&week.assessors) {
        text.push_str(&format!("{case} {} {}\n", a.cookie, a.csrf));
    }
    std::fs::write(&data, text).unwrap();
    data
}

/// Samples this process's resident memory every 100 ms until stopped; the peak.
struct RssSampler {
    peak: Arc<Mutex<f64>>,
    sampling: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start() -> RssSampler {
        let peak = Arc::new(Mutex::new(rss().0));
        let sampling = Arc::new(AtomicBool::new(true));
        let thread = {
            let (peak, sampling) = (peak.clone(), sampling.clone());
            std::thread::spawn(move || {
                while sampling.load(Ordering::Relaxed) {
                    let (now, _) = rss();
                    let mut p = peak.lock().unwrap();
                    *p = p.max(now);
                    drop(p);
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        };
        RssSampler {
            peak,
            sampling,
            thread,
        }
    }

    fn stop(self) -> f64 {
        self.sampling.store(false, Ordering::Relaxed);
        self.thread.join().ok();
        let peak = *self.peak.lock().unwrap();
        peak
    }
}

/// What a scenario measures around its load: the machine's and Proeve's CPU, the server's
/// own timing of sheet saves, and the server process's memory.
struct Window {
    machine: Machine,
    own: (f64, f64),
    server: proeve::http::timing::Snapshot,
    rss_before: f64,
    sampler: RssSampler,
}

/// A [`Window`] closed.
struct Measured {
    steal: f64,
    /// CPU seconds: the whole machine's, and Proeve's process.
    busy: f64,
    own: f64,
    server: proeve::http::timing::Snapshot,
    rss_before: f64,
    peak: f64,
    after: f64,
    high_water: f64,
}

impl Window {
    fn open(s: &Server) -> Window {
        Window {
            rss_before: rss().0,
            sampler: RssSampler::start(),
            machine: Machine::now(),
            own: cpu(),
            server: s.state.timings.snapshot(SHEET_SAVE),
        }
    }

    fn close(self, s: &Server) -> Measured {
        let (steal, busy) = (self.machine.steal_since(), self.machine.busy_since());
        let own = cpu();
        let server = s.state.timings.snapshot(SHEET_SAVE).since(&self.server);
        let peak = self.sampler.stop();
        let (after, high_water) = rss();
        Measured {
            steal,
            busy,
            own: (own.0 - self.own.0) + (own.1 - self.own.1),
            server,
            rss_before: self.rss_before,
            peak,
            after,
            high_water,
        }
    }
}

impl Measured {
    fn server_times(&self) -> String {
        format!(
            "p50={:.2}ms p99={:.2}ms p99.9={:.2}ms",
            self.server.quantile_ms(0.5),
            self.server.quantile_ms(0.99),
            self.server.quantile_ms(0.999)
        )
    }

    fn cpu_per(&self, saves: f64) -> String {
        format!(
            "{:.0}µs, of it Proeve's {:.0}µs",
            self.busy / saves.max(1.0) * 1e6,
            self.own / saves.max(1.0) * 1e6
        )
    }

    fn memory(&self) -> String {
        format!(
            "rss before={:.0}MiB peak during={:.0}MiB after={:.0}MiB (process high-water {:.0}MiB)",
            self.rss_before, self.peak, self.after, self.high_water
        )
    }
}

// ------------------------------------------------------------------- exam week at a pace

/// Exam week at a real pace, open loop: every assessor saves their sheet every `--every`
/// seconds (starts spread evenly over the first period), whatever the answers take, for
/// `--seconds`. The load comes from a second process (this program as `pace-client`), so the
/// memory measured is the server's; latency is reported as Proeve timed it itself and as
/// the client saw it from each save's planned moment (so a slow answer is not hidden by
/// the next save waiting for it).
async fn exam_pace(o: &Opts) {
    let s = start(&o.db, |_| {}).await;
    let setup = Instant::now();
    let week = plan_week(&s, o.assessors).await;
    let setup = setup.elapsed();
    let data = week_file(&s, &week);
    let window = Window::open(&s);
    let out = tokio::task::spawn_blocking({
        let (base, every, seconds) = (s.base.clone(), o.every, o.seconds);
        move || {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "pace-client",
                    &data.display().to_string(),
                    &format!("{base}/api/demo"),
                ])
                .args([every.to_string(), seconds.to_string()])
                .output()
                .expect("the pace client")
        }
    })
    .await
    .unwrap();
    let m = window.close(&s);
    let text = String::from_utf8_lossy(&out.stdout);
    let r: Value = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!(
                "the pace client printed no summary: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let saves = r["saves"].as_f64().unwrap();
    println!(
        "exam-pace db={} assessors={} every={}s seconds={} saves={saves} ({:.0}/s) errors={} conflicts={}; \
         server's own time {} mean={:.2}ms ({} timed); \
         client from the planned moment p50={:.2}ms p99={:.2}ms p99.9={:.2}ms max={:.0}ms; \
         machine CPU per save (both cores, client included) {}; {} (setup {:.0}s); cpu steal {:.0}%",
        o.db.name(),
        o.assessors,
        o.every,
        o.seconds,
        saves / r["seconds"].as_f64().unwrap(),
        r["errors"],
        r["conflicts"],
        m.server_times(),
        m.server.mean_ms(),
        m.server.count(),
        r["p50_ms"].as_f64().unwrap(),
        r["p99_ms"].as_f64().unwrap(),
        r["p999_ms"].as_f64().unwrap(),
        r["max_ms"].as_f64().unwrap(),
        m.cpu_per(saves),
        m.memory(),
        setup.as_secs_f64(),
        m.steal,
    );
}

/// The load of `exam-pace`, in its own process: `bench pace-client FILE BASE EVERY SECONDS`.
/// One HTTP client (one connection) per assessor, as each has their own phone; each save
/// sends the whole sheet so far with the revision of the last save, one criterion more (or
/// another level, or a note) each time, as the phone app does.
async fn pace_client(args: &[String]) {
    let [file, base, every, seconds] = args else {
        usage("pace-client FILE BASE EVERY SECONDS");
    };
    let every = Duration::from_secs_f64(number("EVERY", every));
    let seconds = Duration::from_secs_f64(number("SECONDS", seconds));
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let criteria: Vec<(String, u32)> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|c| c.rsplit_once(':'))
        .map(|(code, top)| (code.to_string(), top.parse().unwrap_or(1)))
        .collect();
    let criteria = Arc::new(criteria);
    let assessors: Vec<(String, String, String)> = lines
        .filter_map(|l| {
            let mut w = l.split_whitespace().map(str::to_string);
            Some((w.next()?, w.next()?, w.next()?))
        })
        .collect();
    let n = assessors.len().max(1);
    let begin = tokio::time::Instant::now() + Duration::from_secs(1);
    let end = begin + seconds;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (case, cookie, csrf)) in assessors.into_iter().enumerate() {
        let (criteria, base) = (criteria.clone(), base.clone());
        let first = begin + every.mul_f64(i as f64 / n as f64);
        tasks.spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .no_proxy()
                .build()
                .unwrap();
            let url = format!("{base}/cases/{case}/sheets/mine");
            let (mut revision, mut step) = (0u64, 0usize);
            let (mut took, mut errors, mut conflicts) = (Vec::new(), 0u64, 0u64);
            let mut planned = first;
            while planned < end {
                tokio::time::sleep_until(planned).await;
                step += 1;
                let body = sheet(&criteria, step, revision);
                let r = http
                    .put(&url)
                    .header("Cookie", format!("proeve_session={cookie}"))
                    .header("X-CSRF-Token", &csrf)
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        revision = v["revision"].as_u64().unwrap_or(revision);
                    }
                    Ok(r) if r.status() == 409 => conflicts += 1,
                    _ => errors += 1,
                }
                took.push(planned.elapsed());
                planned += every;
            }
            (took, errors, conflicts)
        });
    }
    let (mut took, mut errors, mut conflicts) = (Vec::new(), 0, 0);
    while let Some(r) = tasks.join_next().await {
        let (t, e, c) = r.unwrap();
        took.extend(t);
        errors += e;
        conflicts += c;
    }
    took.sort();
    let q = |p: f64| {
        took.get(((p * took.len() as f64).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{}",
        json!({
            "saves": took.len(), "seconds": seconds.as_secs_f64(), "errors": errors,
            "conflicts": conflicts, "p50_ms": q(0.5), "p99_ms": q(0.99), "p999_ms": q(0.999),
            "max_ms": took.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        })
    );
}

/// The sheet an assessor saves at their `step`th save (as `benches/wrk/exam_week.lua`).
fn sheet(criteria: &[(String, u32)], step: usize, revision: u64) -> String {
    let n = (step - 1) % criteria.len().max(1) + 1;
    let round = (step - 1) / criteria.len().max(1);
    let scores: Vec<Value> = criteria
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, (code, top))| {
            let i = i + 1;
            let level = (((i + round) % 3 + 1) as u32).min(*top);
            let mut score = json!({"criterion": code, "level": level});
            if i % 4 == 0 || level <= 1 {
                score["note"] = json!(format!(
                    "Werkt netjes; meting {round} volgens NEN 1010 uitgevoerd."
                ));
            }
            score
        })
        .collect();
    json!({
        "revision": revision, "attendance": "present", "identityChecked": true,
        "identityMethod": "ID-kaart", "scores": scores,
    })
    .to_string()
}

// ---------------------------------------------------------------------------- delivery

/// A SIS that issues tokens and takes every flow 5 message at once, noting when each
/// arrived; while `closed` it answers everything with 503.
#[derive(Default)]
struct Sis {
    closed: AtomicBool,
    got: Mutex<Vec<(Instant, String, String)>>,
}

async fn sis_stand_in(sis: Arc<Sis>) -> u16 {
    let data = web::Data::from(sis);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(1 << 22))
            .route("/oke/token", web::post().to(|sis: web::Data<Sis>| async move {
                if sis.closed.load(Ordering::Relaxed) {
                    return HttpResponse::ServiceUnavailable().finish();
                }
                HttpResponse::Ok().json(json!({"access_token": "bench", "token_type": "Bearer", "expires_in": 3600}))
            }))
            .route("/oke/", web::get().to(|sis: web::Data<Sis>| async move {
                if sis.closed.load(Ordering::Relaxed) {
                    return HttpResponse::ServiceUnavailable().finish();
                }
                HttpResponse::NotFound().finish()
            }))
            .route("/oke/associations/{id}", web::route().to(
                |sis: web::Data<Sis>, path: web::Path<String>, body: web::Bytes| async move {
                    if sis.closed.load(Ordering::Relaxed) {
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let state = v["result"]["state"].as_str().unwrap_or("").to_string();
                    sis.got.lock().unwrap().push((Instant::now(), path.into_inner(), state));
                    HttpResponse::Ok().json(json!({"message": "ok"}))
                },
            ))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    port
}

/// Scores, judges and signs one planned exam (the assessor signs, then the candidate on the
/// assessor's phone); returns when the last signature was sent (its answer comes after the
/// documents are rendered, by which time the result may already be on its way).
async fn sign(
    http: &reqwest::Client,
    s: &Server,
    assessor: &Person,
    case: Uuid,
    scores: &[Value],
) -> Instant {
    let path = format!("/cases/{case}");
    call(http, s, assessor, "PUT", &format!("{path}/sheets/mine"), json!({
        "revision": 0, "attendance": "present", "identityChecked": true, "identityMethod": "ID-kaart", "scores": scores,
        // The benchmark's exams are planned for another day than they are taken.
        "timesReason": "Benchmark: afgenomen buiten de geplande dag.",
    }))
    .await;
    let c = call(http, s, assessor, "GET", &path, Value::Null).await;
    call(
        http,
        s,
        assessor,
        "POST",
        &format!("{path}/judge"),
        json!({"revision": c["revision"]}),
    )
    .await;
    let mut last = Instant::now();
    for role in ["assessor", "candidate"] {
        last = Instant::now();
        call(
            http,
            s,
            assessor,
            "POST",
            &format!("{path}/signatures"),
            json!({"role": role, "image": PNG}),
        )
        .await;
    }
    last
}

async fn delivery(o: &Opts) {
    let sis = Arc::new(Sis::default());
    let port = sis_stand_in(sis.clone()).await;
    let s = start(&o.db, |settings| {
        let base = format!("http://127.0.0.1:{port}/oke");
        settings.tenants[0].sis = Some(SisSettings {
            base_url: base.clone(),
            token_url: format!("{base}/token"),
            client_id: "proeve".into(),
            client_secret: "bench".to_string().into(),
            pull_every_minutes: None,
            oke_version: OkeVersion::Auto,
        });
        // Production settings, but short retries, so the backlog goes as soon as the SIS is
        // back rather than at the end of a long backoff.
        settings.delivery = DeliverySettings {
            retry_base_ms: 200,
            retry_cap_secs: 2,
            ..DeliverySettings::default()
        };
    })
    .await;
    let n = o.exams;
    let steady = 40.min(n);
    let week = plan_week(&s, n + steady).await;
    let scores: Vec<Value> = criteria(&s)
        .iter()
        .map(|(c, top)| json!({"criterion": c, "level": top}))
        .collect();
    let http = reqwest::Client::new();

    // 1. A backlog: n exams signed while the SIS is down, then the SIS comes back.
    sis.closed.store(true, Ordering::Relaxed);
    let machine = Machine::now();
    let signing = Instant::now();
    let jobs: Vec<usize> = (0..n).collect();
    futures_util::future::join_all(jobs.chunks(n.div_ceil(8).max(1)).map(|chunk| {
        let (http, scores, week, s) = (&http, &scores, &week, &s);
        async move {
            for &i in chunk {
                sign(http, s, &week.assessors[i], week.cases[i].0, scores).await;
            }
        }
    }))
    .await;
    let signing = signing.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let expected = 2 * n;
    let opened = Instant::now();
    sis.closed.store(false, Ordering::Relaxed);
    loop {
        let got = sis.got.lock().unwrap().len();
        if got >= expected {
            break;
        }
        assert!(
            opened.elapsed() < Duration::from_secs(600),
            "only {got} of {expected} arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (first, last) = {
        let got = sis.got.lock().unwrap();
        (got[0].0, got[expected - 1].0)
    };
    let drain = last.duration_since(first).as_secs_f64();
    let backlog_rate = expected as f64 / drain.max(1e-9);
    let to_last = last.duration_since(opened).as_secs_f64();

    // 2. Steady: exams signed one after another by 4 assessors at once; how long from the last
    // signature to the SIS having the result.
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let jobs: Vec<usize> = (n..n + steady).collect();
    futures_util::future::join_all(jobs.chunks(steady.div_ceil(4).max(1)).map(|chunk| {
        let (http, scores, week, s, sis, latencies) =
            (&http, &scores, &week, &s, &sis, latencies.clone());
        async move {
            for &i in chunk {
                let (case, enrolment) = week.cases[i];
                let signed = sign(http, s, &week.assessors[i], case, scores).await;
                let id = enrolment.to_string();
                loop {
                    let arrived = sis
                        .got
                        .lock()
                        .unwrap()
                        .iter()
                        .find(|(_, a, st)| *a == id && st == "completed")
                        .map(|g| g.0);
                    if let Some(at) = arrived {
                        latencies
                            .lock()
                            .unwrap()
                            .push(at.saturating_duration_since(signed).as_secs_f64() * 1000.0);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    }))
    .await;
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| l[((l.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "delivery db={} backlog={expected} messages ({n} exams signed in {:.1}s while the SIS was down) drained at {backlog_rate:.0} messages/s \
         ({drain:.2}s from first to last; {to_last:.2}s after the SIS came back); signed-to-SIS under a steady load of 4 signing assessors: \
         p50={:.0}ms p99={:.0}ms max={:.0}ms over {} exams; cpu steal {:.0}%",
        o.db.name(),
        signing.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(1.0),
        l.len(),
        machine.steal_since(),
    );
}

// --------------------------------------------------------------------------- case lists

/// One GET of the people's API as `who`: the time it took, the bytes of its body, its ETag.
async fn timed_get(
    http: &reqwest::Client,
    s: &Server,
    who: &Person,
    path: &str,
    etag: Option<&str>,
) -> (Duration, usize, Option<String>, Value) {
    let started = Instant::now();
    let mut r = http
        .get(format!("{}/api/demo{path}", s.base))
        .header("cookie", format!("proeve_session={}", who.cookie));
    if let Some(e) = etag {
        r = r.header("if-none-match", e);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    assert!(status == 200 || status == 304, "GET {path}: {status}");
    let tag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = r.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (started.elapsed(), bytes.len(), tag, body)
}

/// p50 and p99 of some durations, in milliseconds.
fn p50_p99(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99))
}

/// An assessor enrolled on an offering with `--exams` exams (ten of them planned for them),
/// and the exam office of the school: what a refresh of the app costs, page by page.
async fn case_lists(o: &Opts) {
    let s = start(&o.db, |_| {}).await;
    let http = reqwest::Client::new();
    let token = s.token();
    let offering_id = Uuid::new_v4();
    put(
        &http,
        &token,
        format!("{}/offerings/{offering_id}", s.oke()),
        &offering(offering_id, ELEKTRO, "0-10"),
    )
    .await;
    let (assessor, _) = enrolled(&http, &token, &s, offering_id, 0, "assessor").await;
    // Sixteen enrolments in flight, as a SIS pushing at term start would: group commit
    // takes them in batches.
    let seeding = Instant::now();
    {
        use futures_util::StreamExt;
        let (http, token, s) = (&http, &token, &s);
        futures_util::stream::iter(0..o.exams)
            .map(|i| enrolled(http, token, s, offering_id, i + 1, "student"))
            .buffer_unordered(16)
            .for_each(|_| async {})
            .await;
    }
    eprintln!(
        "case-lists: {} exams enrolled in {:.0} s",
        o.exams,
        seeding.elapsed().as_secs_f64()
    );
    let office = sign_in(&http, &s, proeve::config::DEMO_EXAM_OFFICE.parse().unwrap()).await;
    let me = sign_in(&http, &s, assessor).await;
    let ours: Vec<_> = proeve::planning::cases(&s.state.db, "demo", None)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.offering_id == offering_id)
        .take(10)
        .collect();
    for c in &ours {
        let plan = json!({
            "revision": c.revision, "start": "2026-12-14T08:00:00Z", "end": "2026-12-14T16:00:00Z",
            "place": {"kind": "school", "location": "Installatiehal"}, "assessors": [assessor],
        });
        call(
            &http,
            &s,
            &office,
            "POST",
            &format!("/cases/{}/plan", c.case_id),
            plan,
        )
        .await;
    }
    let rounds = 30;
    let report = |what: &str, d: Vec<Duration>, bytes: usize| {
        let (p50, p99) = p50_p99(d);
        println!(
            "case-lists db={} exams={} {what}: p50 {p50:.1} ms, p99 {p99:.1} ms, {bytes} bytes",
            o.db.name(),
            o.exams
        );
    };
    // Every page of a list, as one refresh that walks them all: the walk's time and bytes,
    // and each page's time.
    let walk = |who: Person, query: &'static str| {
        let (http, s) = (&http, &s);
        async move {
            let started = Instant::now();
            let (mut bytes, mut after, mut each) = (0, None::<String>, Vec::new());
            loop {
                let path = match &after {
                    Some(a) => format!("/cases?{query}&after={a}"),
                    None => format!("/cases?{query}"),
                };
                let (t, n, _, body) = timed_get(http, s, &who, &path, None).await;
                each.push(t);
                bytes += n;
                match body["next"].as_str() {
                    Some(next) => after = Some(next.to_string()),
                    None => return (started.elapsed(), bytes, each),
                }
            }
        }
    };
    let rounds_for = |whole: bool| if whole { (rounds / 10).max(3) } else { rounds };
    // Walking a whole school of more than 100,000 cases page by page shows nothing a page
    // does not: above that only single pages are timed.
    let walks = o.exams <= 100_000;
    for (who, label, query, whole) in [
        (
            &me,
            "assessor, every case it may see (as before paging)",
            "limit=500",
            true,
        ),
        (
            &me,
            "assessor, list=mine (what the phone keeps)",
            "list=mine&limit=500",
            false,
        ),
        (
            &me,
            "assessor, list=toPlan first page of 20",
            "list=toPlan&limit=20",
            false,
        ),
        (
            &office,
            "office, whole school in pages of 100",
            "limit=100",
            true,
        ),
        (&office, "office, first page of 100", "limit=100", false),
        (
            &office,
            "office, every exam under way (as before the per-state pages)",
            "state=received,planned,assessed,signed&limit=500",
            true,
        ),
    ] {
        if whole && !walks {
            continue;
        }
        let mut times = Vec::new();
        let mut pages = Vec::new();
        let mut bytes = 0;
        for _ in 0..rounds_for(whole) {
            if whole {
                let (t, b, each) = walk(who.clone(), query).await;
                times.push(t);
                pages.extend(each);
                bytes = b;
            } else {
                let (t, b, _, _) =
                    timed_get(&http, &s, who, &format!("/cases?{query}"), None).await;
                times.push(t);
                bytes = b;
            }
        }
        report(label, times, bytes);
        if whole && pages.len() > 1 {
            let (p50, p99) = p50_p99(pages);
            println!(
                "case-lists db={} exams={} {label}, per page: p50 {p50:.1} ms, p99 {p99:.1} ms",
                o.db.name(),
                o.exams
            );
        }
    }
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..rounds {
        let (t, b, _, _) = timed_get(&http, &s, &office, "/cases/counts", None).await;
        times.push(t);
        bytes = b;
    }
    report("office, counts per state", times, bytes);
    // The app's refresh when nothing changed: its ETag, answered 304.
    let (_, _, tag, _) = timed_get(&http, &s, &me, "/cases?list=mine&limit=500", None).await;
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..rounds {
        let (t, b, _, _) =
            timed_get(&http, &s, &me, "/cases?list=mine&limit=500", tag.as_deref()).await;
        times.push(t);
        bytes = b;
    }
    report("assessor, list=mine unchanged (304)", times, bytes);
    // The office's phone refresh as the app makes it: its own exams, the first page of each
    // state under way, the latest determined, and the counts with the exams signed; then the
    // same refresh with the ETags it got (nothing changed).
    let refresh = [
        "/cases?list=mine&limit=500",
        "/cases?state=received&limit=50",
        "/cases?state=planned&limit=50",
        "/cases?state=assessed&limit=50",
        "/cases?state=signed&limit=50",
        "/cases?list=recentlyFinalised&limit=20",
        "/cases/counts?state=signed",
    ];
    let mut tags = vec![None; refresh.len()];
    for unchanged in [false, true] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            bytes = 0;
            for (path, tag) in refresh.iter().zip(tags.iter_mut()) {
                let sent = if unchanged { tag.clone() } else { None };
                let (_, b, got, _) = timed_get(&http, &s, &office, path, sent.as_deref()).await;
                bytes += b;
                if got.is_some() {
                    *tag = got;
                }
            }
            times.push(started.elapsed());
        }
        let label = if unchanged {
            "office, the phone's refresh unchanged (7 requests, 304)"
        } else {
            "office, the phone's refresh (7 requests: first pages per state, counts)"
        };
        report(label, times, bytes);
    }
}

fn main() {
    // As the server's own main does.
    proeve::startup::limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("pace-client") {
        return pace_client(&args[1..]).await;
    }
    let o = opts();
    for scenario in &o.scenarios {
        match scenario.as_str() {
            "ingest" => ingest(&o).await,
            "exam-week" => exam_week(&o).await,
            "exam-pace" => exam_pace(&o).await,
            "delivery" => delivery(&o).await,
            "case-lists" => case_lists(&o).await,
            other => {
                panic!("unknown scenario {other}: ingest, exam-week, delivery, case-lists or all")
            }
        }
    }
}
