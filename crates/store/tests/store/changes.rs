//! Word of committed writes, as a live page hears it: on PostgreSQL through a database handle of
//! its own, as another server process behind the load balancer would.

use std::time::Duration;

use fhir::ResourceType::{Condition, Observation, Patient};
use jiff::Timestamp;
use serde_json::json;
use store::{Change, Db, db::Backend};
use tokio::sync::broadcast::Receiver;

use crate::empty_db;

/// The next announcement, if one comes within a second.
async fn next(heard: &mut Receiver<Change>) -> Option<Change> {
    tokio::time::timeout(Duration::from_secs(1), heard.recv())
        .await
        .ok()
        .map(|change| change.expect("the channel stays open"))
}

#[tokio::test]
async fn a_committed_write_is_heard_by_every_listener_and_a_rolled_back_one_by_none() {
    let (writer, database) = empty_db().await;
    let listener = match writer.backend() {
        // One process: its own handle hears its own commits.
        Backend::Sqlite => writer.clone(),
        Backend::Postgres => Db::connect(&database.url, None).await.unwrap(),
    };
    let mut heard = listener.changes();
    let now = Timestamp::now();
    // PostgreSQL's listening connection comes up in the background: write until it hears.
    let mut listening = false;
    for _ in 0..20 {
        store::create(&writer, Patient, json!({"resourceType": "Patient"}), now)
            .await
            .unwrap();
        if next(&mut heard).await == Some(Change::Written(Patient)) {
            listening = true;
            break;
        }
    }
    assert!(listening, "a committed Patient is heard");
    while let Ok(_earlier) = heard.try_recv() {}

    let mut rolled_back = writer.begin().await.unwrap();
    store::insert_new(
        &mut rolled_back,
        json!({"resourceType": "Observation", "id": "never", "status": "final",
               "code": {"text": "never stored"}}),
        now,
    )
    .await
    .unwrap();
    drop(rolled_back);
    store::create(
        &writer,
        Condition,
        json!({"resourceType": "Condition", "subject": {"reference": "Patient/p"}}),
        now,
    )
    .await
    .unwrap();
    // Announcements arrive in commit order: a rolled-back Observation would come first.
    assert_eq!(next(&mut heard).await, Some(Change::Written(Condition)));
    assert_eq!(next(&mut heard).await, None, "nothing else was committed");
    assert!(!Change::Written(Observation).concerns(Condition));
    assert!(
        Change::Unknown.concerns(Condition),
        "a gap may hide anything"
    );
}
