//! Who is signed in, and what their proof of identity lets them do.
//!
//! A person reaches the service through an identity provider: patients through NHS login, which
//! vouches for how well it has checked who they are (the identity proofing level P0, P5 or P9);
//! staff through NHS CIS2, which carries their national RBAC roles and organisation. Sign-in turns
//! those claims into one [`Actor`], and every use case takes the actor as a typed argument.

use serde::{Deserialize, Serialize};

use crate::{NhsNumber, OdsCode};

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Patient(PatientUser),
    Staff(StaffUser),
}

impl Actor {
    /// The name to greet them by.
    pub fn display_name(&self) -> &str {
        match self {
            Self::Patient(patient) => &patient.display_name,
            Self::Staff(staff) => &staff.display_name,
        }
    }
}

/// A patient signed in through NHS login (or a demo persona shaped like one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientUser {
    /// The provider's stable subject identifier for this person.
    pub subject: String,
    pub display_name: String,
    pub proofing: ProofingLevel,
    /// Present from P5 up: NHS login only releases the NHS number once identity is checked.
    pub nhs_number: Option<NhsNumber>,
    /// The `Patient` resource id of their record here, if the practice has one for them.
    pub patient_id: Option<String>,
}

/// A member of staff signed in through NHS CIS2 (or a demo persona shaped like one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffUser {
    /// The CIS2 user id (`nhsid_useruid`), stable for a person across organisations.
    pub user_id: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The organisation the role was granted in: they act for it and see its patients.
    pub organisation: OdsCode,
}

/// How well NHS login has checked who a person is (the `identity_proofing_level` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ProofingLevel {
    /// Only an email address and phone number are verified.
    P0,
    /// Name, date of birth and NHS number are matched, but not checked against a photo ID.
    P5,
    /// Identity checked in full: photo ID or a GP practice's verification.
    P9,
}

impl ProofingLevel {
    pub fn parse(claim: &str) -> Option<Self> {
        match claim {
            "P0" => Some(Self::P0),
            "P5" => Some(Self::P5),
            "P9" => Some(Self::P9),
            _ => None,
        }
    }

    /// The NHS rule: only high-level (P9) verification unlocks the health record and managing
    /// appointments; lower levels reach what carries no clinical information.
    pub fn may_see_record(self) -> bool {
        self == Self::P9
    }
}

/// What a member of staff may do here, derived from their national RBAC role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Reads and writes the records of their organisation's patients.
    Clinician,
    /// Runs the practice: diaries, appointments, registrations; no clinical detail.
    Administrator,
}

impl StaffRole {
    /// Maps a CIS2 role code (`S8000:G8000:R8000`: staff group, job group, role) to what it lets
    /// someone do here. Only the final `R` part, the national RBAC access role, decides.
    pub fn from_national_role_code(code: &str) -> Option<Self> {
        let role = code.rsplit(':').next()?;
        match role {
            // Clinical Practitioner, Nurse, Health Professional access roles.
            "R8000" | "R8001" | "R8003" => Some(Self::Clinician),
            // Admin/Clinical Support, Clerical, Health Records Manager access roles.
            "R8008" | "R8010" | "R8013" => Some(Self::Administrator),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Clinician => "Clinician",
            Self::Administrator => "Practice administrator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_p9_sees_the_record() {
        assert!(ProofingLevel::P9.may_see_record());
        assert!(!ProofingLevel::P5.may_see_record());
        assert!(!ProofingLevel::P0.may_see_record());
        assert_eq!(ProofingLevel::parse("P5"), Some(ProofingLevel::P5));
        assert_eq!(ProofingLevel::parse("p9"), None);
    }

    #[test]
    fn the_access_role_part_of_a_role_code_decides() {
        let check = |code, expected| {
            assert_eq!(StaffRole::from_national_role_code(code), expected, "{code}");
        };
        check("S8000:G8000:R8000", Some(StaffRole::Clinician));
        check("R8001", Some(StaffRole::Clinician));
        check("S8002:G8003:R8008", Some(StaffRole::Administrator));
        check("S0010:G0020:R0260", None);
        check("", None);
    }

    #[test]
    fn an_actor_survives_a_round_trip_through_json() {
        let actor = Actor::Staff(StaffUser {
            user_id: "555000000001".into(),
            display_name: "Dr Amara Okafor".into(),
            role: StaffRole::Clinician,
            organisation: OdsCode::parse("Y90001").unwrap(),
        });
        let json = serde_json::to_string(&actor).unwrap();
        assert_eq!(serde_json::from_str::<Actor>(&json).unwrap(), actor);
    }
}
