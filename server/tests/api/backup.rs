//! `server backup` while the service runs and writes, and `server restore` into a fresh database:
//! on whichever backend the suite runs on.

use std::{
    collections::BTreeSet,
    path::Path,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::http_client,
    process::{demo_token, start},
};

/// Runs the server binary's `command` on the database at `url` (with `data_dir`); its stdout.
fn server_command(url: &str, data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("HEALTH_DATA_DIR", data_dir)
        .env("HEALTH_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "server {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Everything a backup must carry, read straight from the database (reading through the API
/// would add audit rows): every resource's current version and every earlier one, and every
/// ledger row's number and hash.
#[derive(Debug, PartialEq)]
struct Contents {
    versions: BTreeSet<(String, String, i64, String)>,
    ledger: BTreeSet<(i64, String)>,
}

async fn contents(url: &str) -> Contents {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let current: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT resource_type, id, version_id, content FROM resources")
            .fetch_all(&pool)
            .await
            .unwrap();
    let earlier: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT resource_type, id, version_id, content FROM resource_versions")
            .fetch_all(&pool)
            .await
            .unwrap();
    let ledger_url = if url.starts_with("sqlite:") {
        url.replace(".db", "-audit.db")
    } else {
        url.to_owned()
    };
    let ledger_pool = sqlx::AnyPool::connect(&ledger_url).await.unwrap();
    let ledger: Vec<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_ledger")
        .fetch_all(&ledger_pool)
        .await
        .unwrap();
    pool.close().await;
    ledger_pool.close().await;
    Contents {
        versions: current.into_iter().chain(earlier).collect(),
        ledger: ledger.into_iter().collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writing_restores_every_resource_version_and_audit_row() {
    let source = test_support::fresh_database().await;
    let data = tempfile::tempdir().unwrap();
    let (server, address) = start(
        data.path(),
        &[
            ("DATABASE_URL", source.url.as_str()),
            ("HEALTH_DEMO_MODE", "true"),
        ],
        None,
    );
    let base = format!("http://{address}");
    let client = http_client().build().unwrap();
    let bearer = demo_token(&client, &base).await;
    // A patient with three versions, read (and so audited) as well.
    let mut patient = json!({"resourceType": "Patient", "name": [{"family": "Backup"}]});
    let created: Value = client
        .post(format!("{base}/fhir/Patient"))
        .bearer_auth(&bearer)
        .header("content-type", "application/fhir+json")
        .body(patient.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    patient["id"] = json!(id);
    for gender in ["female", "unknown"] {
        patient["gender"] = json!(gender);
        let updated = client
            .put(format!("{base}/fhir/Patient/{id}"))
            .bearer_auth(&bearer)
            .header("content-type", "application/fhir+json")
            .body(patient.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(updated.status(), StatusCode::OK);
    }

    // Writes and audited reads go on while the first backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn({
        let (client, base, bearer, id) = (client.clone(), base.clone(), bearer.clone(), id.clone());
        let (stop, written) = (stop.clone(), written.clone());
        async move {
            while !stop.load(Ordering::SeqCst) {
                let observation = json!({
                    "resourceType": "Observation", "status": "final",
                    "code": {"text": "Pulse"}, "subject": {"reference": format!("Patient/{id}")},
                    "valueQuantity": {"value": 72, "unit": "/min"},
                });
                let created = client
                    .post(format!("{base}/fhir/Observation"))
                    .bearer_auth(&bearer)
                    .header("content-type", "application/fhir+json")
                    .body(observation.to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(created.status(), StatusCode::CREATED);
                let read = client
                    .get(format!("{base}/fhir/Patient/{id}"))
                    .bearer_auth(&bearer)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(read.status(), StatusCode::OK);
                written.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    while written.load(Ordering::SeqCst) < 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let during = tempfile::tempdir().unwrap();
    let during_dir = during.path().join("backup");
    server_command(
        &source.url,
        data.path(),
        &["backup", &during_dir.to_string_lossy()],
    );
    let written_at_backup = written.load(Ordering::SeqCst);
    while written.load(Ordering::SeqCst) < written_at_backup + 5 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();

    // A second backup with nothing being written: the restore equals the source exactly.
    let after = tempfile::tempdir().unwrap();
    let after_dir = after.path().join("backup");
    server_command(
        &source.url,
        data.path(),
        &["backup", &after_dir.to_string_lossy()],
    );
    let live = contents(&source.url).await;
    drop(server);
    assert!(
        live.versions
            .iter()
            .any(|(t, i, v, _)| t == "Patient" && *i == id && *v == 3)
    );

    let restored_after = test_support::fresh_database().await;
    let restored_data = tempfile::tempdir().unwrap();
    let said = server_command(
        &restored_after.url,
        restored_data.path(),
        &["restore", &after_dir.to_string_lossy()],
    );
    assert!(
        said.contains("each following from the one before"),
        "{said}"
    );
    assert_eq!(contents(&restored_after.url).await, live);

    // The one taken mid-write is a consistent moment before the end: all it holds is in the
    // source as it was, the ledger a prefix of the source's with every change's audit row.
    let restored_during = test_support::fresh_database().await;
    let during_data = tempfile::tempdir().unwrap();
    server_command(
        &restored_during.url,
        during_data.path(),
        &["restore", &during_dir.to_string_lossy()],
    );
    let snapshot = contents(&restored_during.url).await;
    assert!(snapshot.versions.is_subset(&live.versions));
    assert!(
        snapshot.versions.len() < live.versions.len(),
        "writes went on after it"
    );
    assert!(snapshot.ledger.is_subset(&live.ledger));
    let last = snapshot.ledger.iter().map(|(seq, _)| *seq).max().unwrap();
    assert_eq!(
        snapshot.ledger.len(),
        usize::try_from(last).unwrap(),
        "the ledger's rows 1 to {last}, none missing"
    );
    let observations = snapshot
        .versions
        .iter()
        .filter(|(t, ..)| t == "Observation")
        .count();
    assert!(
        observations >= 5,
        "{observations} observations in the backup"
    );
    server_command(&restored_during.url, during_data.path(), &["verify-audit"]);

    // Restoring over a database that holds anything is refused, and changes nothing.
    let refused = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["restore", &during_dir.to_string_lossy()])
        .env("DATABASE_URL", &restored_after.url)
        .env("HEALTH_DATA_DIR", restored_data.path())
        .env("HEALTH_LOG", "warn")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert_eq!(contents(&restored_after.url).await, live);
}
