//! What the SIS says it speaks (`GET /`, OKE service metadata): whether it lists the
//! `nl-test-admin` consumer at version 1.1 or later, which adds the planning status to flow 5.
//! A school may also set it (`sis.oke_version`). Asked at most once an hour per school; a SIS
//! that answers `GET /` with an error of its own (404: it does not serve the metadata) is
//! taken to speak 1.0.1; one that cannot be reached is asked again at the next message.

use super::slots::PerTenant;
use crate::config::{OkeVersion, SisSettings};
use serde_json::Value;
use std::time::{Duration, Instant};

const FRESH: Duration = Duration::from_secs(3600);

#[derive(Default)]
pub struct Peers {
    known: PerTenant<Option<(bool, Instant)>>,
}

/// Whether a version string like `1.0.1`, `1.1` or `1.1.0-draft` is at least 1.1.
pub fn at_least_1_1(version: &str) -> bool {
    let mut parts = version
        .split(['.', '-', ' '])
        .map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (1, 1),
        (Some(major), None) => major > 1,
        _ => false,
    }
}

/// Whether a `GET /` answer lists `nl-test-admin` at 1.1 or later.
pub fn lists_v11(metadata: &Value) -> bool {
    metadata
        .get("supportedConsumers")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter().any(|c| {
                c.get("consumerKey").and_then(Value::as_str) == Some(super::flow5::CONSUMER)
                    && c.get("version")
                        .and_then(Value::as_str)
                        .is_some_and(at_least_1_1)
            })
        })
}

impl Peers {
    /// Whether the school's SIS takes the 1.1 draft's fields; `Err` with the reason when it
    /// cannot be told now (the SIS is unreachable or failing).
    pub async fn speaks_v11(
        &self,
        http: &reqwest::Client,
        tenant: &str,
        sis: &SisSettings,
    ) -> Result<bool, String> {
        match sis.oke_version {
            OkeVersion::V1_0_1 => return Ok(false),
            OkeVersion::V1_1 => return Ok(true),
            OkeVersion::Auto => {}
        }
        let slot = self.known.slot(tenant);
        let mut known = slot.lock().await;
        if let Some((v11, until)) = *known {
            if Instant::now() < until {
                return Ok(v11);
            }
        }
        let url = format!("{}/", sis.base_url.trim_end_matches('/'));
        let resp = http
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("asking the SIS which OKE version it speaks: {url}: {e}"))?;
        let status = resp.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(format!(
                "asking the SIS which OKE version it speaks: {url} answered {status}"
            ));
        }
        let v11 = if status.is_success() {
            resp.json::<Value>().await.is_ok_and(|v| lists_v11(&v))
        } else {
            false
        };
        *known = Some((v11, Instant::now() + FRESH));
        Ok(v11)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions() {
        for v in ["1.1", "1.1.0", "1.2", "2", "1.1-draft"] {
            assert!(at_least_1_1(v), "{v}");
        }
        for v in ["1.0.1", "1.0", "0.9.3", "", "x"] {
            assert!(!at_least_1_1(v), "{v}");
        }
    }

    #[test]
    fn metadata_lists_the_consumer_at_its_version() {
        let with = |consumers: Value| json!({"supportedVersions": ["v5"], "supportedConsumers": consumers});
        assert!(lists_v11(&with(json!([
            {"consumerKey": "nl-test-admin", "version": "1.0.1"},
            {"consumerKey": "nl-test-admin", "version": "1.1"}
        ]))));
        assert!(!lists_v11(&with(
            json!([{"consumerKey": "nl-test-admin", "version": "1.0.1"}])
        )));
        assert!(!lists_v11(&with(
            json!([{"consumerKey": "other", "version": "2.0"}])
        )));
        assert!(!lists_v11(&json!({})));
    }
}
