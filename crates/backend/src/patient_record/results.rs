//! Test results and vaccinations as a record page lists them: results grouped by what was
//! measured (newest first, so a trend can be drawn), each value against its normal range.

use domain::test_result::{RangeVerdict, ReferenceRange};
use fhir::{
    ResourceType,
    search::{Condition, ParamKind, SearchQuery, Sort, Test},
};
use jiff::Timestamp;
use serde_json::Value;

use super::{Entry, LISTED};
use crate::{Db, FhirRepository, StoreError};

/// How many results (of every kind together) a record page reads.
const RESULTS_READ: i64 = 200;

/// One kind of test (e.g. total cholesterol) and every time it was measured, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub name: String,
    /// The unit of the newest measurement.
    pub unit: String,
    pub measurements: Vec<Measurement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub taken: Option<Timestamp>,
    /// As the laboratory wrote it: "4.8", "Negative".
    pub value: String,
    /// The value as a number, when it is one (only these are drawn).
    pub number: Option<f64>,
    pub range: Option<ReferenceRange>,
    /// The laboratory's flag, or else the value against the range.
    pub verdict: Option<RangeVerdict>,
}

/// The patient's results in `category` ("laboratory", "vital-signs"), grouped by what was
/// measured, the most recently measured first; with the `Type/id` of every Observation read.
pub(super) async fn results(
    db: &Db,
    patient: &str,
    category: &str,
) -> Result<(Vec<TestResult>, Vec<String>), StoreError> {
    let mut query = SearchQuery::all(RESULTS_READ);
    query.conditions.push(for_patient(patient));
    query.conditions.push(Condition {
        param: "category",
        any_of: vec![Test::Token {
            system: None,
            code: Some(category.to_owned()),
        }],
    });
    query.sort.push(Sort {
        param: "date",
        kind: ParamKind::Date,
        descending: true,
    });
    let page = db.search(ResourceType::Observation, &query).await?;
    let mut read = Vec::new();
    let mut grouped: Vec<(String, TestResult)> = Vec::new();
    for found in &page.matches {
        let observation = &found.resource;
        read.push(format!(
            "Observation/{}",
            observation["id"].as_str().unwrap_or_default()
        ));
        let Some(measurement) = measurement(observation) else {
            continue;
        };
        let key = what_was_measured(&observation["code"]);
        match grouped.iter_mut().find(|(seen, _)| *seen == key) {
            Some((_, result)) => result.measurements.push(measurement),
            None => grouped.push((
                key,
                TestResult {
                    name: fhir::read::concept_text(&observation["code"])
                        .unwrap_or("Unnamed test")
                        .to_owned(),
                    unit: unit_of(observation).to_owned(),
                    measurements: vec![measurement],
                },
            )),
        }
    }
    Ok((
        grouped.into_iter().map(|(_, result)| result).collect(),
        read,
    ))
}

/// The patient's vaccinations, newest first, as (`Type/id`, entry).
pub(super) async fn immunisations(
    db: &Db,
    patient: &str,
) -> Result<Vec<(String, Entry)>, StoreError> {
    let mut query = SearchQuery::all(LISTED);
    query.conditions.push(for_patient(patient));
    query.sort.push(Sort {
        param: "date",
        kind: ParamKind::Date,
        descending: true,
    });
    let page = db.search(ResourceType::Immunization, &query).await?;
    Ok(page
        .matches
        .iter()
        .map(|found| {
            let immunization = &found.resource;
            let reference = format!(
                "Immunization/{}",
                immunization["id"].as_str().unwrap_or_default()
            );
            (reference, immunisation(immunization))
        })
        .collect())
}

fn for_patient(patient: &str) -> Condition {
    Condition {
        param: "patient",
        any_of: vec![Test::Reference(patient.to_owned())],
    }
}

/// What an Immunization reads as: the vaccine, and when it was given (or that it was not).
fn immunisation(immunization: &Value) -> Entry {
    // A moment (when the record says when exactly) or a day (what a clinician enters).
    let given = immunization["occurrenceDateTime"].as_str().and_then(|at| {
        let day = match at.parse::<Timestamp>() {
            Ok(at) => crate::time::uk_date(at),
            Err(_) => at.parse::<jiff::civil::Date>().ok()?,
        };
        Some(crate::time::spoken_date(day))
    });
    let detail = match (immunization["status"].as_str(), given) {
        (Some("not-done"), Some(date)) => format!("Not given ({date})"),
        (Some("not-done"), None) => "Not given".to_owned(),
        (_, Some(date)) => format!("Given on {date}"),
        (_, None) => "Date not recorded".to_owned(),
    };
    Entry {
        text: fhir::read::concept_text(&immunization["vaccineCode"])
            .unwrap_or("Unnamed vaccine")
            .to_owned(),
        detail: Some(detail),
    }
}

/// The key results of one test share: its first coding (`system|code`), else its text.
fn what_was_measured(code: &Value) -> String {
    match (
        code["coding"][0]["system"].as_str(),
        code["coding"][0]["code"].as_str(),
    ) {
        (system, Some(code)) => format!("{}|{code}", system.unwrap_or_default()),
        _ => code["text"].as_str().unwrap_or_default().to_owned(),
    }
}

/// The unit an Observation's value is in: its quantity's, or its components' (blood pressure).
fn unit_of(observation: &Value) -> &str {
    observation["valueQuantity"]["unit"]
        .as_str()
        .or_else(|| observation["component"][0]["valueQuantity"]["unit"].as_str())
        .unwrap_or_default()
}

/// One Observation's value against its range; `None` for an Observation with no value (a
/// cancelled test, say), which has nothing to show. A panel of quantities (blood pressure)
/// reads as its values in order, "128/82", and is not drawn.
fn measurement(observation: &Value) -> Option<Measurement> {
    let components: Vec<String> = observation["component"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| match &c["valueQuantity"]["value"] {
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .collect();
    let (value, number) = match &observation["valueQuantity"]["value"] {
        Value::Number(number) => (number.to_string(), number.as_f64()),
        _ if !components.is_empty() => (components.join("/"), None),
        _ => (
            observation["valueString"]
                .as_str()
                .or_else(|| fhir::read::concept_text(&observation["valueCodeableConcept"]))?
                .to_owned(),
            None,
        ),
    };
    let range_value = |end: &str| observation["referenceRange"][0][end]["value"].as_f64();
    let range = match (range_value("low"), range_value("high")) {
        (None, None) => None,
        (low, high) => Some(ReferenceRange { low, high }),
    };
    let flagged = observation["interpretation"][0]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|coding| match coding["code"].as_str()? {
            "L" | "LL" | "LU" => Some(RangeVerdict::Below),
            "H" | "HH" | "HU" => Some(RangeVerdict::Above),
            "N" => Some(RangeVerdict::Within),
            _ => None,
        });
    let measured = number
        .zip(range)
        .map(|(number, range)| range.verdict(number));
    Some(Measurement {
        taken: observation["effectiveDateTime"]
            .as_str()
            .and_then(|at| at.parse().ok()),
        value,
        number,
        range,
        verdict: flagged.or(measured),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_is_judged_by_its_range_when_the_laboratory_gave_no_flag() {
        let observation = json!({
            "code": { "text": "Haemoglobin" },
            "effectiveDateTime": "2026-10-02T08:30:00Z",
            "valueQuantity": { "value": 112, "unit": "g/L" },
            "referenceRange": [{ "low": { "value": 115 }, "high": { "value": 165 } }],
        });
        let measured = measurement(&observation).unwrap();
        assert_eq!(measured.value, "112");
        assert_eq!(measured.verdict, Some(RangeVerdict::Below));
        assert_eq!(
            measured.range,
            Some(ReferenceRange {
                low: Some(115.0),
                high: Some(165.0)
            })
        );
    }

    #[test]
    fn the_laboratorys_flag_wins_over_the_range() {
        // A range that depends on something the record does not hold (age, sex, pregnancy):
        // the laboratory knows better than arithmetic on the first range.
        let observation = json!({
            "code": { "text": "Ferritin" },
            "valueQuantity": { "value": 20, "unit": "ug/L" },
            "interpretation": [{ "coding": [{ "code": "L" }] }],
            "referenceRange": [{ "low": { "value": 15 } }],
        });
        assert_eq!(
            measurement(&observation).unwrap().verdict,
            Some(RangeVerdict::Below)
        );
    }

    #[test]
    fn a_worded_result_is_listed_but_not_judged_and_an_empty_one_is_skipped() {
        let worded = json!({ "code": { "text": "Urine culture" }, "valueString": "No growth" });
        let measured = measurement(&worded).unwrap();
        assert_eq!(
            (measured.value.as_str(), measured.number),
            ("No growth", None)
        );
        assert_eq!(measured.verdict, None);
        assert!(measurement(&json!({ "code": { "text": "Cancelled" } })).is_none());
    }

    #[test]
    fn a_blood_pressure_reads_as_systolic_over_diastolic() {
        let panel = json!({
            "code": { "text": "Blood pressure" },
            "component": [
                { "valueQuantity": { "value": 128, "unit": "mmHg" } },
                { "valueQuantity": { "value": 82, "unit": "mmHg" } },
            ],
        });
        let measured = measurement(&panel).unwrap();
        assert_eq!((measured.value.as_str(), measured.number), ("128/82", None));
        assert_eq!(unit_of(&panel), "mmHg");
    }

    #[test]
    fn a_vaccination_reads_with_the_day_it_was_given() {
        let given = json!({
            "status": "completed",
            "vaccineCode": { "text": "Flu vaccine" },
            "occurrenceDateTime": "2026-10-12T08:30:00Z",
        });
        assert_eq!(
            immunisation(&given),
            Entry {
                text: "Flu vaccine".into(),
                detail: Some("Given on 12 October 2026".into()),
            }
        );
    }
}
