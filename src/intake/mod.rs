//! What the SIS told us through flow 1: offerings, associations, persons and groups, stored
//! per tenant with the normalised OKE document beside the raw body. This module owns the
//! rules that span records: the cancellation cascade and purging personal data that is no
//! longer needed, while keeping what a later result delivery and the exam record still need:
//! everyone on an exam that took place (the candidate, its assessors, whoever signed) keeps
//! their name, whatever the SIS cancels.
//!
//! Writes run in one transaction each. On SQLite it starts `IMMEDIATE` and on PostgreSQL the
//! row is read `FOR UPDATE`, so a read-merge-write (PATCH) never loses a concurrent change.

use crate::planning::Row;
use chrono::{DateTime, Utc};
use entity::{association, case_assessor, exam_case, group_member, offering, person, signature};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    TryIntoModel,
};
use serde_json::Value;
use uuid::Uuid;

pub mod groups;
pub mod writer;

/// Whether a PUT created the record or replaced it (201 or 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Replaced,
}

fn text(v: &Value) -> String {
    v.to_string()
}

pub fn document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------- offerings

/// The catalogue test a planbare toets is for: the exam (what is planned and scored), and
/// the result unit of it the SIS named, if it named a part or a grouping rather than the
/// whole (its result is that unit's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Test {
    pub component_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    /// For a part of an exam taken per part: that part (a student enrolled here sits it on
    /// its own day).
    pub sitting_part: Option<String>,
}

/// The first catalogue test the SIS asked for that we hold (an exam or a result unit of
/// one); none leaves the offering for the exam office to resolve by hand.
pub fn resolve_component(
    catalog: &crate::catalog::Catalog,
    parsed: &crate::ooapi::offering::Offering,
) -> Test {
    if parsed.offering_type != "component" {
        return Test::default();
    }
    let found = parsed
        .requested_components
        .iter()
        .find_map(|id| catalog.resolve(*id));
    let Some((exam, unit)) = found else {
        tracing::warn!(offering = %parsed.id, "offering names no test from our catalogue; needs manual handling");
        return Test::default();
    };
    let per_part = exam.model.sittings == crate::catalog::Sittings::PerPart;
    Test {
        component_id: Some(exam.id),
        unit_id: unit.map(|u| u.id),
        sitting_part: unit.and_then(|u| u.part.clone()).filter(|_| per_part),
    }
}

pub struct OfferingWrite<'a> {
    pub parsed: &'a crate::ooapi::offering::Offering,
    pub test: Test,
    pub raw: &'a str,
    /// Exam cases this write makes queue a planning status (`pending`) for the SIS
    /// ([`crate::config::TenantSettings::takes_planning_status`]).
    pub tell_pending: bool,
}

pub async fn find_offering<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    id: Uuid,
) -> Result<Option<offering::Model>, DbErr> {
    offering::Entity::find_by_id((tenant.to_string(), id))
        .one(db)
        .await
}

async fn lock_offering(
    txn: &DatabaseTransaction,
    tenant: &str,
    id: Uuid,
) -> Result<Option<offering::Model>, DbErr> {
    offering::Entity::find_by_id((tenant.to_string(), id))
        .lock_exclusive()
        .one(txn)
        .await
}

/// Creates or replaces an offering; a canceled state cascades.
pub async fn put_offering(
    txn: &DatabaseTransaction,
    tenant: &str,
    w: &OfferingWrite<'_>,
) -> Result<Written, DbErr> {
    let now = Utc::now();
    let p = w.parsed;
    let existing = lock_offering(txn, tenant, p.id).await?;
    crate::planning::students_turn(txn, tenant, p.id).await?;
    // A PUT that leaves offeringState out (read as active) does not revive a canceled
    // offering: only an explicit `active` does.
    let already_canceled = existing.as_ref().is_some_and(|e| e.state == "canceled");
    let canceled = p.state == crate::ooapi::offering::OfferingState::Canceled
        || (already_canceled && !p.state_given);
    let document = if canceled {
        crate::ooapi::offering::with_state(
            &p.document,
            crate::ooapi::offering::OfferingState::Canceled,
        )
    } else {
        p.document.clone()
    };
    let row = offering::ActiveModel {
        tenant: Set(tenant.to_string()),
        offering_id: Set(p.id),
        offering_type: Set(p.offering_type.to_string()),
        state: Set(if canceled { "canceled" } else { "active" }.to_string()),
        name: Set(p.name.clone()),
        code: Set(p.code.clone()),
        start_at: Set(p.start_at),
        end_at: Set(p.end_at),
        result_expected: Set(p.result_expected),
        result_value_type: Set(p.result_value_type.clone()),
        final_results_allowed: Set(p.final_results_allowed),
        component_id: Set(w.test.component_id),
        unit_id: Set(w.test.unit_id),
        sitting_part: Set(w.test.sitting_part.clone()),
        document: Set(text(&document)),
        raw: Set(w.raw.to_string()),
        revision: Set(existing.as_ref().map_or(1, |e| e.revision + 1)),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
        canceled_at: Set(match (&existing, canceled) {
            (_, false) => None,
            (Some(e), true) => e.canceled_at.or(Some(now)),
            (None, true) => Some(now),
        }),
    };
    let written = match existing {
        None => {
            row.insert(txn).await?;
            Written::Created
        }
        Some(_) => {
            row.update(txn).await?;
            Written::Replaced
        }
    };
    if canceled {
        cancel_associations_of(txn, tenant, p.id, now).await?;
    }
    crate::planning::sync_offering(txn, tenant, p.id, w.tell_pending).await?;
    Ok(written)
}

/// Withdraws an offering: its associations are canceled and personal data no longer needed
/// is purged. Idempotent.
pub async fn cancel_offering(
    txn: &DatabaseTransaction,
    tenant: &str,
    stored: &offering::Model,
    document: &Value,
    raw: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    crate::planning::students_turn(txn, tenant, stored.offering_id).await?;
    offering::ActiveModel {
        tenant: Set(tenant.to_string()),
        offering_id: Set(stored.offering_id),
        state: Set("canceled".into()),
        document: Set(text(document)),
        raw: Set(raw.to_string()),
        revision: Set(stored.revision + 1),
        updated_at: Set(now),
        canceled_at: Set(stored.canceled_at.or(Some(now))),
        ..Default::default()
    }
    .update(txn)
    .await?;
    cancel_associations_of(txn, tenant, stored.offering_id, now).await?;
    // A withdrawal makes no exam case: nothing pending to tell.
    crate::planning::sync_offering(txn, tenant, stored.offering_id, false).await
}

pub async fn lock_offering_for_patch(
    txn: &DatabaseTransaction,
    tenant: &str,
    id: Uuid,
) -> Result<Option<offering::Model>, DbErr> {
    lock_offering(txn, tenant, id).await
}

async fn cancel_associations_of(
    txn: &DatabaseTransaction,
    tenant: &str,
    offering_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // `finished` enrolments ended on their own; their exam took place and the result must
    // still be delivered, so they stay as they are.
    let live = association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::OfferingId.eq(offering_id))
        .filter(association::Column::State.eq("associated"))
        .lock_exclusive()
        .all(txn)
        .await?;
    let mut persons = Vec::new();
    for a in live {
        let doc = crate::ooapi::association::with_state(&document(&a.document), "canceled");
        persons.push(a.person_id);
        association::ActiveModel {
            tenant: Set(a.tenant),
            association_id: Set(a.association_id),
            state: Set("canceled".into()),
            document: Set(text(&doc)),
            raw: Set(crate::ooapi::association::scrub_raw(&a.raw)),
            revision: Set(a.revision + 1),
            updated_at: Set(now),
            canceled_at: Set(Some(now)),
            ..Default::default()
        }
        .update(txn)
        .await?;
    }
    persons.sort();
    persons.dedup();
    for p in persons {
        purge_person_if_unneeded(txn, tenant, p, now).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- associations

pub struct AssociationWrite<'a> {
    pub parsed: &'a crate::ooapi::association::Association,
    pub raw: &'a str,
    /// A person sent inside the enrolment (`person` as an object): stored first, as if it
    /// had been `PUT`, in the same transaction.
    pub person: Option<PersonWrite<'a>>,
    /// An exam case this write makes queues a planning status (`pending`) for the SIS.
    pub tell_pending: bool,
}

pub async fn find_association<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    id: Uuid,
) -> Result<Option<association::Model>, DbErr> {
    association::Entity::find_by_id((tenant.to_string(), id))
        .one(db)
        .await
}

/// Reads an offering with a shared lock (PostgreSQL `FOR SHARE`).
pub async fn share_offering(
    txn: &DatabaseTransaction,
    tenant: &str,
    id: Uuid,
) -> Result<Option<offering::Model>, DbErr> {
    offering::Entity::find_by_id((tenant.to_string(), id))
        .lock_shared()
        .one(txn)
        .await
}

pub async fn lock_association(
    txn: &DatabaseTransaction,
    tenant: &str,
    id: Uuid,
) -> Result<Option<association::Model>, DbErr> {
    association::Entity::find_by_id((tenant.to_string(), id))
        .lock_exclusive()
        .one(txn)
        .await
}

/// Creates or replaces an association. An association on an offering that is already
/// withdrawn is stored as canceled: the offering's cancellation governs its enrolments.
pub async fn put_association(
    txn: &DatabaseTransaction,
    tenant: &str,
    w: &AssociationWrite<'_>,
) -> Result<Written, DbErr> {
    let now = Utc::now();
    let p = w.parsed;
    // Lock order everywhere: offering, the student's turn, association, person, case. The
    // shared lock keeps a concurrent cancellation of the offering from missing this enrolment.
    let offering = share_offering(txn, tenant, p.offering_id).await?;
    let offering_canceled = offering.as_ref().is_some_and(|o| o.state == "canceled");
    if p.role == "student" {
        crate::planning::student_turn(txn, tenant, p.person_id).await?;
    }
    let existing = lock_association(txn, tenant, p.id).await?;
    let (state, doc) = if offering_canceled && p.state == "associated" {
        tracing::info!(association = %p.id, "association on a withdrawn offering stored as canceled");
        (
            "canceled",
            crate::ooapi::association::with_state(&p.document, "canceled"),
        )
    } else {
        (p.state, p.document.clone())
    };
    // Once someone moved to another person or offering, the old person may be unneeded.
    let previous_person = existing
        .as_ref()
        .map(|e| e.person_id)
        .filter(|x| *x != p.person_id);
    let row = association::ActiveModel {
        tenant: Set(tenant.to_string()),
        association_id: Set(p.id),
        association_type: Set(p.association_type.to_string()),
        role: Set(p.role.to_string()),
        state: Set(state.to_string()),
        person_id: Set(p.person_id),
        offering_id: Set(p.offering_id),
        attempt: Set(p.attempt),
        attempt_left: Set(p.attempt_left),
        document: Set(text(&doc)),
        raw: Set(if state == "canceled" {
            crate::ooapi::association::scrub_raw(w.raw)
        } else {
            w.raw.to_string()
        }),
        revision: Set(existing.as_ref().map_or(1, |e| e.revision + 1)),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
        canceled_at: Set(match (&existing, state == "canceled") {
            (_, false) => None,
            (Some(e), true) => e.canceled_at.or(Some(now)),
            (None, true) => Some(now),
        }),
        exam_taken_at: Set(existing.as_ref().and_then(|e| e.exam_taken_at)),
    };
    let (written, stored, fresh) = match existing {
        None => {
            // Everything is set: nothing to read back.
            association::Entity::insert(row.clone())
                .exec_without_returning(txn)
                .await?;
            (Written::Created, row.try_into_model()?, Row::Fresh)
        }
        Some(_) => (Written::Replaced, row.update(txn).await?, Row::Stored),
    };
    // The person sent inside it, in the lock order (offering, association, person).
    if let Some(person) = &w.person {
        put_person(txn, tenant, person).await?;
    }
    crate::planning::sync_case(
        txn,
        tenant,
        &stored,
        offering.as_ref(),
        fresh,
        w.tell_pending,
    )
    .await?;
    if state == "canceled" {
        purge_person_if_unneeded(txn, tenant, p.person_id, now).await?;
    }
    if let Some(old) = previous_person {
        purge_person_if_unneeded(txn, tenant, old, now).await?;
    }
    Ok(written)
}

/// Cancels one association (idempotent) and purges its person's data if no longer needed.
pub async fn cancel_association(
    txn: &DatabaseTransaction,
    tenant: &str,
    stored: &association::Model,
    raw: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let doc = crate::ooapi::association::with_state(&document(&stored.document), "canceled");
    let canceled = association::ActiveModel {
        tenant: Set(tenant.to_string()),
        association_id: Set(stored.association_id),
        state: Set("canceled".into()),
        document: Set(text(&doc)),
        raw: Set(crate::ooapi::association::scrub_raw(raw)),
        revision: Set(stored.revision + 1),
        updated_at: Set(now),
        canceled_at: Set(stored.canceled_at.or(Some(now))),
        ..Default::default()
    }
    .update(txn)
    .await?;
    let offering = find_offering(txn, tenant, stored.offering_id).await?;
    crate::planning::sync_case(
        txn,
        tenant,
        &canceled,
        offering.as_ref(),
        Row::Stored,
        false,
    )
    .await?;
    purge_person_if_unneeded(txn, tenant, stored.person_id, now).await
}

pub struct AssociationFilter<'a> {
    pub role: Option<&'a str>,
    pub state: Option<&'a str>,
    pub descending: bool,
}

/// One page of an offering's associations, and how many there are in all.
pub async fn list_associations(
    db: &DatabaseConnection,
    tenant: &str,
    offering_id: Uuid,
    filter: &AssociationFilter<'_>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<association::Model>, u64), DbErr> {
    let mut q = association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::OfferingId.eq(offering_id));
    if let Some(r) = filter.role {
        q = q.filter(association::Column::Role.eq(r));
    }
    if let Some(s) = filter.state {
        q = q.filter(association::Column::State.eq(s));
    }
    let total = q.clone().count(db).await?;
    if offset >= total {
        return Ok((Vec::new(), total));
    }
    let q = if filter.descending {
        q.order_by_desc(association::Column::AssociationId)
    } else {
        q.order_by_asc(association::Column::AssociationId)
    };
    let items = q.offset(offset).limit(limit).all(db).await?;
    Ok((items, total))
}

// ---------------------------------------------------------------- persons

pub struct PersonWrite<'a> {
    pub parsed: &'a crate::ooapi::person::Person,
    pub raw: &'a str,
}

pub async fn find_person<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    id: Uuid,
) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id((tenant.to_string(), id))
        .one(db)
        .await
}

/// Creates or replaces a person in one statement: an upsert that keeps `created_at`, bumps
/// the revision and undoes an earlier purge. The returned revision tells which it was (a
/// replaced row is at 2 or more). On PostgreSQL the upsert locks the row like `FOR UPDATE`.
pub async fn put_person(
    txn: &DatabaseTransaction,
    tenant: &str,
    w: &PersonWrite<'_>,
) -> Result<Written, DbErr> {
    use person::Column as P;
    let now = Utc::now();
    let p = w.parsed;
    let row = person::ActiveModel {
        tenant: Set(tenant.to_string()),
        person_id: Set(p.id),
        display_name: Set(Some(p.display_name.clone())),
        primary_code: Set(Some(p.primary_code.clone())),
        mail: Set(Some(p.mail.clone())),
        document: Set(Some(text(&p.document))),
        raw: Set(Some(w.raw.to_string())),
        revision: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        purged_at: Set(None),
    };
    let mut upsert = person::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([P::Tenant, P::PersonId])
                .update_columns([
                    P::DisplayName,
                    P::PrimaryCode,
                    P::Mail,
                    P::Document,
                    P::Raw,
                    P::UpdatedAt,
                    P::PurgedAt,
                ])
                .value(P::Revision, Expr::col((person::Entity, P::Revision)).add(1))
                .to_owned(),
        )
        .into_query();
    upsert.returning_col(P::Revision);
    let revision: i64 = txn
        .query_one(&upsert)
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?
        .try_get("", "revision")?;
    Ok(if revision == 1 {
        Written::Created
    } else {
        Written::Replaced
    })
}

/// Whether anything still needs this person's data: a live association (any offering), an
/// enrolment whose exam took place (its result must still be delivered), or an active group
/// membership.
async fn person_needed(
    txn: &DatabaseTransaction,
    tenant: &str,
    person_id: Uuid,
) -> Result<bool, DbErr> {
    let associations = association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::PersonId.eq(person_id))
        .filter(
            association::Column::State
                .ne("canceled")
                .or(association::Column::ExamTakenAt.is_not_null()),
        )
        .count(txn)
        .await?;
    if associations > 0 {
        return Ok(true);
    }
    // An assessor of an exam that took place (judged, signed or final) is named on its record,
    // and one who has yet to sign still needs a sign-in link.
    let taken = sea_orm::sea_query::Query::select()
        .column(exam_case::Column::CaseId)
        .from(exam_case::Entity)
        .and_where(exam_case::Column::Tenant.eq(tenant))
        .and_where(exam_case::Column::State.is_in([
            crate::case::CaseState::Assessed,
            crate::case::CaseState::Signed,
            crate::case::CaseState::Final,
        ]))
        .to_owned();
    let assessed = case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::PersonId.eq(person_id))
        .filter(case_assessor::Column::CaseId.in_subquery(taken))
        .count(txn)
        .await?;
    if assessed > 0 {
        return Ok(true);
    }
    let signed = signature::Entity::find()
        .filter(signature::Column::Tenant.eq(tenant))
        .filter(signature::Column::PersonId.eq(person_id))
        .count(txn)
        .await?;
    if signed > 0 {
        return Ok(true);
    }
    let memberships = group_member::Entity::find()
        .filter(group_member::Column::Tenant.eq(tenant))
        .filter(group_member::Column::PersonId.eq(person_id))
        .filter(group_member::Column::State.eq("active"))
        .count(txn)
        .await?;
    Ok(memberships > 0)
}

/// Removes a person's personal data once nothing needs it any more (OKE: a cancellation
/// removes the personal data of those involved). The id stays, so late pushes still link.
pub async fn purge_person_if_unneeded(
    txn: &DatabaseTransaction,
    tenant: &str,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // Locking the person first serialises two cancellations that share this person, so the
    // second one sees the first's result and neither leaves data that nothing needs.
    if person::Entity::find_by_id((tenant.to_string(), person_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .is_none()
    {
        return Ok(());
    }
    if person_needed(txn, tenant, person_id).await? {
        return Ok(());
    }
    let purged = person::Entity::update_many()
        .col_expr(
            person::Column::DisplayName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            person::Column::PrimaryCode,
            Expr::value(Option::<String>::None),
        )
        .col_expr(person::Column::Mail, Expr::value(Option::<String>::None))
        .col_expr(
            person::Column::Document,
            Expr::value(Option::<String>::None),
        )
        .col_expr(person::Column::Raw, Expr::value(Option::<String>::None))
        .col_expr(person::Column::PurgedAt, Expr::value(Some(now)))
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .filter(person::Column::Tenant.eq(tenant))
        .filter(person::Column::PersonId.eq(person_id))
        .filter(person::Column::PurgedAt.is_null())
        .exec(txn)
        .await?;
    if purged.rows_affected > 0 {
        // Nobody is signed in as a person whose data is gone, nor signs in later by a link
        // mailed before.
        entity::session::Entity::delete_many()
            .filter(entity::session::Column::Tenant.eq(tenant))
            .filter(entity::session::Column::PersonId.eq(person_id))
            .exec(txn)
            .await?;
        entity::sign_in_link::Entity::delete_many()
            .filter(entity::sign_in_link::Column::Tenant.eq(tenant))
            .filter(entity::sign_in_link::Column::PersonId.eq(person_id))
            .exec(txn)
            .await?;
        tracing::info!(%person_id, "personal data purged after cancellation");
    }
    Ok(())
}
