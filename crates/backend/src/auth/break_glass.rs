//! The records a clinician has opened by breaking the glass, remembered for the rest of their
//! session (in the database, so every server process knows), each with the reason given.

use domain::break_glass::BreakGlassReason;
use jiff::Timestamp;

use super::sessions::Session;
use crate::{Db, StoreError};

/// A record opened by breaking the glass, and the reason given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlass {
    pub patient_id: String,
    pub reason: BreakGlassReason,
}

/// Remembers that `session`'s clinician broke the glass for `patient_id`, for `reason`. A second
/// time for the same record replaces the reason: the latest is the one that applies.
pub async fn remember(
    db: &Db,
    session: &Session,
    patient_id: &str,
    reason: &BreakGlassReason,
    now: Timestamp,
) -> Result<(), StoreError> {
    store::state::break_glass::upsert(db.state(), &session.key, patient_id, reason.as_str(), now)
        .await?;
    Ok(())
}

/// Every record `session` has broken the glass for. The rows go when the session does.
pub async fn held(db: &Db, session: &Session) -> Result<Vec<BreakGlass>, StoreError> {
    let rows = store::state::break_glass::of_session(db.state(), &session.key).await?;
    Ok(rows
        .into_iter()
        // A reason that no longer parses (the rules tightened) no longer opens anything.
        .filter_map(|(patient_id, reason)| {
            Some(BreakGlass {
                patient_id,
                reason: BreakGlassReason::parse(&reason).ok()?,
            })
        })
        .collect())
}
