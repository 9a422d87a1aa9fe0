//! The sittings of an exam taken per part (`sittings = "per-part"`): each part a student is
//! enrolled on is sat as an exam case of its own (`exam_case.part`), and the whole exam's
//! case waits for them (`assessment::parts` gives it its result).

use crate::case::CaseState;
use crate::catalog::{Catalog, Sittings};
use entity::exam_case;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Whether `c` is the whole of an exam taken per part that waits for its parts: not yet
/// planned, and parts of it (of its attempt or an earlier one) are sat on their own. (Such a whole is not planned as
/// one performance.)
pub async fn waits_for_parts<C: ConnectionTrait>(
    db: &C,
    catalog: &Catalog,
    c: &exam_case::Model,
) -> Result<bool, DbErr> {
    if !c.part.is_empty() || c.state != CaseState::Received {
        return Ok(false);
    }
    let per_part = c
        .component_id
        .and_then(|id| catalog.get(id))
        .is_some_and(|e| e.model.sittings == Sittings::PerPart);
    if !per_part {
        return Ok(false);
    }
    // Parts sat on their own up to its attempt: a re-sit is of the parts, not of the whole.
    Ok(!of_whole(db, c, 1..=c.attempt).await?.is_empty())
}

/// The sittings of parts of the same student and exam, attempts in `attempts`, not
/// cancelled.
pub async fn of_whole<C: ConnectionTrait>(
    db: &C,
    whole: &exam_case::Model,
    attempts: std::ops::RangeInclusive<i32>,
) -> Result<Vec<exam_case::Model>, DbErr> {
    Ok(exam_case::Entity::find()
        .filter(exam_case::Column::Tenant.eq(whole.tenant.as_str()))
        .filter(exam_case::Column::PersonId.eq(whole.person_id))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| {
            s.component_id == whole.component_id
                && !s.part.is_empty()
                && attempts.contains(&s.attempt)
                && s.state != CaseState::Canceled
        })
        .collect())
}

/// The case ids a whole exam taken per part names as the sittings that made its result
/// (`exam_case.sittings`).
pub fn ids(list: &str) -> Vec<uuid::Uuid> {
    serde_json::from_str(list).unwrap_or_default()
}
