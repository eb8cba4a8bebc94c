//! Booking rules: an appointment takes its slot, never two on one slot, cancelling frees it.

use fhir::ResourceType::{Appointment, Slot};
use jiff::Timestamp;
use serde_json::{Value, json};
use store::{Found, WriteError};

use crate::empty_db;

fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

fn appointment(slot: &str, status: &str) -> Value {
    json!({
        "resourceType": "Appointment",
        "status": status,
        "slot": [{"reference": format!("Slot/{slot}")}],
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}],
    })
}

async fn slot_status(db: &backend::Db, id: &str) -> String {
    match store::read(db, Slot, id).await.unwrap() {
        Found::Current(v) => v.resource["status"].as_str().unwrap().to_owned(),
        other => panic!("slot {id}: {other:?}"),
    }
}

async fn db_with_free_slot() -> (backend::Db, test_support::TestDatabase) {
    let (db, database) = empty_db().await;
    let slot = json!({"resourceType": "Slot", "status": "free", "schedule": {"reference": "Schedule/s1"},
        "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T09:10:00+00:00"});
    store::update(&db, Slot, "slot-1", slot, None, now())
        .await
        .unwrap();
    (db, database)
}

#[tokio::test]
async fn booking_takes_the_slot_and_cancelling_gives_it_back() {
    let (db, _database) = db_with_free_slot().await;
    let booked = store::create(&db, Appointment, appointment("slot-1", "booked"), now())
        .await
        .unwrap();
    assert_eq!(slot_status(&db, "slot-1").await, "busy");

    let second = store::create(&db, Appointment, appointment("slot-1", "booked"), now()).await;
    assert!(matches!(second, Err(WriteError::Taken)), "{second:?}");
    assert_eq!(
        store::count(&db, "Appointment").await.unwrap(),
        1,
        "the refused booking left nothing behind"
    );

    let id = booked.resource["id"].as_str().unwrap();
    let mut cancelled = booked.resource.clone();
    cancelled["status"] = json!("cancelled");
    store::update(&db, Appointment, id, cancelled, Some(1), now())
        .await
        .unwrap();
    assert_eq!(slot_status(&db, "slot-1").await, "free");

    let rebooked = store::create(&db, Appointment, appointment("slot-1", "booked"), now())
        .await
        .unwrap();
    assert_eq!(slot_status(&db, "slot-1").await, "busy");
    store::delete(
        &db,
        Appointment,
        rebooked.resource["id"].as_str().unwrap(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        slot_status(&db, "slot-1").await,
        "free",
        "deleting an appointment frees its slot"
    );
}

#[tokio::test]
async fn booking_a_slot_that_does_not_exist_breaks_a_rule() {
    let (db, _database) = empty_db().await;
    let result = store::create(&db, Appointment, appointment("nowhere", "booked"), now()).await;
    let Err(WriteError::Rule(issue)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(issue.expression.as_deref(), Some("Appointment.slot[0]"));
    assert_eq!(store::count(&db, "Appointment").await.unwrap(), 0);
}

#[tokio::test]
async fn many_racing_bookers_get_one_appointment_on_the_slot() {
    let (db, _database) = db_with_free_slot().await;
    let bookers: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                store::create(&db, Appointment, appointment("slot-1", "booked"), now()).await
            })
        })
        .collect();
    let mut booked = 0;
    for booker in bookers {
        match booker.await.unwrap() {
            Ok(_) => booked += 1,
            Err(WriteError::Taken) => {}
            Err(other) => panic!("a loser must be told the slot is taken, not {other:?}"),
        }
    }
    assert_eq!(booked, 1);
    assert_eq!(store::count(&db, "Appointment").await.unwrap(), 1);
    assert_eq!(slot_status(&db, "slot-1").await, "busy");
}
