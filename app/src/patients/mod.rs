//! Staff finding a patient and opening their record; clinicians outside the patient's practice
//! break the glass first.

mod break_glass;
mod find_patient;
mod get_patient_record;

pub use break_glass::{BreakGlass, break_glass};
pub use find_patient::{FindPatient, find_patient};
pub use get_patient_record::{GetPatientRecord, get_patient_record};
use serde::{Deserialize, Serialize};

/// The form field the break-glass reason is typed into (and the error summary links to).
pub const REASON_FIELD: &str = "reason";
/// The form field an NHS number is typed into on "Find a patient".
pub const NHS_NUMBER_FIELD: &str = "nhs-number";

/// What "Find a patient" can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FindPatientView {
    Found(PatientMatchDto),
    NoMatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientMatchDto {
    pub patient_id: String,
    pub name: String,
    /// "3 March 1962".
    pub birth_date: Option<String>,
    /// "999 000 0018".
    pub nhs_number: String,
    pub postcode: Option<String>,
    /// Registered with the searcher's own organisation.
    pub registered_here: bool,
}

/// What the record page can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatientRecordView {
    Record(PatientRecordDto),
    /// A clinician, but the patient is registered elsewhere: whose record it is, and the
    /// break-glass form.
    BreakGlassNeeded(BannerDto),
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannerDto {
    pub name: String,
    pub nhs_number: Option<String>,
    pub birth_date: Option<String>,
    pub age: Option<i16>,
    /// "Female", "Male", "Other", "Unknown".
    pub gender: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientRecordDto {
    pub patient_id: String,
    pub banner: BannerDto,
    /// Opened by breaking the glass, for this reason.
    pub break_glass_reason: Option<String>,
    pub allergies: Vec<EntryDto>,
    pub problems: Vec<EntryDto>,
    pub medicines: Vec<EntryDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDto {
    pub text: String,
    pub detail: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<backend::patient_record::Banner> for BannerDto {
    fn from(banner: backend::patient_record::Banner) -> Self {
        Self {
            name: banner.name,
            nhs_number: banner.nhs_number.map(|n| n.to_string()),
            birth_date: banner.birth_date.map(backend::time::spoken_date),
            age: banner.age,
            gender: banner.gender.map(|gender| {
                let mut letters = gender.chars();
                letters
                    .next()
                    .map(|first| first.to_uppercase().chain(letters).collect())
                    .unwrap_or_default()
            }),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::patient_record::Entry> for EntryDto {
    fn from(entry: backend::patient_record::Entry) -> Self {
        Self {
            text: entry.text,
            detail: entry.detail,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::patient_record::PatientRecord> for PatientRecordDto {
    fn from(record: backend::patient_record::PatientRecord) -> Self {
        use backend::auth::policy::Basis;

        let entries = |entries: Vec<backend::patient_record::Entry>| -> Vec<EntryDto> {
            entries.into_iter().map(EntryDto::from).collect()
        };
        Self {
            patient_id: record.patient_id,
            banner: record.banner.into(),
            break_glass_reason: match record.basis {
                Basis::BreakGlass(reason) => Some(reason.as_str().to_owned()),
                Basis::Own | Basis::Proxy | Basis::CareTeam => None,
            },
            allergies: entries(record.allergies),
            problems: entries(record.problems),
            medicines: entries(record.medicines),
        }
    }
}
