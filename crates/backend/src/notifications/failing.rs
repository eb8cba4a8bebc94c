//! The emails the mail server kept refusing, for the practice's office: whose they were, what
//! they said and what the mail server answered, so that someone can check the address with the
//! patient and send it again. Seeing whose they were is an access to those patients' records,
//! audited as one listing.

use std::collections::BTreeSet;

use domain::{
    NhsNumber,
    identity::{Actor, StaffRole, StaffUser},
};
use fhir::ResourceType;
use jiff::Timestamp;
use store::{Found, state::notifications};

use super::Kind;
use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        audit::{self, AccessRecord},
        policy::{self, Refusal},
        sessions::Session,
    },
};

/// How many of the most recent are listed.
const LISTED: u32 = 200;

/// An email given up on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingEmail {
    pub id: String,
    /// `None` for a kind this version does not know.
    pub kind: Option<Kind>,
    pub patient_id: String,
    pub patient_name: String,
    pub nhs_number: Option<NhsNumber>,
    pub attempts: u32,
    pub failed_at: Timestamp,
    /// The mail server's answer, in words (no patient data).
    pub last_failure: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FailingError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// No such email among those failing for the practice.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the access could not be audited")]
    Audit(#[from] store::WriteError),
}

/// The emails given up on for patients registered with the practice of `session`'s person, an
/// administrator; newest first. Audited as a listing of those patients.
pub async fn failing(
    db: &Db,
    session: &Session,
    address: Option<String>,
    now: Timestamp,
) -> Result<Vec<FailingEmail>, FailingError> {
    let staff = administrator(session)?;
    let listed = of_practice(db, staff).await?;
    let mut access = AccessRecord::staff_listing(&session.actor, &staff.organisation, address);
    access.patients = listed
        .iter()
        .map(|email| format!("Patient/{}", email.patient_id))
        .collect::<BTreeSet<_>>();
    access.records.extend(access.patients.iter().cloned());
    audit::record(db, &access, now).await?;
    Ok(listed)
}

/// Puts email `id`, one of those [`failing`] lists for `session`'s administrator, back in the
/// queue to be sent now, its attempts counted afresh.
pub async fn try_again(
    db: &Db,
    session: &Session,
    id: &str,
    now: Timestamp,
) -> Result<(), FailingError> {
    let staff = administrator(session)?;
    let theirs = of_practice(db, staff).await?;
    if !theirs.iter().any(|email| email.id == id) {
        return Err(FailingError::NotFound);
    }
    if notifications::try_again(db.state(), id, now).await? {
        Ok(())
    } else {
        Err(FailingError::NotFound)
    }
}

fn administrator(session: &Session) -> Result<&StaffUser, FailingError> {
    match &session.actor {
        Actor::Staff(staff) if staff.role == StaffRole::Administrator => Ok(staff),
        Actor::Staff(_) => Err(FailingError::Refused(Refusal::NotClinical)),
        Actor::Patient(_) => Err(FailingError::Refused(Refusal::NotTheirs)),
    }
}

/// The emails given up on whose patients are registered with `staff`'s practice.
async fn of_practice(db: &Db, staff: &StaffUser) -> Result<Vec<FailingEmail>, StoreError> {
    let mut listed = Vec::new();
    for failed in notifications::failed(db.state(), LISTED).await? {
        let Some(patient_id) = failed.patient_id else {
            continue;
        };
        let Found::Current(patient) = db.read(ResourceType::Patient, &patient_id).await? else {
            continue;
        };
        let practice = policy::registered_practice(db, &patient.resource).await?;
        if practice.as_ref() != Some(&staff.organisation) {
            continue;
        }
        listed.push(FailingEmail {
            id: failed.id,
            kind: Kind::parse(&failed.kind),
            patient_name: fhir::read::person_name(&patient.resource),
            nhs_number: fhir::read::identifier(&patient.resource, fhir::NHS_NUMBER_SYSTEM)
                .and_then(|text| NhsNumber::parse(text).ok()),
            patient_id,
            attempts: failed.attempts,
            failed_at: failed.failed_at,
            last_failure: failed.last_failure,
        });
    }
    Ok(listed)
}
