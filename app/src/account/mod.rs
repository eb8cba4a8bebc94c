//! Who is signed in, and how to sign in: what the header and the sign-in page show.

mod get_current_user;
mod get_sign_in_options;

pub use get_current_user::{GetCurrentUser, get_current_user};
pub use get_sign_in_options::{GetSignInOptions, get_sign_in_options};
use serde::{Deserialize, Serialize};

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUserDto {
    pub name: String,
    /// "Patient, identity level P9", "Clinician, Y90001", …
    pub role: String,
    pub is_patient: bool,
    /// A practice administrator: keeps the practice's services and places.
    pub manages_practice: bool,
}

/// The ways to sign in this server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptionsDto {
    /// NHS login is configured.
    pub patient_login: bool,
    /// NHS CIS2 is configured.
    pub staff_login: bool,
    /// Demo mode only: the people a newcomer can sign in as.
    pub personas: Vec<PersonaDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaDto {
    pub key: String,
    pub name: String,
    pub role: String,
    pub description: String,
}

#[cfg(feature = "ssr")]
pub(crate) fn role_label(actor: &domain::identity::Actor) -> String {
    use domain::identity::Actor;
    match actor {
        Actor::Patient(patient) => format!("Patient, identity level {:?}", patient.proofing),
        Actor::Staff(staff) => format!("{}, {}", staff.role.label(), staff.organisation.as_str()),
    }
}

/// The session of the request being served, which the server's session middleware put in the
/// request's extensions; `None` when nobody is signed in.
#[cfg(feature = "ssr")]
pub(crate) fn current_session() -> Option<backend::auth::sessions::Session> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<backend::auth::sessions::Session>()
        .cloned()
}

/// The signed-in person's session, or `SignInRequired` (status 401).
#[cfg(feature = "ssr")]
pub(crate) fn require_session() -> Result<backend::auth::sessions::Session, crate::error::AppError>
{
    current_session().ok_or_else(|| fail(crate::error::AppError::SignInRequired))
}

/// `error`, with the response's status set to match (401, 403, 422, …): for a call from the
/// browser's code, the status tells it that an error follows; for a page, crawlers and monitoring
/// see the truth.
///
/// Except for a form posted without JavaScript: that is answered with a redirect back to the
/// form's page (the error in its URL), and any other status would leave the browser on a blank
/// response instead of following it.
#[cfg(feature = "ssr")]
pub(crate) fn fail(error: crate::error::AppError) -> crate::error::AppError {
    let plain_form_post = request_parts().is_some_and(|parts| {
        is_server_function_call(&parts)
            && parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    });
    if !plain_form_post && let Ok(status) = http::StatusCode::from_u16(error.status()) {
        set_response_status(status);
    }
    error
}

/// Sets the status of the page being rendered, for an answer that is not an error to the code
/// asking (a page that explains a refusal, say). A server function call keeps its 200: the
/// browser's code reads any other status as an error and would not show the explanation.
#[cfg(feature = "ssr")]
pub(crate) fn set_page_status(status: http::StatusCode) {
    if !request_parts().is_some_and(|parts| is_server_function_call(&parts)) {
        set_response_status(status);
    }
}

#[cfg(feature = "ssr")]
fn request_parts() -> Option<http::request::Parts> {
    leptos::prelude::use_context::<http::request::Parts>()
}

#[cfg(feature = "ssr")]
fn is_server_function_call(parts: &http::request::Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

#[cfg(feature = "ssr")]
fn set_response_status(status: http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The address the request came from, for the audit trail.
#[cfg(feature = "ssr")]
pub(crate) fn client_address() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<backend::auth::ClientAddress>()
        .map(|address| address.0.to_string())
}

/// `session`'s person's access to `patient_id`'s record for `purpose`, from this request's
/// address: the policy's one check, which every use case on a patient's record takes the answer
/// of. A refusal is audited already.
#[cfg(feature = "ssr")]
pub(crate) async fn access(
    db: &backend::Db,
    session: &backend::auth::sessions::Session,
    patient_id: &str,
    purpose: backend::auth::policy::Purpose,
    now: jiff::Timestamp,
) -> Result<backend::auth::access::Access, backend::auth::access::AccessError> {
    backend::auth::access::check(db, session, patient_id, purpose, client_address(), now).await
}
