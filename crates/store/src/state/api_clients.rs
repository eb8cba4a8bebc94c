//! Backend systems registered to call the FHIR API and the access tokens issued to them, as
//! rows: secrets and tokens only as the SHA-256 digests the caller computed, scopes as text.

use jiff::Timestamp;

use super::{WorkingState, sessions::seconds};
use crate::StoreError;

/// Registers `client_id` (replacing an earlier registration and its tokens).
pub async fn register(
    state: &WorkingState,
    client_id: &str,
    name: &str,
    secret_digest: &str,
    scope: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM api_clients WHERE client_id = $1")
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO api_clients (client_id, name, secret_sha256, scope, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(client_id)
    .bind(name)
    .bind(secret_digest)
    .bind(scope)
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `client_id` is registered.
pub async fn is_registered(state: &WorkingState, client_id: &str) -> Result<bool, StoreError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT client_id FROM api_clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(state.pool())
            .await?;
    Ok(found.is_some())
}

/// A registered client's secret digest and the most its tokens may carry.
pub async fn credentials(
    state: &WorkingState,
    client_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT secret_sha256, scope FROM api_clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(state.pool())
            .await?,
    )
}

/// Stores a token (by its digest) for `client_id` with `scope` until `expires_at`, first removing
/// the tokens expired at `now`, so the table stays as small as the tokens in use.
pub async fn insert_token(
    state: &WorkingState,
    token_digest: &str,
    client_id: &str,
    scope: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM access_tokens WHERE expires_at <= $1")
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO access_tokens (token_sha256, client_id, scope, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_digest)
    .bind(client_id)
    .bind(scope)
    .bind(expires_at.as_second())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A live token: its client's id and name, its scope, and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub client_id: String,
    pub client_name: String,
    pub scope: String,
    pub expires_at: Timestamp,
}

/// The token stored under `token_digest`, if it has not expired at `now` and its client is
/// still registered.
pub async fn live_token(
    state: &WorkingState,
    token_digest: &str,
    now: Timestamp,
) -> Result<Option<TokenRow>, StoreError> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT t.client_id, c.name, t.scope, t.expires_at FROM access_tokens t \
         JOIN api_clients c ON c.client_id = t.client_id \
         WHERE t.token_sha256 = $1 AND t.expires_at > $2",
    )
    .bind(token_digest)
    .bind(now.as_second())
    .fetch_optional(state.pool())
    .await?;
    Ok(
        row.map(|(client_id, client_name, scope, expires_at)| TokenRow {
            client_id,
            client_name,
            scope,
            expires_at: seconds(expires_at),
        }),
    )
}
