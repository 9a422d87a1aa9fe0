//! The official documents of an exam (assessment form and proces-verbaal) as archival PDFs:
//! the exam record they show ([`record`]), the layout ([`layout`]), the PDF/A file
//! ([`pdfa`]), their content ([`documents`]), and their life cycle here: rendered once when
//! the exam is signed and again, as a new version, after each correction; stored with their
//! SHA-256 and never changed.

pub mod documents;
pub mod html;
pub mod layout;
pub mod pdfa;
pub mod record;

use crate::assessment::{corrections, sheets, signing};
use crate::case::CaseState;
use crate::catalog::{versions, Catalog};
use crate::config::TenantSettings;
use base64::Engine;
use chrono::{DateTime, Utc};
use entity::{assessment_sheet, case_assessor, document, exam_case, person};
use record::{
    Candidate, CorrectionRecord, CountersignRecord, DecisionRecord, ExamInfo, Named, Outcome,
    Place, Record, School, ScoreRecord, SheetRecord, SignatureRecord, SittingRecord,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Set, Statement,
};
use uuid::Uuid;

pub const ASSESSMENT_FORM: &str = "assessmentForm";
use crate::assessment::signing::FINALISED;
pub const SESSION_REPORT: &str = "sessionReport";

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Pdf(#[from] pdfa::PdfError),
    #[error("the exam's assessment model version {0} is missing")]
    ModelMissing(i32),
    #[error("rendering stopped: {0}")]
    Task(String),
}

async fn display_name(
    db: &DatabaseConnection,
    tenant: &str,
    id: Uuid,
) -> Result<Option<String>, DbErr> {
    Ok(person::Entity::find_by_id((tenant.to_string(), id))
        .one(db)
        .await?
        .and_then(|p| p.display_name))
}

async fn named(db: &DatabaseConnection, tenant: &str, id: Uuid) -> Result<Named, DbErr> {
    Ok(Named {
        person_id: id,
        display_name: display_name(db, tenant, id).await?,
    })
}

/// The evidence of an exam as the record lists it, with a thumbnail of each photo.
async fn evidence_records(
    db: &DatabaseConnection,
    tenant: &str,
    case: &exam_case::Model,
) -> Result<Vec<record::EvidenceRecord>, ReportError> {
    let store = crate::evidence::store_for(db);
    let mut out = Vec::new();
    for e in crate::evidence::of_case(db, tenant, case.case_id).await? {
        if e.state == "refused" {
            continue;
        }
        let received = e.state == "received";
        let thumbnail = if received {
            crate::evidence::thumbnail(store.as_ref(), tenant, &e)
                .await?
                .map(|png| base64::engine::general_purpose::STANDARD.encode(png))
        } else {
            None
        };
        out.push(record::EvidenceRecord {
            evidence_id: e.evidence_id,
            kind: e.kind,
            file_name: e.file_name,
            criterion: e.criterion,
            section: e.section,
            size: e.size,
            sha256: e.sha256,
            duration_ms: e.duration_ms,
            added_by: named(db, tenant, e.author).await?,
            captured_at: e.captured_at,
            received,
            thumbnail,
        });
    }
    Ok(out)
}

/// The record of a judged exam as it stands now, or `None` while it has no result.
pub async fn build_record(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    case: &exam_case::Model,
) -> Result<Option<Record>, ReportError> {
    let tenant = school.slug.as_str();
    let (Some(component), Some(version)) = (case.component_id, case.model_version) else {
        return Ok(None);
    };
    if case.attendance.is_none() {
        return Ok(None);
    }
    let model = versions::of_case(db, case)
        .await?
        .ok_or(ReportError::ModelMissing(version))?;
    let exam = catalog.get(component);
    let mut assessors = Vec::new();
    for a in case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::CaseId.eq(case.case_id))
        .order_by_asc(case_assessor::Column::Position)
        .all(db)
        .await?
    {
        assessors.push(named(db, tenant, a.person_id).await?);
    }
    let candidate_person = person::Entity::find_by_id((tenant.to_string(), case.person_id))
        .one(db)
        .await?;
    let facts = crate::planning::candidate_facts(db, tenant, case).await?;
    let stored = sheets::sheets(db, tenant, case.case_id).await?;
    let (mut starts, mut ends) = (Vec::new(), Vec::new());
    let mut sheet_records = Vec::new();
    for s in stored {
        if assessors
            .iter()
            .any(|a| a.person_id.to_string() == s.sheet.sheet)
        {
            starts.extend(s.sheet.started_at);
            ends.extend(s.sheet.ended_at);
        }
        sheet_records.push(sheet_record(s));
    }
    // Assessors first in planned order, then joint, then corrections.
    sheet_records.sort_by_key(|s| {
        assessors
            .iter()
            .position(|a| a.person_id.to_string() == s.sheet)
            .map_or((1, s.sheet.clone()), |i| (0, format!("{i:04}")))
    });
    let mut signatures = Vec::new();
    for s in signing::signatures(db, tenant, case.case_id).await? {
        signatures.push(SignatureRecord {
            display_name: display_name(db, tenant, s.person_id).await?,
            role: s.role,
            person_id: s.person_id,
            account: s.account,
            signed_at: s.signed_at,
            drawn_at: s.drawn_at,
            image: s
                .image
                .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
            refusal: s.refusal,
        });
    }
    signatures.sort_by(|a, b| {
        (a.role != "assessor", a.signed_at).cmp(&(b.role != "assessor", b.signed_at))
    });
    // Every correction and every decision of the committee is a version of the record, in
    // the order they happened.
    let mut correction_records = Vec::new();
    for k in corrections::corrections(db, tenant, case.case_id).await? {
        correction_records.push(CorrectionRecord {
            version: 0,
            reason: k.reason,
            corrected_at: k.corrected_at,
            corrected_by: named(db, tenant, k.corrected_by).await?,
            authority: k.authority,
        });
    }
    let trail = crate::audit::trail(db, tenant, case.case_id).await?;
    let mut joint_backers = Vec::new();
    for id in sheets::joint_backers(&trail) {
        joint_backers.push(named(db, tenant, id).await?);
    }
    let mut countersignatures = Vec::new();
    for (correction, by, at) in corrections::countersigns(&trail) {
        countersignatures.push(CountersignRecord {
            version: 0,
            correction_version: 0,
            correction,
            countersigned_at: at,
            countersigned_by: named(db, tenant, by).await?,
        });
    }
    let mut decisions = Vec::new();
    for e in &trail {
        if e.action != FINALISED {
            continue;
        }
        // Every decision is a version (render_missing counts them all), whoever recorded it.
        let decided_by = match e.actor.parse::<Uuid>() {
            Ok(by) => named(db, tenant, by).await?,
            Err(_) => Named {
                person_id: Uuid::nil(),
                display_name: Some(e.actor.clone()),
            },
        };
        decisions.push(DecisionRecord {
            version: 0,
            decided_at: e.at,
            decided_by,
        });
    }
    // The whole of an exam in parts made again after a part's correction: a version too.
    let mut recombined: Vec<(DateTime<Utc>, i32)> = trail
        .iter()
        .filter(|e| e.action == crate::assessment::parts::COMBINED)
        .skip(1)
        .map(|e| (e.at, 0))
        .collect();
    let mut changes: Vec<(DateTime<Utc>, &mut i32)> = correction_records
        .iter_mut()
        .map(|c| (c.corrected_at, &mut c.version))
        .chain(recombined.iter_mut().map(|(at, v)| (*at, v)))
        .chain(decisions.iter_mut().map(|d| (d.decided_at, &mut d.version)))
        .chain(
            countersignatures
                .iter_mut()
                .map(|c| (c.countersigned_at, &mut c.version)),
        )
        .collect();
    changes.sort_by_key(|(at, _)| *at);
    let mut version = 1;
    for (_, v) in changes {
        version += 1;
        *v = version;
    }
    // The version each countersigned correction made.
    for c in &mut countersignatures {
        c.correction_version = correction_records
            .get(usize::try_from(c.correction - 1).unwrap_or(usize::MAX))
            .map_or(0, |k| k.version);
    }
    let exam_leader = match case.exam_leader {
        Some(id) => Some(named(db, tenant, id).await?),
        None => None,
    };
    let mut record = Record {
        school: School {
            slug: school.slug.clone(),
            name: school.name.clone(),
        },
        case_id: case.case_id,
        attempt: case.attempt,
        version,
        exam: exam_info(
            exam,
            component,
            model
                .part_unit(&case.part)
                .filter(|_| !case.part.is_empty()),
        ),
        candidate: Candidate {
            person_id: case.person_id,
            display_name: candidate_person
                .as_ref()
                .and_then(|p| p.display_name.clone()),
            id_check_name: facts.id_check_name,
            student_number: candidate_person.and_then(|p| p.primary_code),
            personal_needs: facts.personal_needs,
        },
        planned_start: case.planned_start,
        planned_end: case.planned_end,
        actual_start: starts.into_iter().min(),
        actual_end: ends.into_iter().max().or(case.assessed_at),
        place: case.place_kind.as_ref().map(|k| Place {
            kind: k.clone(),
            name: case.place_name.clone(),
            address: case.place_address.clone(),
        }),
        assessors,
        model: model.as_ref().clone(),
        sheets: sheet_records,
        outcome: Outcome {
            attendance: case.attendance.clone(),
            raw_score: case.raw_score,
            max_raw_score: case.max_raw_score,
            passed: case.passed,
            score: case.score.clone(),
            failed_knock_outs: Vec::new(),
        },
        signatures,
        corrections: correction_records,
        signed_at: case.signed_at,
        decisions,
        countersignatures,
        exam_leader,
        joint_backers,
        finalised_in_proeve: school.finalise_in_proeve,
        appeal: school.appeal.clone(),
        sittings: Vec::new(),
        extract_of: None,
        evidence: evidence_records(db, tenant, case).await?,
    };
    if let Some(ids) = &case.sittings {
        with_sittings(db, catalog, school, &mut record, ids).await?;
    }
    record.outcome.failed_knock_outs = failed_knock_outs(&record);
    Ok(Some(record))
}

/// What the documents name as the exam: for the sitting of one part, that part (its code,
/// and its result type and pass-from value).
fn exam_info(
    exam: Option<&crate::catalog::Exam>,
    component: Uuid,
    unit: Option<&crate::catalog::ResultUnit>,
) -> ExamInfo {
    let name = exam.map_or_else(String::new, |e| e.name.clone());
    match unit {
        Some(u) => ExamInfo {
            code: u.code.clone(),
            name: format!("{name} — {}", u.name),
            result_value_type: u.result_value_type.as_str().to_string(),
            pass_from: u.pass_from.clone(),
        },
        None => ExamInfo {
            code: exam.map_or_else(|| component.to_string(), |e| e.code.clone()),
            name,
            result_value_type: exam
                .map_or_else(String::new, |e| e.result_value_type.as_str().to_string()),
            pass_from: exam.map_or_else(String::new, |e| e.pass_from.clone()),
        },
    }
}

/// The record of the whole of an exam taken per part: its result is made of its sittings'
/// (listed with their own), and it took place where and when the last of them did, with
/// their assessors.
async fn with_sittings(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    record: &mut Record,
    ids: &str,
) -> Result<(), ReportError> {
    let tenant = school.slug.as_str();
    for id in crate::planning::sittings::ids(ids) {
        let Some(sitting) = exam_case::Entity::find_by_id((tenant.to_string(), id))
            .one(db)
            .await?
        else {
            continue;
        };
        if sitting.sittings.is_some() {
            continue;
        }
        let Some(r) = Box::pin(build_record(db, catalog, school, &sitting)).await? else {
            continue;
        };
        let scores = r
            .deciding_sheet()
            .map(|s| s.scores.clone())
            .unwrap_or_default();
        let date = r.actual_end.or(r.actual_start).or(r.planned_start);
        if date >= record.actual_end {
            record.planned_start = r.planned_start;
            record.planned_end = r.planned_end;
            record.actual_start = r.actual_start;
            record.actual_end = r.actual_end;
            record.place = r.place.clone();
            record.assessors = r.assessors.clone();
        }
        record.sittings.push(SittingRecord {
            case_id: sitting.case_id,
            part: sitting.part.clone(),
            attempt: sitting.attempt,
            date,
            signed_at: r.signed_at,
            assessors: r.assessors,
            outcome: r.outcome,
            scores,
        });
    }
    Ok(())
}

fn sheet_record(s: sheets::StoredSheet) -> SheetRecord {
    let assessment_sheet::Model {
        sheet,
        attendance,
        identity_checked,
        identity_method,
        irregularities,
        motivation,
        times_reason,
        ..
    } = s.sheet;
    SheetRecord {
        sheet,
        attendance,
        identity_checked,
        identity_method,
        irregularities,
        motivation,
        times_reason,
        scores: s
            .scores
            .into_iter()
            .map(|(criterion, (level, note))| ScoreRecord {
                criterion,
                level,
                note,
            })
            .collect(),
    }
}

/// Knock-out criteria the deciding scores do not meet.
fn failed_knock_outs(r: &Record) -> Vec<String> {
    let Some(deciding) = r.deciding_scores() else {
        return Vec::new();
    };
    r.model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .filter(|c| c.knock_out)
        .filter(|c| {
            deciding
                .get(&c.code)
                .is_some_and(|l| *l < c.knock_out_min.unwrap_or(1))
        })
        .map(|c| c.code.clone())
        .collect()
}

/// The documents of a case, newest version first.
pub async fn documents_of(
    db: &DatabaseConnection,
    tenant: &str,
    case_id: Uuid,
) -> Result<Vec<document::Model>, DbErr> {
    document::Entity::find()
        .filter(document::Column::Tenant.eq(tenant))
        .filter(document::Column::CaseId.eq(case_id))
        .order_by_desc(document::Column::Version)
        .order_by_asc(document::Column::DocumentType)
        .all(db)
        .await
}

/// Makes sure a signed (or final) exam has both documents for the version of its result that
/// stands now, rendering them if not. Safe to call twice at once: the second insert loses on
/// the unique (case, version, type) index and the first one's documents stay.
pub async fn ensure_documents(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    case_id: Uuid,
) -> Result<Vec<document::Model>, ReportError> {
    let tenant = school.slug.as_str();
    let Some(case) = exam_case::Entity::find_by_id((tenant.to_string(), case_id))
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    // The whole of an exam taken per part has its overview of the parts, and the documents
    // of its sittings: each part's assessment form and proces-verbaal, as they stand.
    let Some(ids) = case.sittings.clone() else {
        return ensure_own(db, catalog, school, case).await;
    };
    let mut out = ensure_own(db, catalog, school, case).await?;
    if out.is_empty() {
        return Ok(Vec::new());
    }
    for id in crate::planning::sittings::ids(&ids) {
        let Some(sitting) = exam_case::Entity::find_by_id((tenant.to_string(), id))
            .one(db)
            .await?
            .filter(|s| s.sittings.is_none())
        else {
            continue;
        };
        let docs = ensure_own(db, catalog, school, sitting).await?;
        if docs.len() < 2 {
            return Ok(Vec::new());
        }
        out.extend(docs);
    }
    Ok(out)
}

/// The document type of a result unit's assessment form: the OKE type, with the unit.
pub fn unit_form_type(unit: Uuid) -> String {
    format!("{ASSESSMENT_FORM}:{unit}")
}

/// The result unit a document is the assessment form of, if it is one.
pub fn unit_of_form(document_type: &str) -> Option<Uuid> {
    document_type
        .strip_prefix(ASSESSMENT_FORM)?
        .strip_prefix(':')?
        .parse()
        .ok()
}

/// The result units the enrolments an exam answers are for (its own and those linked to
/// it), each once.
async fn units_enrolled(
    db: &DatabaseConnection,
    case: &exam_case::Model,
) -> Result<Vec<Uuid>, DbErr> {
    let mut offerings = vec![case.offering_id];
    offerings.extend(
        crate::planning::enrolments::of_case(db, &case.tenant, case.case_id)
            .await?
            .into_iter()
            .map(|l| l.offering_id),
    );
    let mut units = Vec::new();
    for o in entity::offering::Entity::find()
        .filter(entity::offering::Column::Tenant.eq(case.tenant.as_str()))
        .filter(entity::offering::Column::OfferingId.is_in(offerings))
        .all(db)
        .await?
    {
        if let Some(u) = o.unit_id.filter(|u| !units.contains(u)) {
            units.push(u);
        }
    }
    units.sort();
    Ok(units)
}

/// [`ensure_documents`] of an exam that has its own.
async fn ensure_own(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    case: exam_case::Model,
) -> Result<Vec<document::Model>, ReportError> {
    let tenant = school.slug.as_str();
    let case_id = case.case_id;
    if !matches!(case.state, CaseState::Signed | CaseState::Final) {
        return Ok(Vec::new());
    }
    // Evidence still on its way from a phone: the form will list it, with its thumbnail.
    if crate::evidence::waits_for_evidence(db, &case).await? {
        return Ok(Vec::new());
    }
    let Some(record) = build_record(db, catalog, school, &case).await? else {
        return Ok(Vec::new());
    };
    let version = record.version;
    // A result unit an enrolment of this exam is for (a core task, a part) gets its own
    // assessment form: its criteria and result, an extract of the exam's.
    let combined = case.sittings.is_some();
    let units = if case.part.is_empty() && !combined {
        units_enrolled(db, &case).await?
    } else {
        Vec::new()
    };
    // The whole of an exam in parts: its overview is its one document of its own.
    let expected = if combined { 1 } else { 2 + units.len() };
    let have: Vec<document::Model> = documents_of(db, tenant, case_id)
        .await?
        .into_iter()
        .filter(|d| d.version == Some(version))
        .collect();
    if have.len() >= expected {
        return Ok(have);
    }
    let (form_name, report_name) = documents::file_names(&record);
    let all = tokio::task::spawn_blocking(move || {
        if combined {
            let overview = documents::parts_overview(&record)?;
            return Ok::<_, pdfa::PdfError>(vec![(
                ASSESSMENT_FORM.to_string(),
                form_name,
                overview,
            )]);
        }
        let rendered = documents::render(&record)?;
        let unit_forms = documents::render_units(&record, &units, &rendered.form_sha256)?;
        let mut all = vec![
            (ASSESSMENT_FORM.to_string(), form_name, rendered.form),
            (SESSION_REPORT.to_string(), report_name, rendered.report),
        ];
        all.extend(
            unit_forms
                .into_iter()
                .map(|(unit, name, bytes)| (unit_form_type(unit), name, bytes)),
        );
        Ok(all)
    })
    .await
    .map_err(|e| ReportError::Task(e.to_string()))??;
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let mut out = Vec::new();
    for (kind, name, bytes) in all {
        let row = document::ActiveModel {
            tenant: Set(tenant.to_string()),
            document_id: Set(Uuid::new_v4()),
            document_type: Set(kind),
            file_name: Set(name),
            content_type: Set("application/pdf".into()),
            sha256: Set(documents::hex(&sha2::Digest::finalize(
                <sha2::Sha256 as sha2::Digest>::new_with_prefix(&bytes),
            ))),
            size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
            content: Set(bytes),
            created_at: Set(now),
            case_id: Set(Some(case_id)),
            version: Set(Some(version)),
        };
        match row.insert(&txn).await {
            Ok(m) => out.push(m),
            Err(e) if is_unique_violation(&e) => {
                txn.rollback().await?;
                return Ok(documents_of(db, tenant, case_id)
                    .await?
                    .into_iter()
                    .filter(|d| d.version == Some(version))
                    .collect());
            }
            Err(e) => return Err(e.into()),
        }
    }
    crate::audit::record(
        &txn,
        crate::audit::Change {
            tenant,
            case_id,
            actor: &crate::audit::Actor::System,
            action: "documents rendered",
            before: None,
            after: Some(serde_json::json!({
                "version": version,
                "documents": out.iter().map(|d| serde_json::json!({
                    "documentId": d.document_id, "documentType": d.document_type,
                    "sha256": d.sha256, "size": d.size,
                })).collect::<Vec<_>>(),
            })),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[derive(FromQueryResult)]
struct Missing {
    tenant: String,
    case_id: Uuid,
}

/// Renders what is missing: signed or final exams without documents for the result that
/// stands (a crash between signing and rendering, or a rendering that failed). Returns how
/// many exams got their documents.
pub async fn render_missing(
    db: &DatabaseConnection,
    catalog: &Catalog,
    tenants: &crate::tenant::Tenants,
) -> Result<usize, DbErr> {
    // A version for every correction and every event that makes one.
    let events = crate::assessment::corrections::VERSION_EVENTS
        .map(|a| format!("'{a}'"))
        .join(", ");
    let sql = format!(
        "SELECT c.tenant, c.case_id FROM exam_case c \
        WHERE c.state IN ('signed', 'final') AND c.sittings IS NULL AND NOT EXISTS ( \
          SELECT 1 FROM document d WHERE d.tenant = c.tenant AND d.case_id = c.case_id \
          AND d.version = 1 + (SELECT COUNT(*) FROM correction k \
                               WHERE k.tenant = c.tenant AND k.case_id = c.case_id) \
                            + (SELECT COUNT(*) FROM audit_event e \
                               WHERE e.tenant = c.tenant AND e.case_id = c.case_id \
                               AND e.action IN ({events}))) \
        ORDER BY c.tenant, c.case_id LIMIT 200"
    );
    let missing =
        Missing::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
            .all(db)
            .await?;
    let mut done = 0;
    for m in missing {
        let Some(t) = tenants.get(&m.tenant) else {
            continue;
        };
        match ensure_documents(db, catalog, &t.settings, m.case_id).await {
            Ok(d) if !d.is_empty() => done += 1,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(tenant = %m.tenant, case = %m.case_id, error = %e, "rendering the exam's documents failed")
            }
        }
    }
    Ok(done)
}

/// Renders after a change that needs new documents (handed to `case` as its renderer),
/// logging rather than failing: the change itself is stored, and [`render_missing`] catches
/// up on anything that did not render.
pub struct Renderer;

#[async_trait::async_trait]
impl crate::case::Render for Renderer {
    async fn render(
        &self,
        db: &DatabaseConnection,
        catalog: &Catalog,
        school: &TenantSettings,
        case_id: Uuid,
    ) {
        if let Err(e) = ensure_documents(db, catalog, school, case_id).await {
            tracing::error!(tenant = %school.slug, case = %case_id, error = %e, "rendering the exam's documents failed; will retry");
        }
    }
}
