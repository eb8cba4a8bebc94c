//! Staff finding a patient, opening their record and writing to it; clinicians outside the
//! patient's practice break the glass first.

mod break_glass;
mod find_patient;
mod find_patients_by_name;
mod get_patient_record;
mod record_allergy;
mod record_consultation;
mod record_immunisation;
mod record_problem;
mod record_vital_signs;

pub use break_glass::{BreakGlass, break_glass};
use domain::test_result::{RangeVerdict, ReferenceRange};
pub use find_patient::{FindPatient, find_patient};
pub use find_patients_by_name::{FindPatientsByName, find_patients_by_name};
pub use get_patient_record::{GetPatientRecord, get_patient_record};
pub use record_allergy::{RecordAllergy, record_allergy};
pub use record_consultation::{RecordConsultation, record_consultation};
pub use record_immunisation::{RecordImmunisation, record_immunisation};
pub use record_problem::{RecordProblem, record_problem};
pub use record_vital_signs::{RecordVitalSigns, record_vital_signs};
use serde::{Deserialize, Serialize};

/// The form field the break-glass reason is typed into (and the error summary links to).
pub const REASON_FIELD: &str = "reason";
/// The form field an NHS number is typed into on "Find a patient".
pub const NHS_NUMBER_FIELD: &str = "nhs-number";
/// The search by name's fields (and the address's query parameters).
pub const FAMILY_FIELD: &str = "family";
pub const GIVEN_FIELD: &str = "given";
pub const BORN_FIELD: &str = "born";

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

#[cfg(feature = "ssr")]
impl PatientMatchDto {
    /// A search result as the browser shows it, "at your practice" when the patient is
    /// registered with `searcher`'s own organisation.
    pub(crate) fn of(
        found: backend::patient_search::PatientMatch,
        searcher: &domain::identity::Actor,
    ) -> Self {
        let home = match searcher {
            domain::identity::Actor::Staff(staff) => Some(&staff.organisation),
            domain::identity::Actor::Patient(_) => None,
        };
        Self {
            registered_here: found.practice.is_some() && found.practice.as_ref() == home,
            patient_id: found.patient_id,
            name: found.name,
            birth_date: found.birth_date.map(backend::time::spoken_date),
            nhs_number: found.nhs_number.to_string(),
            postcode: found.postcode,
        }
    }
}

/// Patients found by name, and whether there were more than the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameMatchesDto {
    pub matches: Vec<PatientMatchDto>,
    pub more: bool,
}

/// What the record page can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PatientRecordView {
    /// Boxed: a whole record is far larger than the other answers.
    Record(Box<PatientRecordDto>),
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientRecordDto {
    pub patient_id: String,
    pub banner: BannerDto,
    /// Opened by breaking the glass, for this reason.
    pub break_glass_reason: Option<String>,
    pub allergies: Vec<EntryDto>,
    pub problems: Vec<EntryDto>,
    pub medicines: Vec<EntryDto>,
    pub immunisations: Vec<EntryDto>,
    pub results: Vec<TestResultDto>,
    pub vital_signs: Vec<TestResultDto>,
    pub upcoming_appointments: Vec<EntryDto>,
    pub past_appointments: Vec<EntryDto>,
    pub documents: Vec<EntryDto>,
    /// Opened by a carer acting for the patient: the patient's pages say whose it is.
    pub by_proxy: bool,
}

/// One kind of test and every time it was measured, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResultDto {
    pub name: String,
    /// "mmol/L".
    pub unit: String,
    /// The newest measurement's normal range in words: "up to 5 mmol/L".
    pub range: Option<String>,
    pub measurements: Vec<MeasurementDto>,
    /// The numeric measurements, oldest first, when there are at least two to draw.
    pub trend: Option<TrendDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementDto {
    /// "12 October 2026".
    pub date: Option<String>,
    /// As the laboratory wrote it: "4.8".
    pub value: String,
    pub verdict: Option<RangeVerdict>,
}

/// What a trend chart draws: the values over time and the normal range behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendDto {
    pub points: Vec<TrendPoint>,
    pub range: Option<ReferenceRange>,
    /// "Oct 2024": the first and last points' months, under the chart.
    pub first_label: String,
    pub last_label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Seconds since 1970: only the spacing matters.
    pub at: i64,
    pub value: f64,
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
            by_proxy: record.basis == Basis::Proxy,
            break_glass_reason: match record.basis {
                Basis::BreakGlass(reason) => Some(reason.as_str().to_owned()),
                Basis::Own | Basis::Proxy | Basis::CareTeam | Basis::PracticeOffice => None,
            },
            allergies: entries(record.allergies),
            problems: entries(record.problems),
            medicines: entries(record.medicines),
            immunisations: entries(record.immunisations),
            results: record
                .results
                .into_iter()
                .map(TestResultDto::from)
                .collect(),
            vital_signs: record
                .vital_signs
                .into_iter()
                .map(TestResultDto::from)
                .collect(),
            upcoming_appointments: entries(record.upcoming_appointments),
            past_appointments: entries(record.past_appointments),
            documents: entries(record.documents),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::patient_record::TestResult> for TestResultDto {
    fn from(result: backend::patient_record::TestResult) -> Self {
        use backend::time::{spoken_date, uk_date};

        let newest_range = result.measurements.first().and_then(|m| m.range);
        let mut drawn: Vec<(jiff::Timestamp, f64)> = result
            .measurements
            .iter()
            .filter_map(|m| m.taken.zip(m.number))
            .collect();
        drawn.reverse();
        let month = |at: jiff::Timestamp| uk_date(at).strftime("%b %Y").to_string();
        let trend = match (drawn.first(), drawn.last()) {
            (Some(&(first, _)), Some(&(last, _))) if drawn.len() >= 2 => Some(TrendDto {
                points: drawn
                    .iter()
                    .map(|&(at, value)| TrendPoint {
                        at: at.as_second(),
                        value,
                    })
                    .collect(),
                range: newest_range,
                first_label: month(first),
                last_label: month(last),
            }),
            _ => None,
        };
        Self {
            range: newest_range.and_then(|range| range.words(&result.unit, |n| n.to_string())),
            measurements: result
                .measurements
                .into_iter()
                .map(|m| MeasurementDto {
                    date: m.taken.map(|at| spoken_date(uk_date(at))),
                    value: m.value,
                    verdict: m.verdict,
                })
                .collect(),
            name: result.name,
            unit: result.unit,
            trend,
        }
    }
}

/// A date entered as being in the past (an onset, a vaccination), or `None` when left empty; a
/// problem with it is added to `problems` under `field`.
#[cfg(feature = "ssr")]
pub(crate) fn past_date(
    text: Option<&str>,
    field: &str,
    problems: &mut Vec<crate::error::FieldError>,
) -> Option<jiff::civil::Date> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    let problem = match text.parse::<jiff::civil::Date>() {
        Ok(date) if date <= backend::time::uk_date(jiff::Timestamp::now()) => return Some(date),
        Ok(_) => "The date must be today or in the past",
        Err(_) => "Enter a real date, for example 2026-03-17",
    };
    problems.push(crate::error::FieldError {
        field_id: field.to_owned(),
        message: problem.to_owned(),
    });
    None
}

/// After a write to a record: back to it, saying what was `added`; or why not.
#[cfg(feature = "ssr")]
pub(crate) fn written<T>(
    result: Result<T, backend::record_writes::RecordWriteError>,
    patient_id: &str,
    added: &str,
) -> Result<(), crate::error::AppError> {
    use backend::record_writes::RecordWriteError;

    use crate::{account::fail, error::AppError};
    match result {
        Ok(_) => {
            leptos_axum::redirect(&format!("/patients/{patient_id}?recorded={added}"));
            Ok(())
        }
        Err(RecordWriteError::NotFound) => Err(fail(AppError::NotFound)),
        Err(RecordWriteError::Refused(_)) => Err(fail(AppError::NotAllowed)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
