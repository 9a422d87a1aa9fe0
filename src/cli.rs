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
    proeve --help | --version

Top-level settings can be overridden with PROEVE_<KEY>, e.g. PROEVE_BIND, PROEVE_DATABASE_URL.";

#[derive(Debug, PartialEq)]
pub enum Command {
    Serve { config: Option<PathBuf> },
    DemoToken { scopes: Vec<String>, ttl_secs: i64 },
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
