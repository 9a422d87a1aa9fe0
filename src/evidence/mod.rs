//! Evidence on the exam record: the photo of the finished work, a clip of the interview, the
//! measurement report. An assessor adds it to an exam they assess — on a criterion, a section
//! or the exam as a whole — while it is being scored or signed. The phone declares it first
//! (its SHA-256, size and place, so the record knows it even while the bytes are still on
//! their way), then sends the bytes in stretches that resume after a cut ([`receive`]). The
//! bytes must be what the phone said they are: their type is read from the bytes themselves,
//! their hash must match. Once the exam is signed the evidence is frozen with the sheets; its
//! author may delete it until then. The documents of a signed exam wait for evidence still on
//! its way (at most [`WAIT`] after the signing), so the form lists everything with its hash.

pub mod store;
pub mod thumbnail;

use crate::audit::{self, Actor, Change};
use crate::case::{self, invalid, refuse, CaseError, CaseState, Ctx};
use chrono::{DateTime, Utc};
use entity::{evidence, exam_case};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
pub use store::{DbStore, Store};
use uuid::Uuid;

/// Where this server keeps the bytes of evidence: the one place that chooses the [`Store`].
pub fn store_for(db: &sea_orm::DatabaseConnection) -> std::sync::Arc<dyn Store> {
    std::sync::Arc::new(DbStore::new(db.clone()))
}

/// What an assessor can add.
pub const KINDS: [&str; 4] = ["photo", "video", "audio", "file"];

/// The most bytes one upload request carries (the phone sends 1 MiB at a time).
pub const MAX_CHUNK: usize = 4 * 1024 * 1024;

/// How long after the signing a signed exam's documents wait for evidence still on its way
/// (a phone that does not come back does not hold the result back for ever).
pub const WAIT: chrono::Duration = chrono::Duration::days(3);

pub const ADDED: &str = "evidence added";
pub const DELETED: &str = "evidence deleted";
pub const REFUSED: &str = "evidence refused";
pub const VIEWED: &str = "viewed evidence";

const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// What the phone says of a piece of evidence before its bytes.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub evidence_id: Uuid,
    pub criterion: Option<String>,
    pub section: Option<String>,
    pub kind: String,
    pub file_name: String,
    pub size: i64,
    pub sha256: String,
    pub duration_ms: Option<i32>,
    pub captured_at: DateTime<Utc>,
}

/// The evidence of a case that counts: everything but what its author deleted, in the order
/// it was captured.
pub async fn of_case<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<evidence::Model>, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::Tenant.eq(tenant))
        .filter(evidence::Column::CaseId.eq(case_id))
        .filter(evidence::Column::State.ne("deleted"))
        .order_by_asc(evidence::Column::CapturedAt)
        .order_by_asc(evidence::Column::EvidenceId)
        .all(db)
        .await
}

/// One piece of evidence of a case (deleted ones too: their trail stays).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    case_id: Uuid,
    evidence_id: Uuid,
) -> Result<Option<evidence::Model>, DbErr> {
    Ok(
        evidence::Entity::find_by_id((tenant.to_string(), evidence_id))
            .one(db)
            .await?
            .filter(|e| e.case_id == case_id),
    )
}

/// Whether a signed exam's documents still wait for evidence on its way.
pub async fn waits_for_evidence<C: ConnectionTrait>(
    db: &C,
    case: &exam_case::Model,
) -> Result<bool, DbErr> {
    if case.signed_at.is_some_and(|t| t + WAIT < Utc::now()) {
        return Ok(false);
    }
    Ok(evidence::Entity::find()
        .filter(evidence::Column::Tenant.eq(case.tenant.as_str()))
        .filter(evidence::Column::CaseId.eq(case.case_id))
        .filter(evidence::Column::State.eq("uploading"))
        .select_only()
        .column(evidence::Column::EvidenceId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .is_some())
}

/// Evidence is added and deleted while the exam is scored or signed, not after.
fn open_for_evidence(case: &exam_case::Model, step: &'static str) -> Result<(), CaseError> {
    if matches!(case.state, CaseState::Planned | CaseState::Assessed) {
        return Ok(());
    }
    refuse(
        "evidenceFrozen",
        json!({"state": case.state.as_str(), "step": step}),
        format!(
            "evidence of a {} exam cannot be changed: it is frozen with the signed record",
            case.state
        ),
    )
}

/// A file's name as people see it: its last part, without control characters.
fn file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "bestand".into()
    } else {
        clean.to_string()
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Records what the phone declares; the same declaration again (a retry) returns the same
/// evidence. Only an assessor of the exam adds evidence (the caller checks who may).
pub async fn declare(
    ctx: &Ctx<'_>,
    case: &exam_case::Model,
    author: Uuid,
    d: Declaration,
) -> Result<evidence::Model, CaseError> {
    let tenant = ctx.tenant();
    if let Some(existing) = evidence::Entity::find_by_id((tenant.to_string(), d.evidence_id))
        .one(ctx.db)
        .await?
    {
        if existing.case_id == case.case_id
            && existing.author == author
            && existing.sha256 == d.sha256
        {
            return Ok(existing);
        }
        return invalid("`id`: this evidence id is taken by other evidence");
    }
    open_for_evidence(case, "addEvidence")?;
    if !KINDS.contains(&d.kind.as_str()) {
        return invalid("`kind`: one of photo, video, audio, file");
    }
    if !is_sha256(&d.sha256) {
        return invalid("`sha256`: the file's SHA-256, 64 lower-case hexadecimal digits");
    }
    let limits = &ctx.school.evidence;
    if d.size < 1 {
        return invalid("`size`: an empty file is no evidence");
    }
    if d.size > limits.max_file_bytes() {
        return refuse(
            "evidenceTooLarge",
            json!({"maxMb": limits.max_file_mb}),
            format!("`size`: a file of at most {} MB", limits.max_file_mb),
        );
    }
    if d.duration_ms.is_some_and(|ms| ms < 0) {
        return invalid("`durationMs`: not negative");
    }
    if d.captured_at > Utc::now() + CLOCK_SKEW {
        return invalid("`capturedAt` is in the future");
    }
    if d.captured_at < case.created_at - CLOCK_SKEW {
        return invalid("`capturedAt` is before this exam was received from the SIS");
    }
    match (&d.criterion, &d.section) {
        (Some(_), Some(_)) => return invalid("`criterion` or `section`, not both"),
        (None, None) => {}
        (criterion, section) => {
            let model = crate::catalog::versions::of_case(ctx.db, case).await?;
            let found = model.is_some_and(|m| {
                m.sections.iter().any(|s| {
                    section.as_ref() == Some(&s.code)
                        || s.criteria
                            .iter()
                            .any(|c| criterion.as_ref() == Some(&c.code))
                })
            });
            if !found {
                return invalid(if criterion.is_some() {
                    "`criterion`: not a criterion of this exam"
                } else {
                    "`section`: not a section of this exam"
                });
            }
        }
    }
    let txn = crate::db::begin(ctx.db).await?;
    let locked = case::lock(&txn, tenant, case.case_id).await?;
    open_for_evidence(&locked, "addEvidence")?;
    let taken: i64 = of_case(&txn, tenant, case.case_id)
        .await?
        .iter()
        .filter(|e| e.state != "refused")
        .map(|e| e.size)
        .sum();
    if taken.saturating_add(d.size) > limits.max_exam_bytes() {
        return refuse(
            "evidenceTooLarge",
            json!({"maxMb": limits.max_exam_mb, "exam": true}),
            format!(
                "`size`: the evidence of one exam is at most {} MB together",
                limits.max_exam_mb
            ),
        );
    }
    let now = Utc::now();
    let row = evidence::ActiveModel {
        tenant: Set(tenant.to_string()),
        evidence_id: Set(d.evidence_id),
        case_id: Set(case.case_id),
        author: Set(author),
        criterion: Set(d.criterion),
        section: Set(d.section),
        kind: Set(d.kind),
        file_name: Set(file_name(&d.file_name)),
        size: Set(d.size),
        sha256: Set(d.sha256),
        duration_ms: Set(d.duration_ms),
        content_type: Set(None),
        received: Set(0),
        state: Set("uploading".into()),
        refusal: Set(None),
        captured_at: Set(d.captured_at),
        declared_at: Set(now),
        received_at: Set(None),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The type of a file, read from its first bytes.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|t| t.mime_type())
}

/// Whether bytes of this type are what a piece of evidence of `kind` may be.
pub fn fits(kind: &str, mime: &str) -> bool {
    const IMAGES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
    match kind {
        "photo" => IMAGES.contains(&mime),
        "video" => mime.starts_with("video/"),
        // A recording made in the browser is a WebM or MP4 container with sound only.
        "audio" => mime.starts_with("audio/") || ["video/webm", "video/mp4"].contains(&mime),
        "file" => mime == "application/pdf" || IMAGES.contains(&mime),
        _ => false,
    }
}

fn audit_change<'a>(
    tenant: &'a str,
    e: &evidence::Model,
    actor: &'a Actor,
    action: &'static str,
    reason: Option<&'a str>,
) -> Change<'a> {
    Change {
        tenant,
        case_id: e.case_id,
        actor,
        action,
        before: None,
        after: Some(json!({
            "evidenceId": e.evidence_id, "kind": e.kind, "fileName": e.file_name,
            "size": e.size, "sha256": e.sha256, "criterion": e.criterion, "section": e.section,
        })),
        reason,
    }
}

/// Refuses a piece of evidence whose bytes are not what was declared: its bytes go, the
/// trail says why.
async fn refuse_bytes(
    ctx: &Ctx<'_>,
    store: &dyn Store,
    e: evidence::Model,
    code: &'static str,
    params: serde_json::Value,
    detail: String,
) -> Result<evidence::Model, CaseError> {
    let tenant = ctx.tenant();
    store.discard(tenant, e.evidence_id).await?;
    let txn = crate::db::begin(ctx.db).await?;
    let mut row: evidence::ActiveModel = e.clone().into();
    row.state = Set("refused".into());
    row.refusal = Set(Some(detail.clone()));
    row.update(&txn).await?;
    let actor = Actor::System;
    audit::record(
        &txn,
        audit_change(tenant, &e, &actor, REFUSED, Some(&detail)),
    )
    .await?;
    txn.commit().await?;
    refuse(code, params, detail)
}

/// Receives a stretch of a piece of evidence's bytes at `position` (where the server's copy
/// ends: an upload cut off resumes there). With the last stretch the bytes are checked (type,
/// SHA-256) and stored by their hash. Returns the evidence as it now stands.
pub async fn receive(
    ctx: &Ctx<'_>,
    store: &dyn Store,
    case_id: Uuid,
    evidence_id: Uuid,
    author: Uuid,
    position: i64,
    bytes: Vec<u8>,
) -> Result<evidence::Model, CaseError> {
    let tenant = ctx.tenant();
    let e = get(ctx.db, tenant, case_id, evidence_id)
        .await?
        .ok_or(CaseError::NotFound(evidence_id))?;
    if e.author != author {
        return Err(CaseError::Forbidden(
            "only who added the evidence sends its bytes".into(),
        ));
    }
    match e.state.as_str() {
        "uploading" => {}
        "received" => return Ok(e),
        "refused" => {
            return refuse(
                "evidenceRefused",
                json!({}),
                e.refusal
                    .unwrap_or_else(|| "this evidence was refused".into()),
            )
        }
        _ => return Err(CaseError::NotFound(evidence_id)),
    }
    if position != e.received {
        return Err(CaseError::Stale {
            what: "the upload",
            expected: position,
            current: e.received,
        });
    }
    let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    if position.saturating_add(len) > e.size {
        return invalid(format!(
            "the file is {} bytes, as declared; these bytes go beyond it",
            e.size
        ));
    }
    if bytes.is_empty() && position < e.size {
        return invalid("no bytes");
    }
    if position == 0 {
        let head = &bytes[..bytes.len().min(8192)];
        if len < e.size.min(64) {
            return invalid("send at least the file's first 64 bytes at once");
        }
        let found = sniff(head);
        if !found.is_some_and(|m| fits(&e.kind, m)) {
            let kind = e.kind.clone();
            let found = found.unwrap_or("unknown");
            return refuse_bytes(
                ctx,
                store,
                e,
                "notThatType",
                json!({"kind": kind, "found": found}),
                format!("the bytes are not a {kind} that Proeve keeps (they are {found})"),
            )
            .await;
        }
    }
    if !bytes.is_empty() {
        store.write(tenant, evidence_id, position, bytes).await?;
    }
    let txn = crate::db::begin(ctx.db).await?;
    let now_row = evidence::Entity::find_by_id((tenant.to_string(), evidence_id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(CaseError::NotFound(evidence_id))?;
    if now_row.received != position || now_row.state != "uploading" {
        return Err(CaseError::Stale {
            what: "the upload",
            expected: position,
            current: now_row.received,
        });
    }
    let mut row: evidence::ActiveModel = now_row.into();
    row.received = Set(position + len);
    let e = row.update(&txn).await?;
    txn.commit().await?;
    if e.received < e.size {
        return Ok(e);
    }
    seal(ctx, store, e).await
}

/// The whole file arrived: checks its hash and type and keeps it by its hash.
async fn seal(
    ctx: &Ctx<'_>,
    store: &dyn Store,
    e: evidence::Model,
) -> Result<evidence::Model, CaseError> {
    let tenant = ctx.tenant();
    let mut hash = Sha256::new();
    let mut head = Vec::new();
    let mut at = 0;
    while let Some((pos, chunk)) = store.read_upload(tenant, e.evidence_id, at).await? {
        if pos != at {
            break;
        }
        if head.len() < 8192 {
            head.extend_from_slice(&chunk[..chunk.len().min(8192)]);
        }
        hash.update(&chunk);
        at = pos + i64::try_from(chunk.len()).unwrap_or(i64::MAX);
    }
    let sha256: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let content_type = sniff(&head).unwrap_or("application/octet-stream");
    if at == 0 && store.has(tenant, &e.sha256).await? {
        // Kept before, and the answer was lost: only the record is left to update.
    } else if at != e.size || sha256 != e.sha256 {
        let declared = e.sha256.clone();
        return refuse_bytes(
            ctx,
            store,
            e,
            "hashMismatch",
            json!({}),
            format!(
                "the bytes that arrived have SHA-256 {sha256}, not {declared} as declared: send the file again"
            ),
        )
        .await;
    } else {
        store
            .keep(tenant, e.evidence_id, &sha256, content_type, e.size)
            .await?;
    }
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, tenant, e.case_id).await?;
    let mut row: evidence::ActiveModel = e.clone().into();
    row.state = Set("received".into());
    row.content_type = Set(Some(content_type.to_string()));
    row.received_at = Set(Some(Utc::now()));
    let e = row.update(&txn).await?;
    let actor = Actor::Person(e.author);
    audit::record(&txn, audit_change(tenant, &e, &actor, ADDED, None)).await?;
    txn.commit().await?;
    // A signed exam's documents waited for this: they are rendered now, and the result goes.
    if matches!(case.state, CaseState::Signed | CaseState::Final) {
        case::render_documents(ctx, case.case_id).await;
        ctx.effects.queued();
    }
    Ok(e)
}

/// Deletes a piece of evidence: only its author, only before the exam is signed. Its bytes
/// go unless other evidence of the school has the same; the trail keeps what it was.
pub async fn delete(
    ctx: &Ctx<'_>,
    store: &dyn Store,
    case_id: Uuid,
    evidence_id: Uuid,
    author: Uuid,
) -> Result<(), CaseError> {
    let tenant = ctx.tenant();
    let txn = crate::db::begin(ctx.db).await?;
    let case = case::lock(&txn, tenant, case_id).await?;
    let Some(e) = get(&txn, tenant, case_id, evidence_id)
        .await?
        .filter(|e| e.state != "deleted")
    else {
        return Err(CaseError::NotFound(evidence_id));
    };
    if e.author != author {
        return Err(CaseError::Forbidden(
            "only who added the evidence deletes it".into(),
        ));
    }
    open_for_evidence(&case, "deleteEvidence")?;
    let mut row: evidence::ActiveModel = e.clone().into();
    row.state = Set("deleted".into());
    row.deleted_at = Set(Some(Utc::now()));
    row.update(&txn).await?;
    let actor = Actor::Person(author);
    audit::record(&txn, audit_change(tenant, &e, &actor, DELETED, None)).await?;
    let shared = evidence::Entity::find()
        .filter(evidence::Column::Tenant.eq(tenant))
        .filter(evidence::Column::Sha256.eq(e.sha256.as_str()))
        .filter(evidence::Column::State.eq("received"))
        .filter(evidence::Column::EvidenceId.ne(evidence_id))
        .one(&txn)
        .await?
        .is_some();
    txn.commit().await?;
    store.discard(tenant, evidence_id).await?;
    if e.state == "received" && !shared {
        store.forget(tenant, &e.sha256).await?;
    }
    Ok(())
}

/// The largest image a thumbnail is made of.
const MAX_THUMBNAIL_SOURCE: i64 = 25_000_000;

/// A PNG thumbnail of received evidence that is a photo or an image file.
pub async fn thumbnail(
    store: &dyn Store,
    tenant: &str,
    e: &evidence::Model,
) -> Result<Option<Vec<u8>>, DbErr> {
    let Some(content_type) = e.content_type.clone() else {
        return Ok(None);
    };
    if !content_type.starts_with("image/") || e.size > MAX_THUMBNAIL_SOURCE {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(e.size).unwrap_or(0));
    let mut at = 0;
    while let Some((pos, chunk)) = store.read(tenant, &e.sha256, at).await? {
        at = pos + i64::try_from(chunk.len()).unwrap_or(i64::MAX);
        bytes.extend_from_slice(&chunk);
    }
    Ok(
        tokio::task::spawn_blocking(move || thumbnail::of_image(&content_type, &bytes))
            .await
            .ok()
            .flatten(),
    )
}

/// Puts a view of a piece of evidence on the exam's trail.
pub async fn viewed<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    e: &evidence::Model,
    viewer: Uuid,
) -> Result<(), DbErr> {
    let actor = Actor::Person(viewer);
    audit::record(db, audit_change(tenant, e, &actor, VIEWED, None)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_the_bytes() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        assert_eq!(sniff(&jpeg), Some("image/jpeg"));
        assert!(fits("photo", "image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert!(fits("file", "application/pdf"));
        assert!(!fits("photo", "application/pdf"));
        assert_eq!(sniff(b"just some text, not an image at all"), None);
        assert!(fits("audio", "video/webm"));
        assert!(!fits("video", "image/png"));
    }

    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(file_name("C:\\Users\\x\\meting.pdf"), "meting.pdf");
        assert_eq!(file_name("/tmp/a/b.jpg"), "b.jpg");
        assert_eq!(file_name("  "), "bestand");
        assert_eq!(file_name("a\u{0}b.png"), "ab.png");
    }
}
