use sea_orm::entity::prelude::*;

/// A SIS enrolment (toetsinschrijving) answered by an exam case besides the case's own: the
/// same student enrolled twice for the same exam (e.g. under two programmes), planned,
/// scored and signed once, with a result on each enrolment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_enrolment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub association_id: Uuid,
    pub case_id: Uuid,
    pub offering_id: Uuid,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
