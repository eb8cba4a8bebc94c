//! Writes AuditEvents in batches: every request that touches patient data waits for its event to
//! be committed (no audit, no data), but concurrent requests share one transaction instead of
//! queueing for the database's write lock one by one. On SQLite, where writers take turns, that
//! is the difference between one commit per request and one per burst.

use fhir::ResourceType;
use serde_json::json;
use sqlx::AnyPool;
use tokio::sync::mpsc;

use crate::{
    audit_queue::{AuditQueue, BATCH, Pending},
    error::{StoreError, WriteError},
    resources,
    stored::new_id,
    transaction::Transaction,
};

/// Starts the writer task on the current Tokio runtime; it stops when the last clone of the
/// returned queue is dropped.
pub(crate) fn start(pool: AnyPool) -> AuditQueue {
    let (queue, receiver) = AuditQueue::new();
    tokio::spawn(write_batches(pool, receiver));
    queue
}

async fn write_batches(pool: AnyPool, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        match write_all(&pool, &batch).await {
            Ok(()) => {
                for pending in batch.drain(..) {
                    // The requester may have gone (a closed connection): nothing to tell.
                    let _ = pending.done.send(Ok(()));
                }
            }
            // One bad event must not fail the others: each is tried on its own, and each
            // requester hears its own outcome.
            Err(_) => {
                for pending in batch.drain(..) {
                    let outcome = write_all(&pool, std::slice::from_ref(&pending)).await;
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }
}

async fn write_all(pool: &AnyPool, batch: &[Pending]) -> Result<(), WriteError> {
    let Some(now) = batch.iter().map(|p| p.now).max() else {
        return Ok(());
    };
    let events = batch
        .iter()
        .map(|pending| {
            let mut event = pending.event.clone();
            event["resourceType"] = json!(ResourceType::AuditEvent.as_str());
            event["id"] = json!(new_id());
            event
        })
        .collect();
    // AuditEvents hold nothing: no rule to keep.
    let mut tx = Transaction::new(pool.begin().await.map_err(StoreError::from)?, None);
    // One `lastUpdated` for the batch, the latest of its events' times (each event's own
    // `recorded` time is inside it, untouched).
    resources::insert_new_many(&mut tx, events, now).await?;
    tx.commit().await?;
    Ok(())
}
