//! FHIR R4 JSON, shaped to UK Core, for the service's records.
//!
//! Every record the service keeps is a FHIR resource; this crate is where domain values become
//! FHIR JSON and where FHIR JSON is read back. It knows nothing of HTTP or databases, so any store
//! or API can use it.

pub mod build;
pub mod compartment;
pub mod definitions;
pub mod operation_outcome;
pub mod patch;
pub mod read;
mod resource_type;
pub mod search;
pub mod snomed;
pub mod subset;
pub mod validate;

pub use resource_type::{ResourceType, UnknownResourceType};

/// UK Core identifier system for NHS numbers.
pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
/// UK Core identifier system for ODS organisation codes.
pub const ODS_ORGANIZATION_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
/// UK Core identifier system for the national staff directory (SDS) user id.
pub const SDS_USER_ID_SYSTEM: &str = "https://fhir.nhs.uk/Id/sds-user-id";
/// The extension on a HealthcareService saying how long before an appointment's start online
/// cancellation closes (a `valueDuration` in minutes or hours).
pub const CANCELLATION_CUTOFF_URL: &str =
    "https://fhir.openhealth.example/StructureDefinition/online-cancellation-cutoff";
/// What a proxy grant (a RelatedPerson) lets its holder do for the patient, one `valueCode` each:
/// `record`, `appointments`, `messages`, `prescriptions`. A grant without it lets them do all.
pub const PROXY_ACCESS_EXTENSION: &str =
    "https://fhir.openhealth.example/StructureDefinition/proxy-access";
/// The NHS's organisation roles (ODS), by which a pharmacy (`RO182`) is known from a practice.
pub const ORGANISATION_ROLE_SYSTEM: &str = "https://fhir.nhs.uk/CodeSystem/organisation-role";
pub const PHARMACY_ROLE: &str = "RO182";
/// `MedicationRequest.courseOfTherapyType`'s codes: `continuous` marks a repeat medicine.
pub const COURSE_OF_THERAPY_SYSTEM: &str =
    "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy";
/// The kinds of appointment this service offers; local until a national value set fits.
pub const SERVICE_KIND_SYSTEM: &str = "https://fhir.openhealth.example/CodeSystem/service-kind";

/// A reference such as `Patient/123`, built from a resource's type and id.
pub fn reference(resource_type: &str, id: &str) -> String {
    format!("{resource_type}/{id}")
}

/// `https://server/fhir/Patient/1` and `Patient/1/_history/2` both index as `Patient/1`.
pub fn relative_reference(reference: &str) -> String {
    let parts: Vec<&str> = reference.split('/').collect();
    let at = parts
        .iter()
        .rposition(|p| p.starts_with(char::is_uppercase))
        .unwrap_or(0);
    parts[at..]
        .iter()
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}
