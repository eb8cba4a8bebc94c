//! The OpenID Connect relying party: the authorization code flow with PKCE, state and nonce, built
//! on the `oauth2` crate, with ID tokens verified here by `jsonwebtoken` (signature against the
//! provider's published keys, `iss`, `aud`, `exp`, `nonce`).
//!
//! Provider metadata comes from `/.well-known/openid-configuration` on first use rather than at
//! start-up, so the service starts (and serves everything else) while a provider is unreachable.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk::JwkSet};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse as _, TokenUrl,
    basic::{
        BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
        BasicTokenType,
    },
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::{OnceCell, RwLock};

use crate::config::{ClientAuth, OidcProviderConfig};
use backend::auth::sessions::SignInAttempt;

/// The token response of an OpenID provider: OAuth2's, plus the ID token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdTokenFields {
    id_token: String,
}
impl oauth2::ExtraTokenFields for IdTokenFields {}

type OidcClient = oauth2::Client<
    BasicErrorResponse,
    StandardTokenResponse<IdTokenFields, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Algorithms an ID token may be signed with: asymmetric only (a shared-secret or unsigned token
/// proves nothing about who made it).
const ID_TOKEN_ALGORITHMS: [Algorithm; 5] = [
    Algorithm::RS256,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS512,
    Algorithm::ES256,
];

/// Why signing in through a provider failed. The person sees only that it failed; the log gets
/// the kind (never a token or a claim's value).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider's metadata could not be fetched: {0}")]
    Discovery(String),
    #[error("the provider's metadata is not usable: {0}")]
    Metadata(String),
    #[error("the code exchange failed: {0}")]
    Exchange(String),
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
    #[error("the client assertion could not be signed")]
    ClientAssertion,
}

#[derive(Debug, Clone, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    jwks_uri: String,
}

/// A configured identity provider the service signs people in with.
pub struct OidcProvider {
    config: OidcProviderConfig,
    redirect_url: RedirectUrl,
    /// Parsed once at start-up, so a bad key stops the service rather than a sign-in.
    assertion_key: Option<EncodingKey>,
    http: reqwest::Client,
    metadata: OnceCell<Metadata>,
    keys: RwLock<JwkSet>,
}

/// What `begin` hands back: where to send the browser, and what to remember until it returns.
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub attempt: SignInAttempt,
}

impl OidcProvider {
    pub fn new(
        name: &str,
        config: OidcProviderConfig,
        public_url: &str,
    ) -> Result<Self, anyhow::Error> {
        let redirect_url = RedirectUrl::new(format!(
            "{}/auth/callback/{name}",
            public_url.trim_end_matches('/')
        ))?;
        let assertion_key = match &config.client_auth {
            ClientAuth::PrivateKeyJwt { private_key_pem } => Some(
                EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes())
                    .map_err(|e| anyhow::anyhow!("the {name} sign-in private key: {e}"))?,
            ),
            ClientAuth::ClientSecret(_) => None,
        };
        let http = reqwest::Client::builder()
            // Following a redirect from a token endpoint could leak the code elsewhere (the
            // `oauth2` crate's advice); providers answer these requests directly.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            // A few requests per sign-in, minutes apart: a pooled connection would mostly be one
            // the provider has already closed (a request on it fails), and saves nothing.
            .pool_max_idle_per_host(0)
            .build()?;
        Ok(Self {
            config,
            redirect_url,
            assertion_key,
            http,
            metadata: OnceCell::new(),
            keys: RwLock::new(JwkSet::default()),
        })
    }

    /// Starts a sign-in: the authorization URL with a fresh state, nonce and PKCE challenge.
    pub async fn begin(&self, return_to: String) -> Result<AuthorizationRequest, OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = backend::auth::secret::random_token();
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.config.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .add_extra_param("nonce", nonce.clone());
        if let Some(vtr) = &self.config.vtr {
            request = request.add_extra_param("vtr", vtr.clone());
        }
        let (url, state) = request.url();
        Ok(AuthorizationRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            attempt: SignInAttempt {
                provider: String::new(),
                nonce,
                pkce_verifier: verifier.secret().clone(),
                return_to,
            },
        })
    }

    /// Finishes a sign-in: exchanges the code, verifies the ID token, and adds what the userinfo
    /// endpoint says about the same subject. Returns the verified claims.
    pub async fn finish(
        &self,
        code: String,
        attempt: &SignInAttempt,
    ) -> Result<Map<String, Value>, OidcError> {
        let metadata = self.metadata().await?;
        let client = self.client().await?;
        let mut exchange = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()));
        if let Some(key) = &self.assertion_key {
            exchange = exchange
                .add_extra_param(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .add_extra_param(
                    "client_assertion",
                    client_assertion(key, &self.config.client_id, &metadata.token_endpoint)?,
                );
        }
        let token = exchange
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(describe_token_error(&e)))?;
        let mut claims = self
            .verify_id_token(&token.extra_fields().id_token, &attempt.nonce)
            .await?;
        if let Some(userinfo) = &metadata.userinfo_endpoint {
            let info = self
                .userinfo(userinfo, token.access_token().secret())
                .await?;
            // OpenID Connect Core 5.3.2: userinfo about anyone but the ID token's subject is void.
            if info.get("sub") != claims.get("sub") {
                return Err(OidcError::UserInfo("its subject differs".into()));
            }
            for (name, value) in info {
                claims.entry(name).or_insert(value);
            }
        }
        Ok(claims)
    }

    async fn client(&self) -> Result<OidcClient, OidcError> {
        let metadata = self.metadata().await?;
        let invalid = |e: oauth2::url::ParseError| OidcError::Metadata(e.to_string());
        let mut client = oauth2::Client::new(ClientId::new(self.config.client_id.clone()))
            .set_auth_uri(AuthUrl::new(metadata.authorization_endpoint.clone()).map_err(invalid)?)
            .set_token_uri(TokenUrl::new(metadata.token_endpoint.clone()).map_err(invalid)?)
            .set_redirect_uri(self.redirect_url.clone());
        if let ClientAuth::ClientSecret(secret) = &self.config.client_auth {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        Ok(client)
    }

    async fn metadata(&self) -> Result<&Metadata, OidcError> {
        self.metadata
            .get_or_try_init(|| async {
                let issuer = self.config.issuer.trim_end_matches('/');
                let url = format!("{issuer}/.well-known/openid-configuration");
                let metadata: Metadata = self
                    .get_json(&url, None)
                    .await
                    .map_err(OidcError::Discovery)?;
                // OpenID Connect Discovery 4.3: the document must name the issuer it came from.
                if metadata.issuer.trim_end_matches('/') != issuer {
                    return Err(OidcError::Metadata(
                        "its issuer differs from the one configured".into(),
                    ));
                }
                Ok(metadata)
            })
            .await
    }

    async fn verify_id_token(
        &self,
        id_token: &str,
        nonce: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        let refused = |e: jsonwebtoken::errors::Error| OidcError::IdToken(e.to_string());
        let header = jsonwebtoken::decode_header(id_token).map_err(refused)?;
        if !ID_TOKEN_ALGORITHMS.contains(&header.alg) {
            return Err(OidcError::IdToken(format!(
                "{:?} is not accepted",
                header.alg
            )));
        }
        let key = self.signing_key(header.kid.as_deref()).await?;
        let metadata = self.metadata().await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&metadata.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(id_token, &key, &validation)
            .map_err(refused)?
            .claims;
        // The nonce ties the token to the sign-in this browser started: a replayed token fails.
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
            return Err(OidcError::IdToken("the nonce does not match".into()));
        }
        Ok(claims)
    }

    /// The provider's key `kid`, fetching the key set again when it is not known: providers
    /// rotate keys, and a new one appears in the set before tokens are signed with it.
    async fn signing_key(&self, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        let find = |keys: &JwkSet| match kid {
            Some(kid) => keys.find(kid).cloned(),
            None if keys.keys.len() == 1 => keys.keys.first().cloned(),
            None => None,
        };
        if let Some(jwk) = find(&*self.keys.read().await) {
            return DecodingKey::from_jwk(&jwk).map_err(|e| OidcError::IdToken(e.to_string()));
        }
        let metadata = self.metadata().await?;
        let fresh: JwkSet = self
            .get_json(&metadata.jwks_uri, None)
            .await
            .map_err(OidcError::Discovery)?;
        let jwk = find(&fresh);
        *self.keys.write().await = fresh;
        let jwk = jwk.ok_or_else(|| OidcError::IdToken("signed with an unknown key".into()))?;
        DecodingKey::from_jwk(&jwk).map_err(|e| OidcError::IdToken(e.to_string()))
    }

    async fn userinfo(
        &self,
        url: &str,
        access_token: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        self.get_json(url, Some(access_token))
            .await
            .map_err(OidcError::UserInfo)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, String> {
        let mut request = self.http.get(url).header("accept", "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }
}

/// The `private_key_jwt` client assertion (RFC 7523): a short-lived JWT about this client, signed
/// with its private key, for the token endpoint. RS512, as NHS login requires.
fn client_assertion(
    key: &EncodingKey,
    client_id: &str,
    token_endpoint: &str,
) -> Result<String, OidcError> {
    #[derive(Serialize)]
    struct Assertion<'a> {
        iss: &'a str,
        sub: &'a str,
        aud: &'a str,
        jti: String,
        iat: i64,
        exp: i64,
    }
    let now = jiff::Timestamp::now().as_second();
    let claims = Assertion {
        iss: client_id,
        sub: client_id,
        aud: token_endpoint,
        jti: uuid::Uuid::new_v4().to_string(),
        iat: now,
        exp: now + 60,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS512), &claims, key)
        .map_err(|_| OidcError::ClientAssertion)
}

fn describe_token_error<E: std::error::Error>(
    error: &oauth2::RequestTokenError<E, BasicErrorResponse>,
) -> String {
    match error {
        // The provider's own error code (`invalid_grant`, …) says what went wrong.
        oauth2::RequestTokenError::ServerResponse(response) => response.error().to_string(),
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            text
        }
    }
}
