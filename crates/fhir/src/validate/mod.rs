//! Checks a resource must pass before it is stored: its type, its structure against the R4
//! definitions (`structure`), and the UK Core rules this service enforces itself (an NHS number
//! must pass its modulus-11 check).

mod invariants;
mod structure;

use domain::{NhsNumber, OdsCode};
use serde_json::Value;

use crate::{NHS_NUMBER_SYSTEM, ODS_ORGANIZATION_SYSTEM, ResourceType, operation_outcome::Issue};

/// Every problem found in `resource`, which the URL says is a `expected`; empty when it may be stored.
pub fn check(resource: &Value, expected: ResourceType) -> Vec<Issue> {
    let Some(object) = resource.as_object() else {
        return vec![Issue::new(
            "structure",
            "The body must be a JSON object (a FHIR resource)",
        )];
    };
    let mut issues = Vec::new();
    match object.get("resourceType").and_then(Value::as_str) {
        Some(t) if t == expected.as_str() => issues.extend(structure::issues(resource, t)),
        Some(t) => issues.push(
            Issue::new(
                "invalid",
                format!("resourceType is {t}, but the URL is for {expected}"),
            )
            .at("resourceType"),
        ),
        None => issues.push(Issue::new("required", "resourceType is missing").at("resourceType")),
    }
    if let Some(id) = object.get("id")
        && !id.as_str().is_some_and(is_valid_id)
    {
        issues.push(
            Issue::new("value", "id must be 1 to 64 letters, digits, '-' or '.'")
                .at(format!("{expected}.id")),
        );
    }
    if expected == ResourceType::Appointment && invariants::ends_before_it_starts(object) {
        issues.push(
            Issue::new("value", "an appointment must not end before it starts")
                .at("Appointment.end"),
        );
    }
    if issues.is_empty() {
        // Invariants read the elements as the structure says they are: only once it does.
        let resource_type = expected.as_str();
        for broken in invariants::of_resource(resource_type, object) {
            issues.push(Issue::new("invariant", broken.diagnostics).at(broken.at));
        }
    }
    if let Some(identifiers) = object.get("identifier").and_then(Value::as_array) {
        for (n, identifier) in identifiers.iter().enumerate() {
            let value = identifier["value"].as_str();
            let at = || format!("{expected}.identifier[{n}].value");
            match identifier["system"].as_str() {
                Some(NHS_NUMBER_SYSTEM) => {
                    if let Err(error) = NhsNumber::parse(value.unwrap_or_default()) {
                        issues.push(Issue::new("value", error.to_string()).at(at()));
                    }
                }
                Some(ODS_ORGANIZATION_SYSTEM) => {
                    if let Err(error) = OdsCode::parse(value.unwrap_or_default()) {
                        issues.push(Issue::new("value", error.to_string()).at(at()));
                    }
                }
                _ => {}
            }
        }
    }
    issues
}

/// FHIR's `id` datatype: `[A-Za-z0-9\-\.]{1,64}`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(resource: Value, expected: ResourceType) -> Vec<(&'static str, Option<String>)> {
        check(&resource, expected)
            .into_iter()
            .map(|i| (i.code, i.expression))
            .collect()
    }

    #[test]
    fn a_well_formed_patient_passes() {
        let patient = json!({"resourceType": "Patient", "id": "a-1",
            "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9990000018"}]});
        assert_eq!(codes(patient, ResourceType::Patient), []);
    }

    #[test]
    fn a_wrong_nhs_number_is_a_value_error_at_the_identifier() {
        let patient = json!({"resourceType": "Patient",
            "identifier": [{"system": "urn:x", "value": "1"}, {"system": NHS_NUMBER_SYSTEM, "value": "9990000019"}]});
        assert_eq!(
            codes(patient, ResourceType::Patient),
            [("value", Some("Patient.identifier[1].value".to_owned()))]
        );
    }

    #[test]
    fn type_mismatch_missing_type_bad_id_and_non_objects_are_reported() {
        assert_eq!(
            codes(json!({"resourceType": "Slot"}), ResourceType::Patient)[0].0,
            "invalid"
        );
        assert_eq!(codes(json!({}), ResourceType::Patient)[0].0, "required");
        assert_eq!(
            codes(
                json!({"resourceType": "Patient", "id": "no spaces"}),
                ResourceType::Patient
            ),
            [("value", Some("Patient.id".to_owned()))]
        );
        assert_eq!(codes(json!([1]), ResourceType::Patient)[0].0, "structure");
        assert_eq!(
            codes(
                json!({"resourceType": "Organization", "identifier": [{"system": ODS_ORGANIZATION_SYSTEM, "value": "X"}]}),
                ResourceType::Organization
            ),
            [("value", Some("Organization.identifier[0].value".to_owned()))]
        );
    }

    #[test]
    fn an_appointment_may_not_end_before_it_starts() {
        let appointment = |start: &str, end: &str| {
            json!({"resourceType": "Appointment", "status": "booked", "start": start, "end": end,
                "participant": [{"status": "accepted", "actor": {"reference": "Patient/p1"}}]})
        };
        assert_eq!(
            codes(
                appointment("2026-12-01T10:00:00Z", "2026-12-01T09:50:00Z"),
                ResourceType::Appointment
            ),
            [("value", Some("Appointment.end".to_owned()))]
        );
        assert_eq!(
            codes(
                appointment("2026-12-01T10:00:00Z", "2026-12-01T10:10:00Z"),
                ResourceType::Appointment
            ),
            []
        );
    }

    #[test]
    fn ids_follow_the_fhir_id_datatype() {
        assert!(is_valid_id("Abc-1.2"));
        assert!(is_valid_id(&"a".repeat(64)));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a/b"));
    }
}
