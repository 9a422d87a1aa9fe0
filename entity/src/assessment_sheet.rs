use sea_orm::entity::prelude::*;

/// One assessor's own judgement of an exam case (`sheet` = the assessor's person id), or the
/// joint judgement of two assessors (`sheet` = `joint`). Scores are in `criterion_score`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessment_sheet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sheet: String,
    pub attendance: Option<String>,
    pub identity_checked: Option<bool>,
    #[sea_orm(column_type = "Text", nullable)]
    pub identity_method: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub irregularities: Option<String>,
    /// The overall motivation of the judgement and feedback to the candidate.
    #[sea_orm(column_type = "Text", nullable)]
    pub motivation: Option<String>,
    pub revision: i64,
    pub updated_at: DateTimeUtc,
    /// When the assessor says the exam began and ended (their device's clock, checked).
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// Why the begin or end lies far from the plan (needed to close the sheet then).
    #[sea_orm(column_type = "Text", nullable)]
    pub times_reason: Option<String>,
    /// When the assessor finished this sheet (their own; cleared when they change it again).
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
