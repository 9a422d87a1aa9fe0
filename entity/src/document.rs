use sea_orm::entity::prelude::*;

/// A rendered result document (assessment form, proces-verbaal), immutable once stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    pub document_type: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    #[sea_orm(column_type = "Blob")]
    pub content: Vec<u8>,
    pub created_at: DateTimeUtc,
    /// The exam case, and the version of its result (1 signed, +1 per correction).
    pub case_id: Option<Uuid>,
    pub version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
