//! What sign-in needs from the records: which Patient record an NHS number belongs to, and, in
//! demo mode, the personas a newcomer can sign in as without an identity provider.

use domain::{
    NhsNumber, OdsCode,
    identity::{Actor, PatientUser, ProofingLevel, StaffRole, StaffUser},
};
use fhir::{
    ResourceType,
    search::{Condition, SearchQuery},
};

use crate::{
    FhirRepository, StoreError,
    demo_data::{PRACTICE_ODS_CODE, first_patient_nhs_numbers},
};

/// The id and name of the Patient record with `nhs_number`, if the practice has one. Only a
/// record with exactly that identifier counts.
pub async fn patient_record(
    records: &impl FhirRepository,
    nhs_number: &NhsNumber,
) -> Result<Option<(String, String)>, StoreError> {
    let mut query = SearchQuery::all(2);
    query.conditions.push(Condition::nhs_number(nhs_number));
    let page = records.search(ResourceType::Patient, &query).await?;
    // Two records with one NHS number would be a registration error; match neither rather than
    // guess.
    if page.matches.len() != 1 {
        return Ok(None);
    }
    let patient = &page.matches[0].resource;
    let id = patient["id"].as_str().unwrap_or_default().to_owned();
    Ok(Some((id, fhir::read::person_name(patient))))
}

/// A person a newcomer can be in demo mode, with what they will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persona {
    /// The form value that picks them.
    pub key: &'static str,
    pub actor: Actor,
    /// One line on what this persona shows off.
    pub description: &'static str,
}

/// The demo personas: seeded patients at different identity levels (the fourth holds proxy access
/// for the first), and staff of every kind the authorization policy distinguishes. Empty if the demo data is not there.
pub async fn demo_personas(records: &impl FhirRepository) -> Result<Vec<Persona>, StoreError> {
    let mut personas = Vec::new();
    let patients = [
        (
            "patient-p9",
            ProofingLevel::P9,
            "A patient whose identity NHS login has fully checked (P9): sees their record and appointments.",
        ),
        (
            "patient-b-p9",
            ProofingLevel::P9,
            "Another fully checked patient: sees only their own record, never the first one's.",
        ),
        (
            "patient-p5",
            ProofingLevel::P5,
            "A patient checked only to P5: is told why the record is hidden and how to prove who they are.",
        ),
        (
            "proxy",
            ProofingLevel::P9,
            "A carer with proxy access for the first patient: acts for them (their record, appointments and messages) and sees who has looked at their record.",
        ),
        (
            "patient-c-p9",
            ProofingLevel::P9,
            "A third fully checked patient, with appointments to book and manage.",
        ),
    ];
    for ((key, proofing, description), nhs_number) in
        patients.into_iter().zip(first_patient_nhs_numbers())
    {
        let Some((id, name)) = patient_record(records, &nhs_number).await? else {
            continue;
        };
        personas.push(Persona {
            key,
            actor: Actor::Patient(PatientUser {
                subject: format!("demo-{key}"),
                display_name: name,
                proofing,
                nhs_number: Some(nhs_number),
                patient_id: Some(id),
            }),
            description,
        });
    }
    if personas.is_empty() {
        return Ok(personas);
    }
    let (Ok(home), Ok(elsewhere)) = (OdsCode::parse(PRACTICE_ODS_CODE), OdsCode::parse("Y90002"))
    else {
        return Ok(personas);
    };
    let staff = [
        (
            "clinician",
            "555000000000",
            "Dr Amara Okafor",
            StaffRole::Clinician,
            &home,
            "A GP at the practice: sees and writes the records of its patients.",
        ),
        (
            "administrator",
            "555000000010",
            "Jo Bennett (practice manager)",
            StaffRole::Administrator,
            &home,
            "Runs the practice's diaries and appointments; sees no clinical detail.",
        ),
        (
            "clinician-elsewhere",
            "555000000011",
            "Dr Tom Hale (another practice)",
            StaffRole::Clinician,
            &elsewhere,
            "A GP at another practice: sees none of this practice's patients without breaking the glass.",
        ),
    ];
    for (key, user_id, name, role, organisation, description) in staff {
        personas.push(Persona {
            key,
            actor: Actor::Staff(StaffUser {
                user_id: user_id.into(),
                display_name: name.into(),
                role,
                organisation: organisation.clone(),
            }),
            description,
        });
    }
    Ok(personas)
}
