//! What was typed into a form that came back with an error, as rows keyed by the SHA-256 digest
//! of an id that only the browser holds (the caller digests). A row is read once: taking it
//! deletes it.

use jiff::Timestamp;

use super::WorkingState;
use crate::StoreError;

/// Stores `fields` for `page` under `key`, first removing every row created at or before
/// `created_before` (old enough that its page was never shown).
pub async fn insert(
    state: &WorkingState,
    key: &str,
    page: &str,
    fields: &str,
    now: Timestamp,
    created_before: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM kept_forms WHERE created_at <= $1")
        .bind(created_before.as_second())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO kept_forms (key_sha256, page, fields, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(key)
    .bind(page)
    .bind(fields)
    .bind(now.as_second())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the row stored under `key` and forgets it, in one statement, returning its page, its
/// fields and when it was stored.
pub async fn take(
    state: &WorkingState,
    key: &str,
) -> Result<Option<(String, String, Timestamp)>, StoreError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "DELETE FROM kept_forms WHERE key_sha256 = $1 RETURNING page, fields, created_at",
    )
    .bind(key)
    .fetch_optional(state.pool())
    .await?;
    Ok(row.map(|(page, fields, created_at)| (page, fields, super::sessions::seconds(created_at))))
}
