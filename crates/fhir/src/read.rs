//! Reads values back out of FHIR JSON, tolerating anything optional being absent.

use serde_json::Value;

/// The text of a CodeableConcept: its `text`, else the first coding's `display`.
pub fn concept_text(concept: &Value) -> Option<&str> {
    concept["text"]
        .as_str()
        .or_else(|| concept["coding"][0]["display"].as_str())
}

/// The value of the first identifier with the given system.
pub fn identifier<'a>(resource: &'a Value, system: &str) -> Option<&'a str> {
    resource["identifier"]
        .as_array()?
        .iter()
        .find(|id| id["system"].as_str() == Some(system))?["value"]
        .as_str()
}

/// A person's name as they would write it: given names then family name, from the first `name`
/// (its `text` if it has one).
pub fn person_name(resource: &Value) -> String {
    let name = &resource["name"][0];
    if let Some(text) = name["text"].as_str() {
        return text.to_owned();
    }
    let mut parts: Vec<&str> = name["given"]
        .as_array()
        .map(|given| given.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    parts.extend(name["family"].as_str());
    parts.join(" ")
}

/// The first phone number in `telecom`.
pub fn phone(resource: &Value) -> Option<&str> {
    resource["telecom"]
        .as_array()?
        .iter()
        .find(|t| t["system"].as_str() == Some("phone"))?["value"]
        .as_str()
}

/// An address as the lines a letter would carry: street lines, town, postcode.
pub fn address_lines(address: &Value) -> Vec<String> {
    let mut lines: Vec<String> = address["line"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    lines.extend(
        ["city", "postalCode"]
            .iter()
            .filter_map(|key| address[*key].as_str().map(String::from)),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_person_is_named_given_names_first() {
        let patient = json!({"name": [{"family": "Okoro", "given": ["Sam", "Ade"]}]});
        assert_eq!(person_name(&patient), "Sam Ade Okoro");
        assert_eq!(
            person_name(&json!({"name": [{"text": "Dr A Okafor"}]})),
            "Dr A Okafor"
        );
        assert_eq!(person_name(&json!({})), "");
    }

    #[test]
    fn concept_text_prefers_text_then_display() {
        assert_eq!(
            concept_text(&json!({"text": "GP", "coding": [{"display": "x"}]})),
            Some("GP")
        );
        assert_eq!(
            concept_text(&json!({"coding": [{"display": "Nurse"}]})),
            Some("Nurse")
        );
        assert_eq!(concept_text(&json!({})), None);
    }

    #[test]
    fn identifier_picks_the_matching_system() {
        let patient = json!({"identifier": [
            {"system": "urn:other", "value": "1"},
            {"system": crate::NHS_NUMBER_SYSTEM, "value": "9990000018"},
        ]});
        assert_eq!(
            identifier(&patient, crate::NHS_NUMBER_SYSTEM),
            Some("9990000018")
        );
        assert_eq!(identifier(&patient, "urn:missing"), None);
    }

    #[test]
    fn address_lines_end_with_town_and_postcode() {
        let address = json!({"line": ["1 High Street"], "city": "Leeds", "postalCode": "LS1 1AA"});
        assert_eq!(
            address_lines(&address),
            ["1 High Street", "Leeds", "LS1 1AA"]
        );
    }
}
