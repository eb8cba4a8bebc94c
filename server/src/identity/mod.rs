//! Signing people in and out: the OpenID Connect redirect flow with the patient provider (NHS
//! login) and the staff provider (NHS CIS2), demo personas in demo mode, the session cookie, and
//! the middleware that finds the session behind each browser request.
//!
//! Routes under `/auth` are plain redirects and form posts, so signing in works without
//! JavaScript. The pages around them (`/sign-in`, `/signed-out`) are Leptos pages in `app`.

mod claims;
pub mod cookies;
pub mod csrf;
mod oidc;

use std::sync::Arc;

use axum::{
    Form, Router,
    extract::{Path, Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use backend::{
    Db,
    auth::{
        acting::{self, Acting},
        audit::{self, Authentication},
        sessions::{self, SignInAttempt},
        sign_in,
    },
};
use domain::{OdsCode, identity::Actor};
use jiff::Timestamp;
use serde::Deserialize;

pub use cookies::CookiePolicy;
pub use oidc::OidcProvider;

use crate::{client_address::ClientAddress, rate_limit::RateLimiter};

/// The two kinds of identity provider; their names appear in the sign-in and callback paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProviderKind {
    Patient,
    Staff,
}

impl ProviderKind {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "patient" => Some(Self::Patient),
            "staff" => Some(Self::Staff),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Staff => "staff",
        }
    }
}

/// Everything sign-in needs, shared by the handlers.
pub struct Identity {
    pub patient: Option<OidcProvider>,
    pub staff: Option<OidcProvider>,
    pub demo_mode: bool,
    pub cookies: CookiePolicy,
    /// Sign-ins started (or personas chosen) per client address.
    pub limiter: RateLimiter,
}

impl Identity {
    fn provider(&self, kind: ProviderKind) -> Option<&OidcProvider> {
        match kind {
            ProviderKind::Patient => self.patient.as_ref(),
            ProviderKind::Staff => self.staff.as_ref(),
        }
    }
}

#[derive(Clone)]
pub struct IdentityState {
    pub identity: Arc<Identity>,
    pub db: Db,
}

/// Why sign-in ended without a session, as the sign-in page explains it (`/sign-in?error=…`).
#[derive(Debug, Clone, Copy)]
enum SignInProblem {
    /// The person cancelled at the provider, or the provider refused.
    Cancelled,
    /// The attempt is unknown, used, too old, or from another browser.
    Expired,
    /// A member of staff with no role that gives access here.
    NoRole,
    /// The provider could not be reached or answered wrongly.
    Failed,
    TooMany,
}

impl SignInProblem {
    fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::NoRole => "no-role",
            Self::Failed => "failed",
            Self::TooMany => "too-many",
        }
    }

    fn redirect(self) -> Response {
        Redirect::to(&format!("/sign-in?error={}", self.code())).into_response()
    }
}

pub fn router<S: Clone + Send + Sync + 'static>(state: IdentityState) -> Router<S> {
    Router::new()
        .route("/sign-in/{provider}", get(begin_sign_in))
        .route("/callback/{provider}", get(finish_sign_in))
        .route("/demo", post(sign_in_as_persona))
        .route("/sign-out", post(sign_out))
        .with_state(state)
}

/// Finds the live session behind the request's cookie, for pages and server functions (they read
/// it from the request's extensions). A cookie whose session has ended is cleared. For a carer
/// acting for someone, whether the grant still holds is settled here, once, so that every part
/// of the page agrees: an ended one is cleared (the request's [`Acting`] says so, for the banner)
/// and the page is their own.
pub async fn resume_session(
    State(state): State<IdentityState>,
    mut request: Request,
    next: Next,
) -> Response {
    // The site's scripts, styles and images are the same for everyone: no session to read.
    if request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }
    let policy = state.identity.cookies;
    let mut ended = false;
    if let Some(id) = cookies::read(request.headers(), policy.session_name()) {
        let now = Timestamp::now();
        match sessions::resume(&state.db, &id, now).await {
            Ok(Some(mut session)) => {
                if session.acting_for.is_some() {
                    let acting = match acting::current(&state.db, &session, now).await {
                        Ok(acting) => acting,
                        Err(error) => {
                            tracing::error!(%error, "could not check whom a session acts for");
                            return crate::service_problem::page();
                        }
                    };
                    if !matches!(acting, Acting::For(_)) {
                        session.acting_for = None;
                    }
                    request.extensions_mut().insert(acting);
                }
                request.extensions_mut().insert(session);
            }
            Ok(None) => ended = true,
            Err(error) => {
                tracing::error!(%error, "could not read a session");
                return crate::service_problem::page();
            }
        }
    }
    let mut response = next.run(request).await;
    if ended {
        response
            .headers_mut()
            .append(header::SET_COOKIE, policy.clear_session());
    }
    response
}

#[derive(Deserialize)]
struct BeginQuery {
    return_to: Option<String>,
}

/// `GET /auth/sign-in/{provider}`: off to the provider, with a fresh state, nonce and PKCE
/// challenge remembered for the return, and a cookie that ties the attempt to this browser.
async fn begin_sign_in(
    State(state): State<IdentityState>,
    Path(provider): Path<String>,
    Query(query): Query<BeginQuery>,
    address: Option<axum::Extension<ClientAddress>>,
) -> Response {
    let Some(kind) = ProviderKind::parse(&provider) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(oidc) = state.identity.provider(kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if rate_limited(&state.identity, address.as_deref()).await {
        return SignInProblem::TooMany.redirect();
    }
    let return_to = local_path(query.return_to.as_deref());
    let request = match oidc.begin(return_to).await {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, provider = kind.name(), "could not start sign-in");
            return SignInProblem::Failed.redirect();
        }
    };
    let attempt = SignInAttempt {
        provider: kind.name().to_owned(),
        ..request.attempt
    };
    let browser_secret = backend::auth::secret::random_token();
    if let Err(error) = sessions::remember_sign_in(
        &state.db,
        &request.state,
        &browser_secret,
        &attempt,
        Timestamp::now(),
    )
    .await
    {
        tracing::error!(%error, "could not remember a sign-in attempt");
        return SignInProblem::Failed.redirect();
    }
    let mut response = Redirect::to(&request.url).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        state.identity.cookies.set_sign_in(&browser_secret),
    );
    response
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback/{provider}`: the provider sends the browser back here with a code (or an
/// error). The code becomes verified claims, the claims a person, the person a new session.
async fn finish_sign_in(
    State(state): State<IdentityState>,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
) -> Response {
    let Some(kind) = ProviderKind::parse(&provider) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(oidc) = state.identity.provider(kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Not rate-limited: each return needs a state from a started (and counted) sign-in.
    let policy = state.identity.cookies;
    let outcome = async {
        let browser_secret =
            cookies::read(&headers, policy.sign_in_name()).ok_or(SignInProblem::Expired)?;
        let returned_state = query.state.as_deref().ok_or(SignInProblem::Expired)?;
        let attempt =
            sessions::take_sign_in(&state.db, returned_state, &browser_secret, Timestamp::now())
                .await
                .map_err(|error| {
                    tracing::error!(%error, "could not read a sign-in attempt");
                    SignInProblem::Failed
                })?
                .filter(|attempt| attempt.provider == kind.name())
                .ok_or(SignInProblem::Expired)?;
        if let Some(error) = &query.error {
            tracing::info!(
                error = error.as_str(),
                provider = kind.name(),
                "sign-in not completed at the provider"
            );
            return Err(SignInProblem::Cancelled);
        }
        let code = query.code.clone().ok_or(SignInProblem::Failed)?;
        let claims = oidc.finish(code, &attempt).await.map_err(|error| {
            tracing::warn!(%error, provider = kind.name(), "sign-in failed");
            SignInProblem::Failed
        })?;
        let actor = actor_from_claims(&state.db, kind, &claims).await?;
        Ok((actor, attempt.return_to))
    }
    .await;
    let mut response = match outcome {
        Ok((actor, return_to)) => {
            match start_session(&state, &headers, address.as_deref(), &actor, &return_to).await {
                Ok(response) => response,
                Err(problem) => problem.redirect(),
            }
        }
        Err(problem) => problem.redirect(),
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, policy.clear_sign_in());
    response
}

async fn actor_from_claims(
    db: &Db,
    kind: ProviderKind,
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<Actor, SignInProblem> {
    let refused = |error: claims::ClaimsError| {
        tracing::warn!(%error, provider = kind.name(), "claims refused");
        match error {
            claims::ClaimsError::NoRole => SignInProblem::NoRole,
            claims::ClaimsError::Malformed(_) => SignInProblem::Failed,
        }
    };
    let store_failed = |error: backend::StoreError| {
        tracing::error!(%error, "could not look up a signed-in person");
        SignInProblem::Failed
    };
    match kind {
        ProviderKind::Patient => {
            let mut patient = claims::patient(claims).map_err(refused)?;
            if let Some(nhs_number) = &patient.nhs_number {
                patient.patient_id = sign_in::patient_record(db, nhs_number)
                    .await
                    .map_err(store_failed)?
                    .map(|(id, _)| id);
            }
            Ok(Actor::Patient(patient))
        }
        ProviderKind::Staff => {
            let home = backend::practice::summary(db)
                .await
                .map_err(store_failed)?
                .and_then(|practice| OdsCode::parse(&practice.ods_code).ok())
                .ok_or(SignInProblem::Failed)?;
            Ok(Actor::Staff(claims::staff(claims, &home).map_err(refused)?))
        }
    }
}

#[derive(Deserialize)]
struct PersonaForm {
    persona: String,
}

/// `POST /auth/demo`: demo mode only, signs in as one of the listed personas, with the same kind
/// of session the providers lead to.
async fn sign_in_as_persona(
    State(state): State<IdentityState>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
    Form(form): Form<PersonaForm>,
) -> Response {
    if !state.identity.demo_mode {
        return StatusCode::NOT_FOUND.into_response();
    }
    if rate_limited(&state.identity, address.as_deref()).await {
        return SignInProblem::TooMany.redirect();
    }
    let personas = match sign_in::demo_personas(&state.db).await {
        Ok(personas) => personas,
        Err(error) => {
            tracing::error!(%error, "could not list demo personas");
            return SignInProblem::Failed.redirect();
        }
    };
    let Some(persona) = personas.into_iter().find(|p| p.key == form.persona) else {
        return SignInProblem::Failed.redirect();
    };
    start_session(&state, &headers, address.as_deref(), &persona.actor, "/")
        .await
        .unwrap_or_else(SignInProblem::redirect)
}

/// Starts a new session and ends the one the browser had: a fresh id at every sign-in, so an id
/// planted before sign-in (session fixation) is worth nothing after it.
async fn start_session(
    state: &IdentityState,
    headers: &HeaderMap,
    address: Option<&ClientAddress>,
    actor: &Actor,
    return_to: &str,
) -> Result<Response, SignInProblem> {
    let policy = state.identity.cookies;
    let now = Timestamp::now();
    if let Some(old) = cookies::read(headers, policy.session_name())
        && let Err(error) = sessions::end(&state.db, &old).await
    {
        tracing::error!(%error, "could not end the previous session");
        return Err(SignInProblem::Failed);
    }
    let id = sessions::start(&state.db, actor, now)
        .await
        .map_err(|error| {
            tracing::error!(%error, "could not start a session");
            SignInProblem::Failed
        })?;
    let kind = match actor {
        Actor::Patient(_) => "patient",
        Actor::Staff(_) => "staff",
    };
    // The sign-in is on the record before the browser gets the cookie: a session nobody can
    // account for is worse than a failed sign-in.
    audit::record_authentication(
        &state.db,
        actor,
        Authentication::SignIn,
        address.map(|a| a.0.to_string()),
        now,
    )
    .await
    .map_err(|error| {
        tracing::error!(%error, "could not audit a sign-in");
        SignInProblem::Failed
    })?;
    tracing::info!(kind, "signed in");
    let mut response = Redirect::to(return_to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, policy.set_session(&id));
    Ok(response)
}

/// `POST /auth/sign-out`: the session row goes, so the id is void on every server process.
async fn sign_out(
    State(state): State<IdentityState>,
    headers: HeaderMap,
    address: Option<axum::Extension<ClientAddress>>,
) -> Response {
    let policy = state.identity.cookies;
    if let Some(id) = cookies::read(&headers, policy.session_name()) {
        match sessions::end(&state.db, &id).await {
            Ok(Some(actor)) => {
                // The session is already gone: a failure here loses a line of the trail, not
                // the sign-out, so it is logged rather than shown.
                if let Err(error) = audit::record_authentication(
                    &state.db,
                    &actor,
                    Authentication::SignOut,
                    address.map(|a| a.0.0.to_string()),
                    Timestamp::now(),
                )
                .await
                {
                    tracing::error!(%error, "could not audit a sign-out");
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "could not end a session");
                return crate::service_problem::page();
            }
        }
    }
    let mut response = Redirect::to("/signed-out").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, policy.clear_session());
    response
}

async fn rate_limited(identity: &Identity, address: Option<&ClientAddress>) -> bool {
    let Some(address) = address else {
        return false;
    };
    identity
        .limiter
        .check(address.0, Timestamp::now())
        .await
        .is_err()
}

/// A path on this site to return to; anything else (another site, `//host`, `/\host`) becomes
/// the home page, so sign-in cannot be used to redirect people elsewhere.
fn local_path(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/appointments?x=1")), "/appointments?x=1");
        assert_eq!(local_path(Some("https://evil.test/")), "/");
        assert_eq!(local_path(Some("//evil.test/")), "/");
        assert_eq!(local_path(Some("/\\evil.test")), "/");
        assert_eq!(local_path(None), "/");
    }
}
