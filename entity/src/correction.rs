use sea_orm::entity::prelude::*;

/// A correction of a signed exam by the exam office: version `version + 1` of the result
/// (version 1 is the signed judgement). Its scores are the sheet `correction-{version}`;
/// `before` and `after` hold the result as it was and as it became (JSON).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "correction")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub corrected_by: Uuid,
    pub corrected_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub before: String,
    #[sea_orm(column_type = "Text")]
    pub after: String,
    /// On whose authority: `examCommittee` (a decision of the exam committee) or `appeal` (a
    /// ruling on appeal); absent for corrections from before it was recorded.
    pub authority: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
