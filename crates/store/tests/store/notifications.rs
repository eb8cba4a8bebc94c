//! Notifications waiting to go out: claimed by one sender at a time, however many there are.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use store::{
    Db,
    db::Backend,
    state::notifications::{self, NewNotification},
};

use crate::empty_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn senders_claiming_at_once_take_each_notification_once_and_a_lapsed_claim_is_taken_again() {
    let (db, database) = empty_db().await;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let mut queued = BTreeSet::new();
    for n in 0..200 {
        let notification = NewNotification {
            kind: "appointment-booked".into(),
            patient_id: format!("p{n}"),
            regarding: format!("Appointment/{n}"),
            recipient: format!("patient{n}@example.com"),
            details: "{}".into(),
            due_at: now,
        };
        queued.insert(
            notifications::insert(db.state(), &notification, now)
                .await
                .unwrap(),
        );
    }
    let later = NewNotification {
        kind: "appointment-reminder".into(),
        patient_id: "p0".into(),
        regarding: "Appointment/0".into(),
        recipient: "patient0@example.com".into(),
        details: "{}".into(),
        due_at: now + SignedDuration::from_hours(1),
    };
    notifications::insert(db.state(), &later, now)
        .await
        .unwrap();

    // Four senders, on PostgreSQL each with a database handle of its own as server processes
    // have, claiming ten at a time until nothing is left.
    let mut senders = Vec::new();
    for _ in 0..4 {
        let sender = match db.backend() {
            Backend::Sqlite => db.clone(),
            Backend::Postgres => Db::connect(&database.url, None).await.unwrap(),
        };
        senders.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let lease = now + SignedDuration::from_mins(2);
                let batch = notifications::claim_due(sender.state(), now, lease, 10)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return claimed;
                }
                for notification in batch {
                    assert_eq!(notification.attempt, 1);
                    claimed.push(notification.id);
                }
            }
        }));
    }
    let mut claimed = Vec::new();
    for sender in senders {
        claimed.extend(sender.await.unwrap());
    }
    assert_eq!(
        claimed.len(),
        200,
        "each claimed once, the later one not yet"
    );
    assert_eq!(claimed.iter().cloned().collect::<BTreeSet<_>>(), queued);

    // One sent; the others' senders vanished: their claims lapse and they are taken again.
    let first = claimed[0].clone();
    notifications::sent(db.state(), &first, now).await.unwrap();
    let lapsed = now + SignedDuration::from_mins(3);
    let again = notifications::claim_due(db.state(), lapsed, lapsed, 500)
        .await
        .unwrap();
    assert_eq!(again.len(), 199);
    assert!(again.iter().all(|notification| notification.attempt == 2));
    assert!(!again.iter().any(|notification| notification.id == first));
}

#[tokio::test]
async fn turning_a_topic_off_withdraws_only_that_patients_waiting_notifications_of_its_kinds() {
    let (db, _database) = empty_db().await;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let queue = |kind: &str, patient: &str| NewNotification {
        kind: kind.into(),
        patient_id: patient.into(),
        regarding: format!("Appointment/{patient}"),
        recipient: format!("{patient}@example.com"),
        details: "{}".into(),
        due_at: now,
    };
    for (kind, patient) in [
        ("appointment-booked", "amina"),
        ("appointment-reminder", "amina"),
        ("record-opened-in-an-emergency", "amina"),
        ("appointment-reminder", "sam"),
    ] {
        notifications::insert(db.state(), &queue(kind, patient), now)
            .await
            .unwrap();
    }
    let state = db.state();
    assert!(
        notifications::turned_off(state, "amina")
            .await
            .unwrap()
            .is_empty()
    );
    notifications::choose(
        state,
        "amina",
        &["appointments"],
        &["appointment-booked", "appointment-reminder"],
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        notifications::turned_off(state, "amina").await.unwrap(),
        ["appointments"]
    );
    let left: BTreeSet<String> = notifications::claim_due(state, now, now, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|claimed| format!("{} {}", claimed.kind, claimed.recipient))
        .collect();
    assert_eq!(
        left,
        BTreeSet::from([
            "record-opened-in-an-emergency amina@example.com".to_owned(),
            "appointment-reminder sam@example.com".to_owned(),
        ])
    );
    // Choosing again replaces the choice: everything back on.
    notifications::choose(state, "amina", &[], &[], now)
        .await
        .unwrap();
    assert!(
        notifications::turned_off(state, "amina")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_notification_given_up_can_be_put_back_by_staff_and_is_tried_afresh() {
    let (db, _database) = empty_db().await;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let notification = NewNotification {
        kind: "appointment-booked".into(),
        patient_id: "amina".into(),
        regarding: "Appointment/1".into(),
        recipient: "amina@example.com".into(),
        details: "{}".into(),
        due_at: now,
    };
    let state = db.state();
    let id = notifications::insert(state, &notification, now)
        .await
        .unwrap();
    let claimed = notifications::claim_due(state, now, now, 1).await.unwrap();
    notifications::give_up(
        state,
        &claimed[0].id,
        now,
        "the mail server refused it (550)",
    )
    .await
    .unwrap();
    let failed = notifications::failed(state, 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, id);
    assert_eq!(failed[0].patient_id.as_deref(), Some("amina"));
    assert_eq!(failed[0].last_failure, "the mail server refused it (550)");
    assert!(
        notifications::claim_due(state, now, now, 1)
            .await
            .unwrap()
            .is_empty()
    );

    let later = now + SignedDuration::from_hours(2);
    assert!(notifications::try_again(state, &id, later).await.unwrap());
    assert!(
        !notifications::try_again(state, &id, later).await.unwrap(),
        "only once given up"
    );
    assert!(notifications::failed(state, 10).await.unwrap().is_empty());
    let again = notifications::claim_due(state, later, later, 1)
        .await
        .unwrap();
    assert_eq!(again[0].id, id);
    assert_eq!(again[0].attempt, 1);
}
