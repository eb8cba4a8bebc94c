//! "Who has looked at my record": the audit trail of a patient's record, read from the audit
//! ledger a page at a time, newest first, for the patient (or someone they have granted proxy
//! access), in words rather than codes, with the emergency accesses they have not yet been shown
//! first. Reading the list is itself an access, and is recorded like any other, refused attempts
//! included.

use std::collections::BTreeSet;

use domain::identity::Actor;
use jiff::Timestamp;
use serde_json::Value;

use crate::{
    Db, StoreError,
    auth::{
        audit::{self, AccessRecord, Action, Agent, Outcome},
        policy::{self, Basis, Grants, ProxyGrant, Purpose, Refusal, Subject},
    },
};
use store::{
    WriteError,
    ledger::{EMERGENCY, Logged, Trail, Who},
    state::break_glass,
};

/// How many accesses a page lists, newest first.
pub const LISTED: i64 = 25;

/// Whose accesses the reader asks to see. By default everyone's but the patient's own: a
/// patient's own looks would otherwise bury everyone else's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookedBy {
    #[default]
    Others,
    Staff,
    /// API clients, apps, and other systems that sent their own records of access.
    Systems,
    /// The patient themselves.
    Patient,
    Everyone,
}

impl LookedBy {
    pub const ALL: [Self; 5] = [
        Self::Others,
        Self::Staff,
        Self::Systems,
        Self::Patient,
        Self::Everyone,
    ];

    /// The value in the page's address (`?who=staff`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Others => "others",
            Self::Staff => "staff",
            Self::Systems => "systems",
            Self::Patient => "patient",
            Self::Everyone => "everyone",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|who| who.as_str() == text)
    }
}

/// One access to the record, as the patient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAccess {
    /// Its number in the audit ledger (its AuditEvent's id).
    pub seq: i64,
    pub at: Timestamp,
    /// "You", a person's name and role, or a connected system's name.
    pub who: String,
    /// "looked at your appointments", "changed their personal details", …
    pub what: String,
    /// An emergency ("break-glass") access by someone outside the patient's practice.
    pub emergency: bool,
    /// The reason given for an emergency access, shown in full.
    pub reason: Option<String>,
    /// The access was refused or failed: nothing was seen or changed.
    pub refused: bool,
}

/// A page of the list for one record, and the other records the reader may look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLog {
    /// `None`: the reader's own record; otherwise the name of the person they act for.
    pub acting_for: Option<String>,
    /// Emergency accesses to the reader's own record they had not been shown before this page,
    /// newest first (whatever the filter; never on a record read as a proxy).
    pub unseen_emergencies: Vec<RecordAccess>,
    /// This page's accesses, newest first.
    pub accesses: Vec<RecordAccess>,
    /// Where the next, older page starts (its `before`), when there is one.
    pub older: Option<i64>,
    /// Everyone who has granted the reader proxy access.
    pub grants: Vec<ProxyGrant>,
    /// On the reader's own list: what they did lately for each person they act for (that
    /// person's record as the carer touched it), newest first.
    pub done_for: Vec<(ProxyGrant, Vec<RecordAccess>)>,
}

/// How many of a carer's latest accesses for each person they act for their own list shows.
const DONE_FOR_LISTED: i64 = 5;

/// Which page of whose list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccessLogRequest<'a> {
    /// `None`: the reader's own record.
    pub patient_id: Option<&'a str>,
    pub looked_by: LookedBy,
    /// Only accesses numbered below this (the `older` of the page before).
    pub before: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordAccessError {
    /// Staff have no record of their own here.
    #[error("not a patient")]
    NotAPatient,
    /// Their identity is not checked well enough (below P9) to see anything from the record.
    #[error("identity not checked to the level the record needs")]
    ProofingTooLow,
    /// Signed in, but the practice holds no record for them.
    #[error("no record at this practice")]
    NoRecord,
    /// Someone else's record, and no grant to act for them.
    #[error("not their record")]
    NotAllowed,
    /// A proxy whose grant does not cover the record: who has looked at it is part of it.
    #[error("the grant does not cover the record")]
    BeyondGrant,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the access could not be audited")]
    Audit(#[from] WriteError),
}

/// A page of the accesses to a record: the reader's own, or that of someone who has granted them
/// proxy access. Every call is audited, a refused one too. Emergency accesses the patient has not
/// been shown come first, and count as shown once this returns.
pub async fn access_log(
    db: &Db,
    actor: &Actor,
    request: AccessLogRequest<'_>,
    address: Option<String>,
    now: Timestamp,
) -> Result<AccessLog, RecordAccessError> {
    let Actor::Patient(reader) = actor else {
        return Err(RecordAccessError::NotAPatient);
    };
    if !reader.proofing.may_see_record() {
        return Err(RecordAccessError::ProofingTooLow);
    }
    let grants = Grants {
        proxy: policy::proxy_grants(db, reader, now).await?,
        break_glass: Vec::new(),
    };
    let target = match request.patient_id.or(reader.patient_id.as_deref()) {
        Some(target) => target.to_owned(),
        None => return Err(RecordAccessError::NoRecord),
    };
    let reference = format!("Patient/{target}");
    let mut audit_record = AccessRecord {
        agent: Agent::Person(actor.clone()),
        interaction: "search-type",
        action: Action::Execute,
        outcome: Outcome::Success,
        address,
        records: BTreeSet::new(),
        patients: BTreeSet::from([reference.clone()]),
        query: Some(format!("AuditEvent?patient={reference}")),
        basis: None,
        request_id: None,
    };
    let subject = Subject {
        patient_id: &target,
        practice: None,
    };
    // Who has looked at a record, and why, is part of the record: a proxy needs a grant to read it.
    let basis = match policy::permits(actor, subject, &grants, Purpose::ReadRecord) {
        Ok(basis) => basis,
        Err(refusal) => {
            audit_record.outcome = Outcome::MinorFailure;
            audit::record(db, &audit_record, now).await?;
            return Err(match refusal {
                Refusal::ProofingTooLow => RecordAccessError::ProofingTooLow,
                Refusal::BeyondGrant => RecordAccessError::BeyondGrant,
                Refusal::NotTheirs | Refusal::NotClinical | Refusal::BreakGlassRequired => {
                    RecordAccessError::NotAllowed
                }
            });
        }
    };
    let who = match request.looked_by {
        LookedBy::Others => Who::AllBut(reference.clone()),
        LookedBy::Staff => Who::Staff,
        LookedBy::Systems => Who::Systems,
        LookedBy::Patient => Who::Only(reference.clone()),
        LookedBy::Everyone => Who::Everyone,
    };
    let mut page = db
        .ledger()
        .trail(&Trail {
            patient: reference.clone(),
            who,
            before: request.before,
            // One more than the page tells whether an older page follows.
            limit: LISTED + 1,
        })
        .await?;
    let older = (page.len() as i64 > LISTED)
        .then(|| {
            page.truncate(LISTED as usize);
            page.last().map(|row| row.seq)
        })
        .flatten();
    let viewer = reader.patient_id.as_ref().map(|id| format!("Patient/{id}"));
    let describe_all = |rows: &[Logged]| -> Vec<RecordAccess> {
        rows.iter()
            .filter_map(|row| {
                describe(
                    row.seq,
                    &row.entry.to_audit_event(&row.seq.to_string()),
                    viewer.as_deref(),
                    &reference,
                )
            })
            .collect()
    };
    let accesses = describe_all(&page);
    // Only the patient can have seen what was shown to them: not their proxy.
    let unseen_emergencies = if basis == Basis::Own {
        let seen = break_glass::seen_through(db.state(), &target).await?;
        let unseen = db.ledger().emergencies_after(&reference, seen).await?;
        if let Some(newest) = unseen.first() {
            break_glass::mark_seen(db.state(), &target, newest.seq).await?;
        }
        describe_all(&unseen)
    } else {
        Vec::new()
    };
    // On their own list, a carer sees what they did for the people they act for: theirs too.
    let mut done_for = Vec::new();
    if let (Basis::Own, Some(viewer)) = (&basis, viewer.as_deref()) {
        for grant in &grants.proxy {
            let theirs = format!("Patient/{}", grant.patient_id);
            let rows = db
                .ledger()
                .trail(&Trail {
                    patient: theirs.clone(),
                    who: Who::Only(viewer.to_owned()),
                    before: None,
                    limit: DONE_FOR_LISTED,
                })
                .await?;
            let done: Vec<RecordAccess> = rows
                .iter()
                .filter_map(|row| {
                    let event = row.entry.to_audit_event(&row.seq.to_string());
                    describe(row.seq, &event, Some(viewer), &theirs)
                })
                .collect();
            audit_record.patients.insert(theirs);
            done_for.push((grant.clone(), done));
        }
    }
    let acting_for = match basis {
        Basis::Proxy => grants
            .proxy
            .iter()
            .find(|grant| grant.patient_id == target)
            .map(|grant| grant.patient_name.clone()),
        Basis::Own | Basis::CareTeam | Basis::BreakGlass(_) | Basis::PracticeOffice => None,
    };
    audit_record.basis = Some(basis);
    audit::record(db, &audit_record, now).await?;
    Ok(AccessLog {
        acting_for,
        unseen_emergencies,
        accesses,
        older,
        // The records whose lists they may read.
        grants: grants
            .proxy
            .into_iter()
            .filter(|grant| grant.covers(Purpose::ReadRecord))
            .collect(),
        done_for,
    })
}

/// An AuditEvent in plain English for someone reading `subject`'s (`Patient/id`) list: "You"
/// when the reader (`viewer`) did it, "your …" when it is their own record, "their …" otherwise.
fn describe(seq: i64, event: &Value, viewer: Option<&str>, subject: &str) -> Option<RecordAccess> {
    let at: Timestamp = event["recorded"].as_str()?.parse().ok()?;
    let agent = &event["agent"][0];
    let emergency = agent["purposeOfUse"][0]["coding"][0]["code"] == EMERGENCY;
    let who = if viewer.is_some() && agent["who"]["reference"].as_str() == viewer {
        "You".to_owned()
    } else {
        let name = agent["who"]["display"].as_str().unwrap_or("Someone");
        match agent["type"]["text"].as_str() {
            Some(role) => format!("{name} ({role})"),
            None => name.to_owned(),
        }
    };
    let reason = agent["purposeOfUse"][0]["text"].as_str().map(str::to_owned);
    let refused = event["outcome"].as_str() != Some("0");
    // A sign-in or sign-out (DICOM's "User Authentication"), rather than a look at the record.
    let authentication = match event["subtype"][0]["code"].as_str() {
        Some("110122") => Some("signed in"),
        Some("110123") => Some("signed out"),
        _ => None,
    };
    if let Some(what) = authentication {
        return Some(RecordAccess {
            seq,
            at,
            who,
            what: what.to_owned(),
            emergency,
            reason,
            refused,
        });
    }
    let whose = if viewer == Some(subject) {
        "your"
    } else {
        "their"
    };
    let entities = event["entity"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let references = || {
        entities
            .iter()
            .filter_map(|entity| entity["what"]["reference"].as_str())
    };
    // The parts of the record touched, by the types of the records named (the Patient record
    // itself is "personal details" only when nothing else was touched).
    let mut things: Vec<&str> = references()
        .filter_map(|reference| reference.split('/').next())
        .filter(|kind| *kind != "Patient")
        .map(thing)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if things.is_empty() {
        things.push(
            if event["subtype"][0]["code"].as_str() == Some("search-type") {
                searched(entities)
            } else if references().any(|reference| reference == subject) {
                "personal details"
            } else {
                "record"
            },
        );
    }
    let verb = match event["action"].as_str() {
        Some("C") => "added to",
        Some("U") => "changed",
        Some("D") => "removed",
        Some("E") => "looked through",
        _ => "looked at",
    };
    let things: Vec<String> = things
        .iter()
        .map(|thing| match *thing {
            ACCESS_LIST => format!("the list of who has looked at {whose} record"),
            thing => format!("{whose} {thing}"),
        })
        .collect();
    Some(RecordAccess {
        seq,
        at,
        who,
        what: format!("{verb} {}", join(&things)),
        emergency,
        reason,
        refused,
    })
}

/// The audit trail itself, which `describe` words as "the list of who has looked at …".
const ACCESS_LIST: &str = "access list";

/// What a search looked through, from its query (`AuditEvent?patient=…`, `Appointment?…`).
fn searched(entities: &[Value]) -> &'static str {
    let query = entities
        .iter()
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
        "Appointment" | "Slot" => "appointments",
        "Observation" | "DiagnosticReport" => "test results and measurements",
        "Condition" => "health conditions",
        "AllergyIntolerance" => "allergies",
        "MedicationRequest" | "MedicationStatement" => "medicines",
        "Immunization" => "vaccinations",
        "Encounter" => "consultations",
        "DocumentReference" => "documents",
        "Communication" => "messages",
        "RelatedPerson" | "Consent" => "proxy access settings",
        "AuditEvent" => ACCESS_LIST,
        "Patient" => "personal details",
        _ => "record",
    }
}

fn join(things: &[String]) -> String {
    match things {
        [] => String::new(),
        [one] => one.clone(),
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
            1,
            &event(
                json!({ "who": { "display": "Dr Amara Okafor" }, "type": { "text": "Clinician" } }),
                "R",
                "read",
                json!([
                    { "what": { "reference": "Patient/p1" } },
                    { "what": { "reference": "Appointment/a1" } },
                ]),
            ),
            Some("Patient/p1"),
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
            1,
            &event(
                json!({ "who": { "reference": "Patient/p1", "display": "Sam Jones" } }),
                "E",
                "search-type",
                json!([
                    { "what": { "reference": "Patient/p1" } },
                    { "query": "AuditEvent?patient=Patient/p1" },
                ]),
            ),
            Some("Patient/p1"),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(access.who, "You");
        assert_eq!(
            access.what,
            "looked through the list of who has looked at your record"
        );
    }

    #[test]
    fn changes_to_several_parts_are_listed_together() {
        let access = describe(
            1,
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
            Some("Patient/p2"),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(
            access.what, "changed their health conditions and their test results and measurements",
            "read by someone acting for the patient"
        );
    }

    #[test]
    fn a_break_glass_reason_is_read_from_the_agents_purpose() {
        let access = describe(
            1,
            &event(
                json!({
                    "who": { "display": "Dr Tom Hale" },
                    "type": { "text": "Clinician, Y90002" },
                    "purposeOfUse": [{ "coding": [{ "code": "ETREAT" }], "text": "Unconscious in A&E" }],
                }),
                "R",
                "read",
                json!([{ "what": { "reference": "Patient/p1" } }]),
            ),
            Some("Patient/p1"),
            "Patient/p1",
        )
        .unwrap();
        assert_eq!(access.reason.as_deref(), Some("Unconscious in A&E"));
        assert!(access.emergency);
        assert_eq!(access.what, "looked at your personal details");
    }

    #[test]
    fn the_filter_in_the_address_reads_back_and_anything_else_is_not_one() {
        for who in LookedBy::ALL {
            assert_eq!(LookedBy::parse(who.as_str()), Some(who));
        }
        assert_eq!(LookedBy::parse("Staff"), None);
        assert_eq!(LookedBy::default(), LookedBy::Others);
    }

    #[test]
    fn a_sign_in_reads_as_one() {
        let mut sign_in = event(
            json!({ "who": { "reference": "Patient/p1" } }),
            "E",
            "110122",
            json!([{ "what": { "reference": "Patient/p1" } }]),
        );
        sign_in["type"] = json!({ "code": "110114" });
        let access = describe(1, &sign_in, Some("Patient/p1"), "Patient/p1").unwrap();
        assert_eq!(
            (access.who.as_str(), access.what.as_str()),
            ("You", "signed in")
        );
    }
}
