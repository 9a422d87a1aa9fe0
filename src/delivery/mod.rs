//! Results back to the SIS (OKE flow 5), durably: the worker that sends the outbox.
//!
//! A state change that owes the SIS a message (the exam took place, was signed, finalised,
//! corrected) writes a row into the outbox (`sis_message`, see `outbox`) in its own
//! transaction, so the message exists exactly when the change does. Workers deliver the rows: in order per
//! enrolment and never two of one enrolment at once (a message goes only when every earlier
//! one of its enrolment is delivered); 429, 5xx and network failures are retried with
//! exponential backoff and jitter, honouring `Retry-After`; any other 4xx, or a body that
//! breaks the official schema, parks the message for the exam office, who can send it again
//! after fixing the cause. A message is claimed with a lease: a worker that dies mid-send
//! (`kill -9`) leaves it to be sent again after the lease, with the same body — the SIS
//! sees the same PATCH twice, which changes nothing.
//!
//! With PostgreSQL several Proeve instances share the work: due rows are picked
//! `FOR UPDATE SKIP LOCKED` and claimed with a conditional update, so each message has one
//! sender at a time.

pub mod flow5;
pub mod peer;
pub mod schema;
mod slots;
pub mod token;

use crate::catalog::Catalog;
use crate::config::{DeliverySettings, TenantSettings};
use crate::outbox::{Doorbell, DELIVERED, PARKED, SENDING, SKIPPED, WAITING};
use crate::tenant::Tenant;
use chrono::{DateTime, Duration, Utc};
use entity::sis_message;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use uuid::Uuid;

/// Messages one worker claims per round.
const BATCH: u64 = 32;
/// Messages one worker has on the wire at once.
const CONCURRENCY: usize = 8;

/// A short, single-line piece of an answer, for the exam office and the logs.
pub fn excerpt(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    match flat.char_indices().nth(500) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat.to_string(),
    }
}

/// Counters since start, per tenant, for `/metrics`.
#[derive(Default)]
pub struct Counters {
    inner: Mutex<BTreeMap<(String, &'static str), u64>>,
    pub rounds: AtomicU64,
}

impl Counters {
    fn add(&self, tenant: &str, outcome: &'static str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.entry((tenant.to_string(), outcome)).or_default() += 1;
        }
    }

    pub fn snapshot(&self) -> Vec<(String, &'static str, u64)> {
        self.inner
            .lock()
            .map(|m| m.iter().map(|((t, o), n)| (t.clone(), *o, *n)).collect())
            .unwrap_or_default()
    }
}

/// What the delivery workers share.
pub struct Delivery {
    pub http: reqwest::Client,
    pub tokens: token::Tokens,
    pub peers: peer::Peers,
    pub counters: Counters,
    pub settings: DeliverySettings,
    /// This instance, in the logs and the leases.
    pub worker: Uuid,
    /// Rung when this instance queued a message, so it goes now rather than at the next poll.
    pub doorbell: Doorbell,
}

impl Delivery {
    pub fn new(settings: DeliverySettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(settings.timeout_secs.max(1)))
            .connect_timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Delivery {
            http,
            tokens: token::Tokens::default(),
            peers: peer::Peers::default(),
            counters: Counters::default(),
            settings,
            worker: Uuid::new_v4(),
            doorbell: Doorbell::default(),
        })
    }

    /// The wait before attempt `n + 1` (n ≥ 1 failures so far): exponential from the base, up
    /// to the cap, with full jitter in its upper half; never shorter than `Retry-After`.
    fn backoff(&self, failures: i32, retry_after: Option<std::time::Duration>) -> Duration {
        let base = self.settings.retry_base_ms.max(1) as f64;
        let cap = (self.settings.retry_cap_secs.max(1) * 1000) as f64;
        let exp = (base * 2f64.powi(failures.clamp(1, 30) - 1)).min(cap);
        let jitter = (Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
        let mut ms = exp * (0.5 + 0.5 * jitter);
        if let Some(ra) = retry_after {
            ms = ms.max(ra.as_millis() as f64);
        }
        Duration::milliseconds(ms as i64)
    }
}

/// The end of a lease taken now, in whole seconds: the lease is also the claim's mark, compared
/// for equality, and every database keeps whole seconds exactly.
fn lease_from(delivery: &Delivery, now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    let end = now + Duration::seconds(delivery.settings.lease_secs.max(1) as i64 + 1);
    end.with_nanosecond(0).unwrap_or(end)
}

/// Runs delivery rounds until the process ends.
pub async fn run(
    db: &DatabaseConnection,
    catalog: &Catalog,
    tenants: &HashMap<String, Tenant>,
    delivery: &Delivery,
) {
    if let Err(e) = tokio::task::spawn_blocking(schema::warm).await {
        tracing::warn!(error = %e, "loading the OKE schemas failed");
    }
    let pause = std::time::Duration::from_millis(delivery.settings.poll_ms.max(10));
    loop {
        let claimed = match round(db, catalog, tenants, delivery).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "a delivery round failed; trying again");
                0
            }
        };
        delivery.counters.rounds.fetch_add(1, Ordering::Relaxed);
        // Something was sent: the next message of its enrolment may be due now, so look again
        // at once. Otherwise wait for the next poll, or for a change that queued a message
        // (other instances' messages wait for the poll).
        if claimed == 0 {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = delivery.doorbell.rung() => {}
            }
        }
    }
}

/// One round: take back expired leases, claim what is due, send it. Returns how many
/// messages were claimed.
pub async fn round(
    db: &DatabaseConnection,
    catalog: &Catalog,
    tenants: &HashMap<String, Tenant>,
    delivery: &Delivery,
) -> Result<usize, DbErr> {
    let now = Utc::now();
    sis_message::Entity::update_many()
        .col_expr(sis_message::Column::State, Expr::value(WAITING))
        .col_expr(
            sis_message::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(sis_message::Column::State.eq(SENDING))
        .filter(sis_message::Column::LeaseUntil.lt(now))
        .exec_queued(db)
        .await?;
    let lease = lease_from(delivery, now);
    let pending_after = i64::try_from(delivery.settings.pending_after_secs).unwrap_or(i64::MAX);
    // (A wait beyond chrono's range holds every `pending` back instead of overflowing.)
    let pending_before = Duration::try_seconds(pending_after)
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let claimed = claim(db, tenants, now, lease, pending_before).await?;
    let n = claimed.len();
    // The claimed messages belong to different enrolments (a later message of an enrolment
    // waits for the earlier one to be delivered), so they may go at the same time.
    use futures_util::StreamExt;
    futures_util::stream::iter(claimed)
        .for_each_concurrent(CONCURRENCY, |msg| async move {
            let Some(t) = tenants.get(&msg.tenant) else {
                return;
            };
            if let Err(e) = deliver(db, catalog, &t.settings, delivery, msg, lease).await {
                tracing::warn!(error = %e, "recording a delivery failed");
            }
        })
        .await;
    Ok(n)
}

/// Due messages whose enrolment has nothing earlier still undelivered, claimed for this
/// worker with a lease.
async fn claim(
    db: &DatabaseConnection,
    tenants: &HashMap<String, Tenant>,
    now: DateTime<Utc>,
    lease: DateTime<Utc>,
    pending_before: DateTime<Utc>,
) -> Result<Vec<sis_message::Model>, DbErr> {
    let configured: Vec<String> = tenants
        .values()
        .filter(|t| t.settings.sis.is_some())
        .map(|t| t.settings.slug.clone())
        .collect();
    if configured.is_empty() {
        return Ok(Vec::new());
    }
    let txn = crate::db::begin(db).await?;
    let mut due = sis_message::Entity::find()
        .filter(sis_message::Column::State.eq(WAITING))
        .filter(sis_message::Column::NextAttemptAt.lte(now))
        // A new enrolment's `pending` goes once it has waited its time (`pending_after_secs`);
        // an extra attempt's (a `PUT` that makes the association on the SIS) goes at once.
        .filter(
            Condition::any()
                .add(sis_message::Column::Reason.ne(crate::outbox::PENDING))
                .add(sis_message::Column::Method.eq("PUT"))
                .add(sis_message::Column::CreatedAt.lte(pending_before)),
        )
        .filter(sis_message::Column::Tenant.is_in(configured))
        .filter(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM sis_message p WHERE p.tenant = sis_message.tenant \
             AND p.association_id = sis_message.association_id \
             AND p.position < sis_message.position AND p.state NOT IN ('delivered', 'skipped'))",
        ))
        .order_by_asc(sis_message::Column::NextAttemptAt)
        .order_by_asc(sis_message::Column::Position)
        .limit(BATCH);
    if db.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = due.all(&txn).await?;
    let mut claimed = Vec::with_capacity(due.len());
    for m in due {
        let taken = sis_message::Entity::update_many()
            .col_expr(sis_message::Column::State, Expr::value(SENDING))
            .col_expr(sis_message::Column::LeaseUntil, Expr::value(Some(lease)))
            .filter(sis_message::Column::Tenant.eq(m.tenant.as_str()))
            .filter(sis_message::Column::MessageId.eq(m.message_id))
            .filter(sis_message::Column::State.eq(WAITING))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(m);
        }
    }
    txn.commit().await?;
    Ok(claimed)
}

/// How one attempt ended.
enum Outcome {
    Delivered(u16, String),
    Skipped(String),
    Retry {
        status: Option<u16>,
        error: String,
        response: Option<String>,
        retry_after: Option<std::time::Duration>,
    },
    Park {
        status: Option<u16>,
        error: String,
        response: Option<String>,
    },
}

async fn deliver(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    delivery: &Delivery,
    msg: sis_message::Model,
    claimed: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(sis) = school.sis.as_ref() else {
        return Ok(());
    };
    // The lease runs from now: a message that waited its turn in the batch still has the
    // whole lease for its own send. If it ran out meanwhile, another worker has it now.
    let mut lease = lease_from(delivery, Utc::now());
    if !owned(db, &msg, claimed, Some(lease)).await? {
        return Ok(());
    }
    let outcome = match body(db, catalog, school, delivery, sis, &msg).await {
        Err(flow5::BuildError::NotForThisSis) => Outcome::Skipped(
            "not sent: a planning status needs a SIS on the OKE 1.1 draft; this one speaks 1.0.1"
                .into(),
        ),
        Err(flow5::BuildError::Broken(e)) => Outcome::Park {
            status: None,
            error: format!("not sent: {e}"),
            response: None,
        },
        Err(e) => Outcome::Retry {
            status: None,
            error: format!("not sent yet: {e}"),
            response: None,
            retry_after: None,
        },
        Ok(body) => {
            if msg.body.is_none() {
                sis_message::Entity::update_many()
                    .col_expr(sis_message::Column::Body, Expr::value(Some(body.clone())))
                    .filter(sis_message::Column::Tenant.eq(msg.tenant.as_str()))
                    .filter(sis_message::Column::MessageId.eq(msg.message_id))
                    .filter(sis_message::Column::State.eq(SENDING))
                    .filter(sis_message::Column::LeaseUntil.eq(lease))
                    .exec_queued(db)
                    .await?;
            }
            match send(db, delivery, &msg, sis, &body, &mut lease).await? {
                Some(outcome) => outcome,
                // The lease ran out on the way: another worker has the message now.
                None => return Ok(()),
            }
        }
    };
    record(db, delivery, msg, lease, outcome).await
}

/// The body: fixed at the first attempt, so every retry sends the same bytes. Built in the
/// layout of the OKE version the SIS speaks.
async fn body(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    delivery: &Delivery,
    sis: &crate::config::SisSettings,
    msg: &sis_message::Model,
) -> Result<String, flow5::BuildError> {
    if let Some(b) = &msg.body {
        return Ok(b.clone());
    }
    let v11 = delivery
        .peers
        .speaks_v11(&delivery.http, &msg.tenant, sis)
        .await
        .map_err(flow5::BuildError::NotYet)?;
    Ok(flow5::build(db, catalog, school, msg, v11)
        .await?
        .to_string())
}

/// Outbox updates as write transactions of their own: on SQLite each waits its turn in
/// process (see `db::begin`) instead of sleeping in SQLite's busy handler.
trait ExecQueued {
    async fn exec_queued(self, db: &DatabaseConnection) -> Result<sea_orm::UpdateResult, DbErr>;
}

impl ExecQueued for sea_orm::UpdateMany<sis_message::Entity> {
    async fn exec_queued(self, db: &DatabaseConnection) -> Result<sea_orm::UpdateResult, DbErr> {
        let txn = crate::db::begin(db).await?;
        let done = self.exec(&txn).await?;
        txn.commit().await?;
        Ok(done)
    }
}

/// Whether this worker still holds the message (its lease is the one it set); moves the
/// lease to `renew` if so.
async fn owned(
    db: &DatabaseConnection,
    msg: &sis_message::Model,
    lease: DateTime<Utc>,
    renew: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    let done = sis_message::Entity::update_many()
        .col_expr(sis_message::Column::LeaseUntil, Expr::value(renew))
        .filter(sis_message::Column::Tenant.eq(msg.tenant.as_str()))
        .filter(sis_message::Column::MessageId.eq(msg.message_id))
        .filter(sis_message::Column::State.eq(SENDING))
        .filter(sis_message::Column::LeaseUntil.eq(lease))
        .exec_queued(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// One HTTP attempt, with one fresh token if the SIS refuses the cached one. Right before
/// each request the lease is renewed, so a request goes out only while this worker holds
/// the message and the lease outlasts the request's timeout: no other worker can send the
/// next message of the enrolment while this one is on the wire. `None`: the lease was lost.
async fn send(
    db: &DatabaseConnection,
    delivery: &Delivery,
    msg: &sis_message::Model,
    sis: &crate::config::SisSettings,
    body: &str,
    lease: &mut DateTime<Utc>,
) -> Result<Option<Outcome>, DbErr> {
    let url = format!(
        "{}/associations/{}",
        sis.base_url.trim_end_matches('/'),
        msg.association_id
    );
    for fresh in [false, true] {
        let token = match delivery.tokens.get(&delivery.http, &msg.tenant, sis).await {
            Ok(t) => t,
            Err(e) => {
                return Ok(Some(Outcome::Retry {
                    status: None,
                    error: e,
                    response: None,
                    retry_after: None,
                }))
            }
        };
        let renewed = lease_from(delivery, Utc::now());
        if !owned(db, msg, *lease, Some(renewed)).await? {
            return Ok(None);
        }
        *lease = renewed;
        let (method, content_type) = if msg.method == "PUT" {
            (reqwest::Method::PUT, "application/json")
        } else {
            (reqwest::Method::PATCH, "application/merge-patch+json")
        };
        let sent = delivery
            .http
            .request(method, &url)
            .bearer_auth(&token)
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() {
                    "no answer in time"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "network error"
                };
                return Ok(Some(Outcome::Retry {
                    status: None,
                    error: format!("{what}: {url}: {e}"),
                    response: None,
                    retry_after: None,
                }));
            }
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let text = excerpt(&resp.text().await.unwrap_or_default());
        if status == 401 && !fresh {
            delivery.tokens.forget(&msg.tenant).await;
            continue;
        }
        return Ok(Some(match status {
            200..=299 => Outcome::Delivered(status, text),
            429 | 500..=599 => Outcome::Retry {
                status: Some(status),
                error: format!("the SIS answered {status}"),
                response: Some(text),
                retry_after,
            },
            _ => Outcome::Park {
                status: Some(status),
                error: format!("the SIS refused it with {status}"),
                response: Some(text),
            },
        }));
    }
    Ok(Some(Outcome::Park {
        status: Some(401),
        error: "the SIS refused a fresh token (401): check the client credentials".into(),
        response: None,
    }))
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(v: &str) -> Option<std::time::Duration> {
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs.min(86_400)));
    }
    let at = DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(wait.to_std().unwrap_or_default())
}

async fn record(
    db: &DatabaseConnection,
    delivery: &Delivery,
    msg: sis_message::Model,
    lease: DateTime<Utc>,
    outcome: Outcome,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let attempts = msg.attempts + 1;
    let tenant = msg.tenant.clone();
    let mut row = sis_message::ActiveModel {
        attempts: Set(attempts),
        lease_until: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    match outcome {
        Outcome::Skipped(why) => {
            delivery.counters.add(&tenant, "skipped");
            row.state = Set(SKIPPED.into());
            row.last_status = Set(None);
            row.last_error = Set(Some(why));
        }
        Outcome::Delivered(status, text) => {
            delivery.counters.add(&tenant, "delivered");
            tracing::info!(tenant = %tenant, message = %msg.message_id, association = %msg.association_id, reason = %msg.reason, status, "delivered to the SIS");
            row.state = Set(DELIVERED.into());
            row.delivered_at = Set(Some(now));
            row.last_status = Set(Some(i32::from(status)));
            row.last_error = Set(None);
            row.last_response = Set(Some(text));
        }
        Outcome::Retry {
            status,
            error,
            response,
            retry_after,
        } => {
            delivery.counters.add(&tenant, "retried");
            let wait = delivery.backoff(attempts, retry_after);
            tracing::warn!(tenant = %tenant, message = %msg.message_id, error = %error, retry_in_ms = wait.num_milliseconds(), "delivery failed; will retry");
            row.state = Set(WAITING.into());
            row.next_attempt_at = Set(now + wait);
            row.last_status = Set(status.map(i32::from));
            row.last_error = Set(Some(error));
            row.last_response = Set(response);
        }
        Outcome::Park {
            status,
            error,
            response,
        } => {
            delivery.counters.add(&tenant, "parked");
            tracing::error!(tenant = %tenant, message = %msg.message_id, error = %error, "delivery parked for the exam office");
            row.state = Set(PARKED.into());
            row.last_status = Set(status.map(i32::from));
            row.last_error = Set(Some(error));
            row.last_response = Set(response);
        }
    }
    // Only while the lease is still ours: past it, another worker sends and records.
    let done = sis_message::Entity::update_many()
        .set(row)
        .filter(sis_message::Column::Tenant.eq(msg.tenant.as_str()))
        .filter(sis_message::Column::MessageId.eq(msg.message_id))
        .filter(sis_message::Column::State.eq(SENDING))
        .filter(sis_message::Column::LeaseUntil.eq(lease))
        .exec_queued(db)
        .await?;
    if done.rows_affected != 1 {
        tracing::warn!(message = %msg.message_id, "the lease ran out before the answer came; another worker has the message");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let d = Delivery::new(DeliverySettings {
            poll_ms: 100,
            timeout_secs: 5,
            retry_base_ms: 1000,
            retry_cap_secs: 60,
            lease_secs: 120,
            pending_after_secs: 300,
        })
        .unwrap();
        for n in 1..=20 {
            let w = d.backoff(n, None).num_milliseconds();
            let full = (1000f64 * 2f64.powi(n - 1)).min(60_000.0) as i64;
            assert!(w >= full / 2 && w <= full, "attempt {n}: {w} ms");
        }
        let w = d.backoff(1, Some(std::time::Duration::from_secs(30)));
        assert!(w.num_milliseconds() >= 30_000);
    }

    #[test]
    fn retry_after_as_seconds_or_date() {
        assert_eq!(
            parse_retry_after("7"),
            Some(std::time::Duration::from_secs(7))
        );
        let later = (Utc::now() + Duration::seconds(90)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(d.as_secs() >= 85 && d.as_secs() <= 90, "{d:?}");
        assert_eq!(parse_retry_after("soon"), None);
    }
}
