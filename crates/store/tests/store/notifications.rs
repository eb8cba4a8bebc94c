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
