//! The command line: run the server (demo or configured), or print a demo token.

use crate::config::Settings;
use std::path::PathBuf;

pub const USAGE: &str = "\
Proeve: OKE server for MBO practical exams

USAGE:
    proeve                            run the demo (SQLite proeve.db, tenant `demo`)
    proeve --config FILE              run the tenants configured in FILE (or PROEVE_CONFIG=FILE)
    proeve demo-token --scope SCOPE   print a bearer token for the demo tenant
                                      (repeat --scope; --ttl SECONDS, default 3600)
    proeve render --input CASE.json --out DIR
                                      render the assessment form and proces-verbaal of an
                                      exam record (as GET /api/{slug}/cases/{id}/record
                                      gives it) into DIR; --repeat N times it, warm;
                                      --html also writes the same content as HTML pages
    proeve --help | --version

Top-level settings can be overridden with PROEVE_<KEY>, e.g. PROEVE_BIND, PROEVE_DATABASE_URL.";

#[derive(Debug, PartialEq)]
pub enum Command {
    Serve {
        config: Option<PathBuf>,
    },
    DemoToken {
        scopes: Vec<String>,
        ttl_secs: i64,
    },
    Render {
        input: PathBuf,
        out: PathBuf,
        repeat: u32,
        html: bool,
    },
    Help,
    Version,
}

pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Command, String> {
    let mut it = args.iter().skip(1);
    let mut config = env("PROEVE_CONFIG").map(PathBuf::from);
    let mut first = true;
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--config" | "-c" => {
                config = Some(PathBuf::from(it.next().ok_or("--config needs a file")?));
            }
            "demo-token" if first => return demo_token(it),
            "render" if first => return render(it),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
        first = false;
    }
    Ok(Command::Serve { config })
}

fn demo_token<'a>(mut it: impl Iterator<Item = &'a String>) -> Result<Command, String> {
    let mut scopes = Vec::new();
    let mut ttl_secs = 3600;
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--scope" => scopes.push(it.next().ok_or("--scope needs a value")?.clone()),
            "--ttl" => {
                ttl_secs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| (60..=86_400).contains(v))
                    .ok_or("--ttl needs a number of seconds from 60 to 86400")?;
            }
            other => return Err(format!("unknown argument {other:?} for demo-token")),
        }
    }
    if scopes.is_empty() {
        return Err("demo-token needs --scope, e.g. --scope nl-test-admin-flow-1-5".into());
    }
    Ok(Command::DemoToken { scopes, ttl_secs })
}

fn render<'a>(mut it: impl Iterator<Item = &'a String>) -> Result<Command, String> {
    let (mut input, mut out, mut repeat, mut html) = (None, None, 0, false);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--input" => input = Some(PathBuf::from(it.next().ok_or("--input needs a file")?)),
            "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a directory")?)),
            "--repeat" => {
                repeat = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| (1..=100_000).contains(v))
                    .ok_or("--repeat needs a number from 1 to 100000")?;
            }
            "--html" => html = true,
            other => return Err(format!("unknown argument {other:?} for render")),
        }
    }
    Ok(Command::Render {
        input: input.ok_or("render needs --input CASE.json")?,
        out: out.ok_or("render needs --out DIR")?,
        repeat,
        html,
    })
}

/// `proeve render`: both documents of a record into a directory; with `repeat`, the
/// time per rendering of both after one warm-up; with `html`, both as HTML pages too (with
/// the font files they use). Returns what to print.
pub fn run_render(
    input: &std::path::Path,
    out: &std::path::Path,
    repeat: u32,
    html: bool,
) -> Result<String, String> {
    use crate::report::{documents, record::Record};
    let text = std::fs::read_to_string(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    let record: Record = serde_path_to_error::deserialize(de)
        .map_err(|e| format!("{}: {} at {}", input.display(), e.inner(), e.path()))?;
    let rendered = documents::render(&record).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let (form_name, report_name) = documents::file_names(&record);
    let mut said = String::new();
    let mut files = vec![
        (form_name.clone(), rendered.form.clone()),
        (report_name.clone(), rendered.report.clone()),
    ];
    if html {
        let (form_html, report_html) = documents::html(&record, &rendered.form_sha256);
        files.push((form_name.replace(".pdf", ".html"), form_html.into_bytes()));
        files.push((
            report_name.replace(".pdf", ".html"),
            report_html.into_bytes(),
        ));
        for (name, bytes) in crate::report::html::FONT_FILES {
            files.push((name.to_string(), bytes.to_vec()));
        }
    }
    for (name, bytes) in &files {
        let path = out.join(name.replace(['/', '\\'], "_"));
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let sha = documents::hex(&sha2::Digest::finalize(
            <sha2::Sha256 as sha2::Digest>::new_with_prefix(bytes),
        ));
        said.push_str(&format!(
            "{}  {} bytes  sha256 {sha}\n",
            path.display(),
            bytes.len()
        ));
    }
    if repeat > 0 {
        let started = std::time::Instant::now();
        for _ in 0..repeat {
            documents::render(&record).map_err(|e| e.to_string())?;
        }
        let per = started.elapsed().as_secs_f64() * 1000.0 / f64::from(repeat);
        said.push_str(&format!(
            "render both documents: {per:.2} ms each (mean of {repeat}, warm, in process)\n"
        ));
    }
    Ok(said)
}

/// The settings for `Serve`.
pub fn settings(
    config: Option<PathBuf>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, String> {
    match config {
        Some(path) => Settings::from_file(&path, env),
        None => Settings::demo(env),
    }
    .map_err(|e| e.to_string())
}
