//! The records a clinician has opened by breaking the glass, kept per session (by its key) with
//! the reason given; the rows go with the session. And, per patient, how far they have been shown
//! the emergency accesses to their record.

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

/// The ledger number of the newest emergency access to `patient_id`'s record the patient has been
/// shown (0 if none).
pub async fn seen_through(state: &WorkingState, patient_id: &str) -> Result<i64, StoreError> {
    let seen: Option<(i64,)> =
        sqlx::query_as("SELECT seen_through FROM break_glass_seen WHERE patient_id = $1")
            .bind(patient_id)
            .fetch_optional(state.pool())
            .await?;
    Ok(seen.map_or(0, |(seq,)| seq))
}

/// Records that the patient has been shown the emergency accesses up to ledger number `through`;
/// never moves back (two pages shown at once).
pub async fn mark_seen(
    state: &WorkingState,
    patient_id: &str,
    through: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO break_glass_seen (patient_id, seen_through) VALUES ($1, $2) \
         ON CONFLICT (patient_id) DO UPDATE SET seen_through = CASE \
           WHEN excluded.seen_through > break_glass_seen.seen_through \
           THEN excluded.seen_through ELSE break_glass_seen.seen_through END",
    )
    .bind(patient_id)
    .bind(through)
    .execute(state.pool())
    .await?;
    Ok(())
}
