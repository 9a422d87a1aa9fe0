use sea_orm::entity::prelude::*;

/// The level a sheet gives one criterion, with the assessor's note.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "criterion_score")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sheet: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub criterion: String,
    pub level: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
