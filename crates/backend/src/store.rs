//! The FHIR resource store: resources kept as JSON, with every version retained.

use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::{Any, Transaction};

use crate::{Db, StoreError};

/// Writes a brand-new resource as version 1, stamping `meta.versionId` and `meta.lastUpdated`.
pub async fn create(
    tx: &mut Transaction<'_, Any>,
    mut resource: Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    let (resource_type, id) = match (resource["resourceType"].as_str(), resource["id"].as_str()) {
        (Some(t), Some(i)) => (t.to_owned(), i.to_owned()),
        _ => return Err(StoreError::MissingTypeOrId),
    };
    let last_updated = now.to_string();
    resource["meta"] = json!({ "versionId": "1", "lastUpdated": last_updated });
    let content = resource.to_string();
    for table in ["resources", "resource_versions"] {
        // The table name comes from the fixed list above, never from input.
        let sql = format!(
            "INSERT INTO {table} (resource_type, id, version_id, last_updated, deleted, content) \
             VALUES ($1, $2, 1, $3, 0, $4)"
        );
        sqlx::query(&sql)
            .bind(&resource_type)
            .bind(&id)
            .bind(&last_updated)
            .bind(&content)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The current, not deleted, resources of one type, in id order.
pub async fn list(db: &Db, resource_type: &str) -> Result<Vec<Value>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT content FROM resources WHERE resource_type = $1 AND deleted = 0 ORDER BY id",
    )
    .bind(resource_type)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(content,)| serde_json::from_str(&content).map_err(StoreError::CorruptResource))
        .collect()
}

/// How many current resources of one type there are.
pub async fn count(db: &Db, resource_type: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM resources WHERE resource_type = $1 AND deleted = 0")
            .bind(resource_type)
            .fetch_one(db.pool())
            .await?;
    Ok(n)
}
