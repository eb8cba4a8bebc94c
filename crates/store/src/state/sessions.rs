//! Browser sessions and the sign-in attempts that lead to one, as rows keyed by the SHA-256
//! digest of their id or state (the caller digests; the id itself is never stored).

use jiff::Timestamp;

use super::WorkingState;
use crate::StoreError;

/// A stored session: the signed-in actor as the caller serialised it, and its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub actor: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The patient the session's person is acting for, if not themselves.
    pub acting_for: Option<String>,
}

/// Stores a new session under `key`, first removing every session last seen at or before
/// `idle_before` or created at or before `created_before` (timed out by the caller's rules).
pub async fn insert(
    state: &WorkingState,
    key: &str,
    actor: &str,
    now: Timestamp,
    idle_before: Timestamp,
    created_before: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
        .bind(idle_before.as_second())
        .bind(created_before.as_second())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (id_sha256, actor, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(key)
    .bind(actor)
    .bind(now.as_second())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The session stored under `key`, live or not.
pub async fn find(state: &WorkingState, key: &str) -> Result<Option<SessionRow>, StoreError> {
    let row: Option<(String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT actor, created_at, last_seen_at, acting_for FROM sessions WHERE id_sha256 = $1",
    )
    .bind(key)
    .fetch_optional(state.pool())
    .await?;
    Ok(
        row.map(|(actor, created_at, last_seen_at, acting_for)| SessionRow {
            actor,
            created_at: seconds(created_at),
            last_seen_at: seconds(last_seen_at),
            acting_for,
        }),
    )
}

/// Remembers that the session under `key` acts for `patient_id` from now on (`None`: for its
/// own person). `false` when there is no such session.
pub async fn act_for(
    state: &WorkingState,
    key: &str,
    patient_id: Option<&str>,
) -> Result<bool, StoreError> {
    let changed = sqlx::query("UPDATE sessions SET acting_for = $1 WHERE id_sha256 = $2")
        .bind(patient_id)
        .bind(key)
        .execute(state.pool())
        .await?
        .rows_affected();
    Ok(changed == 1)
}

/// Notes that the session under `key` was seen at `now`.
pub async fn touch(state: &WorkingState, key: &str, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_sha256 = $2")
        .bind(now.as_second())
        .bind(key)
        .execute(state.pool())
        .await?;
    Ok(())
}

/// Removes the session under `key` (and, with it, its break-glass rows), returning its actor if
/// it was there.
pub async fn delete(state: &WorkingState, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("DELETE FROM sessions WHERE id_sha256 = $1 RETURNING actor")
            .bind(key)
            .fetch_optional(state.pool())
            .await?,
    )
}

/// A stored sign-in attempt: the digests that tie it to its browser, and what the return needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub browser_digest: String,
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: Timestamp,
}

/// Stores an attempt under the digest of its `state`, first removing every attempt created at or
/// before `created_before`.
pub async fn insert_attempt(
    state: &WorkingState,
    state_digest: &str,
    attempt: &AttemptRow,
    created_before: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM sign_in_attempts WHERE created_at <= $1")
        .bind(created_before.as_second())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sign_in_attempts \
         (state_sha256, browser_sha256, provider, nonce, pkce_verifier, return_to, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_digest)
    .bind(&attempt.browser_digest)
    .bind(&attempt.provider)
    .bind(&attempt.nonce)
    .bind(&attempt.pkce_verifier)
    .bind(&attempt.return_to)
    .bind(attempt.created_at.as_second())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the attempt stored under `state_digest` and forgets it, in one statement: two requests
/// with the same state cannot both get it, and there is no read-then-write for SQLite to refuse
/// under concurrent writers.
pub async fn take_attempt(
    state: &WorkingState,
    state_digest: &str,
) -> Result<Option<AttemptRow>, StoreError> {
    let row: Option<(String, String, String, String, String, i64)> = sqlx::query_as(
        "DELETE FROM sign_in_attempts WHERE state_sha256 = $1 \
         RETURNING browser_sha256, provider, nonce, pkce_verifier, return_to, created_at",
    )
    .bind(state_digest)
    .fetch_optional(state.pool())
    .await?;
    Ok(row.map(
        |(browser_digest, provider, nonce, pkce_verifier, return_to, created_at)| AttemptRow {
            browser_digest,
            provider,
            nonce,
            pkce_verifier,
            return_to,
            created_at: seconds(created_at),
        },
    ))
}

/// Unix seconds as stored; a value out of range (never written by us) reads as the epoch.
pub(super) fn seconds(value: i64) -> Timestamp {
    Timestamp::from_second(value).unwrap_or(Timestamp::UNIX_EPOCH)
}
