use sea_orm::entity::prelude::*;

/// A signed-in person's session. Only the SHA-256 of the cookie's token is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub tenant: String,
    pub person_id: Uuid,
    /// How the person signed in (`demo`, `oidc`, `link`).
    pub method: String,
    /// Roles the school's identity provider gave at sign-in (`exam-office`,
    /// `exam-committee`, comma-separated); roles from the configuration come on top.
    pub roles: Option<String>,
    pub csrf_token: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
