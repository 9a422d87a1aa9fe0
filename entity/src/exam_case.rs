use sea_orm::entity::prelude::*;

/// One student's practical exam for one attempt: made from a student enrolment (toets-
/// inschrijving) on a planbare toets that expects a result, then planned, assessed, signed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    /// The SIS's enrolment this case answers (flow 5 goes back to it).
    pub association_id: Uuid,
    pub offering_id: Uuid,
    pub person_id: Uuid,
    pub attempt: i32,
    /// Where the case is in its lifecycle (stored as its name).
    pub state: CaseState,
    pub component_id: Option<Uuid>,
    /// The assessment model version it was planned with.
    pub model_version: Option<i32>,
    pub planned_start: Option<DateTimeUtc>,
    pub planned_end: Option<DateTimeUtc>,
    /// `workplace` or `school`.
    pub place_kind: Option<String>,
    pub place_name: Option<String>,
    pub place_address: Option<String>,
    /// The outcome, once judged (OKE attendance value, raw and max points, pass, score).
    pub attendance: Option<String>,
    pub raw_score: Option<i32>,
    pub max_raw_score: Option<i32>,
    pub passed: Option<bool>,
    pub score: Option<String>,
    pub assessed_at: Option<DateTimeUtc>,
    pub signed_at: Option<DateTimeUtc>,
    pub finalised_at: Option<DateTimeUtc>,
    pub revision: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// For an extra attempt Proeve planned: the association it minted for the result, which
    /// goes to the SIS as a `PUT` (flow 5.2). `None`: the result goes onto the SIS's own
    /// enrolment (`association_id`).
    pub result_association_id: Option<Uuid>,
    /// The examenleider the exam office named for this exam; `None`: the lead assessor.
    pub exam_leader: Option<Uuid>,
    /// For an exam taken per part: the part this case sits (empty: the whole exam).
    pub part: String,
    /// For the whole exam taken per part, once its result is combined: the sittings that
    /// counted (a JSON list of case ids, one per part, each part's latest).
    pub sittings: Option<String>,
}

/// The states of an exam case, stored as their names: received (from the SIS), planned,
/// assessed (judged), signed (the record frozen), final (finalised by the exam committee),
/// canceled.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "lowercase")]
pub enum CaseState {
    #[sea_orm(string_value = "received")]
    Received,
    #[sea_orm(string_value = "planned")]
    Planned,
    #[sea_orm(string_value = "assessed")]
    Assessed,
    #[sea_orm(string_value = "signed")]
    Signed,
    #[sea_orm(string_value = "final")]
    Final,
    #[sea_orm(string_value = "canceled")]
    Canceled,
}

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::Planned => "planned",
            CaseState::Assessed => "assessed",
            CaseState::Signed => "signed",
            CaseState::Final => "final",
            CaseState::Canceled => "canceled",
        }
    }
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
