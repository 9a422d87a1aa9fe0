//! The deployment's own keys (`server_key`): made at first start, the same for every instance
//! on the database and after every restart, so what one instance signed another accepts.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use entity::server_key;
use rand_core::RngCore;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, Set};

/// The key named `name`, made now if there is none yet. Of two instances starting at once,
/// the first one's key is kept and both use it.
pub async fn load_or_create(db: &DatabaseConnection, name: &str) -> Result<[u8; 32], DbErr> {
    let mut fresh = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut fresh);
    let txn = crate::db::begin(db).await?;
    server_key::Entity::insert(server_key::ActiveModel {
        name: Set(name.to_string()),
        secret: Set(STANDARD.encode(fresh)),
        created_at: Set(chrono::Utc::now()),
    })
    .on_conflict_do_nothing()
    .exec(&txn)
    .await?;
    txn.commit().await?;
    let kept = server_key::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("server key {name}")))?;
    let bytes = STANDARD
        .decode(kept.secret.as_bytes())
        .map_err(|e| DbErr::Custom(format!("server key {name}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| DbErr::Custom(format!("server key {name}: not 32 bytes")))
}
