//! Finding a patient, for staff: by NHS number, or by family name with given name and date of
//! birth to narrow it, answered with just enough to be sure of the person (name, date of birth,
//! NHS number, postcode) and whether they are registered here. Like
//! a national demographics trace, any clinician or administrator may search; opening the record
//! is a separate decision ([`crate::patient_record::open`]). Every search is audited.

use std::collections::BTreeSet;

use domain::{NhsNumber, OdsCode, identity::Actor};
use fhir::{
    ResourceType,
    search::{Condition, SearchQuery},
};
use jiff::{Timestamp, civil};
use serde_json::Value;

use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        audit::{self, AccessRecord, Action, Agent, Outcome},
        policy,
    },
};
use store::WriteError;

/// A patient found, as the results list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientMatch {
    pub patient_id: String,
    pub name: String,
    pub birth_date: Option<civil::Date>,
    pub nhs_number: NhsNumber,
    pub postcode: Option<String>,
    /// The practice they are registered with, if the record names one.
    pub practice: Option<OdsCode>,
}

#[derive(Debug, thiserror::Error)]
pub enum FindPatientError {
    /// Patients find nobody: they reach their own record by signing in.
    #[error("not staff")]
    NotStaff,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the search could not be audited")]
    Audit(#[from] WriteError),
}

/// How many patients a search by name lists; more means "narrow it down".
pub const NAME_MATCHES_LISTED: usize = 20;

/// What a search by name is for: a family name (its start is enough, as people spell names
/// differently), and optionally a given name (its start too) and the date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSearch {
    pub family: String,
    pub given: Option<String>,
    pub birth_date: Option<civil::Date>,
}

/// Patients matching `search`, for `actor` (staff only), by family then given name, at most
/// [`NAME_MATCHES_LISTED`]; and whether there were more.
pub async fn by_name(
    db: &Db,
    actor: &Actor,
    search: &NameSearch,
    address: Option<String>,
    now: Timestamp,
) -> Result<(Vec<PatientMatch>, bool), FindPatientError> {
    let mut access = AccessRecord {
        agent: Agent::Person(actor.clone()),
        interaction: "search-type",
        action: Action::Execute,
        outcome: Outcome::Success,
        address,
        records: BTreeSet::new(),
        patients: BTreeSet::new(),
        // Names and dates of birth are personal data: the trail says what kind of search it was,
        // and names each patient it found, which is how each finds it in their list.
        query: Some("Patient?family=…&given=…&birthdate=…".to_owned()),
        basis: None,
        request_id: None,
    };
    if !matches!(actor, Actor::Staff(_)) {
        access.outcome = Outcome::MinorFailure;
        audit::record(db, &access, now).await?;
        return Err(FindPatientError::NotStaff);
    }
    let mut pairs = vec![
        ("family".to_owned(), search.family.clone()),
        ("_sort".to_owned(), "family,given".to_owned()),
        ("_count".to_owned(), NAME_MATCHES_LISTED.to_string()),
        // Whether more match is all the page says; counting every match of a common name's
        // first letters would be a second pass over thousands of them.
        ("_total".to_owned(), "none".to_owned()),
    ];
    if let Some(given) = &search.given {
        pairs.push(("given".to_owned(), given.clone()));
    }
    if let Some(born) = search.birth_date {
        pairs.push(("birthdate".to_owned(), born.to_string()));
    }
    let query = fhir::search::parse_query(ResourceType::Patient, &pairs)
        .map_err(|_| StoreError::InvalidQuery)?;
    let page = db.search(ResourceType::Patient, &query).await?;
    let more = page.more;
    let mut matches = Vec::new();
    for found in &page.matches {
        let patient = &found.resource;
        // A record without a valid NHS number cannot be told apart safely: it is not listed.
        let Some(nhs_number) = fhir::read::identifier(patient, fhir::NHS_NUMBER_SYSTEM)
            .and_then(|digits| NhsNumber::parse(digits).ok())
        else {
            continue;
        };
        let found = patient_match(db, patient, nhs_number).await?;
        note(&mut access, &found);
        matches.push(found);
    }
    audit::record(db, &access, now).await?;
    Ok((matches, more))
}

/// The patient with `nhs_number`, if any, for `actor` (staff only).
pub async fn by_nhs_number(
    db: &Db,
    actor: &Actor,
    nhs_number: &NhsNumber,
    address: Option<String>,
    now: Timestamp,
) -> Result<Option<PatientMatch>, FindPatientError> {
    let mut access = AccessRecord {
        agent: Agent::Person(actor.clone()),
        interaction: "search-type",
        action: Action::Execute,
        outcome: Outcome::Success,
        address,
        records: BTreeSet::new(),
        patients: BTreeSet::new(),
        // The NHS number stays out of the trail's query text: the match, if any, is named as an
        // entity, which is how the patient finds the search in their list.
        query: Some("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|…".to_owned()),
        basis: None,
        request_id: None,
    };
    if !matches!(actor, Actor::Staff(_)) {
        access.outcome = Outcome::MinorFailure;
        audit::record(db, &access, now).await?;
        return Err(FindPatientError::NotStaff);
    }
    let mut query = SearchQuery::all(2);
    query.conditions.push(Condition::nhs_number(nhs_number));
    let page = db.search(ResourceType::Patient, &query).await?;
    // Two records with one NHS number is a registration error: show neither rather than guess.
    let found = match page.matches.as_slice() {
        [only] => Some(only.resource.clone()),
        _ => None,
    };
    let Some(patient) = found else {
        audit::record(db, &access, now).await?;
        return Ok(None);
    };
    let found = patient_match(db, &patient, *nhs_number).await?;
    note(&mut access, &found);
    audit::record(db, &access, now).await?;
    Ok(Some(found))
}

/// A Patient record as a search result: enough to pick the right person.
async fn patient_match(
    db: &Db,
    patient: &Value,
    nhs_number: NhsNumber,
) -> Result<PatientMatch, StoreError> {
    Ok(PatientMatch {
        patient_id: patient["id"].as_str().unwrap_or_default().to_owned(),
        name: fhir::read::person_name(patient),
        birth_date: patient["birthDate"]
            .as_str()
            .and_then(|text| text.parse().ok()),
        nhs_number,
        postcode: patient["address"][0]["postalCode"]
            .as_str()
            .map(str::to_owned),
        practice: policy::registered_practice(db, patient).await?,
    })
}

/// Names a patient a search found in its audit record: how they find the search in their list.
fn note(access: &mut AccessRecord, found: &PatientMatch) {
    let reference = format!("Patient/{}", found.patient_id);
    access.records.insert(reference.clone());
    access.patients.insert(reference);
}
