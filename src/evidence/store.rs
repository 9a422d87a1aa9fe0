//! Where the bytes of evidence live: behind [`Store`], so a school whose evidence outgrows
//! its database can later move it to an object store. [`DbStore`] keeps it in the database
//! (the default: several Proeve instances on one PostgreSQL share it), in chunks of at most
//! the size of one upload request, so no file is ever held in memory whole.

use entity::{evidence_blob, evidence_chunk};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// A stretch of a file: where it begins, and its bytes.
pub type Chunk = (i64, Vec<u8>);

/// The bytes of evidence: uploads while they arrive, then files by their SHA-256.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Writes bytes of an upload at `position` (replacing what a cut-off try left there).
    async fn write(
        &self,
        tenant: &str,
        upload: Uuid,
        position: i64,
        bytes: Vec<u8>,
    ) -> Result<(), DbErr>;
    /// The stretch of an upload that begins at or after `from`.
    async fn read_upload(
        &self,
        tenant: &str,
        upload: Uuid,
        from: i64,
    ) -> Result<Option<Chunk>, DbErr>;
    /// Makes a complete upload the stored file of `sha256` (dropped if that is stored already).
    async fn keep(
        &self,
        tenant: &str,
        upload: Uuid,
        sha256: &str,
        content_type: &str,
        size: i64,
    ) -> Result<(), DbErr>;
    /// Drops an upload's bytes.
    async fn discard(&self, tenant: &str, upload: Uuid) -> Result<(), DbErr>;
    /// Whether the file of `sha256` is stored.
    async fn has(&self, tenant: &str, sha256: &str) -> Result<bool, DbErr>;
    /// The stretch of a stored file that begins at or after `from`.
    async fn read(&self, tenant: &str, sha256: &str, from: i64) -> Result<Option<Chunk>, DbErr>;
    /// Drops a stored file.
    async fn forget(&self, tenant: &str, sha256: &str) -> Result<(), DbErr>;
}

fn upload_owner(upload: Uuid) -> String {
    format!("upload:{upload}")
}

fn file_owner(sha256: &str) -> String {
    format!("sha256:{sha256}")
}

/// Evidence in the database (`evidence_chunk`, `evidence_blob`).
pub struct DbStore {
    db: DatabaseConnection,
}

impl DbStore {
    pub fn new(db: DatabaseConnection) -> Self {
        DbStore { db }
    }

    async fn next(&self, tenant: &str, owner: String, from: i64) -> Result<Option<Chunk>, DbErr> {
        Ok(evidence_chunk::Entity::find()
            .filter(evidence_chunk::Column::Tenant.eq(tenant))
            .filter(evidence_chunk::Column::Owner.eq(owner))
            .filter(evidence_chunk::Column::Position.gte(from))
            .order_by_asc(evidence_chunk::Column::Position)
            .limit(1)
            .one(&self.db)
            .await?
            .map(|c| (c.position, c.bytes)))
    }

    async fn drop_owner(&self, tenant: &str, owner: String) -> Result<(), DbErr> {
        let txn = crate::db::begin(&self.db).await?;
        evidence_chunk::Entity::delete_many()
            .filter(evidence_chunk::Column::Tenant.eq(tenant))
            .filter(evidence_chunk::Column::Owner.eq(owner))
            .exec(&txn)
            .await?;
        txn.commit().await
    }
}

#[async_trait::async_trait]
impl Store for DbStore {
    async fn write(
        &self,
        tenant: &str,
        upload: Uuid,
        position: i64,
        bytes: Vec<u8>,
    ) -> Result<(), DbErr> {
        let txn = crate::db::begin(&self.db).await?;
        evidence_chunk::Entity::insert(evidence_chunk::ActiveModel {
            tenant: Set(tenant.to_string()),
            owner: Set(upload_owner(upload)),
            position: Set(position),
            bytes: Set(bytes),
        })
        .on_conflict(
            OnConflict::columns([
                evidence_chunk::Column::Tenant,
                evidence_chunk::Column::Owner,
                evidence_chunk::Column::Position,
            ])
            .update_column(evidence_chunk::Column::Bytes)
            .to_owned(),
        )
        .exec(&txn)
        .await?;
        txn.commit().await
    }

    async fn read_upload(
        &self,
        tenant: &str,
        upload: Uuid,
        from: i64,
    ) -> Result<Option<Chunk>, DbErr> {
        self.next(tenant, upload_owner(upload), from).await
    }

    async fn keep(
        &self,
        tenant: &str,
        upload: Uuid,
        sha256: &str,
        content_type: &str,
        size: i64,
    ) -> Result<(), DbErr> {
        let txn = crate::db::begin(&self.db).await?;
        let stored = evidence_blob::Entity::find_by_id((tenant.to_string(), sha256.to_string()))
            .one(&txn)
            .await?
            .is_some();
        let chunks = evidence_chunk::Entity::update_many()
            .filter(evidence_chunk::Column::Tenant.eq(tenant))
            .filter(evidence_chunk::Column::Owner.eq(upload_owner(upload)));
        if stored {
            // The same bytes are stored already (another piece of evidence, or this one kept
            // before a crash): this upload's copy goes.
            evidence_chunk::Entity::delete_many()
                .filter(evidence_chunk::Column::Tenant.eq(tenant))
                .filter(evidence_chunk::Column::Owner.eq(upload_owner(upload)))
                .exec(&txn)
                .await?;
        } else {
            chunks
                .col_expr(
                    evidence_chunk::Column::Owner,
                    sea_orm::sea_query::Expr::value(file_owner(sha256)),
                )
                .exec(&txn)
                .await?;
            evidence_blob::Entity::insert(evidence_blob::ActiveModel {
                tenant: Set(tenant.to_string()),
                sha256: Set(sha256.to_string()),
                content_type: Set(content_type.to_string()),
                size: Set(size),
                created_at: Set(chrono::Utc::now()),
            })
            .exec(&txn)
            .await?;
        }
        txn.commit().await
    }

    async fn discard(&self, tenant: &str, upload: Uuid) -> Result<(), DbErr> {
        self.drop_owner(tenant, upload_owner(upload)).await
    }

    async fn has(&self, tenant: &str, sha256: &str) -> Result<bool, DbErr> {
        Ok(
            evidence_blob::Entity::find_by_id((tenant.to_string(), sha256.to_string()))
                .one(&self.db)
                .await?
                .is_some(),
        )
    }

    async fn read(&self, tenant: &str, sha256: &str, from: i64) -> Result<Option<Chunk>, DbErr> {
        self.next(tenant, file_owner(sha256), from).await
    }

    async fn forget(&self, tenant: &str, sha256: &str) -> Result<(), DbErr> {
        self.drop_owner(tenant, file_owner(sha256)).await?;
        let txn = crate::db::begin(&self.db).await?;
        evidence_blob::Entity::delete_by_id((tenant.to_string(), sha256.to_string()))
            .exec(&txn)
            .await?;
        txn.commit().await
    }
}
