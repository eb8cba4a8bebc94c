//! The records a clinician has opened by breaking the glass, remembered for the rest of their
//! session (in the database, so every server process knows), each with the reason given.

use domain::break_glass::BreakGlassReason;
use jiff::Timestamp;

use super::{policy::BreakGlass, sessions::Session};
use crate::{Db, StoreError};

/// Remembers that `session`'s clinician broke the glass for `patient_id`, for `reason`. A second
/// time for the same record replaces the reason: the latest is the one that applies.
pub async fn remember(
    db: &Db,
    session: &Session,
    patient_id: &str,
    reason: &BreakGlassReason,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO break_glass (session_sha256, patient_id, reason, opened_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_sha256, patient_id) \
         DO UPDATE SET reason = excluded.reason, opened_at = excluded.opened_at",
    )
    .bind(&session.key)
    .bind(patient_id)
    .bind(reason.as_str())
    .bind(now.as_second())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Every record `session` has broken the glass for. The rows go when the session does.
pub async fn held(db: &Db, session: &Session) -> Result<Vec<BreakGlass>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT patient_id, reason FROM break_glass WHERE session_sha256 = $1")
            .bind(&session.key)
            .fetch_all(db.pool())
            .await?;
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
