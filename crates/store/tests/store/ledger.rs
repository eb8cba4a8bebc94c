//! The audit ledger: rows read back as AuditEvents, searched by patient newest first, chained so
//! that a changed or removed row is found, and the AuditEvents of before moved in once.

use fhir::{ResourceType, search::parse_query};
use jiff::Timestamp;
use serde_json::json;
use sqlx::{AnyPool, any::install_default_drivers};
use store::{
    Db,
    ledger::{AccessEntry, AgentEntry, AgentKind, Entry},
};

use crate::empty_db;

fn read_by(patient: &str, at: i64, action: &str) -> Entry {
    Entry::Access(Box::new(AccessEntry {
        recorded: at,
        interaction: "read".into(),
        action: action.into(),
        outcome: "0".into(),
        agent: AgentEntry {
            kind: AgentKind::Staff,
            reference: None,
            identifier: Some(("https://fhir.nhs.uk/Id/sds-user-id".into(), "555".into())),
            name: "Dr Amara Okafor".into(),
            role: "GP, Y90001".into(),
        },
        on_behalf_of: None,
        purpose: "TREAT".into(),
        reason: None,
        patients: vec![format!("Patient/{patient}")],
        records: vec!["Observation/o1".into()],
        query: None,
        address: Some("192.0.2.7".into()),
        request_id: Some("r-1".into()),
    }))
}

async fn search(db: &Db, query: &str) -> Vec<serde_json::Value> {
    let pairs: Vec<(String, String)> = query
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            (key.to_owned(), value.to_owned())
        })
        .collect();
    let query = parse_query(ResourceType::AuditEvent, &pairs).unwrap();
    store::search::search(db, ResourceType::AuditEvent, &query)
        .await
        .unwrap()
        .matches
        .into_iter()
        .map(|found| found.resource)
        .collect()
}

/// A connection to wherever the ledger's tables are: on SQLite, its own file beside the record's.
async fn ledger_tables(database_url: &str) -> AnyPool {
    install_default_drivers();
    let url = if database_url.starts_with("sqlite:") {
        database_url.replace("test.db", "test-audit.db")
    } else {
        database_url.to_owned()
    };
    AnyPool::connect(&url).await.unwrap()
}

#[tokio::test]
async fn rows_read_back_as_audit_events_a_patients_newest_first() {
    let (db, _database) = empty_db().await;
    let start = Timestamp::now().as_millisecond();
    for (n, patient) in ["a", "b", "a"].into_iter().enumerate() {
        db.ledger()
            .append(read_by(patient, start + n as i64, "R"), Timestamp::now())
            .await
            .unwrap();
    }
    let trail = search(&db, "patient=Patient/a&_sort=-date").await;
    let ids: Vec<&str> = trail.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["3", "1"], "patient a's rows, newest first");
    let event = &trail[0];
    assert_eq!(event["agent"][0]["who"]["identifier"]["value"], "555");
    assert_eq!(event["entity"][0]["what"]["reference"], "Patient/a");
    assert_eq!(event["meta"]["versionId"], "1");
    assert!(fhir::validate::check(event, ResourceType::AuditEvent).is_empty());

    let store::Found::Current(read) = store::read(&db, ResourceType::AuditEvent, "2")
        .await
        .unwrap()
    else {
        panic!("row 2 reads back");
    };
    assert_eq!(read.resource["entity"][0]["what"]["reference"], "Patient/b");
    assert_eq!(
        store::read(&db, ResourceType::AuditEvent, "02")
            .await
            .unwrap(),
        store::Found::Missing
    );
    let by_agent = search(&db, "agent=https://fhir.nhs.uk/Id/sds-user-id|555&_count=1").await;
    assert!(
        by_agent.is_empty(),
        "agent is a reference parameter: no such reference"
    );
    assert_eq!(search(&db, "type=rest&_count=2").await.len(), 2);
    assert_eq!(store::count(&db, "AuditEvent").await.unwrap(), 3);
}

/// The search's result, or the store's refusal.
async fn try_search(db: &Db, query: &str) -> Result<store::search::SearchPage, store::StoreError> {
    let pairs: Vec<(String, String)> = (query.split('&'))
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            (key.to_owned(), value.to_owned())
        })
        .collect();
    let query = parse_query(ResourceType::AuditEvent, &pairs).unwrap();
    store::search::search(db, ResourceType::AuditEvent, &query).await
}

#[tokio::test]
async fn every_parameter_of_audit_event_filters_within_a_bound() {
    let (db, _database) = empty_db().await;
    let start = Timestamp::now().as_millisecond();
    let mut refused = read_by("a", start, "R");
    let Entry::Access(access) = &mut refused else {
        unreachable!()
    };
    access.outcome = "4".into();
    access.address = Some("198.51.100.20".into());
    access.records = vec!["Observation/o2".into()];
    let sent = Entry::Resource(json!({
        "resourceType": "AuditEvent",
        "type": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110" },
        "recorded": "2026-12-07T09:00:00Z",
        "outcome": "0",
        "agent": [{ "who": { "reference": "Device/lab" }, "name": "Lab interface", "requestor": false,
                    "policy": ["https://example.org/policy/lab"] }],
        "source": { "site": "City Hospital", "observer": { "reference": "Device/lab" } },
        "entity": [{ "what": { "reference": "Patient/b" }, "name": "Results sent" }],
    }));
    let rows = [
        read_by("a", start, "R"),
        refused,
        read_by("b", start + 1, "R"),
        sent,
    ];
    db.ledger()
        .append_all(&rows, Timestamp::now())
        .await
        .unwrap();

    let ids = |page: store::search::SearchPage| -> Vec<String> {
        (page.matches.iter())
            .map(|found| found.resource["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = |query: &'static str| {
        let db = db.clone();
        async move { ids(try_search(&db, query).await.unwrap()) }
    };
    assert_eq!(found("outcome=4").await, ["2"]);
    assert_eq!(found("outcome:not=4&_sort=-date").await, ["4", "3", "1"]);
    assert_eq!(found("address=198.51&patient=Patient/a").await, ["2"]);
    assert_eq!(found("entity=Observation/o1").await, ["1", "3"]);
    assert_eq!(
        found("entity=Observation/o1&_count=1&_offset=1").await,
        ["3"]
    );
    assert_eq!(found("subtype=read&patient=Patient/b").await, ["3"]);
    assert_eq!(
        found("site=City Hospital&policy=https://example.org/policy/lab").await,
        ["4"]
    );
    assert_eq!(found("entity-name=results&agent-name=lab").await, ["4"]);
    assert_eq!(found("source=Device/lab&entity=Patient/b").await, ["4"]);
    assert_eq!(
        found("policy:missing=true&action=R&_sort=-date").await,
        ["3", "2", "1"]
    );
    let counted = try_search(&db, "action=R&_summary=count").await.unwrap();
    assert_eq!(counted.total, Some(3));

    // More rows than a search filters by what the ledger does not index: refused, with a way
    // to narrow it.
    let more: Vec<Entry> = (0..10_000)
        .map(|n| read_by(&format!("c{n}"), start + 7_200_000, "R"))
        .collect();
    db.ledger()
        .append_all(&more, Timestamp::now())
        .await
        .unwrap();
    assert!(matches!(
        try_search(&db, "outcome=4").await,
        Err(store::StoreError::TooCostly(_))
    ));
    assert_eq!(found("outcome=4&patient=Patient/a").await, ["2"]);
    let an_hour_on = Timestamp::from_millisecond(start + 3_600_000).unwrap();
    let before_them = format!(
        "outcome=4&date=lt{}",
        an_hour_on.strftime("%Y-%m-%dT%H:%M:%SZ")
    );
    assert_eq!(ids(try_search(&db, &before_them).await.unwrap()), ["2"]);
}

/// Appends `count` reads at once, taking turns over `handles`, and returns their numbers in
/// order.
async fn appended_at_once(handles: &[Db], count: i64) -> Vec<i64> {
    let appends: Vec<_> = (0..count)
        .zip(handles.iter().cycle())
        .map(|(n, db)| {
            let db = db.clone();
            tokio::spawn(async move {
                db.ledger()
                    .append(read_by(&format!("p{n}"), n, "R"), Timestamp::now())
                    .await
                    .unwrap()
                    .seq
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for append in appends {
        seqs.push(append.await.unwrap());
    }
    seqs.sort();
    seqs
}

#[tokio::test]
async fn concurrent_appends_get_consecutive_numbers_and_the_chain_holds() {
    let (db, _database) = empty_db().await;
    let seqs = appended_at_once(std::slice::from_ref(&db), 64).await;
    assert_eq!(seqs, (1..=64).collect::<Vec<_>>());
    let verification = db.ledger().verify().await.unwrap();
    assert_eq!((verification.rows, verification.broken), (64, None));
}

#[tokio::test]
async fn appends_from_the_queue_and_from_outside_it_interleave_without_a_gap_or_a_fork() {
    let (db, _database) = empty_db().await;
    let ledger = db.ledger();
    let mut seqs = Vec::new();
    for round in 0..3 {
        // An append outside the queue (a bulk import, a move of old AuditEvents, another
        // process) moves the head between the queue's batches.
        seqs.push(
            ledger
                .append(read_by("p1", round, "R"), Timestamp::now())
                .await
                .unwrap()
                .seq,
        );
        let outside = [read_by("p2", round, "R"), read_by("p3", round, "C")];
        let first = ledger.append_all(&outside, Timestamp::now()).await.unwrap();
        seqs.extend([first, first + 1]);
        seqs.push(
            ledger
                .append(read_by("p4", round, "C"), Timestamp::now())
                .await
                .unwrap()
                .seq,
        );
    }
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
    let verification = ledger.verify().await.unwrap();
    assert_eq!((verification.rows, verification.broken), (12, None));
}

#[tokio::test]
async fn two_server_processes_appending_at_once_share_one_chain() {
    let (first, database) = empty_db().await;
    // A second handle on the same database: its own writer, as a second server process has.
    let second = Db::connect(&database.url, None)
        .await
        .expect("the test database opens again");
    let seqs = appended_at_once(&[first, second.clone()], 96).await;
    assert_eq!(seqs, (1..=96).collect::<Vec<_>>());
    let verification = second.ledger().verify().await.unwrap();
    assert_eq!((verification.rows, verification.broken), (96, None));
}

#[tokio::test]
async fn a_changed_or_removed_row_breaks_the_chain() {
    let (db, database) = empty_db().await;
    for n in 0..5 {
        db.ledger()
            .append(read_by("a", n, "U"), Timestamp::now())
            .await
            .unwrap();
    }
    let tables = ledger_tables(&database.url).await;
    sqlx::query("UPDATE audit_ledger SET entry = replace(entry, 'Okafor', 'Hale') WHERE seq = 3")
        .execute(&tables)
        .await
        .unwrap();
    let verification = db.ledger().verify().await.unwrap();
    assert_eq!(verification.broken.map(|(seq, _)| seq), Some(3));

    let (db, database) = empty_db().await;
    for n in 0..5 {
        db.ledger()
            .append(read_by("a", n, "R"), Timestamp::now())
            .await
            .unwrap();
    }
    let tables = ledger_tables(&database.url).await;
    sqlx::query("DELETE FROM audit_ledger WHERE seq = 5")
        .execute(&tables)
        .await
        .unwrap();
    let verification = db.ledger().verify().await.unwrap();
    assert_eq!(
        verification.broken.map(|(seq, _)| seq),
        Some(5),
        "the head still names the removed last row"
    );
}

#[tokio::test]
async fn audit_events_kept_in_the_record_move_into_the_ledger_once() {
    let (db, database) = empty_db().await;
    install_default_drivers();
    let record = AnyPool::connect(&database.url).await.unwrap();
    for (n, patient) in ["x", "y", "x"].into_iter().enumerate() {
        let event = json!({
            "resourceType": "AuditEvent",
            "id": format!("old-{n}"),
            "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest" },
            "recorded": format!("2026-01-0{}T10:00:00Z", n + 1),
            "agent": [{ "who": { "display": "A system" }, "requestor": true }],
            "source": { "observer": { "display": "Old" } },
            "entity": [{ "what": { "reference": format!("Patient/{patient}") } }],
        });
        sqlx::query(
            "INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, content) \
             VALUES ('AuditEvent', $1, 1, $2, 0, $3)",
        )
        .bind(format!("old-{n}"))
        .bind(format!("2026-01-0{}T10:00:00.000Z", n + 1))
        .bind(event.to_string())
        .execute(&record)
        .await
        .unwrap();
    }
    // Two processes start at once, and both move what they find.
    let other = Db::connect(&database.url, None).await.unwrap();
    let (first, second) = tokio::join!(db.migrate(), other.migrate());
    first.unwrap();
    second.unwrap();
    db.migrate().await.unwrap();
    let trail = search(&db, "patient=Patient/x&_sort=-date").await;
    let recorded: Vec<&str> = trail
        .iter()
        .map(|e| e["recorded"].as_str().unwrap())
        .collect();
    assert_eq!(recorded, ["2026-01-03T10:00:00Z", "2026-01-01T10:00:00Z"]);
    assert_eq!(
        store::count(&db, "AuditEvent").await.unwrap(),
        3,
        "moved once"
    );
    let (left,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM resources WHERE resource_type = 'AuditEvent'")
            .fetch_one(&record)
            .await
            .unwrap();
    assert_eq!(left, 0, "nothing is left behind in the record");
    assert_eq!(db.ledger().verify().await.unwrap().broken, None);
}

/// Patient `a`'s rows newest first, `limit` at a time from below `before`, as "who has looked at
/// your record" pages them.
async fn trail_numbers(db: &Db, before: Option<i64>, limit: i64) -> Vec<i64> {
    let trail = store::ledger::Trail {
        patient: "Patient/a".into(),
        who: store::ledger::Who::Everyone,
        before,
        limit,
    };
    let rows = db.ledger().trail(&trail).await.unwrap();
    rows.iter().map(|row| row.seq).collect()
}

#[tokio::test]
async fn a_patients_trail_pages_alike_wherever_its_keys_are_at_the_moment() {
    // On SQLite a row's keys are found by the row itself first and in the index a moment later:
    // the pages read while the index catches up must be the same as before and after.
    let (db, _database) = empty_db().await;
    let mut patient_a = Vec::new();
    for round in 0..8 {
        for n in 0..7 {
            let patient = if n % 3 == 0 { "b" } else { "a" };
            let appended = db
                .ledger()
                .append(read_by(patient, round * 10 + n, "R"), Timestamp::now())
                .await
                .unwrap();
            if patient == "a" {
                patient_a.push(appended.seq);
            }
        }
        let newest_first: Vec<i64> = patient_a.iter().rev().copied().collect();
        assert_eq!(
            trail_numbers(&db, None, 5).await,
            newest_first[..5.min(newest_first.len())]
        );
        // Paged by "older" links, five at a time, down to the first.
        let mut paged = Vec::new();
        let mut before = None;
        loop {
            let page = trail_numbers(&db, before, 5).await;
            let Some(&last) = page.last() else { break };
            paged.extend(page);
            before = Some(last);
        }
        assert_eq!(paged, newest_first, "round {round}");
        let counted = search(
            &db,
            "patient=Patient/a&_sort=-date&_count=3&_total=accurate",
        )
        .await;
        assert_eq!(counted.len(), 3.min(newest_first.len()));
        let by_both = search(&db, "patient=Patient/a&agent=Patient/a&_count=3").await;
        assert!(by_both.is_empty(), "no row has patient a as its agent");
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    let verification = db.ledger().verify().await.unwrap();
    assert_eq!(verification.broken, None);
}

#[tokio::test]
async fn on_sqlite_the_index_by_patient_is_rebuilt_from_the_entries_when_its_file_is_lost() {
    // SQLite only, whatever the test command's database: only there is the index a file of its
    // own, and derived data. Half the rows lose their own keys too, as rows written before they
    // carried them: those are read from their entries.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = Db::connect(&url, None).await.unwrap();
    db.migrate().await.unwrap();
    let mut patient_a = Vec::new();
    for n in 0..30 {
        let patient = if n % 4 == 0 { "b" } else { "a" };
        let appended = db
            .ledger()
            .append(read_by(patient, n, "R"), Timestamp::now())
            .await
            .unwrap();
        if patient == "a" {
            patient_a.push(appended.seq);
        }
    }
    drop(db);
    install_default_drivers();
    let ledger = AnyPool::connect(&format!(
        "sqlite://{}",
        dir.path().join("test-audit.db").display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE audit_ledger SET keys = NULL WHERE seq % 2 = 0")
        .execute(&ledger)
        .await
        .unwrap();
    ledger.close().await;
    for file in [
        "test-audit-keys.db",
        "test-audit-keys.db-wal",
        "test-audit-keys.db-shm",
    ] {
        let _ = std::fs::remove_file(dir.path().join(file));
    }
    let db = Db::connect(&url, None).await.unwrap();
    db.migrate().await.unwrap();
    let newest_first: Vec<i64> = patient_a.iter().rev().copied().collect();
    assert_eq!(trail_numbers(&db, None, 100).await, newest_first);
    assert_eq!(db.ledger().verify().await.unwrap().broken, None);

    // A row's own keys that differ from its entry are found too.
    let ledger = AnyPool::connect(&format!(
        "sqlite://{}",
        dir.path().join("test-audit.db").display()
    ))
    .await
    .unwrap();
    sqlx::query("UPDATE audit_ledger SET keys = ',\"p Patient/z\",' WHERE seq = 7")
        .execute(&ledger)
        .await
        .unwrap();
    assert_eq!(
        db.ledger()
            .verify()
            .await
            .unwrap()
            .broken
            .map(|(seq, _)| seq),
        Some(7)
    );
}

#[tokio::test]
async fn on_postgresql_keys_written_as_text_by_the_release_before_are_found_after_the_upgrade() {
    // PostgreSQL's keys became numbers in migration 0018 (`store::ledger::key_number`). Only
    // there were they ever text in a table: the SQLite run has nothing of this to check (its
    // earlier formats are the test above's).
    let (db, database) = empty_db().await;
    if database.url.starts_with("sqlite:") {
        return;
    }
    let pool = ledger_tables(&database.url).await;
    // Row `seq`'s keys, as the release before wrote them.
    let as_text = |seq: i64| {
        let pool = pool.clone();
        async move {
            for key in ["p Patient/a", "a https://fhir.nhs.uk/Id/sds-user-id|555"] {
                sqlx::query("INSERT INTO audit_ledger_keys (key, seq) VALUES ($1, $2)")
                    .bind(key)
                    .bind(seq)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
    };
    for n in 0..3 {
        db.ledger()
            .append(read_by("a", n, "R"), Timestamp::now())
            .await
            .unwrap();
    }
    // As the release before left the database: the keys as text, and no migration 0018.
    sqlx::raw_sql(
        "DROP TABLE audit_ledger_key_numbers; \
         DROP TRIGGER numbered ON audit_ledger_keys; \
         DROP FUNCTION audit_ledger_keys_numbered(); \
         DROP FUNCTION audit_ledger_key_number(TEXT); \
         DELETE FROM _sqlx_migrations WHERE version = 18",
    )
    .execute(&pool)
    .await
    .unwrap();
    for seq in 1..=3 {
        as_text(seq).await;
    }

    db.migrate().await.unwrap();
    assert_eq!(trail_numbers(&db, None, 10).await, vec![3, 2, 1]);

    // A process of the release before, still running during a rolling upgrade, writes its row's
    // keys as text.
    let fourth = db
        .ledger()
        .append(read_by("a", 3, "R"), Timestamp::now())
        .await
        .unwrap()
        .seq;
    sqlx::query("DELETE FROM audit_ledger_key_numbers WHERE seq = $1")
        .bind(fourth)
        .execute(&pool)
        .await
        .unwrap();
    as_text(fourth).await;
    assert_eq!(trail_numbers(&db, None, 10).await, vec![4, 3, 2, 1]);
    assert_eq!(
        search(&db, "agent=Practitioner/none&_count=5").await.len(),
        0,
        "no row has another agent"
    );
    assert_eq!(
        db.ledger().verify().await.unwrap().broken,
        None,
        "each key numbered once, none left as text"
    );
}
