//! The OAuth2 token endpoint for backend systems (client-credentials grant, SMART system scopes)
//! and the SMART configuration document that tells clients where it is.

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use backend::{
    Db,
    auth::{Scopes, api_clients},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::{client_address::ClientAddress, rate_limit::RateLimiter};

#[derive(Clone)]
struct TokenState {
    db: Db,
    limiter: RateLimiter,
}

/// `POST /oauth2/token`.
pub fn router<S: Clone + Send + Sync + 'static>(db: Db, limiter: RateLimiter) -> Router<S> {
    Router::new()
        .route("/token", post(token))
        .with_state(TokenState { db, limiter })
}

/// `GET /fhir/.well-known/smart-configuration`: SMART App Launch's discovery document.
pub fn smart_configuration(base: &str) -> Value {
    json!({
        "token_endpoint": format!("{base}/oauth2/token"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["system/*.cruds", "system/*.rs", "system/Patient.rs"],
        "capabilities": ["client-confidential-symmetric", "permission-v2", "permission-v1"],
    })
}

/// Refusals in RFC 6749 section 5.2's terms.
enum TokenRefusal {
    InvalidRequest(&'static str),
    UnsupportedGrantType,
    InvalidClient { basic: bool },
    InvalidScope(String),
    TooManyRequests(u64),
    Unavailable,
}

impl IntoResponse for TokenRefusal {
    fn into_response(self) -> Response {
        let challenge = match &self {
            Self::InvalidClient { basic: true } => Some((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"token\""),
            )),
            Self::TooManyRequests(seconds) => {
                Some((header::RETRY_AFTER, HeaderValue::from((*seconds).max(1))))
            }
            _ => None,
        };
        let (status, error, description) = match self {
            Self::InvalidRequest(why) => (StatusCode::BAD_REQUEST, "invalid_request", why.into()),
            Self::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported".into(),
            ),
            Self::InvalidClient { .. } => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client or wrong secret".into(),
            ),
            Self::InvalidScope(why) => (StatusCode::BAD_REQUEST, "invalid_scope", why),
            Self::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "slow_down",
                "too many token requests from this address; try again later".into(),
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the service cannot issue tokens just now".into(),
            ),
        };
        let mut response = (
            status,
            no_store(),
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response();
        if let Some((name, value)) = challenge {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// Tokens and errors about them must never be cached (RFC 6749 section 5.1).
fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

async fn token(
    State(state): State<TokenState>,
    address: Option<axum::Extension<ClientAddress>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenRefusal> {
    if let Some(axum::Extension(ClientAddress(address))) = address {
        state
            .limiter
            .check(address, jiff::Timestamp::now())
            .await
            .map_err(|retry| TokenRefusal::TooManyRequests(retry.0.as_secs()))?;
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(TokenRefusal::InvalidRequest(
            "send the request as application/x-www-form-urlencoded",
        ));
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| -> Result<Option<&str>, TokenRefusal> {
        let mut values = form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(TokenRefusal::InvalidRequest("a parameter was sent twice"));
        }
        Ok(first)
    };
    match field("grant_type")? {
        Some("client_credentials") => {}
        Some(_) => return Err(TokenRefusal::UnsupportedGrantType),
        None => return Err(TokenRefusal::InvalidRequest("grant_type is missing")),
    }
    let basic = basic_credentials(&headers);
    let (client_id, secret) = match (basic, field("client_id")?, field("client_secret")?) {
        (Some(Ok(credentials)), None, None) => credentials,
        (Some(Err(())), _, _) => return Err(TokenRefusal::InvalidClient { basic: true }),
        (None, Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
        (None, None, None) => return Err(TokenRefusal::InvalidClient { basic: false }),
        _ => {
            return Err(TokenRefusal::InvalidRequest(
                "authenticate the client one way: HTTP Basic or client_id and client_secret",
            ));
        }
    };
    let requested = field("scope")?
        .map(str::parse::<Scopes>)
        .transpose()
        .map_err(|error| TokenRefusal::InvalidScope(error.to_string()))?;
    let issued = api_clients::issue_token(
        &state.db,
        &client_id,
        &secret,
        requested.as_ref(),
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|error| match error {
        api_clients::TokenError::InvalidClient => {
            tracing::warn!(client_id, "token refused: unknown client or wrong secret");
            TokenRefusal::InvalidClient {
                basic: headers.contains_key(header::AUTHORIZATION),
            }
        }
        api_clients::TokenError::InvalidScope(_) => TokenRefusal::InvalidScope(
            "none of the requested scopes is granted to this client".into(),
        ),
        api_clients::TokenError::Store(error) => {
            tracing::error!(error = %error, "could not issue a token");
            TokenRefusal::Unavailable
        }
    })?;
    tracing::info!(client_id, scope = %issued.scopes, "token issued");
    Ok((
        no_store(),
        Json(json!({
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": issued.scopes.to_string(),
        })),
    )
        .into_response())
}

/// `Authorization: Basic` credentials, form-urlencoded inside as RFC 6749 section 2.3.1 says;
/// `None` without the header, `Err` when it is there but unreadable.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let decoded = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let credentials = decoded.as_deref().and_then(|text| {
        let (id, secret) = text.split_once(':')?;
        let unescape = |s: &str| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((unescape(id)?, unescape(secret)?))
    });
    Some(credentials.ok_or(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded_and_unescaped() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("my%20client:s%3Acret");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(Ok(("my client".into(), "s:cret".into())))
        );
        headers.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_credentials(&headers), Some(Err(())));
        assert_eq!(basic_credentials(&HeaderMap::new()), None);
    }
}
