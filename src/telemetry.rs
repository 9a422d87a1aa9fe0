//! Structured logs with `tracing`. `RUST_LOG` overrides the default filter; sqlx would log
//! every query at INFO, so it is held at WARN.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

pub fn init() {
    use std::io::IsTerminal;
    init_with(std::io::stdout, std::io::stdout().is_terminal());
}

/// The same logs, written to `writer` without colours (the tests read them back).
pub fn init_to<W>(writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    init_with(writer, false);
}

/// Colours only for a terminal: a log file or the journal gets plain text.
fn init_with<W>(writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer)
        .with_ansi(ansi)
        .try_init();
}
