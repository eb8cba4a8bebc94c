//! Whose record a resource belongs to: the Patients of its patient compartment, as the audit trail
//! names them ("who was this about?"), by the specification's CompartmentDefinition: an
//! Observation is about the Patient its `subject` or its `performer` points to.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{
    ResourceType,
    definitions::r4,
    search::{index_entries, params_of},
};

/// `Patient/id` references of the patients `resource` is about: itself for a Patient, otherwise
/// what its compartment parameters point to. Empty for resources about no one patient.
pub fn patients_of(resource: &Value) -> BTreeSet<String> {
    let Some(resource_type) = resource["resourceType"]
        .as_str()
        .and_then(|name| name.parse::<ResourceType>().ok())
    else {
        return BTreeSet::new();
    };
    if resource_type == ResourceType::Patient {
        return resource["id"]
            .as_str()
            .map(|id| crate::reference("Patient", id))
            .into_iter()
            .collect();
    }
    let linking = r4().patient_compartment(resource_type.as_str());
    if !params_of(resource_type)
        .iter()
        .any(|p| linking.iter().any(|l| l == p.name))
    {
        return BTreeSet::new();
    }
    index_entries(resource_type, resource)
        .into_iter()
        .filter(|entry| linking.iter().any(|l| l == entry.param))
        .filter_map(|entry| entry.value)
        .filter(|reference| reference.starts_with("Patient/"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_patient_is_about_itself_and_a_record_about_its_subject() {
        let patient = json!({ "resourceType": "Patient", "id": "p1" });
        assert_eq!(patients_of(&patient), BTreeSet::from(["Patient/p1".into()]));
        let observation = json!({
            "resourceType": "Observation", "id": "o1", "status": "final",
            "code": { "text": "Pulse" }, "subject": { "reference": "Patient/p2" },
        });
        assert_eq!(
            patients_of(&observation),
            BTreeSet::from(["Patient/p2".into()])
        );
    }

    #[test]
    fn any_compartment_parameter_links_a_record_to_its_patients() {
        // A self-reported reading: the patient is the performer, about another patient.
        let observation = json!({
            "resourceType": "Observation", "status": "final", "code": { "text": "Pulse" },
            "subject": { "reference": "Patient/p2" }, "performer": [{ "reference": "Patient/p3" },
            { "reference": "Practitioner/d1" }],
        });
        assert_eq!(
            patients_of(&observation),
            BTreeSet::from(["Patient/p2".into(), "Patient/p3".into()])
        );
        let procedure = json!({ "resourceType": "Procedure", "status": "completed",
            "subject": { "reference": "Patient/p4" } });
        assert_eq!(
            patients_of(&procedure),
            BTreeSet::from(["Patient/p4".into()])
        );
    }

    #[test]
    fn records_about_no_patient_name_none() {
        let organization = json!({ "resourceType": "Organization", "id": "o1", "name": "X" });
        assert!(patients_of(&organization).is_empty());
        assert!(patients_of(&json!({ "resourceType": "Nonsense" })).is_empty());
    }
}
