//! Whose record a signed-in person may see: the rules live here and only here, and every use
//! case that reaches a patient's record asks [`record_access_basis`] first.
//!
//! A patient sees their own record, and the record of anyone who has granted them proxy access
//! (a RelatedPerson naming them by NHS number, active, in its period). Either way only with an
//! identity checked to P9. Staff rules (their own organisation's patients, break-glass otherwise)
//! arrive with the clinician pages.

use domain::identity::{Actor, PatientUser};
use fhir::{
    ResourceType,
    search::{Condition, SearchQuery},
};
use jiff::Timestamp;
use serde_json::Value;

use crate::{FhirRepository, StoreError};

/// Why someone may see a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// It is their own.
    Own,
    /// They act for the patient through a proxy grant.
    Proxy,
}

/// Why someone may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Staff rules are not in place yet: no patient record through this route.
    NotAPatient,
    /// Their identity is checked below P9.
    ProofingTooLow,
    /// It is neither theirs nor granted to them (or the practice has no record of theirs).
    NotTheirs,
}

/// A proxy grant: the patient `patient_id` lets the holder act for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyGrant {
    pub patient_id: String,
    /// The patient's name, as the grant's holder knows them.
    pub patient_name: String,
    /// The relationship the grant states ("Parent", "Carer", …).
    pub relationship: String,
}

/// The rule, pure: may `actor`, holding `grants`, see patient `patient_id`'s record?
pub fn decide(actor: &Actor, patient_id: &str, grants: &[ProxyGrant]) -> Result<Basis, Refusal> {
    let Actor::Patient(patient) = actor else {
        return Err(Refusal::NotAPatient);
    };
    if !patient.proofing.may_see_record() {
        return Err(Refusal::ProofingTooLow);
    }
    if patient.patient_id.as_deref() == Some(patient_id) {
        return Ok(Basis::Own);
    }
    if grants.iter().any(|grant| grant.patient_id == patient_id) {
        return Ok(Basis::Proxy);
    }
    Err(Refusal::NotTheirs)
}

/// The proxy grants `patient` holds at `now`: RelatedPerson records that name them by NHS
/// number, are active, and whose period (if any) includes `now`. None below P9: a grant is only
/// as good as the check that the holder is who the grant names.
pub async fn proxy_grants(
    records: &impl FhirRepository,
    patient: &PatientUser,
    now: Timestamp,
) -> Result<Vec<ProxyGrant>, StoreError> {
    let Some(nhs_number) = patient
        .nhs_number
        .filter(|_| patient.proofing.may_see_record())
    else {
        return Ok(Vec::new());
    };
    let mut query = SearchQuery::all(100);
    query.conditions.push(Condition::nhs_number(&nhs_number));
    let related = records
        .search(ResourceType::RelatedPerson, &query)
        .await?
        .matches;
    let mut grants = Vec::new();
    for grant in related
        .iter()
        .map(|v| &v.resource)
        .filter(|r| in_force(r, now))
    {
        let Some(patient_id) = grant["patient"]["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Patient/"))
        else {
            continue;
        };
        // The grant's subject must exist; its name is what the holder sees.
        let crate::store::Found::Current(subject) =
            records.read(ResourceType::Patient, patient_id).await?
        else {
            continue;
        };
        grants.push(ProxyGrant {
            patient_id: patient_id.to_owned(),
            patient_name: fhir::read::person_name(&subject.resource),
            relationship: grant["relationship"][0]["text"]
                .as_str()
                .or_else(|| fhir::read::concept_text(&grant["relationship"][0]))
                .unwrap_or("Proxy")
                .to_owned(),
        });
    }
    Ok(grants)
}

/// Active, and `now` within its period where it states one.
fn in_force(grant: &Value, now: Timestamp) -> bool {
    let active = grant["active"].as_bool().unwrap_or(true);
    let starts = grant["period"]["start"]
        .as_str()
        .and_then(instant)
        .is_none_or(|start| start <= now);
    let ends = grant["period"]["end"]
        .as_str()
        .and_then(instant)
        .is_none_or(|end| now < end);
    active && starts && ends
}

/// A FHIR dateTime as an instant: a full timestamp, or a date (from its start, UTC).
fn instant(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::Date>()
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|zoned| zoned.timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{
        NhsNumber, OdsCode,
        identity::{ProofingLevel, StaffRole, StaffUser},
    };
    use serde_json::json;

    fn patient(id: &str, proofing: ProofingLevel) -> Actor {
        Actor::Patient(PatientUser {
            subject: "s".into(),
            display_name: "Sam".into(),
            proofing,
            nhs_number: NhsNumber::parse("9990000018").ok(),
            patient_id: Some(id.into()),
        })
    }

    fn grant_for(id: &str) -> ProxyGrant {
        ProxyGrant {
            patient_id: id.into(),
            patient_name: "Kit".into(),
            relationship: "Parent".into(),
        }
    }

    #[test]
    fn a_p9_patient_sees_their_own_and_their_grants_and_nothing_else() {
        let sam = patient("a", ProofingLevel::P9);
        let grants = [grant_for("child")];
        assert_eq!(decide(&sam, "a", &grants), Ok(Basis::Own));
        assert_eq!(decide(&sam, "child", &grants), Ok(Basis::Proxy));
        assert_eq!(decide(&sam, "b", &grants), Err(Refusal::NotTheirs));
    }

    #[test]
    fn below_p9_even_their_own_is_refused() {
        let sam = patient("a", ProofingLevel::P5);
        assert_eq!(decide(&sam, "a", &[]), Err(Refusal::ProofingTooLow));
    }

    #[test]
    fn staff_get_no_patient_record_here_yet() {
        let staff = Actor::Staff(StaffUser {
            user_id: "1".into(),
            display_name: "Dr".into(),
            role: StaffRole::Clinician,
            organisation: OdsCode::parse("Y90001").unwrap(),
        });
        assert_eq!(decide(&staff, "a", &[]), Err(Refusal::NotAPatient));
    }

    #[test]
    fn a_grant_is_in_force_only_while_active_and_in_its_period() {
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        assert!(in_force(&json!({}), now));
        assert!(!in_force(&json!({ "active": false }), now));
        assert!(in_force(
            &json!({ "period": { "start": "2026-01-01" } }),
            now
        ));
        assert!(!in_force(
            &json!({ "period": { "end": "2026-11-21T11:59:59Z" } }),
            now
        ));
        assert!(!in_force(
            &json!({ "period": { "start": "2027-01-01" } }),
            now
        ));
    }
}
