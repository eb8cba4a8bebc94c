//! Browser sessions, kept in the database so that every server process behind a load balancer
//! shares them, and the short-lived sign-in attempts that lead to one.
//!
//! A session id is 256 random bits that exists only in the browser's cookie; the table keeps its
//! SHA-256 digest. A session ends after [`IDLE_TIMEOUT`] without a request, after
//! [`ABSOLUTE_TIMEOUT`] whatever happens, or at sign-out, when its row is deleted.

use domain::identity::Actor;
use jiff::{SignedDuration, Timestamp};

use store::state::sessions::{self as rows, AttemptRow};

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
    /// The patient a carer chose to act for ([`super::acting`]); `None`: themselves. Only a
    /// choice: the grant is checked again on every access.
    pub acting_for: Option<String>,
}

/// Why a stored session could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored session could not be read back")]
    Corrupt(#[from] serde_json::Error),
}

/// Starts a session for `actor` and returns its id, for the cookie only. Sessions that have
/// timed out are removed on the way, so the table holds about as many rows as people signed in.
pub async fn start(db: &Db, actor: &Actor, now: Timestamp) -> Result<String, SessionError> {
    let id = random_token();
    rows::insert(
        db.state(),
        &digest(&id),
        &serde_json::to_string(actor)?,
        now,
        before(now, IDLE_TIMEOUT),
        before(now, ABSOLUTE_TIMEOUT),
    )
    .await?;
    Ok(id)
}

/// The session behind a cookie's id, if it is live at `now`; a timed-out one is deleted.
pub async fn resume(db: &Db, id: &str, now: Timestamp) -> Result<Option<Session>, SessionError> {
    let key = digest(id);
    let Some(row) = rows::find(db.state(), &key).await? else {
        return Ok(None);
    };
    let (created_at, last_seen_at) = (row.created_at.as_second(), row.last_seen_at.as_second());
    let now_seconds = now.as_second();
    if !is_live(created_at, last_seen_at, now_seconds) {
        end(db, id).await?;
        return Ok(None);
    }
    if now_seconds - last_seen_at >= TOUCH_INTERVAL.as_secs() {
        rows::touch(db.state(), &key, now).await?;
    }
    Ok(Some(Session {
        key,
        actor: serde_json::from_str(&row.actor)?,
        started_at: row.created_at,
        acting_for: row.acting_for,
    }))
}

/// Ends a session: the row goes, so the cookie's id is worthless from now on, on every server.
/// Returns who was signed in, if the session was still there.
pub async fn end(db: &Db, id: &str) -> Result<Option<Actor>, SessionError> {
    let actor = rows::delete(db.state(), &digest(id)).await?;
    Ok(actor
        .map(|actor| serde_json::from_str(&actor))
        .transpose()?)
}

/// `now` less `span`: the cut-off at or before which what started has run out.
fn before(now: Timestamp, span: SignedDuration) -> Timestamp {
    now.checked_sub(span).unwrap_or(Timestamp::MIN)
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
    let row = AttemptRow {
        browser_digest: digest(browser_secret),
        provider: attempt.provider.clone(),
        nonce: attempt.nonce.clone(),
        pkce_verifier: attempt.pkce_verifier.clone(),
        return_to: attempt.return_to.clone(),
        created_at: now,
    };
    rows::insert_attempt(
        db.state(),
        &digest(state),
        &row,
        before(now, SIGN_IN_ATTEMPT_LIFETIME),
    )
    .await?;
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
    let Some(row) = rows::take_attempt(db.state(), &digest(state)).await? else {
        return Ok(None);
    };
    let fresh = now.as_second() - row.created_at.as_second() < SIGN_IN_ATTEMPT_LIFETIME.as_secs();
    if !fresh || !super::secret::same(&row.browser_digest, &digest(browser_secret)) {
        return Ok(None);
    }
    Ok(Some(SignInAttempt {
        provider: row.provider,
        nonce: row.nonce,
        pkce_verifier: row.pkce_verifier,
        return_to: row.return_to,
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
