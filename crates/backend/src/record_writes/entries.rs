//! Problems, allergies, vaccinations and consultation notes a clinician adds to a record: a
//! Condition (on the problem list), an AllergyIntolerance, an Immunization, or an Encounter with
//! its note as a DocumentReference; coded from the bundled SNOMED CT subset where there is a
//! code, with the author as recorder and a Provenance.

use domain::terminology::{AllergyRisk, Concept};
use fhir::{ResourceType, snomed::codeable_concept};
use jiff::{Timestamp, civil};
use serde_json::{Value, json};

use super::{RecordWriteError, write_with_provenance, writer};
use crate::{Db, auth::access::Access};

/// Adds `problem` to the problem list of `access`'s patient, active, since `onset` if known.
pub async fn record_problem(
    db: &Db,
    access: Access,
    problem: Concept,
    onset: Option<civil::Date>,
    now: Timestamp,
) -> Result<String, RecordWriteError> {
    let patient_id = &access.patient_id.clone();
    let (author, access) = writer(db, access).await?;
    let mut condition = json!({
        "resourceType": "Condition",
        "clinicalStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": "active",
        }]},
        "verificationStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "code": "confirmed",
        }]},
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
            "code": "problem-list-item",
            "display": "Problem List Item",
        }]}],
        "code": codeable_concept(problem),
        "subject": subject(patient_id),
        "recordedDate": store::instant(now),
        "recorder": author.reference,
    });
    if let Some(onset) = onset {
        condition["onsetDateTime"] = json!(onset.to_string());
    }
    first(
        write_with_provenance(
            db,
            &author,
            access,
            vec![(ResourceType::Condition, condition)],
            now,
        )
        .await?,
    )
}

/// An allergy as a clinician enters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAllergy {
    pub substance: Concept,
    /// The reaction it caused, if known.
    pub reaction: Option<Concept>,
    pub risk: AllergyRisk,
}

/// Records `allergy` in the record of `access`'s patient.
pub async fn record_allergy(
    db: &Db,
    access: Access,
    allergy: NewAllergy,
    now: Timestamp,
) -> Result<String, RecordWriteError> {
    let NewAllergy {
        substance,
        reaction,
        risk,
    } = allergy;
    let patient_id = &access.patient_id.clone();
    let (author, access) = writer(db, access).await?;
    let mut allergy = json!({
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
            "code": "active",
        }]},
        "verificationStatus": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "code": "confirmed",
        }]},
        "type": "allergy",
        "criticality": risk.code(),
        "code": codeable_concept(substance),
        "patient": subject(patient_id),
        "recordedDate": store::instant(now),
        "recorder": author.reference,
    });
    if let Some(reaction) = reaction {
        allergy["reaction"] = json!([{ "manifestation": [codeable_concept(reaction)] }]);
    }
    first(
        write_with_provenance(
            db,
            &author,
            access,
            vec![(ResourceType::AllergyIntolerance, allergy)],
            now,
        )
        .await?,
    )
}

/// Records that `access`'s patient was given `vaccine` on `given`, by the author.
pub async fn record_immunisation(
    db: &Db,
    access: Access,
    vaccine: &str,
    given: civil::Date,
    now: Timestamp,
) -> Result<String, RecordWriteError> {
    let patient_id = &access.patient_id.clone();
    let (author, access) = writer(db, access).await?;
    let immunization = json!({
        "resourceType": "Immunization",
        "status": "completed",
        "vaccineCode": { "text": vaccine },
        "patient": subject(patient_id),
        "occurrenceDateTime": given.to_string(),
        "recorded": store::instant(now),
        "primarySource": true,
        "performer": [{ "actor": author.reference }],
    });
    first(
        write_with_provenance(
            db,
            &author,
            access,
            vec![(ResourceType::Immunization, immunization)],
            now,
        )
        .await?,
    )
}

/// Records a consultation with `access`'s patient now, by the author, for `appointment` (an id)
/// if it was one, with `note` as its progress note. The appointment, if any, is marked finished
/// by whoever runs the clinic list, not here.
pub async fn record_consultation(
    db: &Db,
    access: Access,
    appointment: Option<&str>,
    note: &domain::clinic::ConsultationNote,
    now: Timestamp,
) -> Result<String, RecordWriteError> {
    use base64::Engine as _;

    let patient_id = &access.patient_id.clone();
    let (author, access) = writer(db, access).await?;
    // The note names its encounter, so the encounter's id is chosen here, not by the store.
    let encounter_id = store::new_id();
    let mut encounter = json!({
        "resourceType": "Encounter",
        "id": encounter_id,
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "subject": subject(patient_id),
        "participant": [{ "individual": author.reference }],
        "period": { "start": store::instant(now), "end": store::instant(now) },
    });
    if let Some(appointment) = appointment {
        encounter["appointment"] = json!([{ "reference": format!("Appointment/{appointment}") }]);
    }
    let document = json!({
        "resourceType": "DocumentReference",
        "status": "current",
        "type": { "coding": [{ "system": "http://loinc.org", "code": "11506-3" }], "text": "Progress note" },
        "description": "Consultation note",
        "subject": subject(patient_id),
        "date": store::instant(now),
        "author": [author.reference],
        "content": [{ "attachment": {
            "contentType": "text/plain; charset=utf-8",
            "data": base64::engine::general_purpose::STANDARD.encode(note.as_str()),
        }}],
        "context": { "encounter": [{ "reference": format!("Encounter/{encounter_id}") }] },
    });
    let written = write_with_provenance(
        db,
        &author,
        access,
        vec![
            (ResourceType::Encounter, encounter),
            (ResourceType::DocumentReference, document),
        ],
        now,
    )
    .await?;
    Ok(written.into_iter().nth(1).unwrap_or_default())
}

fn subject(patient_id: &str) -> Value {
    json!({ "reference": format!("Patient/{patient_id}") })
}

/// The `Type/id` of the one record written.
fn first(written: Vec<String>) -> Result<String, RecordWriteError> {
    Ok(written.into_iter().next().unwrap_or_default())
}
