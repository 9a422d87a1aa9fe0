//! One-time sign-in links, mailed to the address the SIS gave for a person: how workplace
//! assessors without a school account sign in. A link works once, for 15 minutes, for the
//! school it was asked for. Opening it shows a confirmation button; only pressing it uses the
//! link, so mail scanners that fetch links do not burn it.

use crate::config::SmtpSettings;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use entity::sign_in_link;
use lettre::message::{header::ContentType, Mailbox, Message};
use rand_core::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const VALID_FOR: Duration = Duration::minutes(15);
/// At most this many links per person per [`VALID_FOR`], so nobody can flood a mailbox.
pub const MAX_LINKS: u64 = 3;

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Mail(#[from] crate::mail::SendError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The kind of a queued mail (`mail_job`) that is a sign-in link asked for.
pub const KIND: &str = "sign_in_link";

/// Someone asked for a sign-in link for this address: queued, looked at by the mail worker
/// ([`send_requested`]). The asker is answered the same for every address, at once.
pub async fn ask(db: &DatabaseConnection, tenant: &str, email: &str) -> Result<(), DbErr> {
    crate::mail::enqueue(db, tenant, KIND, &serde_json::json!({ "email": email })).await?;
    Ok(())
}

/// Mails a sign-in link to the person of `tenant` with this address, if there is one, unless
/// that person was sent [`MAX_LINKS`] already. When the mail cannot be sent, the link is
/// removed again (it reached nobody and does not count) and the error says to try later.
pub async fn send_requested(
    db: &DatabaseConnection,
    smtp: &SmtpSettings,
    public_url: &str,
    tenant: &crate::tenant::Tenant,
    email: &str,
) -> Result<(), LinkError> {
    let slug = tenant.settings.slug.as_str();
    let p = match super::identify::find(db, slug, super::identify::Key::Mail(email)).await? {
        super::identify::Found::One(p) => p,
        super::identify::Found::None => {
            tracing::info!(tenant = slug, "sign-in link asked for an unknown address");
            return Ok(());
        }
        super::identify::Found::Several => {
            tracing::warn!(
                tenant = slug,
                "sign-in link asked for an address that several people share"
            );
            return Ok(());
        }
    };
    let now = Utc::now();
    let recent = sign_in_link::Entity::find()
        .filter(sign_in_link::Column::Tenant.eq(slug))
        .filter(sign_in_link::Column::PersonId.eq(p.person_id))
        .filter(sign_in_link::Column::CreatedAt.gt(now - VALID_FOR))
        .filter(sign_in_link::Column::Kind.eq("mail"))
        .count(db)
        .await?;
    if recent >= MAX_LINKS {
        tracing::warn!(tenant = slug, person = %p.person_id, "sign-in links asked too often; not sending another");
        return Ok(());
    }
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let txn = crate::db::begin(db).await?;
    sign_in_link::ActiveModel {
        token_hash: Set(hash(&token)),
        tenant: Set(slug.to_string()),
        person_id: Set(p.person_id),
        created_at: Set(now),
        expires_at: Set(now + VALID_FOR),
        used_at: Set(None),
        kind: Set("mail".into()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let link = format!("{public_url}/app/{slug}/sign-in/link?token={token}");
    let name = p.display_name.clone().unwrap_or_default();
    let sent = match message(
        smtp,
        tenant,
        &name,
        p.mail.as_deref().unwrap_or(email),
        &link,
    ) {
        Ok(m) => crate::mail::send(smtp, m).await,
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        let txn = crate::db::begin(db).await?;
        sign_in_link::Entity::delete_by_id(hash(&token))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Err(e.into());
    }
    tracing::info!(tenant = slug, person = %p.person_id, "sign-in link mailed");
    Ok(())
}

/// The mail with the link, in Dutch and English.
fn message(
    smtp: &SmtpSettings,
    tenant: &crate::tenant::Tenant,
    name: &str,
    to: &str,
    link: &str,
) -> Result<Message, crate::mail::SendError> {
    let bad = |e: String| crate::mail::SendError(e);
    let to = Mailbox::new(
        Some(name.to_string()),
        to.parse().map_err(|e| bad(format!("{e}")))?,
    );
    let from: Mailbox = smtp.from.parse().map_err(|e| bad(format!("{e}")))?;
    let body = format!(
        "Beste {name},\n\nMet deze link log je in bij Proeve voor {school}:\n\n{link}\n\n\
         De link werkt één keer en is {minutes} minuten geldig. Heb je niet om deze link \
         gevraagd? Dan kun je deze mail negeren.\n\n---\n\nUse this link to sign in to Proeve \
         for {school}. It works once, for {minutes} minutes.\n",
        school = tenant.settings.name,
        minutes = VALID_FOR.num_minutes()
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(format!("Inloggen bij Proeve – {}", tenant.settings.name))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| bad(e.to_string()))
}

/// How long a hand-over code works.
pub const CODE_VALID_FOR: Duration = Duration::minutes(10);
/// Letters and digits nobody mistakes for each other (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A code as people type it: upper case, without spaces or dashes.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A one-time code (8 characters, shown as `ABCD-EFGH`) that signs the same person in on
/// another browser of the same phone, typically the installed app after a mailed link opened
/// in the mail app's browser. Returns the code as shown and until when it works.
pub async fn hand_over(
    db: &DatabaseConnection,
    tenant: &str,
    person_id: Uuid,
) -> Result<(String, chrono::DateTime<Utc>), DbErr> {
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    // 31 letters: the small bias of `% 31` costs well under a bit of the code's 39.
    let code: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    let now = Utc::now();
    let until = now + CODE_VALID_FOR;
    sign_in_link::ActiveModel {
        token_hash: Set(hash(&code)),
        tenant: Set(tenant.to_string()),
        person_id: Set(person_id),
        created_at: Set(now),
        expires_at: Set(until),
        used_at: Set(None),
        kind: Set("code".into()),
    }
    .insert(db)
    .await?;
    Ok((format!("{}-{}", &code[..4], &code[4..]), until))
}

/// The person a link is for, if it is valid for this school (unused, unexpired); does not use it.
pub async fn peek(
    db: &DatabaseConnection,
    tenant: &str,
    token: &str,
) -> Result<Option<sign_in_link::Model>, DbErr> {
    Ok(sign_in_link::Entity::find_by_id(hash(token))
        .one(db)
        .await?
        .filter(|l| {
            l.tenant == tenant
                && l.kind == "mail"
                && l.used_at.is_none()
                && Utc::now() < l.expires_at
        }))
}

/// Uses a mailed link: the person it signs in, or `None` if it is not valid (any more).
pub async fn redeem(
    db: &DatabaseConnection,
    tenant: &str,
    token: &str,
) -> Result<Option<Uuid>, DbErr> {
    use_once(db, tenant, token, "mail").await
}

/// Uses a hand-over code (as typed): the person it signs in, or `None`.
pub async fn redeem_code(
    db: &DatabaseConnection,
    tenant: &str,
    code: &str,
) -> Result<Option<Uuid>, DbErr> {
    use_once(db, tenant, &normalize_code(code), "code").await
}

async fn use_once(
    db: &DatabaseConnection,
    tenant: &str,
    token: &str,
    kind: &str,
) -> Result<Option<Uuid>, DbErr> {
    let now = Utc::now();
    // One conditional update: of two presses at once, only one finds the link unused.
    let used = sign_in_link::Entity::update_many()
        .col_expr(
            sign_in_link::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(sign_in_link::Column::TokenHash.eq(hash(token)))
        .filter(sign_in_link::Column::Tenant.eq(tenant))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .filter(sign_in_link::Column::ExpiresAt.gt(now))
        .filter(sign_in_link::Column::Kind.eq(kind))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Ok(None);
    }
    Ok(sign_in_link::Entity::find_by_id(hash(token))
        .one(db)
        .await?
        .map(|l| l.person_id))
}
