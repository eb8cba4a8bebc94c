//! The audit trail: every access to patient data, by anyone, becomes a FHIR AuditEvent in the
//! store (who, on whose behalf, what, when, from where, the outcome and the purpose). Append-only:
//! nothing in the service updates or deletes one, and the REST API refuses to.

use std::collections::BTreeSet;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use domain::identity::Actor;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::policy::Basis;
use crate::Db;
use store::WriteError;

/// Who acted.
#[derive(Debug, Clone)]
pub enum Agent {
    /// A registered backend system calling the FHIR API with a client-credentials token.
    ApiClient { client_id: String, name: String },
    /// A person signed in through the web service.
    Person(Actor),
}

/// FHIR's AuditEvent.action: what kind of thing was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Read,
    Update,
    Delete,
    /// A search, a history, a batch: an operation over many records.
    Execute,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Self::Create => "C",
            Self::Read => "R",
            Self::Update => "U",
            Self::Delete => "D",
            Self::Execute => "E",
        }
    }
}

/// FHIR's AuditEvent.outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Refused or failed because of the request (a 4xx).
    MinorFailure,
    /// Failed because of the service (a 5xx).
    SeriousFailure,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Self::Success => "0",
            Self::MinorFailure => "4",
            Self::SeriousFailure => "8",
        }
    }
}

/// One access to record.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    pub agent: Agent,
    /// A code of http://hl7.org/fhir/restful-interaction (`read`, `search-type`, …).
    pub interaction: &'static str,
    pub action: Action,
    pub outcome: Outcome,
    /// The caller's network address, as far as the server can tell.
    pub address: Option<String>,
    /// `Type/id` of each record touched.
    pub records: BTreeSet<String>,
    /// `Patient/id` of each patient whose data it was.
    pub patients: BTreeSet<String>,
    /// A search's query string, kept as FHIR keeps queries (base64).
    pub query: Option<String>,
    /// Why a person was let in, where it says more than their role: acting as a proxy, or
    /// breaking the glass (whose reason goes into the record, for the patient to read).
    pub basis: Option<Basis>,
}

impl AccessRecord {
    /// `actor` reading one patient's record (`Patient/id`), successfully unless changed after.
    pub fn person_reading(actor: &Actor, patient: String, address: Option<String>) -> Self {
        Self {
            agent: Agent::Person(actor.clone()),
            interaction: "read",
            action: Action::Read,
            outcome: Outcome::Success,
            address,
            records: BTreeSet::from([patient.clone()]),
            patients: BTreeSet::from([patient]),
            query: None,
            basis: None,
        }
    }
}

/// Stores `record` as an AuditEvent. Callers treat a failure as a failure of the access itself:
/// data is not handed out unaudited.
pub async fn record(db: &Db, record: &AccessRecord, now: Timestamp) -> Result<(), WriteError> {
    db.write_audit_event(audit_event(record, now), now).await
}

/// A sign-in or a sign-out, as an AuditEvent of its own (DICOM's "User Authentication"): a patient
/// sees their own sign-ins in the list of who has looked at their record.
pub async fn record_authentication(
    db: &Db,
    actor: &Actor,
    event: Authentication,
    address: Option<String>,
    now: Timestamp,
) -> Result<(), WriteError> {
    db.write_audit_event(authentication_event(actor, event, address, now), now)
        .await
}

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication {
    SignIn,
    SignOut,
}

fn authentication_event(
    actor: &Actor,
    event: Authentication,
    address: Option<String>,
    now: Timestamp,
) -> Value {
    let (code, display) = match event {
        Authentication::SignIn => ("110122", "Login"),
        Authentication::SignOut => ("110123", "Logout"),
    };
    let mut audit = base_event(
        json!({
            "system": DICOM_SYSTEM,
            "code": "110114",
            "display": "User Authentication",
        }),
        json!({ "system": DICOM_SYSTEM, "code": code, "display": display }),
        "E",
        Outcome::Success,
        with_address(agent_of(&Agent::Person(actor.clone()), None), address),
        now,
    );
    if let Actor::Patient(patient) = actor
        && let Some(id) = &patient.patient_id
    {
        audit["entity"] = json!([patient_entity(&format!("Patient/{id}"))]);
    }
    audit
}

/// The AuditEvent.agent for who acted: how they are identified, the role they acted in (`type`,
/// whose text the patient's "who has looked" page shows) and why (`purposeOfUse`).
fn agent_of(agent: &Agent, basis: Option<&Basis>) -> Value {
    let (who, role, purpose) = match agent {
        Agent::ApiClient { client_id, name } => (
            json!({
                "identifier": { "system": API_CLIENT_SYSTEM, "value": client_id },
                "display": name,
            }),
            json!({ "coding": [{
                "system": DICOM_SYSTEM,
                "code": "110150",
                "display": "Application",
            }], "text": "a connected computer system" }),
            ("HOPERAT", "healthcare operations"),
        ),
        Agent::Person(Actor::Patient(patient)) => (
            match &patient.patient_id {
                Some(id) => {
                    json!({ "reference": format!("Patient/{id}"), "display": patient.display_name })
                }
                None => json!({ "display": patient.display_name }),
            },
            json!({ "text": if basis == Some(&Basis::Proxy) { "Proxy" } else { "Patient" } }),
            ("PATRQT", "patient requested"),
        ),
        Agent::Person(Actor::Staff(staff)) => (
            json!({
                "identifier": { "system": fhir::SDS_USER_ID_SYSTEM, "value": staff.user_id },
                "display": staff.display_name,
            }),
            json!({ "text": format!("{}, {}", staff.role.label(), staff.organisation.as_str()) }),
            ("TREAT", "treatment"),
        ),
    };
    let purpose = match basis {
        // Emergency treatment is what v3-ActReason calls breaking the glass for care; the
        // clinician's own words go alongside, for the patient.
        Some(Basis::BreakGlass(reason)) => json!({
            "coding": [{ "system": ACT_REASON_SYSTEM, "code": "ETREAT", "display": "Emergency Treatment" }],
            "text": reason.as_str(),
        }),
        _ => json!({
            "coding": [{ "system": ACT_REASON_SYSTEM, "code": purpose.0, "display": purpose.1 }],
        }),
    };
    json!({
        "type": role,
        "who": who,
        "requestor": true,
        "purposeOfUse": [purpose],
    })
}

fn with_address(mut agent: Value, address: Option<String>) -> Value {
    if let Some(address) = address {
        agent["network"] = json!({ "address": address, "type": "2" });
    }
    agent
}

fn patient_entity(patient: &str) -> Value {
    json!({
        "what": { "reference": patient },
        "type": { "system": ENTITY_TYPE_SYSTEM, "code": "1", "display": "Person" },
        "role": { "system": OBJECT_ROLE_SYSTEM, "code": "1", "display": "Patient" },
    })
}

/// The parts every AuditEvent has.
fn base_event(
    event_type: Value,
    subtype: Value,
    action: &str,
    outcome: Outcome,
    agent: Value,
    now: Timestamp,
) -> Value {
    json!({
        "resourceType": "AuditEvent",
        "type": event_type,
        "subtype": [subtype],
        "action": action,
        "recorded": now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "outcome": outcome.code(),
        "agent": [agent],
        "source": {
            "observer": { "display": "Open Health" },
            "type": [{
                "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                "code": "3",
                "display": "Web Server",
            }],
        },
    })
}

fn audit_event(record: &AccessRecord, now: Timestamp) -> Value {
    let agent = with_address(
        agent_of(&record.agent, record.basis.as_ref()),
        record.address.clone(),
    );
    let mut entity: Vec<Value> = record
        .patients
        .iter()
        .map(|patient| patient_entity(patient))
        .collect();
    entity.extend(
        record
            .records
            .iter()
            .filter(|r| !record.patients.contains(*r))
            .map(|r| {
                json!({
                    "what": { "reference": r },
                    "type": { "system": ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object" },
                })
            }),
    );
    if let Some(query) = &record.query {
        entity.push(json!({
            "type": { "system": ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object" },
            "role": { "system": OBJECT_ROLE_SYSTEM, "code": "24", "display": "Query" },
            "query": STANDARD.encode(query),
        }));
    }
    let mut event = base_event(
        json!({
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        }),
        json!({ "system": "http://hl7.org/fhir/restful-interaction", "code": record.interaction }),
        record.action.code(),
        record.outcome,
        agent,
        now,
    );
    if !entity.is_empty() {
        event["entity"] = Value::Array(entity);
    }
    event
}

/// The identifier system naming registered API clients in audit records.
pub const API_CLIENT_SYSTEM: &str = "https://fhir.openhealth.example/Id/api-client";
const ENTITY_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const ACT_REASON_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const DICOM_SYSTEM: &str = "http://dicom.nema.org/resources/ontology/DCM";

#[cfg(test)]
mod tests {
    use super::*;
    use fhir::ResourceType;

    fn read_of_a_patient() -> AccessRecord {
        AccessRecord {
            agent: Agent::ApiClient {
                client_id: "lab".into(),
                name: "Lab results".into(),
            },
            interaction: "read",
            action: Action::Read,
            outcome: Outcome::Success,
            address: Some("192.0.2.7".into()),
            records: BTreeSet::from(["Observation/o1".into()]),
            patients: BTreeSet::from(["Patient/p1".into()]),
            query: None,
            basis: None,
        }
    }

    #[test]
    fn an_event_names_who_what_whose_when_and_from_where() {
        let now: Timestamp = "2026-11-21T10:00:00Z".parse().unwrap();
        let event = audit_event(&read_of_a_patient(), now);
        assert_eq!(event["action"], "R");
        assert_eq!(event["outcome"], "0");
        assert_eq!(event["recorded"], "2026-11-21T10:00:00.000Z");
        assert_eq!(event["agent"][0]["who"]["identifier"]["value"], "lab");
        assert_eq!(event["agent"][0]["network"]["address"], "192.0.2.7");
        assert_eq!(event["entity"][0]["what"]["reference"], "Patient/p1");
        assert_eq!(event["entity"][0]["role"]["code"], "1");
        assert_eq!(event["entity"][1]["what"]["reference"], "Observation/o1");
        assert!(
            fhir::validate::check(&event, ResourceType::AuditEvent).is_empty(),
            "the event is a valid AuditEvent"
        );
    }

    #[test]
    fn the_patient_is_named_once_even_when_it_is_the_record_read() {
        let mut access = read_of_a_patient();
        access.records = BTreeSet::from(["Patient/p1".into()]);
        let event = audit_event(&access, Timestamp::UNIX_EPOCH);
        assert_eq!(event["entity"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn a_search_keeps_its_query_base64_encoded() {
        let mut access = read_of_a_patient();
        access.query = Some("family=smith".into());
        let event = audit_event(&access, Timestamp::UNIX_EPOCH);
        let query = event["entity"].as_array().unwrap().last().unwrap();
        assert_eq!(query["query"], STANDARD.encode("family=smith"));
    }

    #[test]
    fn a_break_glass_access_carries_emergency_treatment_and_the_reason_in_words() {
        let mut access = read_of_a_patient();
        let reason =
            domain::break_glass::BreakGlassReason::parse("Unconscious in A&E, no history").unwrap();
        access.basis = Some(Basis::BreakGlass(reason));
        let event = audit_event(&access, Timestamp::UNIX_EPOCH);
        let purpose = &event["agent"][0]["purposeOfUse"][0];
        assert_eq!(purpose["coding"][0]["code"], "ETREAT");
        assert_eq!(purpose["text"], "Unconscious in A&E, no history");
        assert!(fhir::validate::check(&event, ResourceType::AuditEvent).is_empty());
    }

    #[test]
    fn a_patients_sign_in_names_them_as_the_subject() {
        let patient = Actor::Patient(domain::identity::PatientUser {
            subject: "s".into(),
            display_name: "Sam Jones".into(),
            proofing: domain::identity::ProofingLevel::P9,
            nhs_number: None,
            patient_id: Some("p1".into()),
        });
        let event = authentication_event(
            &patient,
            Authentication::SignIn,
            Some("192.0.2.7".into()),
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(event["type"]["code"], "110114");
        assert_eq!(event["subtype"][0]["code"], "110122");
        assert_eq!(event["entity"][0]["what"]["reference"], "Patient/p1");
        assert_eq!(event["agent"][0]["network"]["address"], "192.0.2.7");
        assert!(fhir::validate::check(&event, ResourceType::AuditEvent).is_empty());
    }
}
