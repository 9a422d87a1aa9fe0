//! The flow 5 bodies (OKE-DIGEST §4.3): the complete result of one attempt, built from the
//! exam as it stands when the message is first sent. Attendance goes first (`in progress`),
//! the result when signed (`completed`), and again with `final: true` once the exam committee
//! finalised in Proeve, where the offering allows final results.
//!
//! To a SIS on the OKE 1.1 draft (`v11`) the association consumer also carries the planning
//! status (`planningState`) and the test moment (`testMomentEnrollmentDetails`), so it can
//! show the moment in the student's agenda: `pending` when the enrolment arrived and nobody
//! planned it yet, `associated` with the moment once planned or moved, `canceled` when the
//! exam is cancelled in Proeve (not when the SIS cancelled it: it knows), `finished` with the
//! moment and the attendance once the exam took place. The moment names its coordinator
//! (`coordinatorId`/`coordinatorCode`): the examenleider the exam office designated, else the
//! lead assessor. The 1.0.1 fields stay (extra consumer properties are valid, and the 1.1
//! draft is not final); every 1.1 consumer is checked against the draft's own schema.

use crate::case::CaseState;
use crate::catalog::{Catalog, ResultValueType};
use crate::config::TenantSettings;
use crate::report::{self, documents, record::Record, ReportError};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Amsterdam;
use entity::{association, exam_case, offering, person, sis_message};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{json, Map, Value};

pub const CONSUMER: &str = "nl-test-admin";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A message this SIS does not take (a planning status to a 1.0.1 SIS): skip it.
    #[error("not for this SIS")]
    NotForThisSis,
    /// Not (yet) possible, e.g. the exam's record is not complete: try again later.
    #[error("{0}")]
    NotYet(String),
    /// A body that can never be right: park it for a person.
    #[error("{0}")]
    Broken(String),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Amsterdam).format("%Y-%m-%d").to_string()
}

/// A date-time with the Dutch offset, as OKE's examples write it.
fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Amsterdam)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The name of the exam moment the result was obtained in (`executedOfferingName`).
fn executed_offering_name(offering: &offering::Model, r: &Record) -> String {
    let when = r
        .actual_start
        .or(r.planned_start)
        .map(|t| t.with_timezone(&Amsterdam).format("%d-%m-%Y").to_string());
    let place = r.place.as_ref().and_then(|p| p.name.clone());
    [Some(offering.name.clone()), when, place]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" — ")
}

/// The body for `msg`, checked against the official schema.
pub async fn build(
    db: &DatabaseConnection,
    catalog: &Catalog,
    school: &TenantSettings,
    msg: &sis_message::Model,
    v11: bool,
) -> Result<Value, BuildError> {
    let tenant = school.slug.as_str();
    let case = exam_case::Entity::find_by_id((tenant.to_string(), msg.case_id))
        .one(db)
        .await?
        .ok_or_else(|| BuildError::Broken(format!("exam case {} is gone", msg.case_id)))?;
    let enrolment = enrolment_of(db, &case, msg).await?;
    let offering = offering::Entity::find_by_id((tenant.to_string(), enrolment.offering_id))
        .one(db)
        .await?
        .ok_or_else(|| BuildError::Broken(format!("offering {} is gone", enrolment.offering_id)))?;
    if let Some(status) = planning_status(&msg.reason) {
        if !v11 {
            return Err(BuildError::NotForThisSis);
        }
        let mut consumer = Map::new();
        consumer.insert("planningState".into(), json!(status));
        if status == "associated" {
            let mut moment = planned_moment(&offering, &case);
            coordinator(db, &case, &mut moment).await?;
            consumer.insert("testMomentEnrollmentDetails".into(), Value::Object(moment));
        }
        return finish(msg, &case, &enrolment, consumer, None);
    }
    let record = report::build_record(db, catalog, school, &case)
        .await?
        .ok_or_else(|| BuildError::NotYet("the exam has no result yet".into()))?;
    let attendance_only = msg.reason == "attendance";
    let docs = if attendance_only {
        Vec::new()
    } else {
        let docs = report::ensure_documents(db, catalog, school, case.case_id).await?;
        if docs.len() < 2 {
            return Err(BuildError::NotYet(
                "the exam's documents are not rendered yet".into(),
            ));
        }
        docs
    };

    let mut result_consumer = Map::new();
    result_consumer.insert("consumerKey".into(), json!(CONSUMER));
    let attendance = case.attendance.clone().unwrap_or_else(|| "notKnown".into());
    result_consumer.insert("attendance".into(), json!(attendance));
    result_consumer.insert(
        "executedOfferingName".into(),
        json!(executed_offering_name(&offering, &record)),
    );
    if let Some(t) = record
        .actual_end
        .or(record.actual_start)
        .or(record.planned_start)
    {
        result_consumer.insert("testDate".into(), json!(date_time(t)));
    }
    let irregularities = documents::irregularities(&record);
    if !irregularities.is_empty() {
        result_consumer.insert("irregularities".into(), json!(irregularities.join("\n")));
    }

    let mut result = Map::new();
    if attendance_only {
        result.insert("state".into(), json!("in progress"));
    } else {
        result.insert("state".into(), json!("completed"));
        if attendance == "present" {
            // The whole exam's result, or, for a planbare toets of one result unit (a part,
            // a core task), that unit's, from its own criteria.
            let (passed, score, raw, max) = match offering.unit_id {
                None => (
                    case.passed,
                    case.score.clone(),
                    case.raw_score,
                    case.max_raw_score,
                ),
                Some(unit) => {
                    let r = record
                        .unit_results()
                        .into_iter()
                        .find(|r| r.unit_id == unit)
                        .ok_or_else(|| {
                            BuildError::Broken(format!(
                                "the planbare toets is for result unit {unit}, which model \
                                 version {} of this exam does not judge",
                                record.model.version
                            ))
                        })?;
                    (
                        Some(r.passed),
                        Some(r.score),
                        Some(i32::try_from(r.raw_score).unwrap_or(i32::MAX)),
                        Some(i32::try_from(r.max_raw_score).unwrap_or(i32::MAX)),
                    )
                }
            };
            if let Some(passed) = passed {
                result.insert(
                    "pass".into(),
                    json!(if passed { "passed" } else { "failed" }),
                );
            }
            if let Some(score) = &score {
                fits_offering(&offering, score)?;
                result.insert("score".into(), json!(score));
            }
            if let Some(raw) = raw {
                result_consumer.insert("rawScore".into(), json!(raw));
            }
            if let Some(max) = max {
                result_consumer.insert("maxRawScore".into(), json!(max));
            }
        }
        if let Some(first) = record.assessors.first() {
            result_consumer.insert("assessorId".into(), json!(first.person_id));
            if let Some(code) = primary_code(db, tenant, first.person_id).await? {
                result_consumer.insert("assessorCode".into(), json!(code));
            }
        }
        let is_final = case.state == CaseState::Final && offering.final_results_allowed;
        result_consumer.insert("final".into(), json!(is_final));
        // The result documents of the version that stands (for the whole of an exam taken
        // per part, of each sitting's). The proces-verbaal has no type of its own among a
        // result's documents (`sessionReport` belongs to flow 4): `other`.
        let standing = |d: &&entity::document::Model| {
            d.version
                == docs
                    .iter()
                    .filter(|o| o.case_id == d.case_id)
                    .filter_map(|o| o.version)
                    .max()
        };
        // A planbare toets of one result unit gets that unit's assessment form (where it has
        // one) instead of the exam's; the proces-verbaal of the performance goes with each.
        let unit_form = |d: &&entity::document::Model| report::unit_of_form(&d.document_type);
        let has_own = docs
            .iter()
            .any(|d| offering.unit_id.is_some() && unit_form(&d) == offering.unit_id);
        let mine = |d: &&entity::document::Model| match unit_form(d) {
            Some(u) => Some(u) == offering.unit_id,
            None => !(has_own && d.document_type == report::ASSESSMENT_FORM),
        };
        let list: Vec<Value> = docs
            .iter()
            .filter(standing)
            .filter(mine)
            .map(|d| {
                json!({
                    "documentId": d.document_id,
                    "documentType": if d.document_type.starts_with(report::ASSESSMENT_FORM) { "assessmentForm" } else { "other" },
                    "documentName": d.file_name,
                })
            })
            .collect();
        result_consumer.insert("documents".into(), Value::Array(list));
    }
    result.insert("resultDate".into(), json!(date(msg.created_at)));
    result.insert("weight".into(), json!(100));
    result.insert("consumers".into(), json!([]));

    let mut association_consumer = Map::new();
    if v11 {
        // The moment as the draft defines it: when it was planned to begin and end (the
        // actual times where it was never planned), where, and when it took place
        // (`testDateTime`).
        let mut moment = Map::new();
        for (k, t) in [
            (
                "startDateTime",
                record.planned_start.or(record.actual_start),
            ),
            ("endDateTime", record.planned_end.or(record.actual_end)),
        ] {
            if let Some(t) = t {
                moment.insert(k.into(), json!(date_time(t)));
            }
        }
        if let Some(room) = record.place.as_ref().and_then(|p| p.name.clone()) {
            moment.insert("roomName".into(), json!(room));
        }
        for k in ["executedOfferingName", "attendance", "irregularities"] {
            if let Some(v) = result_consumer.get(k) {
                moment.insert(k.into(), v.clone());
            }
        }
        if let Some(v) = result_consumer.get("testDate") {
            moment.insert("testDateTime".into(), v.clone());
        }
        coordinator(db, &case, &mut moment).await?;
        association_consumer.insert("planningState".into(), json!("finished"));
        association_consumer.insert("testMomentEnrollmentDetails".into(), Value::Object(moment));
    }
    // The result consumer goes in last, now that the 1.1 details have read from it.
    if let Some(Value::Array(list)) = result.get_mut("consumers") {
        list.clear();
        list.push(Value::Object(result_consumer));
    }
    finish(
        msg,
        &case,
        &enrolment,
        association_consumer,
        Some(Value::Object(result)),
    )
}

/// A score must be a value of the planbare toets's own `resultValueType` (OKE-DIGEST §4.3),
/// which may differ from the exam's: a result the SIS cannot store is parked with the reason.
fn fits_offering(offering: &offering::Model, score: &str) -> Result<(), BuildError> {
    let Some(wanted) = offering.result_value_type.as_deref() else {
        return Ok(());
    };
    match serde_json::from_value::<ResultValueType>(json!(wanted)) {
        Ok(t) if !t.allows(score) => Err(BuildError::Broken(format!(
            "the score {score:?} is not a value of the planbare toets's resultValueType {wanted:?}; \
             the exam gives another kind of result than the SIS asked for"
        ))),
        // A type Proeve does not know is the SIS's to judge.
        _ => Ok(()),
    }
}

/// The 1.1 draft's planning status a message of this reason carries on its own (without a
/// result); `None`: a result message (`finished`, with the result).
pub fn planning_status(reason: &str) -> Option<&'static str> {
    match reason {
        "pending" => Some("pending"),
        "planned" => Some("associated"),
        "canceled" => Some("canceled"),
        _ => None,
    }
}

/// Who coordinated the exam (1.1 draft `coordinatorId`/`coordinatorCode`): the examenleider
/// the exam office designated, else the lead assessor; the code is their `primaryCode`.
async fn coordinator(
    db: &DatabaseConnection,
    case: &exam_case::Model,
    moment: &mut Map<String, Value>,
) -> Result<(), BuildError> {
    let who = match case.exam_leader {
        Some(id) => Some(id),
        None => crate::planning::assessors_of(db, &case.tenant, case.case_id)
            .await?
            .first()
            .copied(),
    };
    let Some(who) = who else {
        return Ok(());
    };
    moment.insert("coordinatorId".into(), json!(who));
    if let Some(code) = primary_code(db, &case.tenant, who).await? {
        moment.insert("coordinatorCode".into(), json!(code));
    }
    Ok(())
}

/// A person's `primaryCode` as the SIS sent it (an assessor's or coordinator's code), if any.
async fn primary_code(
    db: &DatabaseConnection,
    tenant: &str,
    person_id: uuid::Uuid,
) -> Result<Option<String>, sea_orm::DbErr> {
    Ok(person::Entity::find_by_id((tenant.to_string(), person_id))
        .one(db)
        .await?
        .and_then(|p| p.primary_code)
        .filter(|c| !c.trim().is_empty()))
}

/// The planned moment, for a SIS's agenda (1.1 draft): begin, end, where.
fn planned_moment(offering: &offering::Model, case: &exam_case::Model) -> Map<String, Value> {
    let mut moment = Map::new();
    for (k, t) in [
        ("startDateTime", case.planned_start),
        ("endDateTime", case.planned_end),
    ] {
        if let Some(t) = t {
            moment.insert(k.into(), json!(date_time(t)));
        }
    }
    if let Some(room) = case.place_name.clone().filter(|n| !n.trim().is_empty()) {
        moment.insert("roomName".into(), json!(room));
    }
    moment.insert("executedOfferingName".into(), json!(offering.name));
    moment
}

/// The SIS enrolment a message answers: the case's own (or the association minted for an
/// extra attempt), or another enrolment linked to the case (one performance, several
/// enrolments), with its own attempt and planbare toets.
struct Enrolment {
    association_id: uuid::Uuid,
    attempt: i32,
    offering_id: uuid::Uuid,
}

async fn enrolment_of(
    db: &DatabaseConnection,
    case: &exam_case::Model,
    msg: &sis_message::Model,
) -> Result<Enrolment, BuildError> {
    if msg.association_id == case.association_id
        || Some(msg.association_id) == case.result_association_id
    {
        return Ok(Enrolment {
            association_id: case.association_id,
            attempt: case.attempt,
            offering_id: case.offering_id,
        });
    }
    let a = association::Entity::find_by_id((case.tenant.clone(), msg.association_id))
        .one(db)
        .await?
        .ok_or_else(|| BuildError::Broken(format!("enrolment {} is gone", msg.association_id)))?;
    Ok(Enrolment {
        association_id: a.association_id,
        attempt: a.attempt.unwrap_or(1),
        offering_id: a.offering_id,
    })
}

/// The envelope: the association consumer with the original enrolment and the attempt, the
/// result if any, and for a `PUT` the whole association; checked against the schema.
fn finish(
    msg: &sis_message::Model,
    case: &exam_case::Model,
    enrolment: &Enrolment,
    extra: Map<String, Value>,
    result: Option<Value>,
) -> Result<Value, BuildError> {
    let mut consumer = Map::new();
    consumer.insert("consumerKey".into(), json!(CONSUMER));
    consumer.insert("orgAssociationId".into(), json!(enrolment.association_id));
    // The attempt executed: the SIS's own for its enrolment, the next one for an extra attempt.
    consumer.insert("attempt".into(), json!(enrolment.attempt));
    consumer.extend(extra);
    let mut body = json!({
        "associationType": "componentOfferingAssociation",
        "consumers": [Value::Object(consumer)],
    });
    if let Some(result) = result {
        body["result"] = result;
    }
    if msg.method == "PUT" {
        body["associationId"] = json!(msg.association_id);
        body["role"] = json!("student");
        body["state"] = json!("associated");
        body["person"] = json!(case.person_id);
        body["offering"] = json!(case.offering_id);
    }
    super::schema::check(&msg.method, &body).map_err(BuildError::Broken)?;
    if body["consumers"][0].get("planningState").is_some() {
        super::schema::check_v11_consumer(&body["consumers"][0]).map_err(BuildError::Broken)?;
    }
    Ok(body)
}
