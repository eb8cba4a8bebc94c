//! Browser sessions, kept in the database so that every server process behind a load balancer
//! shares them, and the short-lived sign-in attempts that lead to one.
//!
//! A session id is 256 random bits that exists only in the browser's cookie; the table keeps its
//! SHA-256 digest. A session ends after [`IDLE_TIMEOUT`] without a request, after
//! [`ABSOLUTE_TIMEOUT`] whatever happens, or at sign-out, when its row is deleted.

use domain::identity::Actor;
use jiff::{SignedDuration, Timestamp};

use super::secret::{digest, random_token};
use crate::{Db, StoreError};

/// NHS guidance for services holding health records: sign out after 15 idle minutes.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(15);
/// However active, sign in again after 12 hours (a working day and then some).
pub const ABSOLUTE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// Writing `last_seen_at` on every request would make each page view a write; once a minute is
/// precise enough for a 15-minute idle timeout.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_mins(1);
/// How long a person may take at their identity provider before the attempt is void.
pub const SIGN_IN_ATTEMPT_LIFETIME: SignedDuration = SignedDuration::from_mins(10);

/// A live session: who is signed in and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The digest of the session id: names the session in the database, useless as a cookie.
    pub key: String,
    pub actor: Actor,
    pub started_at: Timestamp,
}

/// Why a stored session could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored session could not be read back")]
    Corrupt(#[from] serde_json::Error),
}

impl From<sqlx::Error> for SessionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

/// Starts a session for `actor` and returns its id, for the cookie only. Sessions that have
/// timed out are removed on the way, so the table holds about as many rows as people signed in.
pub async fn start(db: &Db, actor: &Actor, now: Timestamp) -> Result<String, SessionError> {
    let id = random_token();
    let now_seconds = now.as_second();
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
        .bind(now_seconds - IDLE_TIMEOUT.as_secs())
        .bind(now_seconds - ABSOLUTE_TIMEOUT.as_secs())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (id_sha256, actor, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(digest(&id))
    .bind(serde_json::to_string(actor)?)
    .bind(now_seconds)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The session behind a cookie's id, if it is live at `now`; a timed-out one is deleted.
pub async fn resume(db: &Db, id: &str, now: Timestamp) -> Result<Option<Session>, SessionError> {
    let key = digest(id);
    let row: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT actor, created_at, last_seen_at FROM sessions WHERE id_sha256 = $1")
            .bind(&key)
            .fetch_optional(db.pool())
            .await?;
    let Some((actor, created_at, last_seen_at)) = row else {
        return Ok(None);
    };
    let now_seconds = now.as_second();
    if !is_live(created_at, last_seen_at, now_seconds) {
        end(db, id).await?;
        return Ok(None);
    }
    if now_seconds - last_seen_at >= TOUCH_INTERVAL.as_secs() {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_sha256 = $2")
            .bind(now_seconds)
            .bind(&key)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(Session {
        key,
        actor: serde_json::from_str(&actor)?,
        started_at: Timestamp::from_second(created_at).unwrap_or(Timestamp::UNIX_EPOCH),
    }))
}

/// Ends a session: the row goes, so the cookie's id is worthless from now on, on every server.
/// Returns who was signed in, if the session was still there.
pub async fn end(db: &Db, id: &str) -> Result<Option<Actor>, SessionError> {
    let actor: Option<String> =
        sqlx::query_scalar("DELETE FROM sessions WHERE id_sha256 = $1 RETURNING actor")
            .bind(digest(id))
            .fetch_optional(db.pool())
            .await?;
    Ok(actor
        .map(|actor| serde_json::from_str(&actor))
        .transpose()?)
}

/// The timeout rule, pure: idle for less than 15 minutes and younger than 12 hours.
fn is_live(created_at: i64, last_seen_at: i64, now: i64) -> bool {
    now - last_seen_at < IDLE_TIMEOUT.as_secs() && now - created_at < ABSOLUTE_TIMEOUT.as_secs()
}

/// What the service must remember between sending someone to their identity provider and their
/// return: which provider, and the secrets that tie the answer to this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttempt {
    pub provider: String,
    /// The OpenID Connect nonce the ID token must carry back.
    pub nonce: String,
    /// The PKCE code verifier the code exchange must present.
    pub pkce_verifier: String,
    /// A local path to go back to afterwards.
    pub return_to: String,
}

/// Remembers an attempt under its `state`, bound to a secret held in the browser that started it,
/// so that an answer carried to another browser (login CSRF) is refused.
pub async fn remember_sign_in(
    db: &Db,
    state: &str,
    browser_secret: &str,
    attempt: &SignInAttempt,
    now: Timestamp,
) -> Result<(), SessionError> {
    let now_seconds = now.as_second();
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM sign_in_attempts WHERE created_at <= $1")
        .bind(now_seconds - SIGN_IN_ATTEMPT_LIFETIME.as_secs())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sign_in_attempts \
         (state_sha256, browser_sha256, provider, nonce, pkce_verifier, return_to, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(digest(state))
    .bind(digest(browser_secret))
    .bind(&attempt.provider)
    .bind(&attempt.nonce)
    .bind(&attempt.pkce_verifier)
    .bind(&attempt.return_to)
    .bind(now_seconds)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes back (and forgets: a `state` works once) the attempt `state` names, if it is recent and
/// was started by the browser holding `browser_secret`.
pub async fn take_sign_in(
    db: &Db,
    state: &str,
    browser_secret: &str,
    now: Timestamp,
) -> Result<Option<SignInAttempt>, SessionError> {
    // One statement takes and forgets it: two requests with the same state cannot both get it,
    // and there is no read-then-write for SQLite to refuse under concurrent writers.
    let row: Option<(String, String, String, String, String, i64)> = sqlx::query_as(
        "DELETE FROM sign_in_attempts WHERE state_sha256 = $1 \
         RETURNING browser_sha256, provider, nonce, pkce_verifier, return_to, created_at",
    )
    .bind(digest(state))
    .fetch_optional(db.pool())
    .await?;
    let Some((browser, provider, nonce, pkce_verifier, return_to, created_at)) = row else {
        return Ok(None);
    };
    let fresh = now.as_second() - created_at < SIGN_IN_ATTEMPT_LIFETIME.as_secs();
    if !fresh || !super::secret::same(&browser, &digest(browser_secret)) {
        return Ok(None);
    }
    Ok(Some(SignInAttempt {
        provider,
        nonce,
        pkce_verifier,
        return_to,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_until_idle_for_15_minutes_or_12_hours_old() {
        let minute = 60;
        assert!(is_live(0, 0, 14 * minute));
        assert!(!is_live(0, 0, 15 * minute));
        // Active all day: still signed out at 12 hours.
        assert!(is_live(0, 11 * 60 * minute, 11 * 60 * minute + 1));
        assert!(!is_live(0, 12 * 60 * minute - 1, 12 * 60 * minute));
    }
}
