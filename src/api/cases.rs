//! Exam cases for the people involved: list and read what your role lets you see, and take
//! the lifecycle steps your role allows.

use super::{json_body, signed_in, Me};
use crate::assessment::corrections::{self, CorrectionInput};
use crate::assessment::sheets::{self, ScoreInput, Sheet, SheetError, SheetUpdate};
use crate::assessment::signing::{self, SignError, Signer};
use crate::audit::{self, Actor};
use crate::http::path_uuid;
use crate::http::ApiError;
use crate::http::AppState;
use crate::planning::{self, Place, Plan, PlanError, Planner};
use crate::tenant::Tenant;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Utc};
use entity::{association, case_assessor, exam_case, person};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use uuid::Uuid;

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::NotFound(id) => ApiError::NotFound(format!("No exam case {id}")),
            PlanError::Stale { current, .. } => ApiError::Conflict {
                detail: e.to_string(),
                current_revision: current,
            },
            PlanError::Invalid(m) => ApiError::BadRequest(m),
            PlanError::Db(e) => e.into(),
        }
    }
}

impl From<SheetError> for ApiError {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::NotFound(id) => ApiError::NotFound(format!("No exam case {id}")),
            SheetError::Stale { current, .. } => ApiError::Conflict {
                detail: e.to_string(),
                current_revision: current,
            },
            SheetError::Invalid(m) => ApiError::BadRequest(m),
            SheetError::Db(e) => e.into(),
        }
    }
}

impl From<SignError> for ApiError {
    fn from(e: SignError) -> Self {
        match e {
            SignError::NotFound(id) => ApiError::NotFound(format!("No exam case {id}")),
            SignError::Invalid(m) => ApiError::BadRequest(m),
            SignError::Db(e) => e.into(),
        }
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

/// How the signed-in person stands to a case.
pub(super) struct Relation {
    pub candidate: bool,
    pub planned_assessor: bool,
    pub enrolled_assessor: bool,
}

async fn relation(
    db: &DatabaseConnection,
    tenant: &str,
    me: &Me,
    c: &exam_case::Model,
) -> Result<Relation, ApiError> {
    let planned_assessor = planning::assessors_of(db, tenant, c.case_id)
        .await?
        .contains(&me.person_id);
    let enrolled_assessor = association::Entity::find()
        .filter(association::Column::Tenant.eq(tenant))
        .filter(association::Column::OfferingId.eq(c.offering_id))
        .filter(association::Column::PersonId.eq(me.person_id))
        .filter(association::Column::Role.eq("assessor"))
        .filter(association::Column::State.eq("associated"))
        .one(db)
        .await?
        .is_some();
    Ok(Relation {
        candidate: c.person_id == me.person_id,
        planned_assessor,
        enrolled_assessor,
    })
}

/// The case, if this person may see it at all (else 404: no hint that it exists).
pub(super) async fn visible_case(
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
    if me.staff() || r.candidate || r.planned_assessor || r.enrolled_assessor {
        Ok((c, r))
    } else {
        Err(ApiError::NotFound(format!("No exam case {case_id}")))
    }
}

/// The signed-in person (`write` demands the CSRF token) and the case named by the path's
/// `id`, if they may see it.
pub(super) async fn case_in_path<'a>(
    state: &'a AppState,
    req: &HttpRequest,
    write: bool,
) -> Result<(&'a Tenant, Me, exam_case::Model, Relation), ApiError> {
    let (tenant, me) = signed_in(state, req, write).await?;
    let id = path_uuid(req, "id")?;
    let (c, r) = visible_case(state, &tenant.settings.slug, &me, id).await?;
    Ok((tenant, me, c, r))
}

pub(super) fn forbidden(detail: &str) -> ApiError {
    ApiError::Forbidden {
        detail: detail.into(),
        scope: String::new(),
    }
}

/// A person as the API names them.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonRef {
    person_id: Uuid,
    display_name: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExamRef {
    component_id: Uuid,
    code: String,
    name: String,
    /// The OKE result value type (`pass-or-fail`, `0.0-10.0`, ...).
    result_value_type: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaceView {
    /// `workplace` or `school`.
    kind: String,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessorView {
    #[serde(flatten)]
    person: PersonRef,
    position: i32,
    /// `enrolled` (by the SIS) or `assigned` (by the exam office).
    source: String,
}

/// The result as it stands.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeView {
    /// The OKE attendance value.
    pub attendance: Option<String>,
    pub raw_score: Option<i32>,
    pub max_raw_score: Option<i32>,
    pub passed: Option<bool>,
    /// In the exam's result value type, as OKE writes it (a string).
    pub score: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionView {
    /// The version of the result this correction made (the signed judgement is version 1).
    version: i32,
    reason: String,
    corrected_at: DateTime<Utc>,
    corrected_by: PersonRef,
    /// The result before and after (state, attendance, rawScore, maxRawScore, passed, score).
    #[schema(value_type = Object)]
    before: Value,
    #[schema(value_type = Object)]
    after: Value,
}

/// An exam case as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    case_id: Uuid,
    /// received, planned, assessed, signed, final or canceled.
    state: String,
    /// Send it back with a change; a stale one gets 409.
    revision: i64,
    attempt: i32,
    offering_id: Uuid,
    candidate: PersonRef,
    exam: Option<ExamRef>,
    model_version: Option<i32>,
    planned_start: Option<DateTime<Utc>>,
    planned_end: Option<DateTime<Utc>>,
    place: Option<PlaceView>,
    assessors: Vec<AssessorView>,
    /// Absent until judged; a candidate sees it once the exam is signed.
    outcome: Option<OutcomeView>,
    corrections: Vec<CorrectionView>,
    /// For the exam's planned assessors and the exam office (the latter not in the list):
    /// what the identity check compares with, and the personal needs the SIS sent.
    candidate_details: Option<CandidateDetails>,
    signatures: Vec<SignatureView>,
    /// For planning (exam office and assessors; for the office not in the list): the
    /// assessors the SIS enrolled on the offering.
    assessor_options: Vec<PersonRef>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CandidateDetails {
    /// The name exactly as on the identity document (or `secret` / `notAvailable`).
    id_check_name: Option<String>,
    /// Personal needs (codes such as `ExtraTimeOnlyMath25%`, with a description where the
    /// SIS gave one).
    personal_needs: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureView {
    /// `assessor` or `candidate`.
    role: String,
    person_id: Uuid,
    signed_at: DateTime<Utc>,
    /// The candidate refused to acknowledge (the reason is in the audit trail).
    refused: bool,
}

/// What the assessors check the candidate against: the SIS's idCheckName and needs.
async fn candidate_details(
    db: &DatabaseConnection,
    tenant: &str,
    c: &exam_case::Model,
) -> Result<CandidateDetails, ApiError> {
    let facts = crate::planning::candidate_facts(db, tenant, c).await?;
    Ok(CandidateDetails {
        id_check_name: facts.id_check_name,
        personal_needs: facts.personal_needs,
    })
}

async fn person_ref(
    db: &DatabaseConnection,
    tenant: &str,
    id: Uuid,
) -> Result<PersonRef, ApiError> {
    Ok(PersonRef {
        person_id: id,
        display_name: person::Entity::find_by_id((tenant.to_string(), id))
            .one(db)
            .await?
            .and_then(|p| p.display_name),
    })
}

/// A case as the API shows it. A candidate sees the outcome once the exam is signed.
async fn view(
    state: &AppState,
    tenant: &str,
    c: &exam_case::Model,
    r: &Relation,
    me: &Me,
) -> Result<CaseView, ApiError> {
    view_with(state, tenant, c, r, me, true).await
}

/// `full`: with the candidate details and the assessor options. The exam office's list of
/// every exam of the school leaves them out (they come with the exam itself).
async fn view_with(
    state: &AppState,
    tenant: &str,
    c: &exam_case::Model,
    r: &Relation,
    me: &Me,
    full: bool,
) -> Result<CaseView, ApiError> {
    let db = &state.db;
    let exam = c.component_id.and_then(|id| state.catalog.get(id));
    let mut assessors = Vec::new();
    for a in case_assessor::Entity::find()
        .filter(case_assessor::Column::Tenant.eq(tenant))
        .filter(case_assessor::Column::CaseId.eq(c.case_id))
        .order_by_asc(case_assessor::Column::Position)
        .all(db)
        .await?
    {
        assessors.push(AssessorView {
            person: person_ref(db, tenant, a.person_id).await?,
            position: a.position,
            source: a.source,
        });
    }
    let outcome_visible = me.staff()
        || r.planned_assessor
        || (r.candidate && matches!(c.state.as_str(), "signed" | "final"));
    let outcome = (outcome_visible && c.attendance.is_some()).then(|| OutcomeView {
        attendance: c.attendance.clone(),
        raw_score: c.raw_score,
        max_raw_score: c.max_raw_score,
        passed: c.passed,
        score: c.score.clone(),
    });
    let mut corrections = Vec::new();
    if outcome.is_some() {
        for k in corrections::corrections(db, tenant, c.case_id).await? {
            let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap_or(Value::Null);
            corrections.push(CorrectionView {
                version: k.version + 1,
                before: parse(&k.before),
                after: parse(&k.after),
                reason: k.reason,
                corrected_at: k.corrected_at,
                corrected_by: person_ref(db, tenant, k.corrected_by).await?,
            });
        }
    }
    // What the identity check compares with and the candidate's needs: for the exam's own
    // assessors and the exam office, not for every assessor enrolled on the offering.
    let candidate_details = if (full && me.staff()) || r.planned_assessor {
        Some(candidate_details(db, tenant, c).await?)
    } else {
        None
    };
    let mut assessor_options = Vec::new();
    if full && (me.staff() || r.planned_assessor || r.enrolled_assessor) {
        for a in association::Entity::find()
            .filter(association::Column::Tenant.eq(tenant))
            .filter(association::Column::OfferingId.eq(c.offering_id))
            .filter(association::Column::Role.eq("assessor"))
            .filter(association::Column::State.eq("associated"))
            .all(db)
            .await?
        {
            assessor_options.push(person_ref(db, tenant, a.person_id).await?);
        }
    }
    let signatures = signing::signatures(db, tenant, c.case_id)
        .await?
        .into_iter()
        .map(|s| SignatureView {
            refused: s.refusal.is_some(),
            role: s.role,
            person_id: s.person_id,
            signed_at: s.signed_at,
        })
        .collect();
    Ok(CaseView {
        assessor_options,
        candidate_details,
        signatures,
        case_id: c.case_id,
        state: c.state.clone(),
        revision: c.revision,
        attempt: c.attempt,
        offering_id: c.offering_id,
        candidate: person_ref(db, tenant, c.person_id).await?,
        exam: exam.map(|e| ExamRef {
            component_id: e.id,
            code: e.code.clone(),
            name: e.name.clone(),
            result_value_type: e.result_value_type.as_str().to_string(),
        }),
        model_version: c.model_version,
        planned_start: c.planned_start,
        planned_end: c.planned_end,
        place: c.place_kind.as_ref().map(|k| PlaceView {
            kind: k.clone(),
            name: c.place_name.clone(),
            address: c.place_address.clone(),
        }),
        assessors,
        outcome,
        corrections,
    })
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases",
    tag = "cases",
    summary = "The exam cases you are part of (all of them for the exam office and committee)",
    params(("slug" = String, Path, description = "the school")),
    responses((status = 200, description = "the cases", body = CaseList), CaseErrors)
)]
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let all = planning::cases(&state.db, slug, None).await?;
    let mine: Vec<exam_case::Model> = if me.staff() {
        all
    } else {
        let planned: BTreeSet<Uuid> = case_assessor::Entity::find()
            .filter(case_assessor::Column::Tenant.eq(slug))
            .filter(case_assessor::Column::PersonId.eq(me.person_id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|a| a.case_id)
            .collect();
        let enrolled: BTreeSet<Uuid> = association::Entity::find()
            .filter(association::Column::Tenant.eq(slug))
            .filter(association::Column::PersonId.eq(me.person_id))
            .filter(association::Column::Role.eq("assessor"))
            .filter(association::Column::State.eq("associated"))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|a| a.offering_id)
            .collect();
        all.into_iter()
            .filter(|c| {
                c.person_id == me.person_id
                    || planned.contains(&c.case_id)
                    || enrolled.contains(&c.offering_id)
            })
            .collect()
    };
    let mut items = Vec::with_capacity(mine.len());
    for c in &mine {
        let r = relation(&state.db, slug, &me, c).await?;
        items.push(view_with(&state, slug, c, &r, &me, !me.staff()).await?);
    }
    Ok(HttpResponse::Ok().json(CaseList { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseList {
    items: Vec<CaseView>,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}",
    tag = "cases",
    summary = "One exam case",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me, c, r) = case_in_path(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    Ok(HttpResponse::Ok().json(view(&state, slug, &c, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanBody {
    revision: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    place: PlaceBody,
    assessors: Vec<Uuid>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "camelCase")]
pub enum PlaceBody {
    Workplace { name: String, address: String },
    School { location: String },
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/plan",
    tag = "cases",
    summary = "Plan or re-plan: date, time, place, assessors",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = PlanBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn plan(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: PlanBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !(me.exam_office || r.enrolled_assessor || r.planned_assessor) {
        return Err(forbidden(
            "only the exam office and the exam's assessors plan it",
        ));
    }
    let place = match body.place {
        PlaceBody::Workplace { name, address } => Place::Workplace { name, address },
        PlaceBody::School { location } => Place::School { location },
    };
    let p = Plan {
        start: body.start,
        end: body.end,
        place,
        assessors: body.assessors,
    };
    let by = Planner {
        actor: Actor::Person(me.person_id),
        may_assign: me.exam_office,
    };
    let planned = planning::plan(
        &state.db,
        &state.catalog,
        slug,
        c.case_id,
        body.revision,
        &p,
        &by,
    )
    .await?;
    state.delivery.doorbell.ring();
    let r = relation(&state.db, slug, &me, &planned).await?;
    Ok(HttpResponse::Ok().json(view(&state, slug, &planned, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CancelBody {
    revision: i64,
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/cancel",
    tag = "cases",
    summary = "Cancel an exam not yet assessed (exam office)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = CancelBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CancelBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office cancels an exam"));
    }
    let canceled = planning::cancel(
        &state.db,
        slug,
        c.case_id,
        body.revision,
        &body.reason,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view(&state, slug, &canceled, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtraAttemptBody {
    /// The case revision you saw.
    revision: i64,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/extra-attempt",
    tag = "cases",
    summary = "Plan an extra attempt after a result that did not pass (exam office), within the SIS's attemptLeft; its result goes to the SIS as a new association",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case that did not pass")),
    request_body = ExtraAttemptBody,
    responses((status = 201, description = "the new exam case, to plan", body = CaseView), CaseErrors)
)]
pub async fn extra_attempt(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: ExtraAttemptBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office plans an extra attempt"));
    }
    let created = planning::plan_extra_attempt(
        &state.db,
        slug,
        c.case_id,
        body.revision,
        &Actor::Person(me.person_id),
    )
    .await?;
    state.delivery.doorbell.ring();
    Ok(HttpResponse::Created().json(view(&state, slug, &created, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CorrectionBody {
    /// The case revision you corrected.
    revision: i64,
    /// The OKE attendance value that stands.
    attendance: String,
    /// Every criterion again, as it stands after the correction (none when not present).
    #[serde(default)]
    scores: Vec<ScoreBody>,
    /// Why: it is kept with the correction and shown to everyone who sees the result.
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/corrections",
    tag = "cases",
    summary = "Correct the result of a signed exam (exam office): a new version, with a reason",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = CorrectionBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn correct(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CorrectionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.exam_office {
        return Err(forbidden("only the exam office corrects a signed exam"));
    }
    let input = CorrectionInput {
        attendance: body.attendance,
        scores: body.scores.into_iter().map(ScoreInput::from).collect(),
        reason: body.reason,
    };
    let corrected = corrections::correct(
        &state.db,
        &state.catalog,
        tenant,
        c.case_id,
        body.revision,
        &input,
        me.person_id,
    )
    .await?;
    crate::report::after_change(&state.db, &state.catalog, &tenant.settings, c.case_id).await;
    state.delivery.doorbell.ring();
    Ok(HttpResponse::Ok().json(view(&state, slug, &corrected, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SheetBody {
    revision: i64,
    attendance: Option<String>,
    identity_checked: Option<bool>,
    identity_method: Option<String>,
    irregularities: Option<String>,
    #[serde(default)]
    scores: Vec<ScoreBody>,
    /// When the exam began, by this device's clock (default: the first save that records
    /// the candidate present).
    started_at: Option<DateTime<Utc>>,
    /// When the exam ended, by this device's clock (default: when scoring was closed).
    ended_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScoreBody {
    pub criterion: String,
    pub level: u32,
    pub note: Option<String>,
}

impl From<ScoreBody> for ScoreInput {
    fn from(s: ScoreBody) -> Self {
        ScoreInput {
            criterion: s.criterion,
            level: s.level,
            note: s.note,
        }
    }
}

/// `PUT .../sheets/mine` (the assessor's own) or `.../sheets/joint`.
#[utoipa::path(
    put,
    path = "/api/{slug}/cases/{id}/sheets/{sheet}",
    tag = "cases",
    summary = "Save part of your score sheet (`mine`) or the joint judgement (`joint`)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case"), ("sheet" = String, Path, description = "`mine` or `joint`")),
    request_body = SheetBody,
    responses((status = 200, description = "saved; the sheet's new revision", body = SheetSaved), CaseErrors)
)]
pub async fn save_sheet(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SheetBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !r.planned_assessor {
        return Err(forbidden("only the exam's assessors score it"));
    }
    let sheet = match req.match_info().get("sheet") {
        Some("mine") => Sheet::Assessor(me.person_id),
        Some("joint") => Sheet::Joint,
        _ => return Err(ApiError::NotFound("sheets are `mine` or `joint`".into())),
    };
    let identity = match (body.identity_checked, body.identity_method) {
        (Some(checked), method) => Some((checked, method.unwrap_or_default())),
        (None, Some(_)) => {
            return Err(ApiError::bad(
                "identityChecked",
                "is needed with identityMethod",
            ))
        }
        (None, None) => None,
    };
    let update = SheetUpdate {
        attendance: body.attendance,
        identity,
        irregularities: body.irregularities,
        scores: body.scores.into_iter().map(ScoreInput::from).collect(),
        started_at: body.started_at,
        ended_at: body.ended_at,
    };
    let revision = sheets::save(
        &state.db,
        slug,
        c.case_id,
        sheet,
        body.revision,
        &update,
        &Actor::Person(me.person_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(SheetSaved { revision }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevisionBody {
    revision: i64,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/judge",
    tag = "cases",
    summary = "Close the scoring and compute the outcome",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = RevisionBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn judge(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: RevisionBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    if !r.planned_assessor {
        return Err(forbidden("only the exam's assessors judge it"));
    }
    let judged = sheets::judge(
        &state.db,
        &state.catalog,
        slug,
        c.case_id,
        body.revision,
        &Actor::Person(me.person_id),
    )
    .await?;
    state.delivery.doorbell.ring();
    Ok(HttpResponse::Ok().json(view(&state, slug, &judged, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignBody {
    /// `assessor` (yourself), `candidate` (the candidate's acknowledgement, drawn on this
    /// device), or `candidateRefused` (with a reason).
    role: String,
    /// The drawn signature, a base64 PNG.
    image: Option<String>,
    reason: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/cases/{id}/signatures",
    tag = "cases",
    summary = "Sign as assessor, acknowledge as candidate, or record a refusal",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    request_body = SignBody,
    responses((status = 200, description = "done; the case as it now stands", body = CaseView), CaseErrors)
)]
pub async fn sign(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: SignBody = json_body(&req, payload).await?;
    let (tenant, me, c, r) = case_in_path(&state, &req, true).await?;
    let slug = tenant.settings.slug.as_str();
    let image = || -> Result<Vec<u8>, ApiError> {
        let text = body
            .image
            .as_deref()
            .ok_or_else(|| ApiError::bad("image", "is mandatory (a base64 PNG)"))?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| ApiError::bad("image", "is not base64"))
    };
    let signer = match body.role.as_str() {
        "assessor" if r.planned_assessor => Signer::Assessor {
            person_id: me.person_id,
            image: image()?,
        },
        "candidate" if r.candidate || r.planned_assessor => Signer::Candidate { image: image()? },
        "candidateRefused" if r.planned_assessor => Signer::CandidateRefused {
            recorded_by: me.person_id,
            reason: body.reason.clone().unwrap_or_default(),
        },
        "assessor" | "candidate" | "candidateRefused" => {
            return Err(forbidden("you cannot sign this exam in that role"))
        }
        other => {
            return Err(ApiError::bad(
                "role",
                format!("{other:?} is not assessor, candidate or candidateRefused"),
            ))
        }
    };
    let account = format!(
        "{} ({})",
        me.display_name.clone().unwrap_or_default(),
        me.person_id
    );
    let signed = signing::sign(&state.db, slug, c.case_id, &signer, &account).await?;
    if signed.state == crate::planning::state::SIGNED {
        crate::report::after_change(&state.db, &state.catalog, &tenant.settings, c.case_id).await;
        state.delivery.doorbell.ring();
    }
    Ok(HttpResponse::Ok().json(view(&state, slug, &signed, &r, &me).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FinaliseBody {
    case_ids: Vec<Uuid>,
}

#[utoipa::path(
    post,
    path = "/api/{slug}/finalise",
    tag = "cases",
    summary = "Finalise signed exams (exam committee)",
    params(("slug" = String, Path, description = "the school")),
    request_body = FinaliseBody,
    responses((status = 200, description = "each case finalised, or why not", body = FinaliseAnswer), CaseErrors)
)]
pub async fn finalise(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: FinaliseBody = json_body(&req, payload).await?;
    let (tenant, me) = signed_in(&state, &req, true).await?;
    if !me.exam_committee {
        return Err(forbidden("only the exam committee finalises results"));
    }
    let results = signing::finalise(&state.db, tenant, &body.case_ids, me.person_id).await;
    state.delivery.doorbell.ring();
    let items = results
        .into_iter()
        .map(|(case_id, r)| match r {
            Ok(c) => Finalised {
                case_id,
                state: Some(c.state),
                error: None,
            },
            Err(e) => Finalised {
                case_id,
                state: None,
                error: Some(ApiError::from(e).to_string()),
            },
        })
        .collect();
    Ok(HttpResponse::Ok().json(FinaliseAnswer { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FinaliseAnswer {
    items: Vec<Finalised>,
}

/// One case of a finalise call: its new state, or why it was not finalised.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finalised {
    case_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    items: Vec<AuditEvent>,
}

/// One change to a case.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    at: DateTime<Utc>,
    /// The person id of who made the change, `sis` or `system`.
    actor: String,
    action: String,
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
    reason: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SheetSaved {
    /// The sheet's new revision: send it with the next save.
    revision: i64,
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/audit",
    tag = "cases",
    summary = "The audit trail of a case (exam office, committee)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "every change, oldest first", body = AuditTrail), CaseErrors)
)]
pub async fn audit(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (tenant, me) = signed_in(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    if !me.staff() {
        return Err(forbidden(
            "the audit trail is for the exam office and the exam committee",
        ));
    }
    let (c, _) = visible_case(&state, slug, &me, path_uuid(&req, "id")?).await?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    let items = audit::trail(&state.db, slug, c.case_id)
        .await?
        .into_iter()
        .map(|e| AuditEvent {
            at: e.at,
            actor: e.actor,
            action: e.action,
            before: parse(e.before),
            after: parse(e.after),
            reason: e.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditTrail { items }))
}
