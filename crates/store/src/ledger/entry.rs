//! What one row of the ledger holds ([`Entry`]), the values derived from it for searching
//! ([`Derived`]), and how it reads as a FHIR AuditEvent, shaped as IHE's Basic Audit Log Patterns
//! (BALP) shape them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One row of the ledger, as stored (its JSON is what the chain hashes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    /// An access made through this service, in the ledger's compact form.
    #[serde(rename = "a")]
    Access(Box<AccessEntry>),
    /// An AuditEvent another system sent (BALP's "record audit event"), or one this service wrote
    /// before the ledger existed: kept exactly as it came.
    #[serde(rename = "r")]
    Resource(Value),
}

/// One access to patient data, or one sign-in or sign-out: who, on whose behalf, in what role
/// and for what purpose, whose data, which records, how, with what outcome, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// When, in milliseconds since the epoch.
    #[serde(rename = "t")]
    pub recorded: i64,
    /// A code of http://hl7.org/fhir/restful-interaction (`read`, `search-type`, …), or
    /// [`SIGN_IN`] / [`SIGN_OUT`].
    #[serde(rename = "i")]
    pub interaction: String,
    /// AuditEvent.action: C, R, U, D or E.
    #[serde(rename = "x")]
    pub action: String,
    /// AuditEvent.outcome: 0 (success), 4 (refused or failed because of the request) or 8
    /// (failed because of the service).
    #[serde(rename = "o")]
    pub outcome: String,
    #[serde(rename = "w")]
    pub agent: AgentEntry,
    /// `Type/id` of whom the agent acted for, when that is not the agent itself (an app acting for
    /// a signed-in person).
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// A code of http://terminology.hl7.org/CodeSystem/v3-ActReason: TREAT, ETREAT (breaking the
    /// glass), PATRQT, HOPERAT.
    #[serde(rename = "u")]
    pub purpose: String,
    /// The reason given in words, for breaking the glass.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `Patient/id` of each patient whose data it was.
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub patients: Vec<String>,
    /// `Type/id` of each other record touched.
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
    /// A search's query, as text.
    #[serde(rename = "q", default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The caller's network address, as far as the server could tell.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The `X-Request-ID` the request was served under, to find it in the server's logs.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentEntry {
    #[serde(rename = "k")]
    pub kind: AgentKind,
    /// `Patient/id` when the agent is a record here (a patient signed in).
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `(system, value)`: a member of staff's user id, an API client's id.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<(String, String)>,
    #[serde(rename = "n")]
    pub name: String,
    /// The role they acted in, in words ("Patient", "Proxy", "GP, Y90001", …).
    #[serde(rename = "o")]
    pub role: String,
}

/// The kinds of agent a patient can tell apart on "who has looked at your record".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentKind {
    /// A patient, or someone acting for one (a proxy).
    #[serde(rename = "p")]
    Patient,
    /// A member of staff.
    #[serde(rename = "s")]
    Staff,
    /// A computer system: an API client, an app.
    #[serde(rename = "a")]
    System,
}

impl AgentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Staff => "staff",
            Self::System => "system",
        }
    }
}

/// The purpose of use of breaking the glass: v3-ActReason's emergency treatment.
pub const EMERGENCY: &str = "ETREAT";

/// [`AccessEntry::interaction`] of a sign-in and of a sign-out.
pub const SIGN_IN: &str = "login";
pub const SIGN_OUT: &str = "logout";

/// The columns and keys of a row, derived from its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    pub(crate) recorded: i64,
    pub(crate) type_system: String,
    pub(crate) type_code: String,
    /// The first agent's key (`Patient/1`, `system|value`), empty if none.
    pub(crate) agent: String,
    /// `patient`, `staff`, `system` or `other` (an AuditEvent sent by another system).
    pub(crate) agent_kind: &'static str,
    /// `p Patient/1` for each patient, `a …` for each agent, and `e Patient/1` for each patient
    /// of an emergency access.
    pub(crate) keys: Vec<String>,
}

impl Entry {
    /// Whether the entry records a change (or is an AuditEvent sent to be kept): its row must
    /// survive a power cut before anyone hears it is written, where a read's must survive a crash
    /// of the server.
    pub(crate) fn records_a_change(&self) -> bool {
        match self {
            Self::Access(access) => matches!(access.action.as_str(), "C" | "U" | "D"),
            Self::Resource(_) => true,
        }
    }

    pub(crate) fn derived(&self) -> Derived {
        match self {
            Self::Access(access) => {
                let agent = access.agent.key();
                let (type_system, type_code) = event_type(&access.interaction);
                let mut keys: Vec<String> =
                    access.patients.iter().map(|p| format!("p {p}")).collect();
                if access.purpose == EMERGENCY {
                    keys.extend(access.patients.iter().map(|p| format!("e {p}")));
                }
                if !agent.is_empty() {
                    keys.push(format!("a {agent}"));
                }
                Derived {
                    recorded: access.recorded,
                    type_system: type_system.to_owned(),
                    type_code: type_code.to_owned(),
                    agent,
                    agent_kind: access.agent.kind.as_str(),
                    keys,
                }
            }
            Self::Resource(event) => derived_from_resource(event),
        }
    }

    /// The entry as a FHIR AuditEvent with the given id.
    pub fn to_audit_event(&self, id: &str) -> Value {
        let mut event = match self {
            Self::Access(access) => access.to_audit_event(),
            Self::Resource(event) => event.clone(),
        };
        event["resourceType"] = json!("AuditEvent");
        event["id"] = json!(id);
        event
    }
}

impl AgentEntry {
    /// How the agent is found by: its reference, else `system|value`.
    fn key(&self) -> String {
        match (&self.reference, &self.identifier) {
            (Some(reference), _) => reference.clone(),
            (None, Some((system, value))) => format!("{system}|{value}"),
            (None, None) => String::new(),
        }
    }
}

/// AuditEvent.type of an interaction: a RESTful operation, or DICOM's "User Authentication".
fn event_type(interaction: &str) -> (&'static str, &'static str) {
    match interaction {
        SIGN_IN | SIGN_OUT => (DICOM_SYSTEM, "110114"),
        _ => (EVENT_TYPE_SYSTEM, "rest"),
    }
}

fn derived_from_resource(event: &Value) -> Derived {
    let recorded = event["recorded"]
        .as_str()
        .and_then(|text| text.parse::<jiff::Timestamp>().ok())
        .map_or(0, |at| at.as_millisecond());
    let agents: Vec<String> = event["agent"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|agent| {
            let who = &agent["who"];
            who["reference"].as_str().map(str::to_owned).or_else(|| {
                let identifier = &who["identifier"];
                Some(format!(
                    "{}|{}",
                    identifier["system"].as_str().unwrap_or_default(),
                    identifier["value"].as_str()?
                ))
            })
        })
        .collect();
    let patients = event["entity"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entity| entity["what"]["reference"].as_str())
        .filter(|reference| reference.starts_with("Patient/"));
    let patients: Vec<&str> = patients.collect();
    let emergency = event["agent"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|agent| agent["purposeOfUse"].as_array().into_iter().flatten())
        .flat_map(|purpose| purpose["coding"].as_array().into_iter().flatten())
        .any(|coding| coding["code"] == EMERGENCY);
    let mut keys: Vec<String> = patients.iter().map(|p| format!("p {p}")).collect();
    if emergency {
        keys.extend(patients.iter().map(|p| format!("e {p}")));
    }
    keys.extend(agents.iter().map(|a| format!("a {a}")));
    keys.sort();
    keys.dedup();
    Derived {
        recorded,
        type_system: event["type"]["system"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        type_code: event["type"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        agent: agents.first().cloned().unwrap_or_default(),
        agent_kind: "other",
        keys,
    }
}

impl AccessEntry {
    fn to_audit_event(&self) -> Value {
        let recorded = jiff::Timestamp::from_millisecond(self.recorded)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let (type_system, type_code) = event_type(&self.interaction);
        let (event_type, subtype) = if type_code == "rest" {
            (
                json!({ "system": type_system, "code": type_code, "display": "RESTful Operation" }),
                json!({ "system": INTERACTION_SYSTEM, "code": self.interaction }),
            )
        } else {
            let (code, display) = if self.interaction == SIGN_IN {
                ("110122", "Login")
            } else {
                ("110123", "Logout")
            };
            (
                json!({ "system": type_system, "code": type_code, "display": "User Authentication" }),
                json!({ "system": DICOM_SYSTEM, "code": code, "display": display }),
            )
        };
        let mut event = json!({
            "resourceType": "AuditEvent",
            "type": event_type,
            "subtype": [subtype],
            "action": self.action,
            "recorded": recorded,
            "outcome": self.outcome,
            "agent": self.agents_json(),
            "source": {
                "observer": { "display": "Open Health" },
                "type": [{
                    "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                    "code": "3",
                    "display": "Web Server",
                }],
            },
        });
        let mut entity: Vec<Value> = self.patients.iter().map(|p| patient_entity(p)).collect();
        entity.extend(
            self.records
                .iter()
                .filter(|record| !self.patients.contains(record))
                .map(|record| {
                    json!({
                        "what": { "reference": record },
                        "type": { "system": ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object" },
                    })
                }),
        );
        if let Some(query) = &self.query {
            use base64::Engine as _;
            entity.push(json!({
                "type": { "system": ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object" },
                "role": { "system": OBJECT_ROLE_SYSTEM, "code": "24", "display": "Query" },
                "query": base64::engine::general_purpose::STANDARD.encode(query),
            }));
        }
        if !entity.is_empty() {
            event["entity"] = Value::Array(entity);
        }
        event
    }

    /// The AuditEvent.agent: how they are identified, the role they acted in (`type`, whose text
    /// the patient's "who has looked" page shows), why (`purposeOfUse`) and from where; and
    /// whom they acted for, if not themselves.
    fn agents_json(&self) -> Vec<Value> {
        let agent = &self.agent;
        let mut who = json!({ "display": agent.name });
        if let Some(reference) = &agent.reference {
            who["reference"] = json!(reference);
        }
        if let Some((system, value)) = &agent.identifier {
            who["identifier"] = json!({ "system": system, "value": value });
        }
        let role = match agent.kind {
            AgentKind::System => json!({
                "coding": [{ "system": DICOM_SYSTEM, "code": "110150", "display": "Application" }],
                "text": agent.role,
            }),
            AgentKind::Patient | AgentKind::Staff => json!({ "text": agent.role }),
        };
        let mut purpose = json!({
            "coding": [{
                "system": ACT_REASON_SYSTEM,
                "code": self.purpose,
                "display": purpose_display(&self.purpose),
            }],
        });
        if let Some(reason) = &self.reason {
            purpose["text"] = json!(reason);
        }
        let mut json = json!({
            "type": role,
            "who": who,
            "requestor": true,
            "purposeOfUse": [purpose],
        });
        if let Some(address) = &self.address {
            json["network"] = json!({ "address": address, "type": "2" });
        }
        match &self.on_behalf_of {
            // BALP: the person an app acts for is a second agent, the requestor.
            Some(principal) => {
                json["requestor"] = json!(false);
                vec![
                    json,
                    json!({ "who": { "reference": principal }, "requestor": true }),
                ]
            }
            None => vec![json],
        }
    }
}

fn purpose_display(code: &str) -> &'static str {
    match code {
        "TREAT" => "treatment",
        "ETREAT" => "Emergency Treatment",
        "PATRQT" => "patient requested",
        "HOPERAT" => "healthcare operations",
        _ => "",
    }
}

fn patient_entity(patient: &str) -> Value {
    json!({
        "what": { "reference": patient },
        "type": { "system": ENTITY_TYPE_SYSTEM, "code": "1", "display": "Person" },
        "role": { "system": OBJECT_ROLE_SYSTEM, "code": "1", "display": "Patient" },
    })
}

const EVENT_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const INTERACTION_SYSTEM: &str = "http://hl7.org/fhir/restful-interaction";
const ENTITY_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const ACT_REASON_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const DICOM_SYSTEM: &str = "http://dicom.nema.org/resources/ontology/DCM";
