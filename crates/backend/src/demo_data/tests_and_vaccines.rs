//! Synthetic test results (laboratory Observations with their normal ranges) and vaccinations
//! (Immunizations) for the demo patients.
//!
//! The first patient (demo persona "patient-p9") always has a cholesterol measured three times
//! (so the record page draws a trend), a haemoglobin whose latest value is below its range, an
//! HbA1c inside it and three vaccinations; about half of the others have a result or two and a
//! flu vaccination.

use jiff::{Span, Zoned, tz::TimeZone};
use serde_json::{Value, json};

use super::{DemoDataError, SplitMix64};

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

/// A blood test as the practice's laboratory reports it.
struct LabTest {
    name: &'static str,
    loinc: &'static str,
    /// What the patient reads, and the UCUM code behind it.
    unit: &'static str,
    ucum: &'static str,
    low: Option<f64>,
    high: Option<f64>,
    /// Decimal places the laboratory reports.
    decimals: i32,
    /// Where synthetic values fall, so that some land outside the range.
    spread: (f64, f64),
}

const CHOLESTEROL: LabTest = LabTest {
    name: "Total cholesterol",
    loinc: "14647-2",
    unit: "mmol/L",
    ucum: "mmol/L",
    low: None,
    high: Some(5.0),
    decimals: 1,
    spread: (3.4, 6.9),
};
const HBA1C: LabTest = LabTest {
    name: "HbA1c (blood sugar over 3 months)",
    loinc: "59261-8",
    unit: "mmol/mol",
    ucum: "mmol/mol",
    low: Some(20.0),
    high: Some(41.0),
    decimals: 0,
    spread: (30.0, 60.0),
};
const HAEMOGLOBIN: LabTest = LabTest {
    name: "Haemoglobin",
    loinc: "718-7",
    unit: "g/L",
    ucum: "g/L",
    low: Some(115.0),
    high: Some(165.0),
    decimals: 0,
    spread: (105.0, 170.0),
};
const EGFR: LabTest = LabTest {
    name: "eGFR (kidney function)",
    loinc: "62238-1",
    unit: "mL/min/1.73m²",
    ucum: "mL/min/{1.73_m2}",
    low: Some(60.0),
    high: None,
    decimals: 0,
    spread: (45.0, 110.0),
};
const LAB_TESTS: [&LabTest; 4] = [&CHOLESTEROL, &HBA1C, &HAEMOGLOBIN, &EGFR];

const VACCINES: [&str; 5] = [
    "Flu vaccine",
    "COVID-19 vaccine",
    "Pneumococcal vaccine",
    "Shingles vaccine",
    "Tetanus, diphtheria and polio booster",
];

/// Patient number `n`'s test results and vaccinations, dated before `now`.
pub(super) fn records(
    rng: &mut SplitMix64,
    n: usize,
    patient_id: &str,
    now: &Zoned,
) -> Result<Vec<Value>, DemoDataError> {
    let subject = json!({ "reference": format!("Patient/{patient_id}") });
    let mut records = Vec::new();
    if n == 0 {
        // (test, days ago, value)
        for (test, days_ago, value) in [
            (&CHOLESTEROL, 700, 6.1),
            (&CHOLESTEROL, 340, 5.6),
            (&CHOLESTEROL, 40, 4.8),
            (&HBA1C, 40, 38.0),
            (&HAEMOGLOBIN, 340, 131.0),
            (&HAEMOGLOBIN, 40, 112.0),
        ] {
            let taken = morning(now, days_ago)?;
            records.push(observation(rng.uuid(), test, &subject, &taken, value));
        }
        for (vaccine, days_ago) in [(0, 50), (1, 60), (4, 2900)] {
            let given = morning(now, days_ago)?;
            records.push(immunization(
                rng.uuid(),
                VACCINES[vaccine],
                &subject,
                &given,
            ));
        }
        return Ok(records);
    }
    if rng.below(2) == 0 {
        let test = LAB_TESTS[rng.below(LAB_TESTS.len() as u64) as usize];
        let times = 1 + rng.below(3);
        for time in 0..times {
            let days_ago = 30 + 300 * time as i64 + rng.below(60) as i64;
            let (from, to) = test.spread;
            let value = from + (to - from) * (rng.below(1000) as f64 / 1000.0);
            let taken = morning(now, days_ago)?;
            records.push(observation(rng.uuid(), test, &subject, &taken, value));
        }
    }
    if rng.below(2) == 0 {
        let given = morning(now, 30 + rng.below(300) as i64)?;
        records.push(immunization(rng.uuid(), VACCINES[0], &subject, &given));
    }
    Ok(records)
}

/// Half past nine in London, `days_ago` days before `now`: when the practice takes bloods.
fn morning(now: &Zoned, days_ago: i64) -> Result<Zoned, jiff::Error> {
    let london = TimeZone::get("Europe/London")?;
    now.date()
        .checked_sub(Span::new().days(days_ago))?
        .at(9, 30, 0, 0)
        .to_zoned(london)
}

fn observation(id: String, test: &LabTest, subject: &Value, taken: &Zoned, value: f64) -> Value {
    let scale = 10f64.powi(test.decimals);
    let value = (value * scale).round() / scale;
    let quantity = |value: f64| {
        let number = if test.decimals == 0 {
            json!(value as i64)
        } else {
            json!(value)
        };
        json!({ "value": number, "unit": test.unit, "system": UCUM, "code": test.ucum })
    };
    let range = domain::test_result::ReferenceRange {
        low: test.low,
        high: test.high,
    };
    let (code, display) = match range.verdict(value) {
        domain::test_result::RangeVerdict::Below => ("L", "Low"),
        domain::test_result::RangeVerdict::Within => ("N", "Normal"),
        domain::test_result::RangeVerdict::Above => ("H", "High"),
    };
    let mut reference_range = serde_json::Map::new();
    if let Some(low) = test.low {
        reference_range.insert("low".into(), quantity(low));
    }
    if let Some(high) = test.high {
        reference_range.insert("high".into(), quantity(high));
    }
    json!({
        "resourceType": "Observation",
        "id": id,
        "status": "final",
        "category": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "laboratory",
            "display": "Laboratory",
        }]}],
        "code": { "coding": [{ "system": LOINC, "code": test.loinc }], "text": test.name },
        "subject": subject,
        "effectiveDateTime": fhir::build::instant(taken),
        "valueQuantity": quantity(value),
        "interpretation": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            "code": code,
            "display": display,
        }]}],
        "referenceRange": [reference_range],
    })
}

fn immunization(id: String, vaccine: &str, patient: &Value, given: &Zoned) -> Value {
    json!({
        "resourceType": "Immunization",
        "id": id,
        "status": "completed",
        "vaccineCode": { "text": vaccine },
        "patient": patient,
        "occurrenceDateTime": fhir::build::instant(given),
        "primarySource": true,
    })
}
