use sea_orm::entity::prelude::*;

/// A person's association with an offering: a toetsinschrijving (student or staff) or a
/// programme/course enrolment (context).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "association")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub association_id: Uuid,
    pub association_type: String,
    pub role: String,
    pub state: String,
    pub person_id: Uuid,
    pub offering_id: Uuid,
    pub attempt: Option<i32>,
    /// `None` means unlimited (OKE: absent or `null`).
    pub attempt_left: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub document: String,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    /// Bumped on every write; writers compare it to detect a concurrent change.
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub canceled_at: Option<DateTimeUtc>,
    /// Set once an exam for this enrolment has taken place: from then on a result must still
    /// be delivered, so the person's data is kept even if the SIS cancels.
    pub exam_taken_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
