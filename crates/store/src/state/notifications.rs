//! Notifications waiting to go out by email, as rows that one server process at a time claims,
//! sends and marks: claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so that processes running
//! side by side take different rows and none waits for another; SQLite's one writer does the same
//! by itself. A claim is a lease: a process that dies while sending leaves the row to be claimed
//! again once the lease ends. What to send, when, and how often to try are the caller's.
//!
//! Beside them, the topics each patient has turned off ([`turned_off`], [`choose`]): every topic
//! is on until turned off, and which kinds belong to a topic is the caller's too.

use jiff::Timestamp;

use super::WorkingState;
use crate::{StoreError, database::Backend};

/// A notification to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub kind: String,
    /// Whose it is: the patient's id.
    pub patient_id: String,
    pub regarding: String,
    pub recipient: String,
    /// What the message says beyond its kind (the caller's JSON).
    pub details: String,
    pub due_at: Timestamp,
}

/// A notification claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub details: String,
    /// This attempt's number, from 1.
    pub attempt: u32,
}

/// A notification given up on, for staff to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub id: String,
    pub kind: String,
    /// Whose it was, if it was queued since that was kept.
    pub patient_id: Option<String>,
    pub regarding: String,
    pub attempts: u32,
    pub failed_at: Timestamp,
    pub last_failure: String,
}

pub async fn insert(
    state: &WorkingState,
    notification: &NewNotification,
    now: Timestamp,
) -> Result<String, StoreError> {
    let id = crate::new_id();
    sqlx::query(
        "INSERT INTO notifications \
         (id, kind, patient_id, regarding, recipient, details, due_at, attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&id)
    .bind(&notification.kind)
    .bind(&notification.patient_id)
    .bind(&notification.regarding)
    .bind(&notification.recipient)
    .bind(&notification.details)
    .bind(notification.due_at.as_second())
    .bind(now.as_second())
    .execute(state.pool())
    .await?;
    Ok(id)
}

/// Claims up to `limit` notifications due at `now` that nobody is sending, until `lease_until`.
pub async fn claim_due(
    state: &WorkingState,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<Claimed>, StoreError> {
    let lock = match state.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(&format!(
        "UPDATE notifications SET claimed_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM notifications \
           WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until <= $2) \
           ORDER BY due_at LIMIT $3 {lock}) \
         RETURNING id, kind, recipient, details, attempts"
    ))
    .bind(lease_until.as_second())
    .bind(now.as_second())
    .bind(i64::from(limit))
    .fetch_all(state.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, recipient, details, attempts)| Claimed {
            id,
            kind,
            recipient,
            details,
            attempt: u32::try_from(attempts).unwrap_or(u32::MAX),
        })
        .collect())
}

/// Marks a claimed notification sent.
pub async fn sent(state: &WorkingState, id: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE notifications SET sent_at = $2, claimed_until = NULL WHERE id = $1")
        .bind(id)
        .bind(now.as_second())
        .execute(state.pool())
        .await?;
    Ok(())
}

/// Puts a claimed notification back, to be tried again at `due_at`.
pub async fn retry_at(
    state: &WorkingState,
    id: &str,
    due_at: Timestamp,
    failure: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notifications SET due_at = $2, claimed_until = NULL, last_failure = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(due_at.as_second())
    .bind(failure)
    .execute(state.pool())
    .await?;
    Ok(())
}

/// Gives a claimed notification up.
pub async fn give_up(
    state: &WorkingState,
    id: &str,
    now: Timestamp,
    failure: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE notifications SET failed_at = $2, claimed_until = NULL, last_failure = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(now.as_second())
    .bind(failure)
    .execute(state.pool())
    .await?;
    Ok(())
}

/// Withdraws the notifications of `kind` about `regarding` that have not gone yet.
pub async fn withdraw(
    state: &WorkingState,
    kind: &str,
    regarding: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM notifications WHERE kind = $1 AND regarding = $2 \
         AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(kind)
    .bind(regarding)
    .execute(state.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Forgets notifications sent or given up at or before `before`.
pub async fn forget_done(state: &WorkingState, before: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM notifications WHERE sent_at <= $1 OR failed_at <= $1")
        .bind(before.as_second())
        .execute(state.pool())
        .await?;
    Ok(done.rows_affected())
}

/// The notifications given up on, newest first.
pub async fn failed(state: &WorkingState, limit: u32) -> Result<Vec<Failed>, StoreError> {
    type Row = (
        String,
        String,
        Option<String>,
        String,
        i64,
        i64,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, patient_id, regarding, attempts, failed_at, last_failure \
         FROM notifications WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(state.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, patient_id, regarding, attempts, failed_at, last_failure)| Failed {
                id,
                kind,
                patient_id,
                regarding,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                failed_at: super::sessions::seconds(failed_at),
                last_failure: last_failure.unwrap_or_default(),
            },
        )
        .collect())
}

/// Puts a notification that was given up back in the queue, due at `now` with its attempts
/// counted afresh. Answers whether there was such a notification.
pub async fn try_again(state: &WorkingState, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE notifications SET failed_at = NULL, attempts = 0, due_at = $2 \
         WHERE id = $1 AND failed_at IS NOT NULL",
    )
    .bind(id)
    .bind(now.as_second())
    .execute(state.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The topics `patient_id` has turned off.
pub async fn turned_off(state: &WorkingState, patient_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT topic FROM notification_opt_outs WHERE patient_id = $1")
            .bind(patient_id)
            .fetch_all(state.pool())
            .await?;
    Ok(rows.into_iter().map(|(topic,)| topic).collect())
}

/// Records that `patient_id` wants none of the topics `off` and every other, and withdraws what
/// is waiting for them of `withdrawn_kinds` (the kinds of the topics turned off), in one go.
pub async fn choose(
    state: &WorkingState,
    patient_id: &str,
    off: &[&str],
    withdrawn_kinds: &[&str],
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM notification_opt_outs WHERE patient_id = $1")
        .bind(patient_id)
        .execute(&mut *tx)
        .await?;
    for topic in off {
        sqlx::query(
            "INSERT INTO notification_opt_outs (patient_id, topic, chosen_at) VALUES ($1, $2, $3)",
        )
        .bind(patient_id)
        .bind(*topic)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
    }
    for kind in withdrawn_kinds {
        sqlx::query(
            "DELETE FROM notifications WHERE patient_id = $1 AND kind = $2 \
             AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(patient_id)
        .bind(*kind)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
