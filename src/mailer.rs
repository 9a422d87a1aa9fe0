//! The mail worker: sends what the mail queue (`mail`) holds, each kind by its own module,
//! with retries. Runs only where an SMTP server is configured.

use crate::config::SmtpSettings;
use crate::outbox::Doorbell;
use crate::tenant::Tenant;
use chrono::{Duration, Utc};
use entity::mail_job;
use sea_orm::DatabaseConnection;
use std::collections::HashMap;

/// What the worker needs.
pub struct Mailer<'a> {
    pub db: &'a DatabaseConnection,
    pub smtp: &'a SmtpSettings,
    pub public_url: &'a str,
    pub tenants: &'a HashMap<String, Tenant>,
    pub doorbell: &'a Doorbell,
}

/// Looks for due mail every two seconds, and at once when something was queued here.
pub async fn run(m: Mailer<'_>) {
    loop {
        match round(&m).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "a mail round failed; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            _ = m.doorbell.rung() => {}
        }
    }
}

/// Claims what is due and sends it; returns how many rows it claimed.
pub async fn round(m: &Mailer<'_>) -> Result<usize, sea_orm::DbErr> {
    let claimed = crate::mail::claim(m.db).await?;
    let n = claimed.len();
    for job in claimed {
        handle(m, &job).await?;
    }
    Ok(n)
}

/// Waits before the next attempt: 2, 4, 8 … seconds, at most a minute.
fn backoff(attempts: i32) -> Duration {
    Duration::seconds(
        2i64.saturating_pow(attempts.clamp(0, 30) as u32 + 1)
            .min(60),
    )
}

async fn handle(m: &Mailer<'_>, job: &mail_job::Model) -> Result<(), sea_orm::DbErr> {
    let Some(tenant) = m.tenants.get(&job.tenant) else {
        tracing::warn!(tenant = %job.tenant, "mail for a school this server no longer has; dropped");
        return crate::mail::done(m.db, job).await;
    };
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
    let outcome = match job.kind.as_str() {
        crate::auth::link::KIND => {
            // A link mailed after its quarter of an hour would help nobody: the person has
            // asked again or given up.
            if Utc::now() - job.created_at > crate::auth::link::VALID_FOR {
                tracing::warn!(tenant = %job.tenant, attempts = job.attempts, "a sign-in link could not be mailed in time; given up");
                return crate::mail::done(m.db, job).await;
            }
            let email = payload["email"].as_str().unwrap_or_default();
            crate::auth::link::send_requested(m.db, m.smtp, m.public_url, tenant, email).await
        }
        other => {
            tracing::warn!(kind = other, "mail of an unknown kind; dropped");
            return crate::mail::done(m.db, job).await;
        }
    };
    match outcome {
        Ok(()) => crate::mail::done(m.db, job).await,
        Err(crate::auth::link::LinkError::Mail(e)) => {
            let error = crate::mail::without_addresses(&e.to_string());
            tracing::warn!(tenant = %job.tenant, attempts = job.attempts + 1, error, "sending a mail failed; trying again");
            crate::mail::retry(m.db, job, &e.to_string(), backoff(job.attempts)).await
        }
        Err(crate::auth::link::LinkError::Db(e)) => {
            crate::mail::retry(m.db, job, &e.to_string(), backoff(job.attempts)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_wait_longer_each_time_but_never_over_a_minute() {
        assert_eq!(backoff(0).num_seconds(), 2);
        assert_eq!(backoff(1).num_seconds(), 4);
        assert_eq!(backoff(4).num_seconds(), 32);
        assert_eq!(backoff(5).num_seconds(), 60);
        assert_eq!(backoff(i32::MAX).num_seconds(), 60);
    }
}
