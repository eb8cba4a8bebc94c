//! Backend systems that call the FHIR API: their registration, the OAuth2 client-credentials grant
//! that gives them short-lived bearer tokens, and the check of a token on every request.
//!
//! Secrets and tokens are 256-bit random values, stored only as SHA-256 digests: a copy of the
//! database holds nothing a caller could present. (A slow password hash buys nothing for values
//! with that much entropy.) Tokens live in the database so that any server process accepts a
//! token another one issued.

use jiff::Timestamp;

use super::{
    scope::Scopes,
    secret::{digest, random_token, same},
};
use store::state::api_clients as rows;

use crate::{Db, StoreError};

/// How long an access token lasts: SMART's backend-services guidance is five minutes at most.
pub const TOKEN_LIFETIME_SECONDS: i64 = 300;

/// A registered client, authenticated by a bearer token: who is calling and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub client_id: String,
    pub name: String,
    pub scopes: Scopes,
}

/// A token just issued; the token itself exists only here and in the response to the client.
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scopes: Scopes,
}

/// Why the token endpoint refuses, in RFC 6749's terms (`error` codes).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("unknown client or wrong secret")]
    InvalidClient,
    #[error("the requested scope is not granted to this client")]
    InvalidScope(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a bearer token is not accepted. Deliberately one kind: a caller learns nothing about
/// whether a token was ever valid.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    #[error("the access token is unknown or expired")]
    Rejected,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A client id as registered: 1 to 64 letters, digits, `.`, `_` or `-`.
pub fn is_valid_client_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A new random secret for [`register`], to show its owner once.
pub fn new_secret() -> String {
    random_token()
}

/// Registers (or re-registers, replacing its secret and scopes) a client.
pub async fn register(
    db: &Db,
    client_id: &str,
    name: &str,
    secret: &str,
    scopes: &Scopes,
    now: Timestamp,
) -> Result<(), StoreError> {
    rows::register(
        db.state(),
        client_id,
        name,
        &digest(secret),
        &scopes.to_string(),
        now,
    )
    .await
}

/// Whether `client_id` is registered.
pub async fn is_registered(db: &Db, client_id: &str) -> Result<bool, StoreError> {
    rows::is_registered(db.state(), client_id).await
}

/// The client-credentials grant: checks the client's secret and issues a token carrying what of
/// `requested` the client is allowed (all it is allowed when nothing is requested).
pub async fn issue_token(
    db: &Db,
    client_id: &str,
    secret: &str,
    requested: Option<&Scopes>,
    now: Timestamp,
) -> Result<IssuedToken, TokenError> {
    let Some((stored_digest, allowed)) = rows::credentials(db.state(), client_id).await? else {
        return Err(TokenError::InvalidClient);
    };
    if !same(&digest(secret), &stored_digest) {
        return Err(TokenError::InvalidClient);
    }
    let allowed: Scopes = allowed.parse().unwrap_or_default();
    let scopes = match requested {
        Some(requested) => requested.granted_by(&allowed),
        None => allowed,
    };
    if scopes.is_empty() {
        return Err(TokenError::InvalidScope(
            requested.map(ToString::to_string).unwrap_or_default(),
        ));
    }

    let access_token = random_token();
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_secs(TOKEN_LIFETIME_SECONDS))
        .unwrap_or(now);
    rows::insert_token(
        db.state(),
        &digest(&access_token),
        client_id,
        &scopes.to_string(),
        expires_at,
        now,
    )
    .await?;
    Ok(IssuedToken {
        access_token,
        expires_in: TOKEN_LIFETIME_SECONDS,
        scopes,
    })
}

/// How long this process trusts a token it has checked before looking it up again.
const CACHE_SECONDS: i64 = 30;
/// The most tokens remembered; beyond that the expired ones go, or all of them.
const CACHE_ENTRIES: usize = 10_000;

/// Tokens this process checked lately, by digest: otherwise every call of a busy client is a
/// database look-up before any work starts. An entry is trusted for at most 30 seconds and never
/// past the token's expiry, so a client removed from the register is refused by every server
/// process within 30 seconds.
#[derive(Debug, Default)]
pub struct BearerCache(std::sync::Mutex<std::collections::HashMap<String, (ApiClient, i64)>>);

impl BearerCache {
    fn get(&self, key: &str, now: i64) -> Option<ApiClient> {
        let entries = self.0.lock().ok()?;
        let (client, until) = entries.get(key)?;
        (now < *until).then(|| client.clone())
    }

    fn put(&self, key: String, client: ApiClient, until: i64, now: i64) {
        let Ok(mut entries) = self.0.lock() else {
            return;
        };
        if entries.len() >= CACHE_ENTRIES {
            entries.retain(|_, (_, until)| now < *until);
            if entries.len() >= CACHE_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (client, until));
    }
}

/// The client behind a bearer token that has not expired.
pub async fn authenticate_bearer(
    db: &Db,
    cache: &BearerCache,
    token: &str,
    now: Timestamp,
) -> Result<ApiClient, BearerError> {
    let key = digest(token);
    let now_seconds = now.as_second();
    if let Some(client) = cache.get(&key, now_seconds) {
        return Ok(client);
    }
    let row = rows::live_token(db.state(), &key, now)
        .await?
        .ok_or(BearerError::Rejected)?;
    let client = ApiClient {
        client_id: row.client_id,
        name: row.client_name,
        scopes: row.scope.parse().map_err(|_| BearerError::Rejected)?,
    };
    cache.put(
        key,
        client.clone(),
        row.expires_at.as_second().min(now_seconds + CACHE_SECONDS),
        now_seconds,
    );
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ApiClient {
        ApiClient {
            client_id: "lab".into(),
            name: "Lab".into(),
            scopes: "system/Patient.rs".parse().unwrap(),
        }
    }

    #[test]
    fn a_checked_token_is_trusted_until_its_time_is_up() {
        let cache = BearerCache::default();
        cache.put("digest".into(), client(), 1_030, 1_000);
        assert_eq!(cache.get("digest", 1_029), Some(client()));
        assert_eq!(cache.get("digest", 1_030), None);
        assert_eq!(cache.get("another", 1_000), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = BearerCache::default();
        for n in 0..CACHE_ENTRIES {
            cache.put(format!("old-{n}"), client(), 1_010, 1_000);
        }
        // Full of expired entries: they make way.
        cache.put("new".into(), client(), 2_030, 2_000);
        assert_eq!(cache.0.lock().unwrap().len(), 1);
        assert_eq!(cache.get("new", 2_001), Some(client()));
    }

    #[test]
    fn client_ids_are_plain_names() {
        assert!(is_valid_client_id("lab-results.sync_1"));
        assert!(!is_valid_client_id(""));
        assert!(!is_valid_client_id("a b"));
        assert!(!is_valid_client_id(&"x".repeat(65)));
    }
}
