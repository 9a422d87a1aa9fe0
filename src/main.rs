use proeve::auth::demo::DemoKey;
use proeve::cli::{self, Command};
use proeve::startup::Application;
use std::process::ExitCode;

fn main() -> ExitCode {
    proeve::startup::limit_malloc_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => fail(&format!("cannot start the runtime: {e}")),
    }
}

async fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let env = |k: &str| std::env::var(k).ok();
    let command = match cli::parse(&args, &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => println!("{}", cli::USAGE),
        Command::Version => println!("proeve {}", env!("CARGO_PKG_VERSION")),
        Command::DemoToken { scopes, ttl_secs } => {
            let settings = match cli::settings(None, &env) {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            let key_file = settings.demo_key_file.unwrap_or_default();
            match DemoKey::load_or_create(&key_file)
                .and_then(|k| k.token(&scopes.join(" "), ttl_secs))
            {
                Ok(token) => println!("{token}"),
                Err(e) => return fail(&format!("{e:#}")),
            }
        }
        Command::Render {
            input,
            out,
            repeat,
            html,
        } => match cli::run_render(&input, &out, repeat, html) {
            Ok(said) => print!("{said}"),
            Err(e) => return fail(&e),
        },
        Command::Serve { config } => {
            proeve::telemetry::init();
            let demo = config.is_none();
            let settings = match cli::settings(config, &env) {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            let public_url = settings.public_url.clone();
            let app = match Application::build(settings).await {
                Ok(a) => a,
                Err(e) => return fail(&format!("{e:#}")),
            };
            if demo {
                println!(
                    "\nProeve demo is running.\n  \
                     the phone app:              {public_url}/app/demo/ (open it on a phone, or in a narrow window)\n  \
                     sign in as a demo person:   {public_url}/app/demo/sign-in\n  \
                     OKE base URL (tenant demo): {public_url}/ooapi/demo\n  \
                     health:                     {public_url}/healthz\n  \
                     a token for the SIS:        cargo run --release -- demo-token --scope nl-test-admin-flow-1-5\n"
                );
            }
            tracing::info!(port = app.port(), "listening");
            if let Err(e) = app.run_until_stopped().await {
                return fail(&e.to_string());
            }
        }
    }
    ExitCode::SUCCESS
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("proeve: {msg}");
    ExitCode::FAILURE
}
