use sea_orm::entity::prelude::*;

/// A signature on an exam case: an assessor's (`role` = `assessor`) or the candidate's
/// acknowledgement (`role` = `candidate`), as a drawn image with the signed-in account and
/// the time; or the candidate's refusal to acknowledge, with the reason an assessor recorded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signature")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(column_type = "Blob", nullable)]
    pub image: Option<Vec<u8>>,
    pub image_sha256: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub refusal: Option<String>,
    /// The signed-in account that made the signature.
    pub account: String,
    /// When the server received it.
    pub signed_at: DateTimeUtc,
    /// When it was drawn on the device, by the server's clock as the app measured it (the
    /// device's own clock corrected by its offset); absent for a signature from before this
    /// was recorded, or from a client that did not say.
    pub drawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
