//! Whose record a resource belongs to: the Patients of its patient compartment, as the audit trail
//! names them ("who was this about?").

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{
    ResourceType,
    search::{index_entries, reference_param},
};

/// `Patient/id` references of the patients `resource` is about: itself for a Patient, otherwise
/// what its `patient` search parameter points to. Empty for resources about no one patient.
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
    if reference_param(resource_type, "patient").is_none() {
        return BTreeSet::new();
    }
    index_entries(resource_type, resource)
        .into_iter()
        .filter(|entry| entry.param == "patient")
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
    fn records_about_no_patient_name_none() {
        let organization = json!({ "resourceType": "Organization", "id": "o1", "name": "X" });
        assert!(patients_of(&organization).is_empty());
        assert!(patients_of(&json!({ "resourceType": "Nonsense" })).is_empty());
    }
}
