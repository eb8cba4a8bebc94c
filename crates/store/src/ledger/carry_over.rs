//! Moving the AuditEvents kept in the record before the ledger existed into it, once, at start.
//! Each keeps its content; its id becomes its ledger number. Batches are appended in the order
//! they were written, and the ledger's head remembers how far the move got (`carried_over`), so a
//! move cut short resumes without copying any twice, even though the ledger may be a database
//! file of its own, committed apart from the record.

use serde_json::Value;
use sqlx::AnyPool;

use super::{Ledger, entry::Entry};
use crate::error::StoreError;

/// AuditEvents moved at a time.
const BATCH: i64 = 500;

/// Moves every AuditEvent out of `record` into the ledger; returns how many it moved.
pub(crate) async fn carry_over(record: &AnyPool, ledger: &Ledger) -> Result<u64, StoreError> {
    let (done,): (Option<String>,) =
        sqlx::query_as("SELECT carried_over FROM audit_ledger_head WHERE id = 1")
            .fetch_one(&ledger.pool)
            .await?;
    if let Some(done) = &done {
        forget_through(record, done).await?;
    }
    let mut moved = 0;
    loop {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT rid, id, last_updated, content FROM resources \
             WHERE resource_type = 'AuditEvent' AND deleted = 0 \
             ORDER BY last_updated, id LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(record)
        .await?;
        let Some((_, last_id, last_updated, _)) = rows.last() else {
            break;
        };
        let marker = format!("{last_updated}|{last_id}");
        let logged = last_updated
            .parse::<jiff::Timestamp>()
            .map_or(0, |at| at.as_millisecond());
        let mut entries = Vec::with_capacity(rows.len());
        for (_, _, _, content) in &rows {
            let mut event: Value =
                serde_json::from_str(content).map_err(StoreError::CorruptResource)?;
            if let Some(fields) = event.as_object_mut() {
                fields.remove("id");
            }
            entries.push(Entry::Resource(event));
        }
        let entries: Vec<&Entry> = entries.iter().collect();
        ledger
            .append_outside_queue(&entries, logged, Some(&marker))
            .await
            .map_err(|error| match error {
                crate::error::WriteError::Store(error) => error,
                _ => StoreError::AuditWriterStopped,
            })?;
        let rids: Vec<i64> = rows.iter().map(|(rid, ..)| *rid).collect();
        forget(record, &rids).await?;
        moved += rows.len() as u64;
    }
    if moved > 0 || done.is_some() {
        // What is left are deletion markers, if anything: an AuditEvent was never to be deleted.
        forget_through(record, "\u{10FFFF}").await?;
    }
    Ok(moved)
}

/// Removes the AuditEvents `rids` from the record, now that they are in the ledger.
async fn forget(record: &AnyPool, rids: &[i64]) -> Result<(), StoreError> {
    let list = rids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut tx = record.begin().await?;
    for table in ["search_index", "resources"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE rid IN ({list})"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes from the record the AuditEvents up to `through` (`last_updated|id`), already in the
/// ledger (a move cut short between the ledger's commit and the record's).
async fn forget_through(record: &AnyPool, through: &str) -> Result<(), StoreError> {
    let mut tx = record.begin().await?;
    let chosen = "resource_type = 'AuditEvent' AND last_updated || '|' || id <= $1";
    let statements = [
        format!("DELETE FROM search_index WHERE rid IN (SELECT rid FROM resources WHERE {chosen})"),
        format!("DELETE FROM resource_versions WHERE {chosen}"),
        format!("DELETE FROM resources WHERE {chosen}"),
    ];
    for statement in &statements {
        sqlx::query(statement)
            .bind(through)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
