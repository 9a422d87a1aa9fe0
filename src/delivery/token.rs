//! Access tokens for calling a school's SIS: OAuth 2 client credentials against the tenant's
//! `sis.token_url` (scope `nl-test-admin-flow-1-5`), kept until shortly before they expire.

use super::slots::PerTenant;
use crate::config::SisSettings;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::{Duration, Instant};

pub const SCOPE: &str = "nl-test-admin-flow-1-5";

/// Renew this long before the token runs out, so a token never expires on its way.
const MARGIN: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Tokens {
    cache: PerTenant<Option<(String, Instant)>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Tokens {
    /// A valid token for the tenant's SIS, fetched if there is none or it is about to expire.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        tenant: &str,
        sis: &SisSettings,
    ) -> Result<String, String> {
        let slot = self.cache.slot(tenant);
        let mut cached = slot.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if Instant::now() + MARGIN < *until {
                return Ok(token.clone());
            }
        }
        let resp = http
            .post(&sis.token_url)
            .basic_auth(&sis.client_id, Some(sis.client_secret.expose_secret()))
            .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
            .send()
            .await
            .map_err(|e| format!("token endpoint {}: {e}", sis.token_url))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| format!("token endpoint {}: {e}", sis.token_url))?;
        if !status.is_success() {
            return Err(format!(
                "token endpoint {} answered {status}: {}",
                sis.token_url,
                super::excerpt(&text)
            ));
        }
        let t: TokenResponse = serde_json::from_str(&text).map_err(|e| {
            format!(
                "token endpoint {}: not a token response: {e}",
                sis.token_url
            )
        })?;
        if t.token_type
            .as_deref()
            .is_some_and(|k| !k.eq_ignore_ascii_case("bearer"))
        {
            return Err(format!(
                "token endpoint {}: token type {:?}, expected Bearer",
                sis.token_url, t.token_type
            ));
        }
        // Without expires_in, keep it five minutes. A token shorter-lived than the margin is
        // still used until half its life is over, not fetched again for every message.
        let life = Duration::from_secs(t.expires_in.unwrap_or(300).min(86_400));
        let life = if life > 2 * MARGIN {
            life
        } else {
            MARGIN + life / 2
        };
        *cached = Some((t.access_token.clone(), Instant::now() + life));
        Ok(t.access_token)
    }

    /// Forgets the tenant's token (the SIS answered 401 to it).
    pub async fn forget(&self, tenant: &str) {
        *self.cache.slot(tenant).lock().await = None;
    }
}
