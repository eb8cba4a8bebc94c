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

#[cfg(feature = "ssr")]
pub(crate) use crate::error::{fail, set_page_status};

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
