//! The application state every handler shares (as lemmy's `LemmyContext`): built once by the
//! composition root (`startup`), read by the handlers, handed in parts to the domain.

use crate::auth::JwtVerifier;
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::tenant::{Tenant, Tenants};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::sync::Arc;

/// Everything a request handler may use.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub catalog: Catalog,
    pub tenants: Tenants,
    /// How each school's SIS token is verified, by slug.
    pub verifiers: HashMap<String, Arc<JwtVerifier>>,
    /// The demo key's JWKS, served only in demo mode.
    pub demo_jwks: Option<serde_json::Value>,
    /// School sign-in (OpenID Connect), with each provider's discovery document cached.
    pub oidc: crate::auth::oidc::Oidc,
    /// Flow 5 delivery: HTTP client, SIS tokens, counters, the outbox's doorbell.
    pub delivery: crate::delivery::Delivery,
    /// Flow 1 writes, committed in groups.
    pub writer: crate::intake::writer::Writer,
    /// What follows a committed change of an exam case (the worker rung, documents rendered).
    pub effects: crate::case::Effects,
    /// Rung when a mail was queued, so the mail worker sends it at once.
    pub mail_bell: crate::outbox::Doorbell,
    /// How often people ask for links and type wrong codes, per school and address.
    pub throttles: crate::http::Throttles,
    /// How long each route takes to answer, by Proeve's own clock.
    pub timings: Arc<crate::http::timing::Timings>,
}

impl AppState {
    /// The verifier of a school's SIS tokens.
    pub fn verifier(&self, tenant: &Tenant) -> Option<&JwtVerifier> {
        self.verifiers.get(tenant.slug()).map(Arc::as_ref)
    }

    /// What a lifecycle step of one school's exam cases works with.
    pub fn exams<'a>(&'a self, tenant: &'a Tenant) -> crate::case::Ctx<'a> {
        crate::case::Ctx {
            db: &self.db,
            catalog: &self.catalog,
            school: &tenant.settings,
            effects: &self.effects,
        }
    }

    /// The same for a school by its slug (the tests and tools use it).
    pub fn exams_of<'a>(&'a self, slug: &str) -> Option<crate::case::Ctx<'a>> {
        self.tenants.get(slug).map(|t| self.exams(t))
    }

    /// What a flow 1 pull uses of the application.
    pub fn pull_sources(&self) -> crate::pull::Sources<'_> {
        crate::pull::Sources {
            catalog: &self.catalog,
            delivery: &self.delivery,
            writer: &self.writer,
        }
    }
}
