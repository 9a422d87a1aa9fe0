//! Flow 1 pull, for schools whose SIS does not push: Proeve asks the SIS for the planbare
//! toetsen of a period (`GET /offerings?offeringType=component&component.componentType=test
//! &since&until`), the enrolments of each (`GET /offerings/{id}/associations`) and the
//! persons in them (`GET /persons/{id}`), and stores them exactly as if they had been
//! pushed: the same parsing, checks and storage. One bad item is reported and skipped; the
//! rest goes on.

use crate::catalog::Catalog;
use crate::config::SisSettings;
use crate::delivery::excerpt;
use crate::delivery::Delivery;
use crate::intake::writer::Write;
use crate::intake::writer::Writer;
use crate::ooapi;
use crate::tenant::Tenant;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Pages of at most this many items; and at most this many pages of one list.
const PAGE_SIZE: u32 = 250;
const MAX_PAGES: u32 = 400;

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullReport {
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub offerings: usize,
    pub associations: usize,
    pub persons: usize,
    /// What could not be stored, one line each, naming the item and the reason.
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("this school has no SIS connection configured (`sis` in its settings)")]
    NotConfigured,
    #[error("{0}")]
    Sis(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// What a pull uses: the catalogue (to resolve the exams named), the delivery's HTTP client
/// and SIS tokens, and the flow 1 writer that stores what came.
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub catalog: &'a Catalog,
    pub delivery: &'a Delivery,
    pub writer: &'a Writer,
}

struct Client<'a> {
    delivery: &'a Delivery,
    tenant: &'a str,
    sis: &'a SisSettings,
}

impl Client<'_> {
    async fn get(&self, path_and_query: &str) -> Result<Value, PullError> {
        let url = format!(
            "{}{path_and_query}",
            self.sis.base_url.trim_end_matches('/')
        );
        for fresh in [false, true] {
            let token = self
                .delivery
                .tokens
                .get(&self.delivery.http, self.tenant, self.sis)
                .await
                .map_err(PullError::Sis)?;
            let resp = self
                .delivery
                .http
                .get(&url)
                .bearer_auth(&token)
                .header("Accept", "application/json")
                .send()
                .await
                .map_err(|e| PullError::Sis(format!("GET {url}: {e}")))?;
            let status = resp.status();
            if status.as_u16() == 401 && !fresh {
                self.delivery.tokens.forget(self.tenant).await;
                continue;
            }
            let text = resp
                .text()
                .await
                .map_err(|e| PullError::Sis(format!("GET {url}: {e}")))?;
            if !status.is_success() {
                return Err(PullError::Sis(format!(
                    "GET {url} answered {status}: {}",
                    excerpt(&text)
                )));
            }
            return serde_json::from_str(&text)
                .map_err(|e| PullError::Sis(format!("GET {url}: not JSON: {e}")));
        }
        Err(PullError::Sis(format!(
            "GET {url}: the SIS refused a fresh token"
        )))
    }

    /// Every item of an OOAPI page list, page by page.
    async fn all(&self, path: &str, query: &str) -> Result<Vec<Value>, PullError> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let sep = if query.is_empty() { "" } else { "&" };
            let v = self
                .get(&format!(
                    "{path}?{query}{sep}pageSize={PAGE_SIZE}&pageNumber={page}"
                ))
                .await?;
            let Some((list, more)) = ooapi::page::items_of(&v) else {
                return Err(PullError::Sis(format!(
                    "GET {path}: no `items` in the answer"
                )));
            };
            items.extend(list.iter().cloned());
            if !more || list.is_empty() {
                break;
            }
        }
        Ok(items)
    }
}

/// Pulls the planbare toetsen overlapping `since..=until` with their enrolments and persons.
pub async fn pull(
    src: &Sources<'_>,
    tenant: &Tenant,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<PullReport, PullError> {
    let slug = tenant.settings.slug.as_str();
    let tell_pending = tenant.settings.takes_planning_status();
    let sis = tenant
        .settings
        .sis
        .as_ref()
        .ok_or(PullError::NotConfigured)?;
    let client = Client {
        delivery: src.delivery,
        tenant: slug,
        sis,
    };
    let mut report = PullReport {
        since,
        until,
        ..Default::default()
    };
    let offerings = client
        .all(
            "/offerings",
            &format!(
                "offeringType=component&component.componentType=test&since={since}&until={until}"
            ),
        )
        .await?;
    for o in offerings {
        let Some(offering_id) = ooapi::offering::id_of(&o) else {
            report
                .skipped
                .push("an offering without a valid offeringId".into());
            continue;
        };
        let parsed = match ooapi::offering::parse(&o, offering_id) {
            Ok(p) => p,
            Err(e) => {
                report
                    .skipped
                    .push(format!("offering {offering_id}: {}", e));
                continue;
            }
        };
        let write = Write::Offering {
            test: crate::intake::resolve_component(src.catalog, &parsed),
            parsed: Box::new(parsed),
            raw: o.to_string(),
            tell_pending,
        };
        src.writer.store(slug, write).await?;
        report.offerings += 1;

        let associations = match client
            .all(&format!("/offerings/{offering_id}/associations"), "")
            .await
        {
            Ok(a) => a,
            // This offering's enrolments come at the next pull; the other offerings go on.
            Err(PullError::Sis(e)) => {
                report
                    .skipped
                    .push(format!("the enrolments of offering {offering_id}: {e}"));
                continue;
            }
            Err(e) => return Err(e),
        };
        // The persons first, so the enrolments find them.
        let persons: BTreeSet<Uuid> = associations
            .iter()
            .filter_map(ooapi::association::person_of)
            .collect();
        for person_id in persons {
            let p = match client.get(&format!("/persons/{person_id}")).await {
                Ok(p) => p,
                Err(e) => {
                    report.skipped.push(format!("person {person_id}: {e}"));
                    continue;
                }
            };
            let parsed = match ooapi::person::parse(&p, person_id) {
                Ok(p) => p,
                Err(e) => {
                    report.skipped.push(format!("person {person_id}: {}", e));
                    continue;
                }
            };
            let write = Write::Person {
                parsed: Box::new(parsed),
                raw: p.to_string(),
            };
            src.writer.store(slug, write).await?;
            report.persons += 1;
        }
        for a in associations {
            let Some(association_id) = ooapi::association::id_of(&a) else {
                report.skipped.push(format!(
                    "an association of offering {offering_id} without a valid associationId"
                ));
                continue;
            };
            // An expanded person or offering is stored on its own; the enrolment names ids.
            let a = ooapi::association::by_reference(a, offering_id);
            let parsed = match ooapi::association::parse(&a, association_id) {
                Ok(p) => p,
                Err(e) => {
                    report
                        .skipped
                        .push(format!("association {association_id}: {}", e));
                    continue;
                }
            };
            // The persons were fetched on their own, above.
            let write = Write::Association {
                parsed: Box::new(parsed),
                raw: a.to_string(),
                person: None,
                tell_pending,
            };
            src.writer.store(slug, write).await?;
            report.associations += 1;
        }
    }
    tracing::info!(tenant = %slug, offerings = report.offerings, associations = report.associations, persons = report.persons, skipped = report.skipped.len(), "pulled from the SIS (flow 1)");
    Ok(report)
}

/// Pulls for one school every `minutes` (the first time a minute after start), the period
/// from 30 days ago to a year ahead, until the application stops. The composition root runs
/// one of these per school whose `sis.pull_every_minutes` is set, each as its own task, so a
/// slow or failing SIS holds up only its own school.
pub async fn every(src: &Sources<'_>, tenant: &Tenant, minutes: u64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes.max(1) * 60));
    // A pull that overran its turn starts the next one a full period later.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        tick.tick().await;
        let today = chrono::Utc::now().date_naive();
        let (since, until) = (
            today - chrono::Days::new(30),
            today + chrono::Days::new(365),
        );
        if let Err(e) = pull(src, tenant, since, until).await {
            tracing::warn!(tenant = %tenant.slug(), error = %e, "pulling from the SIS failed; trying again at the next turn");
        }
    }
}
