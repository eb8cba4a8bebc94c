//! One checked access: [`check`] turns a session and a patient into an [`Access`] (the policy
//! said yes, for this purpose) or a refusal that is already audited. The edge (a server function,
//! an HTTP handler) calls it once; every use case that reaches one patient's record takes the
//! `Access` instead of a session, so the check is written once and cannot be skipped.

use domain::{OdsCode, identity::Actor};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::Value;
use store::{Found, StoreError, WriteError};

use super::{
    audit::{self, AccessRecord, Action, Outcome},
    policy::{self, Basis, Purpose, Refusal, Subject},
    sessions::Session,
};
use crate::{Db, FhirRepository};

/// A person's access to one patient's record that the policy allowed, for one purpose. Only
/// [`check`] makes one.
#[derive(Debug)]
pub struct Access {
    /// Who was let in.
    pub actor: Actor,
    /// What for: a use case serves only the purpose its access was checked for.
    pub purpose: Purpose,
    pub patient_id: String,
    /// The Patient resource as read for the check.
    pub patient: Value,
    /// The practice the patient is registered with, if the record names one held here.
    pub practice: Option<OdsCode>,
    pub basis: Basis,
    /// The audit record of this access, to complete with what it touched and store.
    pub record: AccessRecord,
}

impl Access {
    /// The patient's name when this is a carer acting for them (a proxy's access), for pages
    /// that must say whose they are ("Amina Patel's appointments").
    pub fn acting_for(&self) -> Option<String> {
        (self.basis == Basis::Proxy).then(|| fhir::read::person_name(&self.patient))
    }
}

/// Why [`check`] gave no [`Access`].
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("no such patient")]
    NotFound,
    /// The policy said no; the refusal is audited already. The record and practice come with
    /// it for the one page that may show whose record it is (a clinician about to break the
    /// glass must check they have the right person first).
    #[error("refused: {refusal:?}")]
    Refused {
        refusal: Refusal,
        patient: Box<Value>,
        practice: Option<OdsCode>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the refusal could not be audited")]
    Audit(#[from] WriteError),
}

/// May `session`'s person open `patient_id`'s record for `purpose`? Reads the patient and their
/// practice, loads what the person holds (proxy grants, broken glass) and asks the policy. A
/// refusal is audited before it is returned; an access is audited by the use case, once it knows
/// what it touched.
pub async fn check(
    db: &Db,
    session: &Session,
    patient_id: &str,
    purpose: Purpose,
    address: Option<String>,
    now: Timestamp,
) -> Result<Access, AccessError> {
    let Found::Current(patient) = db.read(ResourceType::Patient, patient_id).await? else {
        return Err(AccessError::NotFound);
    };
    let practice = policy::registered_practice(db, &patient.resource).await?;
    let grants = policy::grants(db, session, now).await?;
    let subject = Subject {
        patient_id,
        practice: practice.as_ref(),
    };
    let mut record = access_record(&session.actor, patient_id, purpose, address);
    match policy::permits(&session.actor, subject, &grants, purpose) {
        Ok(basis) => {
            record.basis = Some(basis.clone());
            Ok(Access {
                actor: session.actor.clone(),
                purpose,
                patient_id: patient_id.to_owned(),
                patient: patient.resource,
                practice,
                basis,
                record,
            })
        }
        Err(refusal) => {
            record.outcome = Outcome::MinorFailure;
            audit::record(db, &record, now).await?;
            Err(AccessError::Refused {
                refusal,
                patient: Box::new(patient.resource),
                practice,
            })
        }
    }
}

/// The audit record of an access for `purpose`: a read of the patient's record, or for a write
/// a create.
fn access_record(
    actor: &Actor,
    patient_id: &str,
    purpose: Purpose,
    address: Option<String>,
) -> AccessRecord {
    let mut record = AccessRecord::person_reading(actor, format!("Patient/{patient_id}"), address);
    if purpose == Purpose::WriteRecord {
        record.interaction = "create";
        record.action = Action::Create;
    }
    record
}
