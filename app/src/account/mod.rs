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
    /// The person a carer is acting for: every page says so (`crate::acting`).
    pub acting_for: Option<ActingForDto>,
    /// They were acting for someone whose access to them has ended; the pages are theirs again.
    pub acting_ended: bool,
}

/// Someone a carer may act for, or is acting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingForDto {
    pub patient_id: String,
    pub name: String,
    /// "Parent", "Carer with proxy access", …
    pub relationship: String,
    /// What the grant lets them do, in words: "see their health record", "manage their
    /// appointments", "message their GP practice".
    pub allows: Vec<String>,
}

#[cfg(feature = "ssr")]
impl From<backend::auth::policy::ProxyGrant> for ActingForDto {
    fn from(grant: backend::auth::policy::ProxyGrant) -> Self {
        use backend::auth::policy::Purpose;
        Self {
            allows: grant
                .allows
                .iter()
                .map(|purpose| {
                    match purpose {
                        Purpose::ReadRecord => "see their health record",
                        Purpose::Appointments => "book and manage their appointments",
                        Purpose::Messages => "message their GP practice",
                        Purpose::Prescriptions => "order their repeat prescriptions",
                        Purpose::WriteRecord => "write to their record",
                    }
                    .to_owned()
                })
                .collect(),
            patient_id: grant.patient_id,
            name: grant.patient_name,
            relationship: grant.relationship,
        }
    }
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

/// A refused access as its person should read it: a patient refused a record not their own (no
/// access from that person, or not for this) is told about acting for someone; anyone else that
/// it is not for them.
#[cfg(feature = "ssr")]
pub(crate) fn refusal(
    session: &backend::auth::sessions::Session,
    refusal: backend::auth::policy::Refusal,
) -> crate::error::AppError {
    use backend::auth::policy::Refusal;
    use domain::identity::Actor;

    use crate::error::AppError;
    match (&session.actor, refusal) {
        (Actor::Patient(_), Refusal::NotTheirs | Refusal::BeyondGrant) => {
            fail(AppError::NotGranted)
        }
        _ => fail(AppError::NotAllowed),
    }
}

/// Whose record a patient's page is about: `requested` (a `for` in its address, which the
/// access check then refuses unless it is theirs or they act for that person), else the person
/// they chose to act for, else their own.
#[cfg(feature = "ssr")]
pub(crate) fn whose_record(
    session: &backend::auth::sessions::Session,
    requested: Option<String>,
) -> Result<String, backend::auth::policy::Refusal> {
    let chosen = backend::auth::acting::whose_record(session)?;
    Ok(requested
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| chosen.to_owned()))
}

/// `session`'s access, for `purpose`, to the record its pages are about ([`whose_record`]: their
/// own, or the person they act for); a refusal is audited, and given as the use case's error.
#[cfg(feature = "ssr")]
pub(crate) async fn access_to_whose_record<E: From<backend::auth::access::AccessError>>(
    db: &backend::Db,
    session: &backend::auth::sessions::Session,
    purpose: backend::auth::policy::Purpose,
    now: jiff::Timestamp,
    refused: fn(backend::auth::policy::Refusal) -> E,
) -> Result<backend::auth::access::Access, E> {
    let patient_id = whose_record(session, None).map_err(refused)?;
    Ok(access(db, session, &patient_id, purpose, now).await?)
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
