//! The audit trail: every access to patient data, by anyone, becomes a row of the audit ledger
//! (`store::ledger`: who, in what role, why, whose data, what, when, from where, the outcome),
//! read back as a FHIR AuditEvent. Append-only: nothing in the service changes or removes one,
//! and the REST API refuses to.

use std::collections::BTreeSet;

use domain::identity::Actor;
use jiff::Timestamp;

use super::policy::Basis;
use crate::Db;
use store::{
    WriteError,
    ledger::{AccessEntry, AgentEntry, AgentKind, Entry, SIGN_IN, SIGN_OUT},
};

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
    /// The `X-Request-ID` the request was served under.
    pub request_id: Option<String>,
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
            request_id: None,
        }
    }
}

impl AccessRecord {
    /// `actor`, one of the staff of the organisation with ODS code `organisation`, listing the
    /// records of many patients (a search): the caller adds each record and patient listed.
    pub fn staff_listing(
        actor: &Actor,
        organisation: &domain::OdsCode,
        address: Option<String>,
    ) -> Self {
        let mut record =
            Self::person_reading(actor, format!("Organization/{organisation}"), address);
        record.interaction = "search-type";
        record.action = Action::Execute;
        record.records.clear();
        record.patients.clear();
        record
    }
}

/// Appends `record` to the audit ledger, returning once it is durable. Callers treat a failure
/// as a failure of the access itself: data is not handed out unaudited.
pub async fn record(db: &Db, record: &AccessRecord, now: Timestamp) -> Result<(), WriteError> {
    db.ledger()
        .append(Entry::Access(Box::new(entry_of(record, now))), now)
        .await?;
    Ok(())
}

/// A sign-in or a sign-out, as an entry of its own (DICOM's "User Authentication"): a patient
/// sees their own sign-ins in the list of who has looked at their record.
pub async fn record_authentication(
    db: &Db,
    actor: &Actor,
    event: Authentication,
    address: Option<String>,
    now: Timestamp,
) -> Result<(), WriteError> {
    let entry = authentication_entry(actor, event, address, now);
    db.ledger()
        .append(Entry::Access(Box::new(entry)), now)
        .await?;
    Ok(())
}

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication {
    SignIn,
    SignOut,
}

fn authentication_entry(
    actor: &Actor,
    event: Authentication,
    address: Option<String>,
    now: Timestamp,
) -> AccessEntry {
    let patients = match actor {
        Actor::Patient(patient) => patient
            .patient_id
            .iter()
            .map(|id| format!("Patient/{id}"))
            .collect(),
        Actor::Staff(_) => Vec::new(),
    };
    let (agent, purpose) = agent_of(&Agent::Person(actor.clone()), None);
    AccessEntry {
        recorded: now.as_millisecond(),
        interaction: match event {
            Authentication::SignIn => SIGN_IN,
            Authentication::SignOut => SIGN_OUT,
        }
        .to_owned(),
        action: Action::Execute.code().to_owned(),
        outcome: Outcome::Success.code().to_owned(),
        agent,
        on_behalf_of: None,
        purpose: purpose.to_owned(),
        reason: None,
        patients,
        records: Vec::new(),
        query: None,
        address,
        request_id: None,
    }
}

/// Who acted, in the role they acted in (whose words the patient's "who has looked" page shows),
/// and the v3-ActReason code of why.
fn agent_of(agent: &Agent, basis: Option<&Basis>) -> (AgentEntry, &'static str) {
    match agent {
        Agent::ApiClient { client_id, name } => (
            AgentEntry {
                kind: AgentKind::System,
                reference: None,
                identifier: Some((API_CLIENT_SYSTEM.to_owned(), client_id.clone())),
                name: name.clone(),
                role: "a connected computer system".to_owned(),
            },
            "HOPERAT",
        ),
        Agent::Person(Actor::Patient(patient)) => (
            AgentEntry {
                kind: AgentKind::Patient,
                reference: patient
                    .patient_id
                    .as_ref()
                    .map(|id| format!("Patient/{id}")),
                identifier: None,
                name: patient.display_name.clone(),
                role: if basis == Some(&Basis::Proxy) {
                    "Proxy"
                } else {
                    "Patient"
                }
                .to_owned(),
            },
            "PATRQT",
        ),
        Agent::Person(Actor::Staff(staff)) => (
            AgentEntry {
                kind: AgentKind::Staff,
                reference: None,
                identifier: Some((fhir::SDS_USER_ID_SYSTEM.to_owned(), staff.user_id.clone())),
                name: staff.display_name.clone(),
                role: format!("{}, {}", staff.role.label(), staff.organisation.as_str()),
            },
            // The practice's office runs its business (appointments), it does not treat.
            if basis == Some(&Basis::PracticeOffice) {
                "HOPERAT"
            } else {
                "TREAT"
            },
        ),
    }
}

fn entry_of(record: &AccessRecord, now: Timestamp) -> AccessEntry {
    let (agent, purpose) = agent_of(&record.agent, record.basis.as_ref());
    // Emergency treatment is what v3-ActReason calls breaking the glass for care; the
    // clinician's own words go alongside, for the patient.
    let (purpose, reason) = match &record.basis {
        Some(Basis::BreakGlass(reason)) => ("ETREAT", Some(reason.as_str().to_owned())),
        _ => (purpose, None),
    };
    AccessEntry {
        recorded: now.as_millisecond(),
        interaction: record.interaction.to_owned(),
        action: record.action.code().to_owned(),
        outcome: record.outcome.code().to_owned(),
        agent,
        on_behalf_of: None,
        purpose: purpose.to_owned(),
        reason,
        patients: record.patients.iter().cloned().collect(),
        records: record.records.iter().cloned().collect(),
        query: record.query.clone(),
        address: record.address.clone(),
        request_id: record.request_id.clone(),
    }
}

/// The identifier system naming registered API clients in audit records.
pub const API_CLIENT_SYSTEM: &str = "https://fhir.openhealth.example/Id/api-client";

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine as _, engine::general_purpose::STANDARD};
    use fhir::ResourceType;
    use serde_json::Value;

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
            request_id: None,
        }
    }

    /// The row as a FHIR client reads it back.
    fn audit_event(record: &AccessRecord, now: Timestamp) -> Value {
        Entry::Access(Box::new(entry_of(record, now))).to_audit_event("1")
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
        let entry = authentication_entry(
            &patient,
            Authentication::SignIn,
            Some("192.0.2.7".into()),
            Timestamp::UNIX_EPOCH,
        );
        let event = Entry::Access(Box::new(entry)).to_audit_event("1");
        assert_eq!(event["type"]["code"], "110114");
        assert_eq!(event["subtype"][0]["code"], "110122");
        assert_eq!(event["entity"][0]["what"]["reference"], "Patient/p1");
        assert_eq!(event["agent"][0]["network"]["address"], "192.0.2.7");
        assert!(fhir::validate::check(&event, ResourceType::AuditEvent).is_empty());
    }
}
