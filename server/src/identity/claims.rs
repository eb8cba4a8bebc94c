//! Verified claims from the identity providers, turned into who the person is here.
//!
//! NHS login (patients) says how well it has checked someone (`identity_proofing_level`, echoed in
//! `vot`) and, from P5 up, their NHS number. NHS CIS2 (staff) lists national RBAC roles, each in
//! an organisation (`nhsid_nrbac_roles`), and may name the one chosen for this session
//! (`selected_roleid`).

use domain::{
    NhsNumber, OdsCode,
    identity::{PatientUser, ProofingLevel, StaffRole, StaffUser},
};
use serde_json::{Map, Value};

/// Why verified claims do not make a usable identity here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the {0} claim is missing or malformed")]
    Malformed(&'static str),
    /// Signed in, but none of their roles gives access to this service.
    #[error("no role gives access")]
    NoRole,
}

fn text<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn display_name(claims: &Map<String, Value>, fallback: &str) -> String {
    match (text(claims, "given_name"), text(claims, "family_name")) {
        (Some(given), Some(family)) => format!("{given} {family}"),
        _ => text(claims, "name").unwrap_or(fallback).to_owned(),
    }
}

/// A patient from NHS login claims. `patient_id` is left for the caller to look up.
pub fn patient(claims: &Map<String, Value>) -> Result<PatientUser, ClaimsError> {
    let subject = text(claims, "sub").ok_or(ClaimsError::Malformed("sub"))?;
    // `identity_proofing_level` is the level itself; `vot` (`P9.Cp.Cd`) starts with it.
    let level = text(claims, "identity_proofing_level")
        .or_else(|| text(claims, "vot").and_then(|vot| vot.split('.').next()))
        .ok_or(ClaimsError::Malformed("identity_proofing_level"))?;
    let proofing =
        ProofingLevel::parse(level).ok_or(ClaimsError::Malformed("identity_proofing_level"))?;
    let nhs_number = match text(claims, "nhs_number") {
        Some(number) => {
            Some(NhsNumber::parse(number).map_err(|_| ClaimsError::Malformed("nhs_number"))?)
        }
        None => None,
    };
    Ok(PatientUser {
        subject: subject.to_owned(),
        display_name: display_name(claims, "NHS login user"),
        proofing,
        // Below P5 NHS login has not matched the person to an NHS number; one sent anyway is not
        // trusted.
        nhs_number: nhs_number.filter(|_| proofing >= ProofingLevel::P5),
        patient_id: None,
    })
}

/// A member of staff from NHS CIS2 claims: the selected role if the provider names one, otherwise
/// the first role that gives access, preferring one in `home` (the practice this service runs for).
pub fn staff(claims: &Map<String, Value>, home: &OdsCode) -> Result<StaffUser, ClaimsError> {
    let user_id = text(claims, "nhsid_useruid")
        .or_else(|| text(claims, "sub"))
        .ok_or(ClaimsError::Malformed("nhsid_useruid"))?;
    let roles = claims
        .get("nhsid_nrbac_roles")
        .and_then(Value::as_array)
        .ok_or(ClaimsError::NoRole)?;
    let usable: Vec<(&Value, StaffRole, OdsCode)> = roles
        .iter()
        .filter_map(|role| {
            let access = StaffRole::from_national_role_code(role["role_code"].as_str()?)?;
            let organisation = OdsCode::parse(role["org_code"].as_str()?).ok()?;
            Some((role, access, organisation))
        })
        .collect();
    let selected = text(claims, "selected_roleid");
    let chosen = match selected {
        Some(id) => usable
            .iter()
            .find(|(role, ..)| role["person_roleid"].as_str() == Some(id)),
        None => usable
            .iter()
            .find(|(.., organisation)| organisation == home)
            .or_else(|| usable.first()),
    };
    let (_, role, organisation) = chosen.ok_or(ClaimsError::NoRole)?;
    Ok(StaffUser {
        user_id: user_id.to_owned(),
        display_name: display_name(claims, "NHS CIS2 user"),
        role: *role,
        organisation: organisation.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_p9_patient_has_their_nhs_number_and_name() {
        let user = patient(&claims(json!({
            "sub": "abc", "identity_proofing_level": "P9", "vot": "P9.Cp.Cd",
            "nhs_number": "9000000009", "given_name": "Sam", "family_name": "Jones",
        })))
        .unwrap();
        assert_eq!(user.proofing, ProofingLevel::P9);
        assert_eq!(
            user.nhs_number.map(|n| n.digits()).as_deref(),
            Some("9000000009")
        );
        assert_eq!(user.display_name, "Sam Jones");
    }

    #[test]
    fn the_level_comes_from_vot_when_the_claim_is_absent() {
        let user = patient(&claims(json!({ "sub": "abc", "vot": "P5.Cp.Cd" }))).unwrap();
        assert_eq!(user.proofing, ProofingLevel::P5);
    }

    #[test]
    fn a_p0_patient_gets_no_nhs_number_even_if_one_is_sent() {
        let user = patient(&claims(json!({
            "sub": "abc", "identity_proofing_level": "P0", "nhs_number": "9000000009",
        })))
        .unwrap();
        assert_eq!(user.nhs_number, None);
    }

    #[test]
    fn malformed_patient_claims_are_refused() {
        let check = |value, expected| assert_eq!(patient(&claims(value)), Err(expected));
        check(
            json!({ "identity_proofing_level": "P9" }),
            ClaimsError::Malformed("sub"),
        );
        check(
            json!({ "sub": "a", "identity_proofing_level": "P7" }),
            ClaimsError::Malformed("identity_proofing_level"),
        );
        check(
            json!({ "sub": "a", "identity_proofing_level": "P9", "nhs_number": "9000000001" }),
            ClaimsError::Malformed("nhs_number"),
        );
    }

    #[test]
    fn staff_act_in_the_home_organisation_when_they_have_a_role_there() {
        let home = OdsCode::parse("Y90001").unwrap();
        let user = staff(
            &claims(json!({
                "sub": "s", "nhsid_useruid": "555000000001", "name": "Dr A Okafor",
                "nhsid_nrbac_roles": [
                    { "person_roleid": "1", "org_code": "Y90002", "role_code": "S8000:G8000:R8000" },
                    { "person_roleid": "2", "org_code": "Y90001", "role_code": "S8000:G8000:R8000" },
                ],
            })),
            &home,
        )
        .unwrap();
        assert_eq!(user.organisation, home);
        assert_eq!(user.role, StaffRole::Clinician);
        assert_eq!(user.user_id, "555000000001");
    }

    #[test]
    fn a_selected_role_wins_and_no_usable_role_is_refused() {
        let home = OdsCode::parse("Y90001").unwrap();
        let roles = json!([
            { "person_roleid": "1", "org_code": "Y90001", "role_code": "S8000:G8000:R8000" },
            { "person_roleid": "2", "org_code": "Y90001", "role_code": "S8002:G8003:R8008" },
        ]);
        let user = staff(
            &claims(json!({ "sub": "s", "nhsid_nrbac_roles": roles, "selected_roleid": "2" })),
            &home,
        )
        .unwrap();
        assert_eq!(user.role, StaffRole::Administrator);
        let no_access =
            json!([{ "person_roleid": "1", "org_code": "Y90001", "role_code": "R0260" }]);
        assert_eq!(
            staff(
                &claims(json!({ "sub": "s", "nhsid_nrbac_roles": no_access })),
                &home
            ),
            Err(ClaimsError::NoRole)
        );
    }
}
