use sea_orm::entity::prelude::*;

/// An offering received from the SIS: a planbare toets (`component`) or student context
/// (`program`, `course`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offering")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub offering_id: Uuid,
    pub offering_type: String,
    pub state: String,
    pub name: String,
    pub code: String,
    pub start_at: Option<DateTimeUtc>,
    pub end_at: Option<DateTimeUtc>,
    pub result_expected: bool,
    pub result_value_type: Option<String>,
    pub final_results_allowed: bool,
    /// Our catalogue exam the SIS asked for, when it resolved: what is planned and scored.
    pub component_id: Option<Uuid>,
    /// The result unit of that exam the SIS named (a part, a core task), if not the whole:
    /// the result this planbare toets gets is that unit's.
    pub unit_id: Option<Uuid>,
    /// For a part of an exam taken per part: the part a student enrolled here sits on its
    /// own day.
    pub sitting_part: Option<String>,
    /// The normalised OKE document, as served back to the SIS.
    #[sea_orm(column_type = "Text")]
    pub document: String,
    /// The body exactly as last received, for audit.
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    /// Bumped on every write; writers compare it to detect a concurrent change.
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub canceled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
