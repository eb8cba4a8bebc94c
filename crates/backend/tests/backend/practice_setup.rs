//! Keeping the practice's services and places: an administrator adds and changes them, patients
//! are offered what is offered, an edit based on an old version is refused, and nobody else may.

use backend::{
    Db, FhirRepository, appointments,
    auth::sessions::Session,
    demo_data,
    practice_setup::{self, Edit, SetupError},
    seed,
};
use domain::{
    OdsCode,
    identity::{Actor, StaffRole, StaffUser},
    practice_setup::{PlaceDetails, ServiceDetails},
};
use fhir::{ResourceType, search::parse_query};
use jiff::Zoned;

use crate::empty_db;

fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

async fn seeded() -> (Db, test_support::TestDatabase) {
    let (db, database) = empty_db().await;
    seed::seed_if_empty(&db, &seeded_at()).await.unwrap();
    (db, database)
}

fn staff(role: StaffRole) -> Session {
    Session {
        key: "session-setup".into(),
        actor: Actor::Staff(StaffUser {
            user_id: "555000000010".into(),
            display_name: "Staff".into(),
            role,
            organisation: OdsCode::parse(demo_data::PRACTICE_ODS_CODE).unwrap(),
        }),
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

fn physiotherapy(places: Vec<String>, offered: bool) -> ServiceDetails {
    ServiceDetails::parse(
        "Physiotherapy",
        "Backs, knees and shoulders: an assessment and exercises.",
        "24",
        offered,
        places,
    )
    .unwrap()
}

fn branch() -> PlaceDetails {
    PlaceDetails::parse(
        "Kirkstall branch surgery",
        "2 Kirkstall Road",
        "",
        "Leeds",
        "ls4 2bb",
        "0113 496 0123",
        "Ramp at the side door.",
        true,
    )
    .unwrap()
}

async fn provenance_count(db: &Db) -> i64 {
    let query = parse_query(
        ResourceType::Provenance,
        &[("_summary".into(), "count".into())],
    )
    .unwrap();
    db.search(ResourceType::Provenance, &query)
        .await
        .unwrap()
        .total
        .expect("_summary=count counts")
}

#[tokio::test]
async fn an_administrator_adds_a_place_and_a_service_that_patients_are_then_offered() {
    let (db, _database) = seeded().await;
    let admin = staff(StaffRole::Administrator);
    let now = seeded_at().timestamp();
    let before = practice_setup::setup(&db, &admin).await.unwrap();
    assert_eq!(before.places.len(), 1);
    let provenances = provenance_count(&db).await;

    let place_id = practice_setup::save_place(&db, &admin, None, &branch(), now)
        .await
        .unwrap();
    let place = format!("Location/{place_id}");
    practice_setup::save_service(
        &db,
        &admin,
        None,
        &physiotherapy(vec![place.clone()], true),
        now,
    )
    .await
    .unwrap();

    let after = practice_setup::setup(&db, &admin).await.unwrap();
    let added = after.places.iter().find(|p| p.id == place_id).unwrap();
    assert_eq!(added.postcode, "LS4 2BB");
    assert_eq!(added.directions, "Ramp at the side door.");
    let service = after
        .services
        .iter()
        .find(|s| s.name == "Physiotherapy")
        .unwrap();
    assert_eq!(service.code, "physiotherapy");
    assert_eq!(service.places, [place]);
    assert_eq!(service.cancellation_cutoff_hours, 24);
    // Each save says who made it, and when.
    assert_eq!(provenance_count(&db).await, provenances + 2);

    // What patients choose from when they book, with its cut-off.
    let offered = appointments::services(&db).await.unwrap();
    let physio = offered.iter().find(|s| s.code == "physiotherapy").unwrap();
    assert_eq!(
        physio.cancellation_cutoff,
        jiff::SignedDuration::from_hours(24)
    );
}

#[tokio::test]
async fn a_change_keeps_the_code_and_can_withdraw_a_service_from_patients() {
    let (db, _database) = seeded().await;
    let admin = staff(StaffRole::Administrator);
    let now = seeded_at().timestamp();
    let setup = practice_setup::setup(&db, &admin).await.unwrap();
    let gp = setup
        .services
        .iter()
        .find(|s| s.code == "gp")
        .unwrap()
        .clone();
    let mut details = physiotherapy(gp.places.clone(), false);
    details.name = "GP appointment (10 minutes)".into();
    let edit = Edit {
        id: &gp.id,
        version: gp.version,
    };
    practice_setup::save_service(&db, &admin, Some(edit), &details, now)
        .await
        .unwrap();

    let changed = practice_setup::setup(&db, &admin).await.unwrap();
    let gp_now = changed.services.iter().find(|s| s.id == gp.id).unwrap();
    assert_eq!(
        gp_now.code, "gp",
        "slots and booking addresses carry the code"
    );
    assert_eq!(gp_now.name, "GP appointment (10 minutes)");
    assert!(!gp_now.offered);
    assert!(
        appointments::services(&db)
            .await
            .unwrap()
            .iter()
            .all(|s| s.code != "gp")
    );

    // The same form sent again is based on a version that is no longer current.
    let stale = practice_setup::save_service(&db, &admin, Some(edit), &details, now).await;
    assert!(
        matches!(stale, Err(SetupError::ChangedMeanwhile)),
        "{stale:?}"
    );
}

#[tokio::test]
async fn only_the_practice_administrator_keeps_services_and_places() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let clinician = staff(StaffRole::Clinician);
    assert!(matches!(
        practice_setup::setup(&db, &clinician).await,
        Err(SetupError::Refused(_))
    ));
    assert!(matches!(
        practice_setup::save_place(&db, &clinician, None, &branch(), now).await,
        Err(SetupError::Refused(_))
    ));
    // A service cannot run at another practice's place (or one that does not exist).
    let admin = staff(StaffRole::Administrator);
    let elsewhere = physiotherapy(vec!["Location/not-ours".into()], true);
    assert!(matches!(
        practice_setup::save_service(&db, &admin, None, &elsewhere, now).await,
        Err(SetupError::NotFound)
    ));
}
