//! The real `server` binary as an operator runs it: configured by environment, stopped by SIGTERM.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use crate::helpers::http_client;

pub(crate) use test_support::processes::Running;

/// Starts this build's `server` binary (see [`test_support::processes::start_server`]).
pub(crate) fn start(
    data_dir: &std::path::Path,
    envs: &[(&str, &str)],
    log: Option<std::sync::mpsc::Sender<String>>,
) -> (Running, String) {
    test_support::processes::start_server(
        std::path::Path::new(env!("CARGO_BIN_EXE_server")),
        data_dir,
        envs,
        log,
    )
}

/// Runs `server verify-audit` on the database the environment `envs` names (with `data_dir`) and
/// asserts the audit ledger's chain holds: what it printed.
pub(crate) fn verify_audit(data_dir: &std::path::Path, envs: &[(&str, &str)]) -> String {
    let verified = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify-audit")
        .env("HEALTH_DATA_DIR", data_dir)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "verify-audit: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
    String::from_utf8_lossy(&verified.stdout).into_owned()
}

/// A system token for the demo API client (demo mode), asked of the server at `base`.
pub(crate) async fn demo_token(client: &reqwest::Client, base: &str) -> String {
    let answer: serde_json::Value = client
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", server::config::DEMO_CLIENT_ID),
            ("client_secret", server::config::DEMO_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// Signs in as demo persona `persona` at `base`: the session cookie, as `name=value`.
pub(crate) async fn demo_session(client: &reqwest::Client, base: &str, persona: &str) -> String {
    let signed_in = client
        .post(format!("{base}/auth/demo"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("persona", persona)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        reqwest::StatusCode::SEE_OTHER,
        "{persona} signs in"
    );
    signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_binary_serves_then_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (log, lines) = std::sync::mpsc::channel();
    let (mut server, address) = start(dir.path(), &[("HEALTH_DEMO_MODE", "false")], Some(log));
    let child = &mut server.0;

    let ready = http_client()
        .build()
        .unwrap()
        .get(format!("http://{address}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}

/// A power cut or a killed process must not lose what the service said it had done: every
/// booking answered 201 is there after a restart, every read answered 200 left its audit record,
/// no slot ended up with two appointments, and the database is intact (SQLite's own check).
/// Bookers race two to a slot and readers read one patient's record while the server is killed
/// with SIGKILL in the middle of it all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_load_keeps_every_acknowledged_booking_and_audit_record() {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use reqwest::StatusCode;
    use serde_json::{Value, json};

    let database = test_support::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let envs = [
        ("DATABASE_URL", database.url.as_str()),
        ("HEALTH_DEMO_MODE", "true"),
    ];
    let client = http_client().build().unwrap();
    let token = |base: String| {
        let client = client.clone();
        async move { demo_token(&client, &base).await }
    };
    let get = |base: String, token: String, path: String| {
        let client = client.clone();
        async move {
            let response = client
                .get(format!("{base}/fhir/{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "GET {path}");
            response.json::<Value>().await.unwrap()
        }
    };
    let ids = |bundle: &Value| -> Vec<String> {
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (mut server, address) = start(dir.path(), &envs, None);
    let base = format!("http://{address}");
    let bearer = token(base.clone()).await;
    let slots = ids(&get(
        base.clone(),
        bearer.clone(),
        "Slot?status=free&_count=80".into(),
    )
    .await);
    let patients = ids(&get(base.clone(), bearer.clone(), "Patient?_count=2".into()).await);
    assert_eq!(slots.len(), 80, "the demo practice has free slots");
    let (reader_patient, booking_patient) = (patients[0].clone(), patients[1].clone());

    // Eight bookers, two to a slot; four readers of one patient's record.
    let booked = Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for booker in 0..8 {
        let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
        let mine: Vec<String> = slots.iter().skip(booker % 4).step_by(4).cloned().collect();
        let (booked, patient) = (booked.clone(), booking_patient.clone());
        load.push(tokio::spawn(async move {
            for slot in mine {
                let appointment = json!({
                    "resourceType": "Appointment",
                    "status": "booked",
                    "slot": [{ "reference": format!("Slot/{slot}") }],
                    "participant": [{
                        "actor": { "reference": format!("Patient/{patient}") },
                        "status": "accepted",
                    }],
                });
                let Ok(response) = client
                    .post(format!("{base}/fhir/Appointment"))
                    .bearer_auth(&bearer)
                    .header("content-type", "application/fhir+json")
                    .body(appointment.to_string())
                    .send()
                    .await
                else {
                    return; // The server is gone.
                };
                if response.status() == StatusCode::CREATED {
                    let Ok(created) = response.json::<Value>().await else {
                        return;
                    };
                    let id = created["id"].as_str().unwrap().to_owned();
                    booked.lock().unwrap().push((slot, id));
                }
            }
        }));
    }
    for _ in 0..4 {
        let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
        let (reads, patient) = (reads.clone(), reader_patient.clone());
        load.push(tokio::spawn(async move {
            loop {
                let Ok(response) = client
                    .get(format!("{base}/fhir/Patient/{patient}"))
                    .bearer_auth(&bearer)
                    .send()
                    .await
                else {
                    return;
                };
                if response.status() == StatusCode::OK && response.bytes().await.is_ok() {
                    reads.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    // Kill once the load is well under way (or after 20 s, whatever has happened by then).
    let deadline = Instant::now() + Duration::from_secs(20);
    while (booked.lock().unwrap().len() < 8 || reads.load(Ordering::SeqCst) < 50)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.0.kill().unwrap(); // SIGKILL: no draining, no shutdown code.
    server.0.wait().unwrap();
    for task in load {
        task.await.unwrap();
    }
    let booked = booked.lock().unwrap().clone();
    let reads = reads.load(Ordering::SeqCst);
    assert!(
        !booked.is_empty() && reads > 0,
        "the load ran before the kill"
    );

    let (mut server, address) = start(dir.path(), &envs, None);
    let base = format!("http://{address}");
    let bearer = token(base.clone()).await;
    // Counted before anything else reads that record (each read adds an audit record).
    let audited = get(
        base.clone(),
        bearer.clone(),
        format!("AuditEvent?patient=Patient/{reader_patient}&_count=1"),
    )
    .await["total"]
        .as_u64()
        .unwrap();
    assert!(
        audited >= reads as u64,
        "{reads} reads were answered, {audited} audit records survived"
    );
    for (slot, id) in &booked {
        let appointment = get(base.clone(), bearer.clone(), format!("Appointment/{id}")).await;
        assert_eq!(appointment["status"], "booked", "acknowledged booking {id}");
        assert_eq!(appointment["slot"][0]["reference"], format!("Slot/{slot}"));
        let slot = get(base.clone(), bearer.clone(), format!("Slot/{slot}")).await;
        assert_eq!(slot["status"], "busy");
    }
    for slot in &slots {
        let on_slot = get(
            base.clone(),
            bearer.clone(),
            format!("Appointment?slot=Slot/{slot}&status=booked"),
        )
        .await;
        assert!(
            on_slot["total"].as_u64().unwrap() <= 1,
            "slot {slot} holds two appointments"
        );
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    if database.url.starts_with("sqlite:") {
        sqlx::any::install_default_drivers();
        // The record, and the audit ledger in its file beside it.
        for url in [
            database.url.clone(),
            database.url.replace("test.db", "test-audit.db"),
        ] {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(check, "ok", "{url}");
        }
    }
    // The ledger's chain runs unbroken through the kill.
    assert!(verify_audit(dir.path(), &envs).contains("the audit ledger holds"));
}
