//! The queue through which every audited request hands its AuditEvent to the one writer task
//! (`crate::audit_writer`) and waits until it is committed: no audit, no data.

use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::error::{StoreError, WriteError};

/// The most events written in one transaction.
pub(crate) const BATCH: usize = 256;

/// An event waiting for its batch, with the way back to the request that waits for it.
pub(crate) struct Pending {
    pub(crate) event: Value,
    pub(crate) now: Timestamp,
    pub(crate) done: oneshot::Sender<Result<(), WriteError>>,
}

/// The sending end, held by every clone of [`crate::Db`]; the writer task stops when the last
/// one is dropped.
#[derive(Clone, Debug)]
pub(crate) struct AuditQueue(mpsc::Sender<Pending>);

impl AuditQueue {
    /// A queue and its receiving end, for the writer task (`crate::audit_writer::start`).
    pub(crate) fn new() -> (Self, mpsc::Receiver<Pending>) {
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        (Self(sender), receiver)
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
