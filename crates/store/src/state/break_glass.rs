//! The records a clinician has opened by breaking the glass, kept per session (by its key) with
//! the reason given; the rows go with the session.

use jiff::Timestamp;

use super::WorkingState;
use crate::StoreError;

/// Stores `reason` for `patient_id` under session `session_key`, replacing an earlier one.
pub async fn upsert(
    state: &WorkingState,
    session_key: &str,
    patient_id: &str,
    reason: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO break_glass (session_sha256, patient_id, reason, opened_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_sha256, patient_id) \
         DO UPDATE SET reason = excluded.reason, opened_at = excluded.opened_at",
    )
    .bind(session_key)
    .bind(patient_id)
    .bind(reason)
    .bind(now.as_second())
    .execute(state.pool())
    .await?;
    Ok(())
}

/// Every (patient id, reason) stored under session `session_key`.
pub async fn of_session(
    state: &WorkingState,
    session_key: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT patient_id, reason FROM break_glass WHERE session_sha256 = $1")
            .bind(session_key)
            .fetch_all(state.pool())
            .await?,
    )
}
