//! Signing and finalising. Every planned assessor signs the judged exam (a drawn signature,
//! the signed-in account and the time) and the candidate acknowledges it, or refuses with a
//! reason an assessor records. With every signature there, the exam is `signed` and its record
//! is frozen. Where the school finalises in Proeve, the exam committee then makes it `final`.

use super::sheets::CLOCK_SKEW;
use crate::audit::{self, Actor, Change};
use crate::case::{self, invalid, CaseError, CaseState, Ctx, Owed};
use chrono::{DateTime, Utc};
use entity::{exam_case, signature};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The audit action of the exam committee's decision.
pub const FINALISED: &str = "finalised";

/// Largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 256 * 1024;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

#[derive(Debug, Clone)]
pub enum Signer {
    Assessor {
        person_id: Uuid,
        image: Vec<u8>,
    },
    Candidate {
        image: Vec<u8>,
    },
    /// The candidate would not acknowledge; `recorded_by` is the assessor who says so.
    CandidateRefused {
        recorded_by: Uuid,
        reason: String,
    },
}

fn check_image(image: &[u8]) -> Result<String, CaseError> {
    if image.len() > MAX_SIGNATURE_BYTES || !image.starts_with(PNG_MAGIC) {
        return invalid(format!(
            "a signature is a PNG image of at most {} KiB",
            MAX_SIGNATURE_BYTES / 1024
        ));
    }
    Ok(Sha256::digest(image)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Records one signature; returns the case, `signed` once the last one is in. `account` is
/// the signed-in account making it; `drawn_at` when it was drawn on the device, by the
/// server's clock as the app measured it (an offline phone sends it later; the server's
/// receipt is `signed_at`).
pub async fn sign(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    signer: &Signer,
    account: &str,
    drawn_at: Option<DateTime<Utc>>,
) -> Result<exam_case::Model, CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, tenant, case_id).await?;
    if case.state != CaseState::Assessed {
        return case::wrong_state(
            case.state,
            "sign",
            format!("a {} exam cannot be signed", case.state),
        );
    }
    if let Some(t) = drawn_at {
        // A device clock the app could not correct yet, not a signature.
        if t > Utc::now() + CLOCK_SKEW {
            return invalid("`drawnAt` is in the future");
        }
        if t < case.created_at - CLOCK_SKEW {
            return invalid("`drawnAt` is before this exam was received from the SIS");
        }
    }
    let team = crate::planning::assessors_of(&txn, tenant, case_id).await?;
    let (role, person_id, image, refusal, action) = match signer {
        Signer::Assessor { person_id, image } => {
            if !team.contains(person_id) {
                return invalid("only the planned assessors sign this exam");
            }
            (
                "assessor",
                *person_id,
                Some(image.clone()),
                None,
                "signed by assessor",
            )
        }
        Signer::Candidate { image } => (
            "candidate",
            case.person_id,
            Some(image.clone()),
            None,
            "acknowledged by candidate",
        ),
        Signer::CandidateRefused {
            recorded_by,
            reason,
        } => {
            if !team.contains(recorded_by) {
                return invalid("only a planned assessor can record that the candidate refused");
            }
            if reason.trim().is_empty() {
                return invalid("say why the candidate did not acknowledge");
            }
            crate::case::check_text("reason", reason, crate::case::bounds::REASON)?;
            (
                "candidate",
                case.person_id,
                None,
                Some(reason.clone()),
                "candidate refused to acknowledge",
            )
        }
    };
    let image_sha256 = image.as_deref().map(check_image).transpose()?;
    let existing =
        signature::Entity::find_by_id((tenant.to_string(), case_id, role.to_string(), person_id))
            .one(&txn)
            .await?;
    if existing.is_some() {
        return invalid(format!(
            "the {role} has signed already; a signature is never replaced"
        ));
    }
    let now = Utc::now();
    signature::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case_id),
        role: Set(role.to_string()),
        person_id: Set(person_id),
        image: Set(image),
        image_sha256: Set(image_sha256.clone()),
        refusal: Set(refusal.clone()),
        account: Set(account.to_string()),
        signed_at: Set(now),
        drawn_at: Set(drawn_at),
    }
    .insert(&txn)
    .await?;
    let actor = match signer {
        Signer::CandidateRefused { recorded_by, .. } => Actor::Person(*recorded_by),
        _ => Actor::Person(person_id),
    };
    let after = json!({"role": role, "person": person_id, "account": account, "imageSha256": image_sha256, "refusal": refusal, "drawnAt": drawn_at});
    audit::record(
        &txn,
        Change {
            tenant,
            case_id,
            actor: &actor,
            action,
            before: None,
            after: Some(after),
            reason: None,
        },
    )
    .await?;

    let signatures = signature::Entity::find()
        .filter(signature::Column::Tenant.eq(tenant))
        .filter(signature::Column::CaseId.eq(case_id))
        .all(&txn)
        .await?;
    let assessors_signed = team.iter().all(|id| {
        signatures
            .iter()
            .any(|s| s.role == "assessor" && s.person_id == *id)
    });
    let candidate_done = signatures.iter().any(|s| s.role == "candidate");
    if !(assessors_signed && candidate_done) {
        txn.commit().await?;
        return Ok(case);
    }
    let row = exam_case::ActiveModel {
        tenant: Set(tenant.to_string()),
        case_id: Set(case_id),
        state: Set(CaseState::Signed),
        signed_at: Set(Some(now)),
        revision: Set(case.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let event = |signed: &exam_case::Model| Change {
        tenant,
        case_id,
        actor: &Actor::System,
        action: "signed",
        before: Some(json!({"state": case.state})),
        after: Some(json!({"state": signed.state})),
        reason: None,
    };
    // The sitting of a part may be the last a whole exam waited for: it gets its result too.
    let signed = exam_case::Model {
        state: CaseState::Signed,
        signed_at: Some(now),
        ..case.clone()
    };
    let wholes = super::parts::sitting_signed(&txn, ctx.catalog, &signed).await?;
    // The record is frozen: its documents are rendered, and the result goes to the SIS.
    let owed = Owed::message("signed").and_documents();
    let updated = case::commit_change(ctx, txn, row, event, owed).await?;
    // The wholes' overviews of their parts, before their results go.
    case::others_changed(ctx, &wholes).await;
    Ok(updated)
}

/// Finalises signed exams on behalf of the exam committee (vaststellen), each on its own:
/// one that cannot be finalised does not hold up the others.
pub async fn finalise(
    ctx: &Ctx<'_>,
    case_ids: &[Uuid],
    committee_member: Uuid,
) -> Vec<(Uuid, Result<exam_case::Model, CaseError>)> {
    let mut out = Vec::with_capacity(case_ids.len());
    for id in case_ids {
        out.push((*id, finalise_one(ctx, *id, committee_member).await));
    }
    out
}

async fn finalise_one(
    ctx: &Ctx<'_>,
    case_id: Uuid,
    committee_member: Uuid,
) -> Result<exam_case::Model, CaseError> {
    let slug = ctx.tenant();
    if !ctx.school.finalise_in_proeve {
        return invalid("this school finalises results in its SIS, not in Proeve");
    }
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, slug, case_id).await?;
    if case.state != CaseState::Signed {
        return invalid(format!(
            "a {} exam cannot be finalised; it must be signed",
            case.state
        ));
    }
    let now = Utc::now();
    let row = exam_case::ActiveModel {
        tenant: Set(slug.to_string()),
        case_id: Set(case_id),
        state: Set(CaseState::Final),
        finalised_at: Set(Some(now)),
        revision: Set(case.revision + 1),
        updated_at: Set(now),
        ..Default::default()
    };
    let member = Actor::Person(committee_member);
    let event = |done: &exam_case::Model| Change {
        tenant: slug,
        case_id,
        actor: &member,
        action: FINALISED,
        before: Some(json!({"state": case.state})),
        after: Some(json!({"state": done.state})),
        reason: None,
    };
    // The decision is on paper: a new version of the documents says who determined the
    // result, when, as the exam committee; the SIS gets them with the final result.
    let owed = Owed::message("finalised").and_documents();
    case::commit_change(ctx, txn, row, event, owed).await
}

/// The signatures of a case, for reading.
pub async fn signatures(
    db: &DatabaseConnection,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<signature::Model>, sea_orm::DbErr> {
    signature::Entity::find()
        .filter(signature::Column::Tenant.eq(tenant))
        .filter(signature::Column::CaseId.eq(case_id))
        .all(db)
        .await
}
