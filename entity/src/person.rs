use sea_orm::entity::prelude::*;

/// A person received from the SIS. After a cancellation purges personal data, only the id
/// and `purged_at` remain.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    pub display_name: Option<String>,
    pub primary_code: Option<String>,
    pub mail: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub document: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub raw: Option<String>,
    /// Bumped on every write; writers compare it to detect a concurrent change.
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub purged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
