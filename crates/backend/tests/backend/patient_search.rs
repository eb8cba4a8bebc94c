//! Finding a patient by name: the clinicians' list stops at a page, and says when more match.

use backend::{
    Db, demo_data,
    patient_search::{self, NAME_MATCHES_LISTED, NameSearch},
};
use domain::{
    OdsCode,
    identity::{Actor, StaffRole, StaffUser},
};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::json;

use crate::empty_db;

fn clinician() -> Actor {
    Actor::Staff(StaffUser {
        user_id: "555000000001".into(),
        display_name: "Test clinician".into(),
        role: StaffRole::Clinician,
        organisation: OdsCode::parse("Y90009").unwrap(),
    })
}

async fn write_quinlans(db: &Db, numbers: &[domain::NhsNumber]) {
    for (n, number) in numbers.iter().enumerate() {
        let patient = json!({
            "resourceType": "Patient",
            "identifier": [{
                "system": fhir::NHS_NUMBER_SYSTEM,
                "value": number.digits(),
            }],
            // Given names out of order, to see the list sorted.
            "name": [{ "family": "Quinlan", "given": [format!("Amara{:02}", 40 - n)] }],
        });
        store::create(db, ResourceType::Patient, patient, Timestamp::now())
            .await
            .unwrap();
    }
}

async fn find_quin_amara(db: &Db) -> (Vec<String>, bool) {
    let search = NameSearch {
        family: "Quin".into(),
        given: Some("Amara".into()),
        birth_date: None,
    };
    let (found, more) = patient_search::by_name(db, &clinician(), &search, None, Timestamp::now())
        .await
        .unwrap();
    (found.into_iter().map(|m| m.name).collect(), more)
}

#[tokio::test]
async fn a_search_by_name_lists_a_page_in_name_order_and_says_when_more_match() {
    let (db, _database) = empty_db().await;
    let numbers: Vec<_> = demo_data::first_patient_nhs_numbers()
        .take(NAME_MATCHES_LISTED + 1)
        .collect();
    write_quinlans(&db, &numbers[..NAME_MATCHES_LISTED]).await;

    let (names, more) = find_quin_amara(&db).await;
    assert_eq!(names.len(), NAME_MATCHES_LISTED);
    assert!(!more, "exactly a page matches: nothing more to narrow");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by family, then given name");

    write_quinlans(&db, &numbers[NAME_MATCHES_LISTED..]).await;
    let (names, more) = find_quin_amara(&db).await;
    assert_eq!(names.len(), NAME_MATCHES_LISTED, "still one page listed");
    assert!(more, "one more matches than are listed");
}
