//! Whose record a signed-in person may see: the rules live here and only here, and every use
//! case that reaches a patient's record asks [`decide`] first.
//!
//! - A patient sees their own record, and the record of anyone who has granted them proxy access
//!   (a RelatedPerson naming them by NHS number, active, in its period), for what the grant
//!   allows (reading the record, appointments, messages, prescriptions:
//!   [`fhir::PROXY_ACCESS_EXTENSION`]).
//!   Either way only with an identity checked to P9.
//! - A clinician sees the records of patients registered with their own organisation. Any other
//!   record needs break-glass: a stated reason, which lasts for the session, is written into the
//!   audit event of every access it covers and is shown to the patient.
//! - A practice administrator runs diaries and registrations, and manages the appointments of
//!   the practice's patients (cancelling one for them); they see no clinical record.

use domain::{
    OdsCode,
    break_glass::BreakGlassReason,
    identity::{Actor, PatientUser, StaffRole},
};
use fhir::{
    ResourceType,
    search::{Condition, SearchQuery},
};
use jiff::Timestamp;
use serde_json::Value;

use super::{
    break_glass::{self, BreakGlass},
    sessions::Session,
};
use crate::{Db, FhirRepository, StoreError};

/// Why someone may see a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// It is their own.
    Own,
    /// They act for the patient through a proxy grant.
    Proxy,
    /// A clinician of the practice the patient is registered with.
    CareTeam,
    /// A clinician from elsewhere who broke the glass, for this reason.
    BreakGlass(BreakGlassReason),
    /// Staff of the patient's practice who are not clinicians: their appointments only.
    PracticeOffice,
}

/// Why they may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Their identity is checked below P9.
    ProofingTooLow,
    /// It is neither theirs nor granted to them (or the practice has no record of theirs).
    NotTheirs,
    /// Their role gives no access to clinical records at all.
    NotClinical,
    /// A clinician, but the patient is registered elsewhere: only break-glass opens it.
    BreakGlassRequired,
    /// A proxy, whose grant does not cover this (it lets them book, say, but not read the record).
    BeyondGrant,
}

/// The record asked for: whose, and where they are registered.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub patient_id: &'a str,
    /// The ODS code of the practice the patient is registered with, if the record names one.
    pub practice: Option<&'a OdsCode>,
}

/// What a signed-in person holds beyond who they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    /// Patients who let this patient act for them.
    pub proxy: Vec<ProxyGrant>,
    /// Records this clinician has broken the glass for in this session.
    pub break_glass: Vec<BreakGlass>,
}

/// A proxy grant: the patient `patient_id` lets the holder act for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyGrant {
    pub patient_id: String,
    /// The patient's name, as the grant's holder knows them.
    pub patient_name: String,
    /// The relationship the grant states ("Parent", "Carer", …).
    pub relationship: String,
    /// What the holder may do for the patient (never [`Purpose::WriteRecord`]).
    pub allows: Vec<Purpose>,
}

impl ProxyGrant {
    /// Does the grant cover `purpose`?
    pub fn covers(&self, purpose: Purpose) -> bool {
        self.allows.contains(&purpose)
    }
}

/// The rule, pure: may `actor`, holding `grants`, see `subject`'s record?
pub fn decide(actor: &Actor, subject: Subject<'_>, grants: &Grants) -> Result<Basis, Refusal> {
    match actor {
        Actor::Patient(patient) => {
            if !patient.proofing.may_see_record() {
                return Err(Refusal::ProofingTooLow);
            }
            if patient.patient_id.as_deref() == Some(subject.patient_id) {
                return Ok(Basis::Own);
            }
            if grants
                .proxy
                .iter()
                .any(|grant| grant.patient_id == subject.patient_id)
            {
                return Ok(Basis::Proxy);
            }
            Err(Refusal::NotTheirs)
        }
        Actor::Staff(staff) => {
            if staff.role != StaffRole::Clinician {
                return if subject.practice == Some(&staff.organisation) {
                    Ok(Basis::PracticeOffice)
                } else {
                    Err(Refusal::NotClinical)
                };
            }
            if subject.practice == Some(&staff.organisation) {
                return Ok(Basis::CareTeam);
            }
            grants
                .break_glass
                .iter()
                .find(|opened| opened.patient_id == subject.patient_id)
                .map(|opened| Basis::BreakGlass(opened.reason.clone()))
                .ok_or(Refusal::BreakGlassRequired)
        }
    }
}

/// What a person opens a patient's record for: the same basis opens it for some purposes and
/// not others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Reading the record.
    ReadRecord,
    /// Seeing or changing the patient's appointments.
    Appointments,
    /// Writing to the clinical record.
    WriteRecord,
    /// Reading and writing the patient's conversations with the practice.
    Messages,
    /// Asking for repeat prescriptions, and deciding on them.
    Prescriptions,
}

/// The rule, pure: does `basis` open the record for `purpose`? Breaking the glass is for
/// clinical need, which appointments, messages and repeat prescriptions (the practice's own
/// business) are not; patients and proxies read their record but do not write the clinical one;
/// the practice's office sees no clinical record, medicines included.
pub fn serves(basis: &Basis, purpose: Purpose) -> Result<(), Refusal> {
    match (purpose, basis) {
        (
            Purpose::Appointments | Purpose::Messages | Purpose::Prescriptions,
            Basis::BreakGlass(_),
        ) => Err(Refusal::BreakGlassRequired),
        (
            Purpose::ReadRecord | Purpose::WriteRecord | Purpose::Prescriptions,
            Basis::PracticeOffice,
        ) => Err(Refusal::NotClinical),
        (Purpose::WriteRecord, Basis::Own | Basis::Proxy) => Err(Refusal::NotTheirs),
        _ => Ok(()),
    }
}

/// The whole rule for one access, pure: the basis `actor` has for `subject`'s record, if it
/// serves `purpose` and, for a proxy, their grant covers it.
pub fn permits(
    actor: &Actor,
    subject: Subject<'_>,
    grants: &Grants,
    purpose: Purpose,
) -> Result<Basis, Refusal> {
    let basis = decide(actor, subject, grants)?;
    serves(&basis, purpose)?;
    let covered = basis != Basis::Proxy
        || grants
            .proxy
            .iter()
            .any(|grant| grant.patient_id == subject.patient_id && grant.covers(purpose));
    if covered {
        Ok(basis)
    } else {
        Err(Refusal::BeyondGrant)
    }
}

/// Everything `session`'s person holds at `now`: a patient's proxy grants, a clinician's
/// break-glass openings.
pub async fn grants(db: &Db, session: &Session, now: Timestamp) -> Result<Grants, StoreError> {
    Ok(match &session.actor {
        Actor::Patient(patient) => Grants {
            proxy: proxy_grants(db, patient, now).await?,
            break_glass: Vec::new(),
        },
        Actor::Staff(_) => Grants {
            proxy: Vec::new(),
            break_glass: break_glass::held(db, session).await?,
        },
    })
}

/// The practice `patient` (a Patient resource) is registered with: the ODS code of the
/// Organization its `generalPractitioner` names, as UK Core records the registered GP practice.
/// `None` when it names no organisation held here.
pub async fn registered_practice(
    records: &impl FhirRepository,
    patient: &Value,
) -> Result<Option<OdsCode>, StoreError> {
    let organisations = patient["generalPractitioner"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|gp| gp["reference"].as_str()?.strip_prefix("Organization/"));
    for id in organisations {
        if let store::Found::Current(organisation) =
            records.read(ResourceType::Organization, id).await?
            && let Some(code) =
                fhir::read::identifier(&organisation.resource, fhir::ODS_ORGANIZATION_SYSTEM)
                    .and_then(|code| OdsCode::parse(code).ok())
        {
            return Ok(Some(code));
        }
    }
    Ok(None)
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
        let store::Found::Current(subject) =
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
            allows: allowed_purposes(grant),
        });
    }
    Ok(grants)
}

/// What a proxy may be granted, each with its [`fhir::PROXY_ACCESS_EXTENSION`] code.
pub const PROXY_ACCESS: [(Purpose, &str); 4] = [
    (Purpose::ReadRecord, "record"),
    (Purpose::Appointments, "appointments"),
    (Purpose::Messages, "messages"),
    (Purpose::Prescriptions, "prescriptions"),
];

/// What a grant lets its holder do: each [`PROXY_ACCESS`] code it carries (codes it does not
/// know give nothing), or, when it carries none, all of them.
fn allowed_purposes(grant: &Value) -> Vec<Purpose> {
    let stated: Vec<&str> = grant["extension"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|extension| extension["url"] == fhir::PROXY_ACCESS_EXTENSION)
        .filter_map(|extension| extension["valueCode"].as_str())
        .collect();
    PROXY_ACCESS
        .iter()
        .filter(|(_, code)| stated.is_empty() || stated.contains(code))
        .map(|(purpose, _)| *purpose)
        .collect()
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
        NhsNumber,
        identity::{ProofingLevel, StaffUser},
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

    fn staff(role: StaffRole, organisation: &str) -> Actor {
        Actor::Staff(StaffUser {
            user_id: "1".into(),
            display_name: "Dr".into(),
            role,
            organisation: OdsCode::parse(organisation).unwrap(),
        })
    }

    fn at<'a>(patient_id: &'a str, practice: Option<&'a OdsCode>) -> Subject<'a> {
        Subject {
            patient_id,
            practice,
        }
    }

    fn proxy_for(id: &str) -> Grants {
        Grants {
            proxy: vec![ProxyGrant {
                patient_id: id.into(),
                patient_name: "Kit".into(),
                relationship: "Parent".into(),
                allows: PROXY_ACCESS.iter().map(|(purpose, _)| *purpose).collect(),
            }],
            break_glass: Vec::new(),
        }
    }

    #[test]
    fn a_proxy_does_what_their_grant_allows_and_nothing_more() {
        let sam = patient("a", ProofingLevel::P9);
        let mut grants = proxy_for("child");
        grants.proxy[0].allows = vec![Purpose::Appointments];
        let permitted = |purpose| permits(&sam, at("child", None), &grants, purpose);
        assert_eq!(permitted(Purpose::Appointments), Ok(Basis::Proxy));
        assert_eq!(permitted(Purpose::ReadRecord), Err(Refusal::BeyondGrant));
        assert_eq!(permitted(Purpose::Messages), Err(Refusal::BeyondGrant));
        assert_eq!(permitted(Purpose::Prescriptions), Err(Refusal::BeyondGrant));
        assert_eq!(permitted(Purpose::WriteRecord), Err(Refusal::NotTheirs));
        // Their own record is theirs whatever they hold for others.
        assert_eq!(
            permits(&sam, at("a", None), &grants, Purpose::ReadRecord),
            Ok(Basis::Own)
        );
    }

    #[test]
    fn a_grant_states_what_it_allows_or_allows_everything_a_proxy_may_do() {
        let extension =
            |code: &str| json!({ "url": fhir::PROXY_ACCESS_EXTENSION, "valueCode": code });
        assert_eq!(
            allowed_purposes(&json!({})),
            vec![
                Purpose::ReadRecord,
                Purpose::Appointments,
                Purpose::Messages,
                Purpose::Prescriptions
            ]
        );
        assert_eq!(
            allowed_purposes(
                &json!({ "extension": [extension("appointments"), extension("messages")] })
            ),
            vec![Purpose::Appointments, Purpose::Messages]
        );
        // A code nobody knows grants nothing, and nothing grants writing to the record.
        assert_eq!(
            allowed_purposes(&json!({ "extension": [extension("write-record")] })),
            Vec::<Purpose>::new()
        );
    }

    #[test]
    fn a_p9_patient_sees_their_own_and_their_grants_and_nothing_else() {
        let sam = patient("a", ProofingLevel::P9);
        let grants = proxy_for("child");
        assert_eq!(decide(&sam, at("a", None), &grants), Ok(Basis::Own));
        assert_eq!(decide(&sam, at("child", None), &grants), Ok(Basis::Proxy));
        assert_eq!(
            decide(&sam, at("b", None), &grants),
            Err(Refusal::NotTheirs)
        );
    }

    #[test]
    fn below_p9_even_their_own_is_refused() {
        let sam = patient("a", ProofingLevel::P5);
        assert_eq!(
            decide(&sam, at("a", None), &proxy_for("a")),
            Err(Refusal::ProofingTooLow)
        );
    }

    #[test]
    fn a_clinician_sees_their_practices_patients_and_others_only_by_breaking_the_glass() {
        let home = OdsCode::parse("Y90001").unwrap();
        let elsewhere = OdsCode::parse("Y90002").unwrap();
        let gp = staff(StaffRole::Clinician, "Y90001");
        let none = Grants::default();
        assert_eq!(
            decide(&gp, at("a", Some(&home)), &none),
            Ok(Basis::CareTeam)
        );
        assert_eq!(
            decide(&gp, at("b", Some(&elsewhere)), &none),
            Err(Refusal::BreakGlassRequired)
        );
        assert_eq!(
            decide(&gp, at("c", None), &none),
            Err(Refusal::BreakGlassRequired),
            "a record naming no practice is nobody's care team's"
        );
        let reason = BreakGlassReason::parse("Unconscious in A&E, no other history").unwrap();
        let opened = Grants {
            proxy: Vec::new(),
            break_glass: vec![BreakGlass {
                patient_id: "b".into(),
                reason: reason.clone(),
            }],
        };
        assert_eq!(
            decide(&gp, at("b", Some(&elsewhere)), &opened),
            Ok(Basis::BreakGlass(reason))
        );
        assert_eq!(
            decide(&gp, at("c", None), &opened),
            Err(Refusal::BreakGlassRequired),
            "breaking the glass opens that one record only"
        );
    }

    #[test]
    fn an_administrator_manages_their_practices_appointments_and_sees_no_clinical_record() {
        let home = OdsCode::parse("Y90001").unwrap();
        let elsewhere = OdsCode::parse("Y90002").unwrap();
        let manager = staff(StaffRole::Administrator, "Y90001");
        let basis = decide(&manager, at("a", Some(&home)), &Grants::default());
        assert_eq!(basis, Ok(Basis::PracticeOffice));
        assert_eq!(
            serves(&Basis::PracticeOffice, Purpose::ReadRecord),
            Err(Refusal::NotClinical)
        );
        assert_eq!(
            serves(&Basis::PracticeOffice, Purpose::WriteRecord),
            Err(Refusal::NotClinical)
        );
        assert_eq!(
            serves(&Basis::PracticeOffice, Purpose::Appointments),
            Ok(())
        );
        for practice in [Some(&elsewhere), None] {
            assert_eq!(
                decide(&manager, at("a", practice), &Grants::default()),
                Err(Refusal::NotClinical)
            );
        }
    }

    #[test]
    fn a_proxy_grant_means_nothing_to_staff_and_break_glass_nothing_to_patients() {
        let gp = staff(StaffRole::Clinician, "Y90001");
        assert_eq!(
            decide(&gp, at("child", None), &proxy_for("child")),
            Err(Refusal::BreakGlassRequired)
        );
        let sam = patient("a", ProofingLevel::P9);
        let opened = Grants {
            proxy: Vec::new(),
            break_glass: vec![BreakGlass {
                patient_id: "b".into(),
                reason: BreakGlassReason::parse("I would like to look please").unwrap(),
            }],
        };
        assert_eq!(
            decide(&sam, at("b", None), &opened),
            Err(Refusal::NotTheirs)
        );
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

    #[test]
    fn each_basis_opens_the_record_only_for_its_purposes() {
        let glass = Basis::BreakGlass(BreakGlassReason::parse("Unconscious in A&E").unwrap());
        let check = |basis: &Basis, purpose, expected: Result<(), Refusal>| {
            assert_eq!(
                serves(basis, purpose),
                expected,
                "{basis:?} for {purpose:?}"
            );
        };
        for basis in [Basis::Own, Basis::Proxy, Basis::CareTeam, glass.clone()] {
            check(&basis, Purpose::ReadRecord, Ok(()));
        }
        check(&Basis::Own, Purpose::Appointments, Ok(()));
        check(&Basis::Proxy, Purpose::Appointments, Ok(()));
        check(&Basis::CareTeam, Purpose::Appointments, Ok(()));
        check(
            &glass,
            Purpose::Appointments,
            Err(Refusal::BreakGlassRequired),
        );
        check(&Basis::Own, Purpose::WriteRecord, Err(Refusal::NotTheirs));
        check(&Basis::Proxy, Purpose::WriteRecord, Err(Refusal::NotTheirs));
        check(&Basis::CareTeam, Purpose::WriteRecord, Ok(()));
        check(&glass, Purpose::WriteRecord, Ok(()));
        // Repeat prescriptions: the patient's, their proxy's and their practice's clinicians'.
        for basis in [Basis::Own, Basis::Proxy, Basis::CareTeam] {
            check(&basis, Purpose::Prescriptions, Ok(()));
        }
        check(
            &glass,
            Purpose::Prescriptions,
            Err(Refusal::BreakGlassRequired),
        );
        check(
            &Basis::PracticeOffice,
            Purpose::Prescriptions,
            Err(Refusal::NotClinical),
        );
        for basis in [
            Basis::Own,
            Basis::Proxy,
            Basis::CareTeam,
            Basis::PracticeOffice,
        ] {
            check(&basis, Purpose::Messages, Ok(()));
        }
        check(&glass, Purpose::Messages, Err(Refusal::BreakGlassRequired));
    }
}
