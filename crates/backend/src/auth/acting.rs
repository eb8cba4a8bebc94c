//! Acting for someone you care for: a patient who holds proxy grants chooses whose record their
//! pages are about, themselves or one of the people who granted them access. The session
//! remembers the choice ([`Session::acting_for`]); it opens nothing by itself, since every
//! access checks the grant again ([`super::policy::permits`]), so a grant that ends stops the
//! next page, not the next sign-in.

use domain::identity::Actor;
use jiff::Timestamp;

use super::{
    policy::{self, ProxyGrant, Refusal},
    sessions::Session,
};
use crate::{Db, StoreError};

/// Whose record `session`'s pages are about: the patient its person acts for, or their own.
/// Staff have none, and nobody below P9 reaches a record.
pub fn whose_record(session: &Session) -> Result<&str, Refusal> {
    match session.acting_for.as_deref() {
        Some(patient_id) => own_record(session).map(|_| patient_id),
        None => own_record(session),
    }
}

/// The signed-in patient's own record, whoever they act for: for what is theirs alone (the
/// emails they get). Staff have none, and nobody below P9 reaches a record.
pub fn own_record(session: &Session) -> Result<&str, Refusal> {
    match &session.actor {
        Actor::Patient(patient) if !patient.proofing.may_see_record() => {
            Err(Refusal::ProofingTooLow)
        }
        Actor::Patient(patient) => patient.patient_id.as_deref().ok_or(Refusal::NotTheirs),
        Actor::Staff(_) => Err(Refusal::NotTheirs),
    }
}

/// Whose record a session's pages are about, as its person should be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acting {
    /// Their own (or they are staff).
    Themselves,
    /// The patient of this grant.
    For(ProxyGrant),
    /// They chose someone whose grant has since ended: the choice is cleared, and the pages are
    /// about them again. Shown once.
    Ended,
}

/// Why a choice was not made.
#[derive(Debug, thiserror::Error)]
pub enum ActingError {
    /// Only patients act for someone, and only with an identity checked to P9.
    #[error("not a patient checked to P9")]
    NotAPatient,
    /// They hold no grant from that patient (now).
    #[error("no grant for that patient")]
    NotGranted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The people `session`'s person may act for at `now`: their grants in force.
pub async fn choices(
    db: &Db,
    session: &Session,
    now: Timestamp,
) -> Result<Vec<ProxyGrant>, ActingError> {
    match &session.actor {
        Actor::Patient(patient) if patient.proofing.may_see_record() => {
            Ok(policy::proxy_grants(db, patient, now).await?)
        }
        Actor::Patient(_) | Actor::Staff(_) => Err(ActingError::NotAPatient),
    }
}

/// Makes `session` act for `patient_id` (`None`: for its own person) from now on, if they hold a
/// grant from that patient at `now`. Returns the grant acted under.
pub async fn choose(
    db: &Db,
    session: &Session,
    patient_id: Option<&str>,
    now: Timestamp,
) -> Result<Option<ProxyGrant>, ActingError> {
    let grants = choices(db, session, now).await?;
    let grant = match patient_id {
        None => None,
        Some(id) => Some(
            grants
                .into_iter()
                .find(|grant| grant.patient_id == id)
                .ok_or(ActingError::NotGranted)?,
        ),
    };
    let acting_for = grant.as_ref().map(|grant| grant.patient_id.as_str());
    store::state::sessions::act_for(db.state(), &session.key, acting_for).await?;
    Ok(grant)
}

/// Whose record `session`'s pages are about at `now`: settled once per request, when the session
/// is resumed, for the page and the banner every page shows. A choice whose grant has ended is
/// cleared here, and [`Acting::Ended`] says so once.
pub async fn current(db: &Db, session: &Session, now: Timestamp) -> Result<Acting, StoreError> {
    let (Some(patient_id), Actor::Patient(patient)) = (&session.acting_for, &session.actor) else {
        return Ok(Acting::Themselves);
    };
    let grant = policy::proxy_grants(db, patient, now)
        .await?
        .into_iter()
        .find(|grant| &grant.patient_id == patient_id);
    match grant {
        Some(grant) => Ok(Acting::For(grant)),
        None => {
            store::state::sessions::act_for(db.state(), &session.key, None).await?;
            Ok(Acting::Ended)
        }
    }
}
