use sea_orm::entity::prelude::*;

/// A message owed to the school's SIS (flow 5), delivered in `position` order per association.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sis_message")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: Uuid,
    pub case_id: Uuid,
    pub association_id: Uuid,
    pub position: i32,
    /// Why it is owed: `attendance`, `signed`, `finalised`, `corrected`.
    pub reason: String,
    /// `PATCH` (the SIS's own enrolment) or `PUT` (an extra attempt Proeve planned).
    pub method: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    /// `waiting`, `sending`, `delivered`, `parked`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_response: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
