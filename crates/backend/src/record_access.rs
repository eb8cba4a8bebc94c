//! "Who has looked at my record": the audit trail of a patient's record, for the patient, in
//! words rather than codes. Reading the list is itself an access, and is recorded like any other.

use std::collections::BTreeSet;

use domain::identity::PatientUser;
use fhir::{ResourceType, search::parse_query};
use jiff::Timestamp;
use serde_json::Value;

use crate::{
    Db, StoreError,
    auth::audit::{self, AccessRecord, Action, Agent, Outcome},
    search,
    store::WriteError,
};

/// How many accesses the page lists, newest first.
pub const LISTED: i64 = 100;

/// One access to the record, as the patient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAccess {
    pub at: Timestamp,
    /// "You", a person's name and role, or a connected system's name.
    pub who: String,
    /// "looked at your appointments", "changed your personal details", …
    pub what: String,
    /// The reason given for an emergency ("break-glass") access, shown in full.
    pub reason: Option<String>,
    /// The access was refused or failed: nothing was seen or changed.
    pub refused: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordAccessError {
    /// Their identity is not checked well enough (below P9) to see anything from the record.
    #[error("identity not checked to the level the record needs")]
    ProofingTooLow,
    /// Signed in, but the practice holds no record for them.
    #[error("no record at this practice")]
    NoRecord,
    /// The search of the audit trail could not be built: a bug, not a user's mistake.
    #[error("the audit trail query is malformed")]
    Query,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the access could not be audited")]
    Audit(#[from] WriteError),
}

/// The latest accesses to the signed-in patient's own record.
pub async fn accesses_to_own_record(
    db: &Db,
    patient: &PatientUser,
    address: Option<String>,
    now: Timestamp,
) -> Result<Vec<RecordAccess>, RecordAccessError> {
    if !patient.proofing.may_see_record() {
        return Err(RecordAccessError::ProofingTooLow);
    }
    let patient_id = patient
        .patient_id
        .as_deref()
        .ok_or(RecordAccessError::NoRecord)?;
    let reference = format!("Patient/{patient_id}");
    let pairs = [
        ("patient".to_owned(), reference.clone()),
        ("_sort".to_owned(), "-date".to_owned()),
        ("_count".to_owned(), LISTED.to_string()),
    ];
    let query =
        parse_query(ResourceType::AuditEvent, &pairs).map_err(|_| RecordAccessError::Query)?;
    let page = search::search(db, ResourceType::AuditEvent, &query).await?;
    let accesses = page
        .matches
        .iter()
        .filter_map(|event| describe(&event.resource, &reference))
        .collect();
    audit::record(
        db,
        &AccessRecord {
            agent: Agent::Person(domain::identity::Actor::Patient(patient.clone())),
            interaction: "search-type",
            action: Action::Execute,
            outcome: Outcome::Success,
            address,
            records: BTreeSet::new(),
            patients: BTreeSet::from([reference]),
            query: Some(format!("AuditEvent?patient=Patient/{patient_id}")),
        },
        now,
    )
    .await?;
    Ok(accesses)
}

/// An AuditEvent in plain English, from the point of view of the patient `me` (`Patient/id`).
fn describe(event: &Value, me: &str) -> Option<RecordAccess> {
    let at: Timestamp = event["recorded"].as_str()?.parse().ok()?;
    let agent = &event["agent"][0];
    let who = if agent["who"]["reference"].as_str() == Some(me) {
        "You".to_owned()
    } else {
        let name = agent["who"]["display"].as_str().unwrap_or("Someone");
        match agent["type"]["text"].as_str() {
            Some(role) => format!("{name} ({role})"),
            None => name.to_owned(),
        }
    };
    let types: BTreeSet<&str> = event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entity| entity["what"]["reference"].as_str())
        .filter_map(|reference| reference.split('/').next())
        .filter(|kind| *kind != "Patient")
        .collect();
    let touched_details = event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|entity| entity["what"]["reference"].as_str() == Some(me))
        && event["subtype"][0]["code"].as_str() != Some("search-type");
    let mut things: Vec<&str> = types.iter().map(|kind| thing(kind)).collect();
    if things.is_empty() || touched_details && types.is_empty() {
        things = vec![if touched_details {
            "your personal details"
        } else {
            "your record"
        }];
    }
    if types.is_empty() && event["subtype"][0]["code"].as_str() == Some("search-type") {
        things = vec![searched(event)];
    }
    things.dedup();
    let verb = match event["action"].as_str() {
        Some("C") => "added to",
        Some("U") => "changed",
        Some("D") => "removed",
        Some("E") => "looked through",
        _ => "looked at",
    };
    let reason = event["purposeOfUse"][0]["text"].as_str().map(str::to_owned);
    Some(RecordAccess {
        at,
        who,
        what: format!("{verb} {}", join(&things)),
        reason,
        refused: event["outcome"].as_str() != Some("0"),
    })
}

/// What a search looked through, from its query (`AuditEvent?patient=…`, `Appointment?…`).
fn searched(event: &Value) -> &'static str {
    let query = event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|entity| entity["query"].as_str())
        .unwrap_or_default();
    // Queries are kept base64-encoded by the API and as text by the pages; either way the type
    // leads.
    let decoded = base64_decode(query).unwrap_or_else(|| query.to_owned());
    let kind = decoded.split(['?', '/']).next().unwrap_or_default();
    thing(kind)
}

fn base64_decode(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// A resource type as the part of the record a patient knows it as.
fn thing(kind: &str) -> &'static str {
    match kind {
        "Appointment" | "Slot" => "your appointments",
        "Observation" | "DiagnosticReport" => "your test results and measurements",
        "Condition" => "your health conditions",
        "AllergyIntolerance" => "your allergies",
        "MedicationRequest" | "MedicationStatement" => "your medicines",
        "Immunization" => "your vaccinations",
        "Encounter" => "your consultations",
        "DocumentReference" => "your documents",
        "Communication" => "your messages",
        "RelatedPerson" | "Consent" => "who can act for you",
        "AuditEvent" => "this list of who has looked at your record",
        "Patient" => "your personal details",
        _ => "your record",
    }
}

fn join(things: &[&str]) -> String {
    match things {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(agent: Value, action: &str, subtype: &str, entity: Value) -> Value {
        json!({
            "resourceType": "AuditEvent",
            "recorded": "2026-11-21T10:00:00.000Z",
            "action": action,
            "outcome": "0",
            "subtype": [{ "code": subtype }],
            "agent": [agent],
            "entity": entity,
        })
    }

    #[test]
    fn a_clinician_reading_appointments_is_named_with_their_role() {
        let access = describe(
            &event(
                json!({ "who": { "display": "Dr Amara Okafor" }, "type": { "text": "Clinician" } }),
                "R",
                "read",
                json!([
                    { "what": { "reference": "Patient/p1" } },
                    { "what": { "reference": "Appointment/a1" } },
                ]),
            ),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(access.who, "Dr Amara Okafor (Clinician)");
        assert_eq!(access.what, "looked at your appointments");
        assert!(!access.refused);
    }

    #[test]
    fn the_patient_is_you_and_a_search_names_what_it_looked_through() {
        let access = describe(
            &event(
                json!({ "who": { "reference": "Patient/p1", "display": "Sam Jones" } }),
                "E",
                "search-type",
                json!([
                    { "what": { "reference": "Patient/p1" } },
                    { "query": "AuditEvent?patient=Patient/p1" },
                ]),
            ),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(access.who, "You");
        assert_eq!(
            access.what,
            "looked through this list of who has looked at your record"
        );
    }

    #[test]
    fn changes_to_several_parts_are_listed_together() {
        let access = describe(
            &event(
                json!({ "who": { "display": "Lab system" } }),
                "U",
                "update",
                json!([
                    { "what": { "reference": "Patient/p1" } },
                    { "what": { "reference": "Observation/o1" } },
                    { "what": { "reference": "Condition/c1" } },
                ]),
            ),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(
            access.what,
            "changed your health conditions and your test results and measurements"
        );
    }
}
