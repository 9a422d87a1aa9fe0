use sea_orm::entity::prelude::*;

/// A piece of evidence an assessor added to an exam case (a photo, a clip, a file): what the
/// phone declared, where on the exam it belongs, and how far its bytes arrived. The bytes are
/// in `evidence_blob` / `evidence_chunk` by their SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub evidence_id: Uuid,
    pub case_id: Uuid,
    pub author: Uuid,
    pub criterion: Option<String>,
    pub section: Option<String>,
    /// `photo`, `video`, `audio` or `file`.
    pub kind: String,
    pub file_name: String,
    pub size: i64,
    pub sha256: String,
    pub duration_ms: Option<i32>,
    pub content_type: Option<String>,
    pub received: i64,
    /// `uploading`, `received`, `refused` or `deleted`.
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub refusal: Option<String>,
    pub captured_at: DateTimeUtc,
    pub declared_at: DateTimeUtc,
    pub received_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
