//! Seeding and the practice summary, on whichever backend the suite runs against.

use backend::{practice, seed};

use crate::empty_db;

#[tokio::test]
async fn summary_of_the_seeded_practice_names_it_and_its_services_in_order() {
    let (db, _database) = empty_db().await;
    assert_eq!(practice::summary(&db).await.unwrap(), None);
    let now: jiff::Zoned = "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap();
    assert!(matches!(
        seed::seed_if_empty(&db, &now).await.unwrap(),
        seed::SeedOutcome::Seeded { .. }
    ));
    assert_eq!(
        seed::seed_if_empty(&db, &now).await.unwrap(),
        seed::SeedOutcome::AlreadySeeded
    );

    let practice = practice::summary(&db).await.unwrap().unwrap();
    assert_eq!(practice.name, "Riverside Medical Practice");
    assert_eq!(practice.ods_code, "Y90001");
    assert_eq!(practice.address_lines, ["1 Mill Lane", "Leeds", "LS6 2AB"]);
    let names: Vec<_> = practice.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Blood test", "GP appointment", "Practice nurse appointment"]
    );
    assert_eq!(store::count(&db, "Patient").await.unwrap(), 200);

    // Seeding booked through the booking rules: every appointment's slot, and only those, is busy.
    let appointments = store::list(&db, "Appointment").await.unwrap();
    let busy: std::collections::HashSet<String> = store::list(&db, "Slot")
        .await
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "busy")
        .map(|s| format!("Slot/{}", s["id"].as_str().unwrap()))
        .collect();
    assert!(!appointments.is_empty());
    assert_eq!(busy.len(), appointments.len());
    for appointment in appointments {
        assert!(busy.contains(appointment["slot"][0]["reference"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn migrations_can_run_again_on_a_migrated_database() {
    let (db, _database) = empty_db().await;
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused() {
    let error = backend::open_database("mysql://localhost/health")
        .await
        .unwrap_err();
    assert!(
        matches!(error, backend::StoreError::UnsupportedDatabase),
        "{error}"
    );
}
