use sea_orm::entity::prelude::*;

/// One version of an exam's assessment model, as the catalogue first served it. Catalogue
/// data is the provider's, shared by all tenants, so this table has no tenant column.
/// Versions are never changed or removed: an exam is scored against the version it was
/// planned with, also after the catalogue file moved on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_model")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub component_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub exam_code: String,
    /// The model as JSON.
    #[sea_orm(column_type = "Text")]
    pub model: String,
    pub sha256: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
