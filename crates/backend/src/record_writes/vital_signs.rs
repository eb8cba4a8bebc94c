//! Vital signs a clinician records: one FHIR vital-signs Observation per measurement (blood
//! pressure as one panel with its two components, as the FHIR vital signs profile has it), BMI
//! worked out when weight and height are both there, all with the author and time.

use domain::vitals::VitalSigns;
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{RecordWriteError, write_with_provenance, writer};
use crate::{Db, auth::access::Access};

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

/// What was recorded: the `Type/id` of each Observation, and the BMI worked out, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedVitals {
    pub observations: Vec<String>,
    pub bmi: Option<f64>,
}

/// Records `signs` for `access`'s patient, measured now, by its clinician.
pub async fn record_vital_signs(
    db: &Db,
    access: Access,
    signs: &VitalSigns,
    now: Timestamp,
) -> Result<RecordedVitals, RecordWriteError> {
    let patient_id = &access.patient_id.clone();
    let (author, access) = writer(db, access).await?;
    let made = Made {
        subject: json!({ "reference": format!("Patient/{patient_id}") }),
        performer: author.reference.clone(),
        at: store::instant(now),
    };
    let mut observations = Vec::new();
    if let Some((systolic, diastolic)) = signs.blood_pressure {
        let mut panel = made.observation("85354-9", "Blood pressure", None);
        panel["component"] = json!([
            component("8480-6", "Systolic blood pressure", systolic),
            component("8462-4", "Diastolic blood pressure", diastolic),
        ]);
        observations.push(panel);
    }
    let quantities = [
        ("8867-4", "Pulse", signs.pulse, ("beats/minute", "/min")),
        ("8310-5", "Temperature", signs.temperature, ("°C", "Cel")),
        ("29463-7", "Weight", signs.weight, ("kg", "kg")),
        ("8302-2", "Height", signs.height, ("cm", "cm")),
        (
            "39156-5",
            "Body mass index (BMI)",
            signs.bmi(),
            ("kg/m²", "kg/m2"),
        ),
    ];
    for (code, text, value, unit) in quantities {
        if let Some(value) = value {
            observations.push(made.observation(code, text, Some(quantity(value, unit))));
        }
    }
    let resources = observations
        .into_iter()
        .map(|o| (ResourceType::Observation, o))
        .collect();
    let observations = write_with_provenance(db, &author, access, resources, now).await?;
    Ok(RecordedVitals {
        observations,
        bmi: signs.bmi(),
    })
}

/// What every Observation of one recording shares.
struct Made {
    subject: Value,
    performer: Value,
    at: String,
}

impl Made {
    fn observation(&self, loinc: &str, text: &str, value: Option<Value>) -> Value {
        let mut observation = json!({
            "resourceType": "Observation",
            "status": "final",
            "category": [{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs",
                "display": "Vital Signs",
            }]}],
            "code": { "coding": [{ "system": LOINC, "code": loinc }], "text": text },
            "subject": self.subject,
            "effectiveDateTime": self.at,
            "issued": self.at,
            "performer": [self.performer],
        });
        if let Some(value) = value {
            observation["valueQuantity"] = value;
        }
        observation
    }
}

fn component(loinc: &str, text: &str, mmhg: f64) -> Value {
    json!({
        "code": { "coding": [{ "system": LOINC, "code": loinc }], "text": text },
        "valueQuantity": quantity(mmhg, ("mmHg", "mm[Hg]")),
    })
}

/// A UCUM quantity: (what people read, the UCUM code). Whole numbers are written as integers.
fn quantity(value: f64, (unit, code): (&str, &str)) -> Value {
    let number = if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    };
    json!({ "value": number, "unit": unit, "system": UCUM, "code": code })
}
