use sea_orm::entity::prelude::*;

/// A mail still to send (see the `mail` module): kept until it is sent or given up, then
/// removed, so the queue holds no addresses longer than needed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `sign_in_link`.
    pub kind: String,
    /// What the kind needs, as JSON.
    pub payload: String,
    /// `waiting` or `sending` (under a worker's lease).
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
