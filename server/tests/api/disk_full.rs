//! SQLite's disk fills up under the running server: writes are refused clearly, nothing is
//! half-written, and the server writes again by itself once there is space.
//!
//! The data dir is a small tmpfs of its own, so the test fills a disk without filling the
//! machine's; mounting one needs root, which `cargo xtask test` has on CI machines (a developer
//! runs it with sudo, or lets CI run it). It uses SQLite whichever backend the rest of the suite
//! runs on, so `cargo xtask test` runs it once, in its SQLite run.

use std::{io::Write, path::Path, process::Command};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::http_client,
    process::{demo_token, start, verify_audit},
};

/// A tmpfs mounted at a directory for the test, unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(megabytes: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("mount runs");
        assert!(
            mounted.status.success(),
            "this test mounts a small tmpfs to fill, which needs root: {}",
            String::from_utf8_lossy(&mounted.stderr)
        );
        Self(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

/// Writes zeros into `path` until the disk refuses more.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).unwrap();
    let block = vec![0_u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}

fn patient(family: &str) -> String {
    json!({
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.example/disk-full-test", "value": family}],
        "name": [{"family": family, "given": ["Fay"]}],
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_keeps_everything_whole_and_recovers_when_space_returns()
{
    let disk = SmallDisk::mount(64);
    let (server, address) = start(disk.path(), &[("HEALTH_DEMO_MODE", "true")], None);
    let base = format!("http://{address}");
    let client = http_client().build().unwrap();
    let bearer = demo_token(&client, &base).await;
    let create = |family: &'static str| {
        let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
        async move {
            client
                .post(format!("{base}/fhir/Patient"))
                .bearer_auth(&bearer)
                .header("content-type", "application/fhir+json")
                .body(patient(family))
                .send()
                .await
                .unwrap()
        }
    };
    let found = |family: &'static str| {
        let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
        async move {
            let bundle: Value = client
                .get(format!(
                    "{base}/fhir/Patient?identifier=https://fhir.example/disk-full-test|{family}"
                ))
                .bearer_auth(&bearer)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            bundle["total"].as_u64()
        }
    };
    assert_eq!(create("Before").await.status(), StatusCode::CREATED);

    let filler = disk.path().join("filler");
    fill(&filler);
    // Writes until the database's own spare pages are used up too: each is refused whole.
    let mut refused = None;
    let mut taken = 0;
    for _ in 0..200 {
        let response = create("WhileFull").await;
        if response.status() != StatusCode::CREATED {
            refused = Some(response);
            break;
        }
        taken += 1;
    }
    let refused = refused.expect("a write is refused once the disk is full");
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    let outcome: Value = refused.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["code"], "transient");
    let text = outcome.to_string();
    assert!(
        !text.contains("SQLITE") && !text.contains("disk"),
        "no internals: {text}"
    );

    // Reads are audited too, on the same full disk: count once there is space again.
    std::fs::remove_file(&filler).unwrap();
    // Those taken before the refusal are there, whole. Which file runs out first is the disk's
    // choice: the record's (the refused write is not there) or the audit ledger's (the record took
    // it, but its answer was withheld, since every access is audited before it is answered: it is
    // there, whole, and was never acknowledged).
    let stored = found("WhileFull")
        .await
        .expect("a count once there is space");
    assert!(
        stored == taken || stored == taken + 1,
        "{stored} stored of {taken} acknowledged"
    );
    assert_eq!(
        create("After").await.status(),
        StatusCode::CREATED,
        "writes again once there is space, without a restart"
    );
    assert_eq!(found("Before").await, Some(1));
    assert_eq!(found("After").await, Some(1));
    eprintln!("{taken} writes fitted in the database's spare pages before the refusal");
    drop(server);

    // Whole: both files pass SQLite's own check, and the audit chain is unbroken.
    sqlx::any::install_default_drivers();
    for file in ["health.db", "health-audit.db"] {
        let url = format!("sqlite://{}", disk.path().join(file).display());
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(check, "ok", "{file}");
        pool.close().await;
    }
    verify_audit(disk.path(), &[]);
}
