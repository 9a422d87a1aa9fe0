//! Assessment model versions kept in the database. At start-up every exam's current model is
//! recorded under its version; a model that changed while its version did not stops start-up
//! (a version that exams may be planned with never changes). Old versions stay loadable.

use super::{Catalog, CatalogError, Model};
use chrono::Utc;
use entity::assessment_model;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set, SqlErr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn fingerprint(model: &Model) -> Result<(String, String), CatalogError> {
    let json = serde_json::to_string(model)
        .map_err(|e| CatalogError(format!("cannot serialise a model: {e}")))?;
    let hash = Sha256::digest(json.as_bytes());
    let hex = hash.iter().map(|b| format!("{b:02x}")).collect();
    Ok((json, hex))
}

/// Records the current model version of every exam, or refuses a changed model whose
/// version was not raised.
pub async fn record(db: &DatabaseConnection, catalog: &Catalog) -> anyhow::Result<()> {
    for exam in &catalog.exams {
        let (json, hash) = fingerprint(&exam.model)?;
        let version = i32::try_from(exam.model.version)
            .map_err(|_| CatalogError(format!("{}: `model.version` is too large", exam.source)))?;
        let changed = |stored: &assessment_model::Model| {
            CatalogError(format!(
                "{}: the assessment model of {} differs from version {version} as first used \
                 (on {}); a version never changes once used: raise `model.version`",
                exam.source,
                exam.code,
                stored.created_at.format("%Y-%m-%d")
            ))
        };
        if let Some(stored) = assessment_model::Entity::find_by_id((exam.id, version))
            .one(db)
            .await?
        {
            if stored.sha256 != hash {
                return Err(changed(&stored).into());
            }
            continue;
        }
        let row = assessment_model::ActiveModel {
            component_id: Set(exam.id),
            version: Set(version),
            exam_code: Set(exam.code.clone()),
            model: Set(json),
            sha256: Set(hash.clone()),
            created_at: Set(Utc::now()),
        };
        match row.insert(db).await {
            Ok(_) => {
                tracing::info!(exam = %exam.code, version, "assessment model version recorded")
            }
            // Another instance starting at the same moment recorded it first.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                let stored = assessment_model::Entity::find_by_id((exam.id, version))
                    .one(db)
                    .await?
                    .ok_or(e)?;
                if stored.sha256 != hash {
                    return Err(changed(&stored).into());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A model version as it was recorded, also one the catalogue no longer has.
pub async fn load(
    db: &DatabaseConnection,
    component_id: Uuid,
    version: u32,
) -> Result<Option<std::sync::Arc<Model>>, DbErr> {
    load_in(db, component_id, version).await
}

/// Model versions read so far. A recorded version never changes (see [`record`]), so once
/// read it need not be read and parsed again (nor copied: it is shared): every save of a
/// score sheet needs its model.
type Loaded = std::sync::Mutex<std::collections::HashMap<(Uuid, u32), std::sync::Arc<Model>>>;

fn loaded() -> &'static Loaded {
    static LOADED: std::sync::OnceLock<Loaded> = std::sync::OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// [`load`] on any connection or transaction.
pub async fn load_in<C: sea_orm::ConnectionTrait>(
    db: &C,
    component_id: Uuid,
    version: u32,
) -> Result<Option<std::sync::Arc<Model>>, DbErr> {
    if let Some(m) = loaded()
        .lock()
        .ok()
        .and_then(|l| l.get(&(component_id, version)).cloned())
    {
        return Ok(Some(m));
    }
    let key = version;
    let Ok(version) = i32::try_from(version) else {
        return Ok(None);
    };
    let Some(row) = assessment_model::Entity::find_by_id((component_id, version))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let model: std::sync::Arc<Model> = serde_json::from_str(&row.model)
        .map_err(|e| {
            DbErr::Custom(format!(
                "stored assessment model {component_id} v{version}: {e}"
            ))
        })
        .map(std::sync::Arc::new)?;
    if let Ok(mut l) = loaded().lock() {
        l.insert((component_id, key), model.clone());
    }
    Ok(Some(model))
}

/// Sittings' models made so far, by exam, version and part (see [`of_case`]).
type Sittings =
    std::sync::Mutex<std::collections::HashMap<(Uuid, u32, String), std::sync::Arc<Model>>>;

fn sittings() -> &'static Sittings {
    static SITTINGS: std::sync::OnceLock<Sittings> = std::sync::OnceLock::new();
    SITTINGS.get_or_init(Default::default)
}

/// The model an exam case is scored against: the version it was planned with, and for the
/// sitting of one part of an exam taken per part, that part only (its criteria, its pass
/// mark, its result: [`Model::sitting`]). `None` while the case is not planned, or when the
/// version (or the part) is missing.
pub async fn of_case<C: sea_orm::ConnectionTrait>(
    db: &C,
    case: &entity::exam_case::Model,
) -> Result<Option<std::sync::Arc<Model>>, DbErr> {
    let (Some(component), Some(version)) = (case.component_id, case.model_version) else {
        return Ok(None);
    };
    let version = u32::try_from(version).unwrap_or(0);
    let Some(model) = load_in(db, component, version).await? else {
        return Ok(None);
    };
    if case.part.is_empty() {
        return Ok(Some(model));
    }
    let key = (component, version, case.part.clone());
    if let Some(m) = sittings().lock().ok().and_then(|l| l.get(&key).cloned()) {
        return Ok(Some(m));
    }
    let Some(sitting) = model.sitting(&case.part).map(std::sync::Arc::new) else {
        return Ok(None);
    };
    if let Ok(mut l) = sittings().lock() {
        l.insert(key, sitting.clone());
    }
    Ok(Some(sitting))
}
