//! One resource's rows inside a write: its current row read and locked ([`lock_current`]), so
//! that two writers can never both build on the same version, on SQLite or PostgreSQL; the version
//! it replaces kept in `resource_versions`; and rewriting it in place of a rule.

use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::Value;

use crate::{
    error::{StoreError, WriteError},
    index,
    stored::instant,
    transaction::{SqlTransaction, is_sqlite},
};

/// [`read_in`] on sqlx's transaction, for this crate's rules.
pub(crate) async fn read_current(
    tx: &mut SqlTransaction,
    resource_type: ResourceType,
    id: &str,
) -> Result<Option<Value>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT content FROM resources WHERE resource_type = $1 AND id = $2 AND deleted = 0",
    )
    .bind(resource_type.as_str())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(content,)| serde_json::from_str(&content).map_err(StoreError::CorruptResource))
        .transpose()
}

/// A new version of a resource, changed by `change`, inside the caller's transaction (for rules
/// that keep resources in step, such as a Slot's status). Missing or deleted: nothing to do.
pub(crate) async fn rewrite_in(
    tx: &mut SqlTransaction,
    resource_type: ResourceType,
    id: &str,
    now: Timestamp,
    change: impl FnOnce(&mut Value),
) -> Result<(), WriteError> {
    let current = match lock_current(tx, resource_type, id).await? {
        Some(current) if !current.deleted => current,
        _ => return Ok(()),
    };
    let mut resource: Value =
        serde_json::from_str(&current.content).map_err(StoreError::CorruptResource)?;
    change(&mut resource);
    supersede(tx, resource_type, id, &current).await?;
    sqlx::query(
        "UPDATE resources SET version_id = $1, last_updated = $2, content = $3 WHERE rid = $4",
    )
    .bind(current.version_id + 1)
    .bind(instant(now))
    .bind(resource.to_string())
    .bind(current.rid)
    .execute(&mut **tx)
    .await?;
    index::reindex(tx, current.rid, resource_type, Some(&resource)).await?;
    Ok(())
}

/// A resource's current row, as read by the writer about to replace it.
pub(crate) struct Current {
    pub(crate) rid: i64,
    pub(crate) version_id: i64,
    pub(crate) last_updated: String,
    pub(crate) deleted: bool,
    pub(crate) content: String,
}

/// Reads a resource's current row and locks it for the rest of the transaction, so that no
/// other writer builds on the same version. PostgreSQL: `FOR UPDATE` waits for a writer holding
/// the row and then reads what it committed. SQLite has no row locks; a statement that writes
/// takes the database's write lock before it reads, so the read is an UPDATE that changes
/// nothing (a plain SELECT first would read a snapshot that a writer may end before ours can
/// write: SQLITE_BUSY).
pub(crate) async fn lock_current(
    tx: &mut SqlTransaction,
    resource_type: ResourceType,
    id: &str,
) -> Result<Option<Current>, StoreError> {
    let sql = if is_sqlite(tx) {
        "UPDATE resources SET version_id = version_id WHERE resource_type = $1 AND id = $2 \
         RETURNING rid, version_id, last_updated, deleted, content"
    } else {
        "SELECT rid, version_id, last_updated, deleted, content FROM resources \
         WHERE resource_type = $1 AND id = $2 FOR UPDATE"
    };
    let row: Option<(i64, i64, String, i64, String)> = sqlx::query_as(sql)
        .bind(resource_type.as_str())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(
        |(rid, version_id, last_updated, deleted, content)| Current {
            rid,
            version_id,
            last_updated,
            deleted: deleted == 1,
            content,
        },
    ))
}

/// Keeps the version about to be replaced in `resource_versions`, for history and vread.
pub(crate) async fn supersede(
    tx: &mut SqlTransaction,
    resource_type: ResourceType,
    id: &str,
    current: &Current,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO resource_versions (resource_type, id, version_id, last_updated, deleted, content) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(resource_type.as_str())
    .bind(id)
    .bind(current.version_id)
    .bind(&current.last_updated)
    .bind(i64::from(current.deleted))
    .bind(&current.content)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
