//! Repeat prescriptions for the demo: the pharmacies near the practice that prescriptions go
//! to, and for the first patient (persona "patient-p9") a preventer inhaler whose authorisation
//! ran out last week, so that the repeat prescriptions page shows a medicine due for review
//! beside one that can be asked for.

use jiff::{Span, civil::Date};
use serde_json::{Value, json};

use super::{DemoDataError, SplitMix64};

/// The pharmacies, by the names people know them by, and their street.
const PHARMACIES: [(&str, &str); 3] = [
    ("Boots, High Street", "12 High Street"),
    ("Headingley Pharmacy, Otley Road", "40 Otley Road"),
    ("Mill Lane Pharmacy", "3 Mill Lane"),
];

pub(super) fn pharmacies(rng: &mut SplitMix64) -> Vec<Value> {
    PHARMACIES
        .iter()
        .map(|(name, street)| {
            json!({
                "resourceType": "Organization",
                "id": rng.uuid(),
                "active": true,
                "type": [{ "coding": [{
                    "system": fhir::ORGANISATION_ROLE_SYSTEM,
                    "code": fhir::PHARMACY_ROLE,
                    "display": "PHARMACY",
                }]}],
                "name": name,
                "address": [{ "line": [street], "city": "Leeds", "country": "GB" }],
            })
        })
        .collect()
}

/// How a repeat is marked, and the year its authorisation lasts from `from`.
pub(super) fn repeat_fields(repeat: &mut Value, from: Date) -> Result<(), DemoDataError> {
    repeat["courseOfTherapyType"] = json!({ "coding": [{
        "system": fhir::COURSE_OF_THERAPY_SYSTEM,
        "code": "continuous",
        "display": "Continuous long term therapy",
    }]});
    repeat["authoredOn"] = json!(from.to_string());
    repeat["dispenseRequest"] = json!({ "validityPeriod": {
        "start": from.to_string(),
        "end": from.checked_add(Span::new().years(1))?.yesterday()?.to_string(),
    }});
    Ok(())
}

/// The first patient's preventer inhaler, authorised a year and a week before `today`.
pub(super) fn due_for_review(
    rng: &mut SplitMix64,
    patient_id: &str,
    today: Date,
) -> Result<Value, DemoDataError> {
    let mut repeat = json!({
        "resourceType": "MedicationRequest",
        "id": rng.uuid(),
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": { "text": "Clenil Modulite 100micrograms/dose inhaler" },
        "subject": { "reference": format!("Patient/{patient_id}") },
        "dosageInstruction": [{ "text": "Two puffs twice a day" }],
    });
    repeat_fields(
        &mut repeat,
        today.checked_sub(Span::new().years(1).days(7))?,
    )?;
    Ok(repeat)
}
