//! Mail: the queue of mail still to send, and sending one message over the configured SMTP
//! server. A change that owes someone a mail writes a row of `mail_job` (see [`enqueue`]);
//! the mail worker (`mailer`) claims due rows with a lease, lets the kind's module build and
//! send the mail, and removes the row when it went, or was not to go at all. A restart loses
//! nothing: a claimed row whose worker died is taken again after its lease.

use crate::config::SmtpSettings;
use chrono::{DateTime, Duration, Utc};
use entity::mail_job;
use lettre::message::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use secrecy::ExposeSecret;
use uuid::Uuid;

pub const WAITING: &str = "waiting";
pub const SENDING: &str = "sending";
/// Rows one worker claims per round: one, sent at once, so a lease never runs out while its
/// row waits behind others.
const BATCH: u64 = 1;
/// How long a claimed row is the worker's: longer than one SMTP conversation may take (each
/// of its steps times out after 15 seconds).
const LEASE: Duration = Duration::seconds(120);

/// Queues a mail of `kind` for a school, with what the kind needs to write it.
pub async fn enqueue(
    db: &DatabaseConnection,
    tenant: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    let txn = crate::db::begin(db).await?;
    mail_job::ActiveModel {
        tenant: Set(tenant.to_string()),
        id: Set(id),
        kind: Set(kind.to_string()),
        payload: Set(payload.to_string()),
        state: Set(WAITING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The end of a lease taken now, in whole seconds, so every database compares it exactly.
fn lease_from(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    let end = now + LEASE;
    end.with_nanosecond(0).unwrap_or(end)
}

/// Due rows, claimed for this worker: each by one conditional update, so of two workers on
/// one database only one takes a row. A row whose lease ran out is due again.
pub async fn claim(db: &DatabaseConnection) -> Result<Vec<mail_job::Model>, DbErr> {
    let now = Utc::now();
    let due = mail_job::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(mail_job::Column::State.eq(WAITING))
                        .add(mail_job::Column::NextAttemptAt.lte(now)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(mail_job::Column::State.eq(SENDING))
                        .add(mail_job::Column::LeaseUntil.lt(now)),
                ),
        )
        .order_by_asc(mail_job::Column::NextAttemptAt)
        .limit(BATCH)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(due);
    }
    let lease = lease_from(now);
    let txn = crate::db::begin(db).await?;
    let mut claimed = Vec::with_capacity(due.len());
    for job in due {
        let taken = mail_job::Entity::update_many()
            .col_expr(mail_job::Column::State, Expr::value(SENDING))
            .col_expr(mail_job::Column::LeaseUntil, Expr::value(Some(lease)))
            .filter(mail_job::Column::Tenant.eq(job.tenant.as_str()))
            .filter(mail_job::Column::Id.eq(job.id))
            .filter(mail_job::Column::State.eq(job.state.as_str()))
            .filter(match job.lease_until {
                Some(l) => mail_job::Column::LeaseUntil.eq(l),
                None => mail_job::Column::LeaseUntil.is_null(),
            })
            .exec(&txn)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(mail_job::Model {
                state: SENDING.into(),
                lease_until: Some(lease),
                ..job
            });
        }
    }
    txn.commit().await?;
    Ok(claimed)
}

/// The row is done with: sent, or not to be sent. Only while this worker's lease holds (a
/// worker that lost it leaves the row to its new owner).
pub async fn done(db: &DatabaseConnection, job: &mail_job::Model) -> Result<(), DbErr> {
    let txn = crate::db::begin(db).await?;
    mail_job::Entity::delete_many()
        .filter(mail_job::Column::Tenant.eq(job.tenant.as_str()))
        .filter(mail_job::Column::Id.eq(job.id))
        .filter(held(job))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// The row is still under the lease this worker took.
fn held(job: &mail_job::Model) -> sea_orm::Condition {
    match job.lease_until {
        Some(l) => sea_orm::Condition::all()
            .add(mail_job::Column::State.eq(SENDING))
            .add(mail_job::Column::LeaseUntil.eq(l)),
        None => sea_orm::Condition::all().add(mail_job::Column::LeaseUntil.is_null()),
    }
}

/// Sending failed for now: the row waits `after` before its next attempt.
pub async fn retry(
    db: &DatabaseConnection,
    job: &mail_job::Model,
    error: &str,
    after: Duration,
) -> Result<(), DbErr> {
    let txn = crate::db::begin(db).await?;
    mail_job::Entity::update_many()
        .col_expr(mail_job::Column::State, Expr::value(WAITING))
        .col_expr(
            mail_job::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_job::Column::Attempts, Expr::value(job.attempts + 1))
        .col_expr(
            mail_job::Column::NextAttemptAt,
            Expr::value(Utc::now() + after),
        )
        .col_expr(
            mail_job::Column::LastError,
            Expr::value(Some(without_addresses(error))),
        )
        .filter(mail_job::Column::Tenant.eq(job.tenant.as_str()))
        .filter(mail_job::Column::Id.eq(job.id))
        .filter(held(job))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// An error text as kept and logged: anything that looks like an e-mail address (mail
/// servers put the recipient in their refusals) replaced, and at most 500 characters.
pub fn without_addresses(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|w| {
            if w.contains('@') {
                let tail: String = w.chars().filter(|c| c.is_whitespace()).collect();
                format!("[address]{tail}")
            } else {
                w.to_string()
            }
        })
        .collect::<String>()
        .chars()
        .take(500)
        .collect()
}

/// How many rows wait, for the metrics.
pub async fn depth(db: &DatabaseConnection) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    mail_job::Entity::find().count(db).await
}

#[derive(Debug, thiserror::Error)]
#[error("the mail could not be sent: {0}")]
pub struct SendError(pub String);

/// Sends one message over the configured SMTP server (15 seconds at most).
pub async fn send(smtp: &SmtpSettings, message: Message) -> Result<(), SendError> {
    let failed = |e: lettre::transport::smtp::Error| SendError(e.to_string());
    let builder = match smtp.security.as_str() {
        "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(failed)?,
        _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host).map_err(failed)?,
    };
    let builder = builder
        .port(smtp.port)
        .timeout(Some(std::time::Duration::from_secs(15)));
    let builder = match (&smtp.username, &smtp.password) {
        (Some(u), Some(p)) => {
            builder.credentials(Credentials::new(u.clone(), p.expose_secret().to_string()))
        }
        _ => builder,
    };
    builder.build().send(message).await.map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::without_addresses;

    #[test]
    fn a_refusal_keeps_its_words_but_not_the_address() {
        assert_eq!(
            without_addresses("550 5.1.1 <kees@gouden-pollepel.nl>: Recipient address rejected"),
            "550 5.1.1 [address] Recipient address rejected"
        );
        assert_eq!(
            without_addresses("connection refused"),
            "connection refused"
        );
    }
}
