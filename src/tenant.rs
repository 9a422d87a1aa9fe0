//! A school on this server, as the domain sees it: its settings. Every row carries its
//! tenant's slug and every query is scoped by it; how a school's SIS is verified is the HTTP
//! layer's business (`http::AppState::verifier`).

use crate::config::TenantSettings;
use std::collections::HashMap;

/// A school and its settings.
pub struct Tenant {
    pub settings: TenantSettings,
}

impl Tenant {
    pub fn slug(&self) -> &str {
        &self.settings.slug
    }

    /// Whether the school holds a licence for the exam with this code.
    pub fn licensed(&self, code: &str) -> bool {
        self.settings
            .licensed_components
            .as_ref()
            .is_none_or(|l| l.iter().any(|c| c == code))
    }
}

/// The schools of this server by slug.
pub type Tenants = HashMap<String, Tenant>;
