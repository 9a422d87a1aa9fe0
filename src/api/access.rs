//! Who may see or do what on an exam case. A person sees a case they are the candidate of,
//! a planned assessor of, or an assessor the SIS enrolled on its offering, or any case as
//! exam office or committee; a case they may not see answers 404, with no hint that it
//! exists. Each handler then checks its own step against the [`Relation`].

use super::{signed_in, Me};
use crate::http::{path_uuid, ApiError, AppState};
use crate::planning;
use crate::tenant::Tenant;
use actix_web::HttpRequest;
use entity::exam_case;
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::BTreeSet;
use uuid::Uuid;

/// How the signed-in person stands to a case.
pub struct Relation {
    pub candidate: bool,
    pub planned_assessor: bool,
    pub enrolled_assessor: bool,
}

impl Relation {
    /// Whether this person may see the case at all.
    pub fn sees(&self, me: &Me) -> bool {
        me.staff() || self.candidate || self.planned_assessor || self.enrolled_assessor
    }
}

/// The relation of a person to a case, read from the database.
pub async fn relation<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    me: &Me,
    c: &exam_case::Model,
) -> Result<Relation, ApiError> {
    let planned_assessor = planning::assessors_of(db, tenant, c.case_id)
        .await?
        .contains(&me.person_id);
    let enrolled_assessor =
        planning::is_enrolled_assessor(db, tenant, c.offering_id, me.person_id).await?;
    Ok(Relation {
        candidate: c.person_id == me.person_id,
        planned_assessor,
        enrolled_assessor,
    })
}

/// Which cases a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Every case the person may see.
    All,
    /// The exams the person assesses (planned on) or sits: what the phone keeps offline.
    Mine,
    /// Exams nobody planned yet that the person may plan.
    ToPlan,
    /// The exams finalised last, newest first (the committee's "determined" list).
    RecentlyFinalised,
}

/// What one person is to many cases, read in two queries (for lists).
pub struct Relations {
    /// The cases the person is the candidate of.
    own: BTreeSet<Uuid>,
    planned: BTreeSet<Uuid>,
    enrolled_on: BTreeSet<Uuid>,
    person_id: Uuid,
}

impl Relations {
    pub async fn load<C: ConnectionTrait>(db: &C, tenant: &str, me: &Me) -> Result<Self, ApiError> {
        use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
        // The person's own exams by the person index: a list then asks for cases by id.
        let own: Vec<Uuid> = exam_case::Entity::find()
            .select_only()
            .column(exam_case::Column::CaseId)
            .filter(exam_case::Column::Tenant.eq(tenant))
            .filter(exam_case::Column::PersonId.eq(me.person_id))
            .into_tuple()
            .all(db)
            .await?;
        Ok(Relations {
            own: own.into_iter().collect(),
            planned: planning::cases_assessed_by(db, tenant, me.person_id)
                .await?
                .into_iter()
                .collect(),
            enrolled_on: planning::offerings_assessed_by(db, tenant, me.person_id)
                .await?
                .into_iter()
                .collect(),
            person_id: me.person_id,
        })
    }

    /// The cases of `which` list this person may see, as a condition on `exam_case` (so a
    /// list is filtered and paged by the database, not in memory).
    pub fn condition(&self, me: &Me, which: Which) -> sea_orm::Condition {
        use sea_orm::{ColumnTrait, Condition};
        // Own and planned cases by id (primary key lookups, however large the school).
        let mine: Vec<Uuid> = self.own.union(&self.planned).copied().collect();
        let candidate_or_planned = exam_case::Column::CaseId.is_in(mine);
        let enrolled = exam_case::Column::OfferingId
            .is_in(self.enrolled_on.iter().copied().collect::<Vec<_>>());
        match which {
            Which::All if me.staff() => Condition::all(),
            Which::All => Condition::any().add(candidate_or_planned).add(enrolled),
            Which::Mine => Condition::all().add(candidate_or_planned),
            Which::RecentlyFinalised => {
                let fin = Condition::all()
                    .add(exam_case::Column::State.eq(crate::case::CaseState::Final))
                    .add(exam_case::Column::FinalisedAt.is_not_null());
                if me.staff() {
                    fin
                } else {
                    fin.add(Condition::any().add(candidate_or_planned).add(enrolled))
                }
            }
            Which::ToPlan => {
                // Not the whole of an exam taken per part whose parts are sat on their own:
                // its parts are planned, not it.
                let received = Condition::all()
                    .add(exam_case::Column::State.eq(crate::case::CaseState::Received))
                    .add(sea_orm::sea_query::Expr::cust(
                        "(exam_case.part <> '' OR NOT EXISTS (SELECT 1 FROM exam_case s \
                         WHERE s.tenant = exam_case.tenant AND s.person_id = exam_case.person_id \
                         AND s.component_id = exam_case.component_id \
                         AND s.attempt <= exam_case.attempt AND s.part <> '' \
                         AND s.state <> 'canceled'))",
                    ));
                if me.staff() {
                    Condition::all().add(received)
                } else {
                    Condition::all().add(received).add(enrolled)
                }
            }
        }
    }

    pub fn of(&self, c: &exam_case::Model) -> Relation {
        Relation {
            candidate: c.person_id == self.person_id,
            planned_assessor: self.planned.contains(&c.case_id),
            enrolled_assessor: self.enrolled_on.contains(&c.offering_id),
        }
    }
}

/// The case, if this person may see it at all (else 404: no hint that it exists).
pub async fn visible_case(
    state: &AppState,
    tenant: &str,
    me: &Me,
    case_id: Uuid,
) -> Result<(exam_case::Model, Relation), ApiError> {
    let c = exam_case::Entity::find_by_id((tenant.to_string(), case_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No exam case {case_id}")))?;
    let r = relation(&state.db, tenant, me, &c).await?;
    if r.sees(me) {
        Ok((c, r))
    } else {
        Err(ApiError::NotFound(format!("No exam case {case_id}")))
    }
}

/// The signed-in person (`write` demands the CSRF token) and the case named by the path's
/// `id`, if they may see it.
pub async fn case_in_path<'a>(
    state: &'a AppState,
    req: &HttpRequest,
    write: bool,
) -> Result<(&'a Tenant, Me, exam_case::Model, Relation), ApiError> {
    let (tenant, me) = signed_in(state, req, write).await?;
    let id = path_uuid(req, "id")?;
    let (c, r) = visible_case(state, tenant.slug(), &me, id).await?;
    Ok((tenant, me, c, r))
}

/// A step this person's role does not allow.
pub fn forbidden(detail: &str) -> ApiError {
    ApiError::Forbidden {
        detail: detail.into(),
        scope: String::new(),
    }
}

/// The errors every case call may answer (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only described, never built
pub enum CaseErrors {
    #[response(
        status = 400,
        description = "a field or rule was broken",
        content_type = "application/problem+json"
    )]
    BadRequest,
    #[response(
        status = 401,
        description = "not signed in",
        content_type = "application/problem+json"
    )]
    SignIn,
    #[response(
        status = 403,
        description = "your role may not do this, or the CSRF token is missing",
        content_type = "application/problem+json"
    )]
    Forbidden,
    #[response(
        status = 404,
        description = "no such case you may see",
        content_type = "application/problem+json"
    )]
    NotFound,
    #[response(
        status = 409,
        description = "changed since your revision; `currentRevision` says what it is now",
        content_type = "application/problem+json"
    )]
    Conflict,
}
