//! Offers the times that come free to the patients waiting for an earlier one, whichever way
//! they came free (`backend::appointments::offer_freed_times`): an appointment cancelled through
//! the FHIR API by another system, new times opened in a diary, any write of a Slot, by any
//! server process. The pages that free a time offer it themselves at once; this covers the rest.

use backend::Db;
use fhir::ResourceType;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Looks again after every committed write of a Slot, until the process ends.
pub fn spawn(db: Db) {
    let mut changes = db.changes();
    tokio::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) if !change.concerns(ResourceType::Slot) => continue,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            // One look covers every write announced so far; a later one brings another.
            while !matches!(
                changes.try_recv(),
                Err(TryRecvError::Empty | TryRecvError::Closed)
            ) {}
            let now = jiff::Timestamp::now();
            if let Err(error) = backend::appointments::offer_freed_times(&db, now).await {
                tracing::warn!(%error, "freed times could not be offered to those waiting");
            }
        }
    });
}
