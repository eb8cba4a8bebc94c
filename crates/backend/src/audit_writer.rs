//! Writes AuditEvents in batches: every request that touches patient data waits for its event to
//! be committed (no audit, no data), but concurrent requests share one transaction instead of
//! queueing for the database's write lock one by one. On SQLite, where writers take turns, that
//! is the difference between one commit per request and one per burst.

use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::{
    StoreError,
    store::{self, WriteError},
};

/// The most events written in one transaction.
const BATCH: usize = 256;

struct Pending {
    event: Value,
    now: Timestamp,
    done: oneshot::Sender<Result<(), WriteError>>,
}

/// The sending end, held by every clone of [`crate::Db`]; the writer task stops when the last
/// one is dropped.
#[derive(Clone, Debug)]
pub(crate) struct AuditQueue(mpsc::Sender<Pending>);

impl AuditQueue {
    /// Starts the writer task on the current Tokio runtime.
    pub(crate) fn start(pool: AnyPool) -> Self {
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(write_batches(pool, receiver));
        Self(sender)
    }

    /// Stores `event` and returns once it is committed.
    pub(crate) async fn write(&self, event: Value, now: Timestamp) -> Result<(), WriteError> {
        let (done, committed) = oneshot::channel();
        self.0
            .send(Pending { event, now, done })
            .await
            .map_err(|_| StoreError::AuditWriterStopped)?;
        committed
            .await
            .map_err(|_| StoreError::AuditWriterStopped)?
    }
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
            event["id"] = json!(crate::store::new_id());
            event
        })
        .collect();
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    // One `lastUpdated` for the batch, the latest of its events' times (each event's own
    // `recorded` time is inside it, untouched).
    store::insert_new_many(&mut tx, events, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
