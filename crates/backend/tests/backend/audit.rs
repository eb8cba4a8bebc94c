//! The audit trail under concurrency: every caller's event is committed before it is answered,
//! even when many arrive at once and share a transaction.

use std::collections::BTreeSet;

use backend::auth::audit::{self, AccessRecord, Action, Agent, Outcome};
use fhir::ResourceType;
use jiff::Timestamp;

use crate::empty_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_accesses_are_each_audited_before_they_are_answered() {
    let (db, _database) = empty_db().await;
    let callers: Vec<_> = (0..64)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let access = AccessRecord {
                    agent: Agent::ApiClient {
                        client_id: "lab".into(),
                        name: "Lab".into(),
                    },
                    interaction: "read",
                    action: Action::Read,
                    outcome: Outcome::Success,
                    address: None,
                    records: BTreeSet::new(),
                    patients: BTreeSet::from([format!("Patient/p{n}")]),
                    query: None,
                    basis: None,
                    request_id: None,
                };
                audit::record(&db, &access, Timestamp::now()).await.unwrap();
                // Answered: the event is there for anyone to read.
                let query = fhir::search::parse_query(
                    ResourceType::AuditEvent,
                    &[("patient".into(), format!("Patient/p{n}"))],
                )
                .unwrap();
                store::search::search(&db, ResourceType::AuditEvent, &query)
                    .await
                    .unwrap()
                    .total
            })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap(), Some(1));
    }
    assert_eq!(store::count(&db, "AuditEvent").await.unwrap(), 64);
}
