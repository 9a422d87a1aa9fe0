//! Demo data for the `demo` tenant: one planbare toets with two students and two assessors,
//! pushed through the same parsing and storage as a real SIS push. Only on first start.

use crate::catalog::Catalog;
use crate::config::DEMO_TENANT;
use crate::intake::{self, AssociationWrite, OfferingWrite, PersonWrite};
use crate::ooapi;
use anyhow::Context;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use uuid::Uuid;

const SEED: &str = include_str!("../demo/seed.json");

fn id_of(v: &Value, key: &str) -> anyhow::Result<Uuid> {
    ooapi::read::uuid_in(v, key).with_context(|| format!("demo seed: `{key}` missing"))
}

/// `tell_pending`: the demo school's SIS takes planning statuses, as a real push would tell it.
pub async fn seed(
    db: &DatabaseConnection,
    catalog: &Catalog,
    tell_pending: bool,
) -> anyhow::Result<()> {
    let seed: Value = serde_json::from_str(SEED)?;
    let list = |k: &str| {
        seed.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let offerings = list("offerings");
    let first = offerings
        .first()
        .map(|o| id_of(o, "offeringId"))
        .transpose()?;
    if let Some(id) = first {
        if intake::find_offering(db, DEMO_TENANT, id).await?.is_some() {
            return Ok(());
        }
    }
    let txn = crate::db::begin(db).await?;
    for p in list("persons") {
        let parsed = ooapi::person::parse(&p, id_of(&p, "personId")?)
            .map_err(|e| anyhow::anyhow!("demo seed: {e}"))?;
        let raw = p.to_string();
        intake::put_person(
            &txn,
            DEMO_TENANT,
            &PersonWrite {
                parsed: &parsed,
                raw: &raw,
            },
        )
        .await?;
    }
    for o in &offerings {
        let parsed = ooapi::offering::parse(o, id_of(o, "offeringId")?)
            .map_err(|e| anyhow::anyhow!("demo seed: {e}"))?;
        let test = intake::resolve_component(catalog, &parsed);
        let raw = o.to_string();
        intake::put_offering(
            &txn,
            DEMO_TENANT,
            &OfferingWrite {
                parsed: &parsed,
                test,
                raw: &raw,
                tell_pending,
            },
        )
        .await?;
    }
    for a in list("associations") {
        let parsed = ooapi::association::parse(&a, id_of(&a, "associationId")?)
            .map_err(|e| anyhow::anyhow!("demo seed: {e}"))?;
        let raw = a.to_string();
        intake::put_association(
            &txn,
            DEMO_TENANT,
            &AssociationWrite {
                parsed: &parsed,
                raw: &raw,
                person: None,
                tell_pending,
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!("demo data loaded");
    Ok(())
}
