use sea_orm::entity::prelude::*;

/// One decision of a school's exam committee on a catalogue exam: approved (*vastgesteld*)
/// for use at the school, or the approval withdrawn. The latest decision stands; none: not
/// approved.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_approval")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub decision_id: Uuid,
    pub component_id: Uuid,
    pub approved: bool,
    /// The committee member (a person of the school).
    pub decided_by: Uuid,
    pub reason: Option<String>,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
