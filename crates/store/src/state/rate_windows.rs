//! Attempts counted per key (an endpoint and a client address) in fixed windows, shared by every
//! server process on the database, so that behind a load balancer an address gets the limit
//! once, not once per process. The limit itself is the caller's.

use jiff::Timestamp;

use super::WorkingState;
use crate::StoreError;

/// Counts one attempt under `key` at `now`: in the window that started after `started_after`
/// if there is one, else in a new window starting now (forgetting every window that has ended,
/// for any key). Returns when the counted window started and its count, this attempt included.
pub async fn count_attempt(
    state: &WorkingState,
    key: &str,
    now: Timestamp,
    started_after: Timestamp,
) -> Result<(Timestamp, u64), StoreError> {
    let (now, started_after) = (now.as_millisecond(), started_after.as_millisecond());
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM rate_windows WHERE started_at <= $1")
        .bind(started_after)
        .execute(&mut *tx)
        .await?;
    // One statement, so that two processes counting at once cannot both see the same count.
    let (started_at, attempts): (i64, i64) = sqlx::query_as(
        "INSERT INTO rate_windows (key, started_at, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           started_at = CASE WHEN rate_windows.started_at <= $3 THEN $2 ELSE rate_windows.started_at END, \
           attempts = CASE WHEN rate_windows.started_at <= $3 THEN 1 ELSE rate_windows.attempts + 1 END \
         RETURNING started_at, attempts",
    )
    .bind(key)
    .bind(now)
    .bind(started_after)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((
        Timestamp::from_millisecond(started_at).unwrap_or(Timestamp::UNIX_EPOCH),
        u64::try_from(attempts).unwrap_or(0),
    ))
}
