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
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
