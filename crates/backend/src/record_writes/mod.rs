//! Clinicians writing to a patient's record. Every write is proper FHIR (the resources a summary
//! or another system reads), made by whoever `policy` lets write, with its author and time, and
//! comes with a Provenance naming what was written, by whom, when, in the same transaction:
//! either all of it is stored or none. Every write, and every refusal, is audited.

mod entries;
mod vital_signs;

pub use entries::{
    NewAllergy, record_allergy, record_consultation, record_immunisation, record_problem,
};
pub use vital_signs::{RecordedVitals, record_vital_signs};

use domain::identity::{Actor, StaffUser};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::{
    Db, StoreError,
    auth::{
        access::{Access, AccessError},
        audit::{self, AccessRecord},
        policy::{Purpose, Refusal},
    },
};
use store::{WriteError, repository::first_match};

#[derive(Debug, thiserror::Error)]
pub enum RecordWriteError {
    #[error("no such patient")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write or its audit record failed")]
    Write(#[from] WriteError),
}

/// Who is writing, as the written resources name them.
pub(crate) struct Author {
    /// A Reference: the Practitioner record when there is one, always the SDS user id and name.
    pub reference: Value,
}

impl From<AccessError> for RecordWriteError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => Self::NotFound,
            AccessError::Refused { refusal, .. } => Self::Refused(refusal),
            AccessError::Store(error) => error.into(),
            AccessError::Audit(error) => error.into(),
        }
    }
}

/// The author, and the audit record to complete once written, of a write that `access` allows:
/// one checked for [`Purpose::WriteRecord`], which the policy grants to clinicians only (the
/// patient's care team, or one who broke the glass).
async fn writer(db: &Db, access: Access) -> Result<(Author, AccessRecord), RecordWriteError> {
    let Actor::Staff(staff) = &access.actor else {
        return Err(RecordWriteError::Refused(Refusal::NotTheirs));
    };
    if access.purpose != Purpose::WriteRecord {
        return Err(RecordWriteError::Refused(Refusal::NotTheirs));
    }
    Ok((author(db, staff).await?, access.record))
}

/// The signed-in clinician as a Reference: their Practitioner record (found by SDS user id)
/// when the service has one, and always the SDS user id and their name.
pub(crate) async fn author(db: &Db, staff: &StaffUser) -> Result<Author, StoreError> {
    let practitioner = first_match(
        db,
        ResourceType::Practitioner,
        &[(
            "identifier",
            format!("{}|{}", fhir::SDS_USER_ID_SYSTEM, staff.user_id),
        )],
    )
    .await?
    .and_then(|found| found["id"].as_str().map(str::to_owned));
    let mut reference = json!({
        "identifier": { "system": fhir::SDS_USER_ID_SYSTEM, "value": staff.user_id },
        "display": staff.display_name,
    });
    if let Some(id) = practitioner {
        reference["reference"] = json!(format!("Practitioner/{id}"));
    }
    Ok(Author { reference })
}

/// Creates `resources` (with a fresh id each, unless one was given so that another of them
/// could refer to it) and a Provenance for them (author, time, "create") in one transaction,
/// then audits the write. Answers with the `Type/id` of each resource, in order.
pub(crate) async fn write_with_provenance(
    db: &Db,
    author: &Author,
    mut access: AccessRecord,
    resources: Vec<(ResourceType, Value)>,
    now: Timestamp,
) -> Result<Vec<String>, RecordWriteError> {
    let mut tx = store::begin(db).await?;
    let mut written = Vec::with_capacity(resources.len());
    for (resource_type, resource) in resources {
        // A resource another one in the same write refers to comes with the id it was given.
        let stored = if resource["id"].is_string() {
            store::insert_new(&mut tx, resource, now).await?
        } else {
            store::create_in(&mut tx, resource_type, resource, now).await?
        };
        written.push(format!(
            "{}/{}",
            resource_type.as_str(),
            stored.resource["id"].as_str().unwrap_or_default()
        ));
    }
    let provenance = provenance(&written, ("CREATE", "create"), author, now);
    let provenance = store::create_in(&mut tx, ResourceType::Provenance, provenance, now).await?;
    tx.commit().await?;
    access.records.extend(written.iter().cloned());
    access.records.insert(format!(
        "Provenance/{}",
        provenance.resource["id"].as_str().unwrap_or_default()
    ));
    audit::record(db, &access, now).await?;
    Ok(written)
}

/// A Provenance: `targets` (`Type/id` references) were written by `author` at `now`, as
/// `activity` (a v3-DataOperation code and its display: CREATE/create, UPDATE/revise).
pub(crate) fn provenance(
    targets: &[String],
    activity: (&str, &str),
    author: &Author,
    now: Timestamp,
) -> Value {
    let (code, display) = activity;
    json!({
        "resourceType": "Provenance",
        "target": targets.iter().map(|r| json!({ "reference": r })).collect::<Vec<_>>(),
        "recorded": store::instant(now),
        "activity": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
            "code": code,
            "display": display,
        }]},
        "agent": [{
            "type": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "code": "author",
                "display": "Author",
            }]},
            "who": author.reference,
        }],
    })
}
