//! Ad-hoc groups and memberships (optional OKE objects), stored as received.

use super::{text, Written};
use chrono::Utc;
use entity::{group, group_member};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, DbErr, EntityTrait, QuerySelect, Set};
use uuid::Uuid;

pub async fn put_group(
    txn: &DatabaseTransaction,
    tenant: &str,
    g: &crate::ooapi::group::Group,
    raw: &str,
) -> Result<Written, DbErr> {
    let now = Utc::now();
    let existing = group::Entity::find_by_id((tenant.to_string(), g.id))
        .lock_exclusive()
        .one(txn)
        .await?;
    let row = group::ActiveModel {
        tenant: Set(tenant.to_string()),
        group_id: Set(g.id),
        name: Set(g.name.clone()),
        document: Set(text(&g.document)),
        raw: Set(raw.to_string()),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
    };
    Ok(match existing {
        None => {
            row.insert(txn).await?;
            Written::Created
        }
        Some(_) => {
            row.update(txn).await?;
            Written::Replaced
        }
    })
}

pub async fn put_member(
    txn: &DatabaseTransaction,
    tenant: &str,
    group_id: Uuid,
    m: &crate::ooapi::group::Membership,
    raw: &str,
) -> Result<Written, DbErr> {
    let now = Utc::now();
    let existing = group_member::Entity::find_by_id((tenant.to_string(), group_id, m.person_id))
        .lock_exclusive()
        .one(txn)
        .await?;
    let row = group_member::ActiveModel {
        tenant: Set(tenant.to_string()),
        group_id: Set(group_id),
        person_id: Set(m.person_id),
        state: Set(m.state.to_string()),
        document: Set(text(&m.document)),
        raw: Set(raw.to_string()),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
    };
    let written = match existing {
        None => {
            row.insert(txn).await?;
            Written::Created
        }
        Some(_) => {
            row.update(txn).await?;
            Written::Replaced
        }
    };
    if m.state == "canceled" {
        super::purge_person_if_unneeded(txn, tenant, m.person_id, now).await?;
    }
    Ok(written)
}
