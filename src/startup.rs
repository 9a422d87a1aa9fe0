//! The composition root: builds the application from settings (database, migrated;
//! catalogue; schools with their token verifiers; the workers) and the HTTP server bound to
//! its port. Nothing but `main` and the tests imports this module.

use crate::auth::demo::DemoKey;
use crate::auth::{JwtVerifier, KeySource};
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::http::AppState;
use crate::tenant::Tenant;
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use migration::MigratorTrait;
use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

/// Caps glibc's malloc arenas at two per core (its default is eight per core), before any
/// thread starts. Each thread that allocates under contention gets an arena of its own, and
/// freed memory stays in the arena it came from: measured with 1,000 phones saving for a
/// minute, the process held 134 MiB with the default, 92 MiB with this cap and 85 MiB with
/// two arenas in all, where ingest lost a sixth of its rate (BENCHMARKS.md, "Memory").
/// An operator's own `MALLOC_ARENA_MAX` wins. Elsewhere than glibc on Linux: nothing.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = std::ffi::c_int::try_from(2 * cores).unwrap_or(std::ffi::c_int::MAX);
        // SAFETY: mallopt only sets a number in glibc's allocator; called before threads
        // exist, nothing allocates concurrently.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let catalog = Catalog::load(&settings.catalog_dir)?;
        let db = crate::db::connect(&settings.database_url).await?;
        migration::Migrator::up(&db, None).await?;
        crate::catalog::versions::record(&db, &catalog).await?;

        let jwks_http = crate::auth::jwt::jwks_client()?;
        let demo_key = match &settings.demo_key_file {
            Some(path) => Some(DemoKey::load_or_create(path)?),
            None => None,
        };
        let demo_jwk = demo_key.as_ref().map(DemoKey::jwk).transpose()?;
        let mut tenants = HashMap::new();
        let mut verifiers = HashMap::new();
        for t in &settings.tenants {
            let source = match (&demo_jwk, t.slug == crate::config::DEMO_TENANT) {
                (Some(jwk), true) => KeySource::Static(vec![jwk.clone()]),
                _ => KeySource::Remote(crate::auth::jwt::RemoteJwks::new(
                    t.sis_auth.jwks_url.clone(),
                    jwks_http.clone(),
                )),
            };
            let verifier = JwtVerifier::new(
                t.sis_auth.issuer.clone(),
                t.sis_auth.audience.clone(),
                t.sis_auth.client_id.clone(),
                Duration::from_secs(u64::from(t.sis_auth.max_token_lifetime_minutes) * 60),
                source,
            );
            verifiers.insert(t.slug.clone(), verifier);
            tenants.insert(
                t.slug.clone(),
                Tenant {
                    settings: t.clone(),
                },
            );
        }
        let demo_jwks = demo_jwk
            .map(|k| serde_json::to_value(&k).map(|v| serde_json::json!({ "keys": [v] })))
            .transpose()?;

        let pending_key = crate::auth::keys::load_or_create(&db, "oidc-pending").await?;
        let settings_delivery = settings.delivery.clone();
        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        // The demo school's results go to the demo SIS inside this server.
        if settings.is_demo() {
            if let Some(t) = tenants.get_mut(crate::config::DEMO_TENANT) {
                t.settings
                    .sis
                    .get_or_insert_with(|| crate::demo_sis::settings(port));
            }
        }
        let writer = crate::intake::writer::Writer::start(db.clone(), settings.group_commit);
        let delivery = crate::delivery::Delivery::new(settings_delivery)
            .map_err(|e| anyhow::anyhow!("delivery: {e}"))?;
        let effects = crate::case::Effects::new(
            delivery.doorbell.clone(),
            Some(std::sync::Arc::new(crate::report::Renderer)),
        );
        let state = web::Data::new(AppState {
            writer,
            db,
            settings,
            catalog,
            tenants,
            verifiers,
            demo_jwks,
            oidc: crate::auth::oidc::Oidc::new(pending_key)?,
            delivery,
            effects,
            mail_bell: crate::outbox::Doorbell::default(),
            throttles: crate::http::Throttles::default(),
            timings: Default::default(),
        });
        if let Some(demo) = state
            .tenants
            .get(crate::config::DEMO_TENANT)
            .filter(|_| state.settings.is_demo())
        {
            let tell_pending = demo.settings.takes_planning_status();
            crate::demo::seed(&state.db, &state.catalog, tell_pending).await?;
        }
        let server_state = state.clone();
        // The demo SIS's own state: one for the server, not one per HTTP worker.
        let demo_sis = web::Data::new(crate::demo_sis::DemoSis::default());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(server_state.clone())
                .app_data(demo_sis.clone())
                .wrap(actix_web::middleware::from_fn(
                    crate::http::problems::problems,
                ))
                .wrap(tracing_actix_web::TracingLogger::<
                    crate::http::logging::RequestLog,
                >::new())
                // Outermost: the time of everything Proeve does for a request.
                .wrap(actix_web::middleware::from_fn(crate::http::timing::record))
                // The SIS's calls first: they are the most frequent, and actix tries the
                // routes in order (each dynamic one a regex match).
                .configure(crate::sis::routes)
                .configure(crate::api::routes)
                .configure(crate::demo_sis::routes)
        })
        // Longer than common client pools keep idle connections, so a SIS rarely reuses one
        // the server has just closed.
        .keep_alive(Duration::from_secs(75))
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (and with it the workers) from elsewhere, as a shutdown does.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until stopped, with the workers (delivery to the SIS, mail, pulls); meanwhile, at start and every ten minutes, ended sessions and old
    /// sign-in links are removed and documents that failed to render are rendered.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let s = self.state.clone();
        let deliverer = tokio::spawn(async move {
            crate::delivery::run(&s.db, &s.catalog, &s.tenants, &s.delivery).await
        });
        let s = self.state.clone();
        let mailer = tokio::spawn(async move {
            if let Some(smtp) = &s.settings.smtp {
                crate::mailer::run(crate::mailer::Mailer {
                    db: &s.db,
                    smtp,
                    public_url: &s.settings.public_url,
                    tenants: &s.tenants,
                    doorbell: &s.mail_bell,
                })
                .await
            }
        });
        // Flow 1 pull: a task of its own per school that asks for it.
        let mut pullers = tokio::task::JoinSet::new();
        for (slug, t) in &self.state.tenants {
            let Some(minutes) = t.settings.sis.as_ref().and_then(|s| s.pull_every_minutes) else {
                continue;
            };
            let (s, slug) = (self.state.clone(), slug.clone());
            pullers.spawn(async move {
                if let Some(t) = s.tenants.get(&slug) {
                    crate::pull::every(&s.pull_sources(), t, minutes).await
                }
            });
        }
        let cleaner = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(600));
            loop {
                every.tick().await;
                match crate::auth::session::purge_expired(&state.db).await {
                    Ok((0, 0)) => {}
                    Ok((sessions, links)) => {
                        tracing::info!(sessions, links, "removed ended sessions and old links")
                    }
                    Err(e) => tracing::warn!(error = %e, "removing ended sessions failed"),
                }
                // Wholes of exams in parts whose parts were all signed before the whole was
                // enrolled (or that could not be made at the time).
                match crate::assessment::parts::combine_waiting(&state.db, &state.catalog).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(exams = n, "gave wholes their result from their parts");
                        state.effects.queued();
                    }
                    Err(e) => tracing::warn!(error = %e, "combining parts failed"),
                }
                // Documents a crash or a failure left unrendered.
                match crate::report::render_missing(&state.db, &state.catalog, &state.tenants).await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(exams = n, "rendered missing documents"),
                    Err(e) => tracing::warn!(error = %e, "looking for missing documents failed"),
                }
            }
        });
        let served = self.server.await;
        cleaner.abort();
        deliverer.abort();
        mailer.abort();
        pullers.abort_all();
        served
    }
}
