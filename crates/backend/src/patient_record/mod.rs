//! A patient's record as a clinician or the patient opens it: who the patient is (the banner) and
//! the clinical summary, allergies first, then problems, medicines, vaccinations and test
//! results. Whether they may is the policy's call, asked at the edge
//! ([`crate::auth::access::check`] for [`Purpose::ReadRecord`]; [`refusal`] says what its answer
//! means here); every opening is audited, refused ones too, and an opening by breaking the glass
//! carries the reason into the audit trail the patient reads.

mod results;
mod visits;

pub use results::{Measurement, TestResult};

use domain::{
    NhsNumber, OdsCode,
    break_glass::BreakGlassReason,
    identity::{Actor, StaffRole},
};
use fhir::{
    ResourceType,
    search::{Condition, SearchQuery, Test},
};
use jiff::{Timestamp, civil, tz::TimeZone};
use serde_json::Value;

use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        access::{Access, AccessError},
        audit::{self, AccessRecord, Outcome},
        break_glass,
        policy::{Basis, Purpose, Refusal},
        sessions::Session,
    },
};
use store::{Found, WriteError};

/// Who the patient is: what a clinician checks before reading on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub name: String,
    pub nhs_number: Option<NhsNumber>,
    pub birth_date: Option<civil::Date>,
    /// Whole years at the time of opening.
    pub age: Option<i16>,
    pub gender: Option<String>,
    /// The ODS code of the practice they are registered with.
    pub practice: Option<OdsCode>,
}

/// One line of the summary: what it is, and the detail a clinician needs next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub text: String,
    pub detail: Option<String>,
}

/// An opened record.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRecord {
    pub patient_id: String,
    pub banner: Banner,
    /// Why the reader may see it (break-glass shows its reason on the page too).
    pub basis: Basis,
    pub allergies: Vec<Entry>,
    pub problems: Vec<Entry>,
    pub medicines: Vec<Entry>,
    pub immunisations: Vec<Entry>,
    /// Laboratory results, by test.
    pub results: Vec<TestResult>,
    /// Vital signs (blood pressure, pulse, weight, …), by measurement.
    pub vital_signs: Vec<TestResult>,
    /// Appointments to come, soonest first, and the latest past ones, newest first.
    pub upcoming_appointments: Vec<Entry>,
    pub past_appointments: Vec<Entry>,
    /// Letters and reports, newest first.
    pub documents: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenRecordError {
    #[error("no such patient")]
    NotFound,
    /// The policy says no. With `BreakGlassRequired`, the banner says whose record it is, so the
    /// clinician can tell they have the right person before giving a reason.
    #[error("refused: {0:?}")]
    Refused(Refusal, Option<Box<Banner>>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the access could not be audited")]
    Audit(#[from] WriteError),
}

/// How many entries of each kind the summary lists.
const LISTED: i64 = 50;

/// What a failed [`crate::auth::access::check`] to read a record means for the page that opens
/// it. Only a clinician about to break the glass is told whose record it is: the banner is what
/// they must check first. Nobody else learns more than "no".
pub fn refusal(error: AccessError, now: Timestamp) -> OpenRecordError {
    match error {
        AccessError::NotFound => OpenRecordError::NotFound,
        AccessError::Refused {
            refusal,
            patient,
            practice,
        } => {
            let banner = (refusal == Refusal::BreakGlassRequired)
                .then(|| Box::new(banner(&patient, practice, now)));
            OpenRecordError::Refused(refusal, banner)
        }
        AccessError::Store(error) => error.into(),
        AccessError::Audit(error) => error.into(),
    }
}

/// Opens the record of `access`'s patient (checked for [`Purpose::ReadRecord`]), and audits the
/// opening with every entry shown.
pub async fn open(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<PatientRecord, OpenRecordError> {
    if access.purpose != Purpose::ReadRecord {
        return Err(OpenRecordError::NotFound);
    }
    let Access {
        patient_id,
        patient,
        practice,
        basis,
        record: mut access,
        ..
    } = access;
    let reference = format!("Patient/{patient_id}");
    let banner = banner(&patient, practice, now);
    let allergies = entries(db, ResourceType::AllergyIntolerance, &reference, None).await?;
    let problems = entries(db, ResourceType::Condition, &reference, Some("active")).await?;
    let medicines = entries(db, ResourceType::MedicationRequest, &reference, None).await?;
    let immunisations = results::immunisations(db, &reference).await?;
    let (results, results_read) = results::results(db, &reference, "laboratory").await?;
    let (vital_signs, vitals_read) = results::results(db, &reference, "vital-signs").await?;
    let (upcoming, past) = visits::appointments(db, &reference, now).await?;
    let documents = visits::documents(db, &reference).await?;
    access.records.extend(
        [
            &allergies,
            &problems,
            &medicines,
            &immunisations,
            &upcoming,
            &past,
            &documents,
        ]
        .into_iter()
        .flat_map(|found| found.iter().map(|(reference, _)| reference.clone()))
        .chain(results_read)
        .chain(vitals_read),
    );
    access.basis = Some(basis.clone());
    audit::record(db, &access, now).await?;
    let listed = |found: Vec<(String, Entry)>| found.into_iter().map(|(_, entry)| entry).collect();
    Ok(PatientRecord {
        patient_id,
        banner,
        basis,
        allergies: listed(allergies),
        problems: listed(problems),
        medicines: listed(medicines),
        immunisations: listed(immunisations),
        results,
        vital_signs,
        upcoming_appointments: listed(upcoming),
        past_appointments: listed(past),
        documents: listed(documents),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum BreakGlassError {
    #[error("no such patient")]
    NotFound,
    /// Only clinicians may break the glass.
    #[error("not a clinician")]
    NotClinical,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the attempt could not be audited")]
    Audit(#[from] WriteError),
}

/// Lets `session`'s clinician open `patient_id`'s record for the rest of the session, for
/// `reason`. The openings that follow are audited with the reason; an attempt by anyone who is
/// not a clinician is refused and audited as such.
pub async fn break_the_glass(
    db: &Db,
    session: &Session,
    patient_id: &str,
    reason: &BreakGlassReason,
    address: Option<String>,
    now: Timestamp,
) -> Result<(), BreakGlassError> {
    if !matches!(
        db.read(ResourceType::Patient, patient_id).await?,
        Found::Current(_)
    ) {
        return Err(BreakGlassError::NotFound);
    }
    let is_clinician = matches!(
        &session.actor,
        Actor::Staff(staff) if staff.role == StaffRole::Clinician
    );
    if !is_clinician {
        let mut attempt =
            AccessRecord::person_reading(&session.actor, format!("Patient/{patient_id}"), address);
        attempt.outcome = Outcome::MinorFailure;
        audit::record(db, &attempt, now).await?;
        return Err(BreakGlassError::NotClinical);
    }
    break_glass::remember(db, session, patient_id, reason, now).await?;
    crate::notifications::record_opened_in_an_emergency(db, patient_id, now).await;
    Ok(())
}

fn banner(patient: &Value, practice: Option<OdsCode>, now: Timestamp) -> Banner {
    let birth_date = patient["birthDate"]
        .as_str()
        .and_then(|text| text.parse::<civil::Date>().ok());
    let today = now.to_zoned(TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC));
    Banner {
        name: fhir::read::person_name(patient),
        nhs_number: fhir::read::identifier(patient, fhir::NHS_NUMBER_SYSTEM)
            .and_then(|digits| NhsNumber::parse(digits).ok()),
        birth_date,
        age: birth_date.map(|born| age_on(born, today.date())),
        gender: patient["gender"].as_str().map(str::to_owned),
        practice,
    }
}

/// Whole years from `born` to `today`: a birthday counts from its day.
fn age_on(born: civil::Date, today: civil::Date) -> i16 {
    let had_birthday = (today.month(), today.day()) >= (born.month(), born.day());
    today.year() - born.year() - i16::from(!had_birthday)
}

/// The patient's records of one type, newest first, as (`Type/id`, entry); with `status`, only
/// those whose clinical status is that.
async fn entries(
    db: &Db,
    resource_type: ResourceType,
    patient: &str,
    status: Option<&str>,
) -> Result<Vec<(String, Entry)>, StoreError> {
    let mut query = SearchQuery::all(LISTED);
    query.conditions.push(Condition {
        param: "patient",
        any_of: vec![Test::Reference(patient.to_owned())],
    });
    if let Some(status) = status {
        query.conditions.push(Condition {
            param: "clinical-status",
            any_of: vec![Test::Token {
                system: None,
                code: Some(status.to_owned()),
            }],
        });
    }
    let page = db.search(resource_type, &query).await?;
    Ok(page
        .matches
        .iter()
        // A request for a repeat is not another medicine: the repeat is listed already.
        .filter(|found| found.resource["basedOn"].is_null())
        .map(|found| {
            let resource = &found.resource;
            let reference = format!(
                "{}/{}",
                resource_type.as_str(),
                resource["id"].as_str().unwrap_or_default()
            );
            (reference, entry(resource_type, resource))
        })
        .collect())
}

/// What a clinician reads of one record in a summary list.
fn entry(resource_type: ResourceType, resource: &Value) -> Entry {
    let unnamed = || "Unnamed entry".to_owned();
    match resource_type {
        ResourceType::AllergyIntolerance => Entry {
            text: fhir::read::concept_text(&resource["code"]).map_or_else(unnamed, str::to_owned),
            detail: {
                let reactions: Vec<&str> = resource["reaction"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|reaction| {
                        reaction["manifestation"]
                            .as_array()
                            .map(Vec::as_slice)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(fhir::read::concept_text)
                    })
                    .collect();
                let criticality = match resource["criticality"].as_str() {
                    Some("high") => Some("High risk"),
                    Some("low") => Some("Low risk"),
                    _ => None,
                };
                let reactions = (!reactions.is_empty()).then(|| reactions.join(", "));
                match (criticality, reactions) {
                    (Some(risk), Some(reactions)) => Some(format!("{risk}. Reaction: {reactions}")),
                    (Some(risk), None) => Some(risk.to_owned()),
                    (None, Some(reactions)) => Some(format!("Reaction: {reactions}")),
                    (None, None) => None,
                }
            },
        },
        ResourceType::Condition => Entry {
            text: fhir::read::concept_text(&resource["code"]).map_or_else(unnamed, str::to_owned),
            detail: resource["onsetDateTime"].as_str().map(|onset| {
                // "Since 1 May 2019" from a date or a date-time; as written if neither.
                let day = onset.get(..10).unwrap_or(onset);
                match day.parse::<civil::Date>() {
                    Ok(date) => format!("Since {}", crate::time::spoken_date(date)),
                    Err(_) => format!("Since {onset}"),
                }
            }),
        },
        _ => Entry {
            text: fhir::read::concept_text(&resource["medicationCodeableConcept"])
                .map_or_else(unnamed, str::to_owned),
            detail: resource["dosageInstruction"][0]["text"]
                .as_str()
                .map(str::to_owned),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn age_counts_a_birthday_from_its_day() {
        let born = civil::date(1990, 11, 22);
        assert_eq!(age_on(born, civil::date(2026, 11, 21)), 35);
        assert_eq!(age_on(born, civil::date(2026, 11, 22)), 36);
    }

    #[test]
    fn an_allergy_reads_with_its_risk_and_reaction() {
        let allergy = json!({
            "code": { "text": "Penicillin" },
            "criticality": "high",
            "reaction": [{ "manifestation": [{ "text": "Anaphylaxis" }, { "text": "Rash" }] }],
        });
        assert_eq!(
            entry(ResourceType::AllergyIntolerance, &allergy),
            Entry {
                text: "Penicillin".into(),
                detail: Some("High risk. Reaction: Anaphylaxis, Rash".into()),
            }
        );
    }

    #[test]
    fn a_medicine_reads_with_its_dosage() {
        let request = json!({
            "medicationCodeableConcept": { "coding": [{ "display": "Ramipril 5mg capsules" }] },
            "dosageInstruction": [{ "text": "One each morning" }],
        });
        let medicine = entry(ResourceType::MedicationRequest, &request);
        assert_eq!(medicine.text, "Ramipril 5mg capsules");
        assert_eq!(medicine.detail.as_deref(), Some("One each morning"));
    }
}
