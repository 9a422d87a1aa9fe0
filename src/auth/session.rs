//! Sessions for people: a random token in an HttpOnly, SameSite=Lax cookie (Secure behind
//! https), of which only the SHA-256 is stored; a CSRF token that every state-changing request
//! must echo in `X-CSRF-Token`. A session lasts the exam day: it ends 14 hours after sign-in,
//! or after [`IDLE`] without use; for the exam office and the exam committee, whose sessions
//! reach every exam of the school, already after [`STAFF_IDLE`] (checked where the roles are
//! known, see `api::signed_in`). Signing out ends it, and the exam office can end all of a
//! person's sessions (a lost phone).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use entity::{session, sign_in_link};
use rand_core::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const COOKIE: &str = "proeve_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Idle limit of an assessor's or a candidate's session: an exam of six hours with the phone
/// in a pocket does not end it.
pub const IDLE: Duration = Duration::hours(8);
/// Idle limit of the staff's sessions.
pub const STAFF_IDLE: Duration = Duration::minutes(30);
pub const ABSOLUTE: Duration = Duration::hours(14);
/// `last_seen_at` is written at most this often, so reads stay reads.
const TOUCH_EVERY: Duration = Duration::minutes(1);

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Roles a session may carry from the identity provider.
pub const EXAM_OFFICE: &str = "exam-office";
pub const EXAM_COMMITTEE: &str = "exam-committee";

/// Starts a session; returns the cookie token (to set) and the stored session. `roles` are
/// those the identity provider vouched for ([`EXAM_OFFICE`], [`EXAM_COMMITTEE`]).
pub async fn start(
    db: &DatabaseConnection,
    tenant: &str,
    person_id: Uuid,
    method: &str,
    roles: &[&str],
) -> Result<(String, session::Model), DbErr> {
    let token = random_token();
    let now = Utc::now();
    let s = session::ActiveModel {
        token_hash: Set(hash(&token)),
        tenant: Set(tenant.to_string()),
        person_id: Set(person_id),
        method: Set(method.to_string()),
        roles: Set((!roles.is_empty()).then(|| roles.join(","))),
        csrf_token: Set(random_token()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ABSOLUTE),
    }
    .insert(db)
    .await?;
    Ok((token, s))
}

/// The live session for a cookie token, as it was last seen; `None` when unknown or past
/// the exam day's limits (an expired one is removed). Not touched: the caller holds the
/// staff to their shorter idle limit first, then [`touch`]es it, so no request running
/// alongside can keep a session alive that has just ended.
pub async fn find(db: &DatabaseConnection, token: &str) -> Result<Option<session::Model>, DbErr> {
    let Some(s) = session::Entity::find_by_id(hash(token)).one(db).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if now >= s.expires_at || now - s.last_seen_at >= IDLE {
        session::Entity::delete_by_id(s.token_hash.clone())
            .exec(db)
            .await?;
        return Ok(None);
    }
    Ok(Some(s))
}

/// Records that a session is in use (at most every minute, so reads stay reads). A database
/// that cannot write just now (full, read-only) does not stop the reading: the session stays
/// as it was.
pub async fn touch(db: &DatabaseConnection, s: &session::Model) -> Result<(), DbErr> {
    if Utc::now() - s.last_seen_at >= TOUCH_EVERY {
        let done: Result<(), DbErr> = async {
            let txn = crate::db::begin(db).await?;
            session::ActiveModel {
                token_hash: Set(s.token_hash.clone()),
                last_seen_at: Set(Utc::now()),
                ..Default::default()
            }
            .update(&txn)
            .await?;
            txn.commit().await
        }
        .await;
        match done {
            Err(e) if crate::db::cannot_write(&e) => {
                tracing::warn!(error = %e, "a session could not be marked as used: the database takes no write");
            }
            other => other?,
        }
    }
    Ok(())
}

/// Whether the session carries a role from the identity provider.
pub fn has_role(s: &session::Model, role: &str) -> bool {
    s.roles
        .as_deref()
        .is_some_and(|r| r.split(',').any(|x| x == role))
}

/// Ends every session of a person of this school (the exam office, for a lost or shared
/// phone), and the sign-in links and codes they have not used yet; returns how many sessions
/// there were.
pub async fn end_all(db: &DatabaseConnection, tenant: &str, person_id: Uuid) -> Result<u64, DbErr> {
    // A link or code still unused would let the finder of the phone straight back in.
    sign_in_link::Entity::update_many()
        .col_expr(
            sign_in_link::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now())),
        )
        .filter(sign_in_link::Column::Tenant.eq(tenant))
        .filter(sign_in_link::Column::PersonId.eq(person_id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(session::Entity::delete_many()
        .filter(session::Column::Tenant.eq(tenant))
        .filter(session::Column::PersonId.eq(person_id))
        .exec(db)
        .await?
        .rows_affected)
}

pub async fn end(db: &DatabaseConnection, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(hash(token))
        .exec(db)
        .await
        .map(|_| ())
}

/// How long a used or expired sign-in link is kept (for the audit of who signed in how).
pub const KEEP_LINKS: Duration = Duration::days(7);

/// Removes sessions that have ended (idle or absolute) and sign-in links past [`KEEP_LINKS`];
/// returns how many of each. Runs every few minutes in the background.
pub async fn purge_expired(db: &DatabaseConnection) -> Result<(u64, u64), DbErr> {
    let now = Utc::now();
    let sessions = session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - IDLE)),
        )
        .exec(db)
        .await?
        .rows_affected;
    let links = sign_in_link::Entity::delete_many()
        .filter(sign_in_link::Column::ExpiresAt.lte(now - KEEP_LINKS))
        .exec(db)
        .await?
        .rows_affected;
    Ok((sessions, links))
}

/// Compares in constant time.
pub fn csrf_matches(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
