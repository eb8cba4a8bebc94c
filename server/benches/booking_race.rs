//! `cargo bench -p server --bench booking_race`: 500 patients at once racing for 50 appointment
//! times, through HAProxy to three release server processes on one PostgreSQL (the database
//! `BENCH_DATABASE_URL` names, with the product's durability: `cargo xtask bench` makes one), in
//! rounds on fresh times. Prints how many bookings were made (50 a round), how many slots hold two
//! (none), and a booking's p50/p99 as the patient waits for it.

// A bench reports to its reader on stdout, and stops with a message when it cannot go on.
#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::{
    path::Path,
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use test_support::processes::{free_port, start_balancer, start_server};

const PROCESSES: usize = 3;
const PATIENTS: usize = 500;
const TIMES: usize = 50;
const ROUNDS: usize = 4;

fn main() {
    let database_url = std::env::var("BENCH_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
        .expect(
            "BENCH_DATABASE_URL names an empty PostgreSQL database (`cargo xtask bench` makes one)",
        );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
        .block_on(bench(&database_url));
}

async fn bench(database_url: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let envs = [
        ("DATABASE_URL", database_url),
        ("HEALTH_DEMO_MODE", "true"),
        ("HEALTH_BEHIND_PROXY", "true"),
        ("HEALTH_PUBLIC_URL", base.as_str()),
    ];
    let binary = Path::new(env!("CARGO_BIN_EXE_server"));
    let (_servers, addresses): (Vec<_>, Vec<_>) = (0..PROCESSES)
        .map(|_| start_server(binary, dir.path(), &envs, None))
        .unzip();
    let _balancer = start_balancer(port, &addresses, dir.path());
    let client = Client::builder()
        .pool_max_idle_per_host(PATIENTS)
        .build()
        .unwrap();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|response| response.status() == StatusCode::OK)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let token: Value = client
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
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let patients = create_patients(&client, &base, &bearer).await;
    let slots = ids(&fhir_get(
        &client,
        &base,
        &bearer,
        &format!("Slot?status=free&_count={}", TIMES * ROUNDS),
    )
    .await);
    let rounds = slots.len() / TIMES;
    assert!(rounds > 0, "the demo practice has {TIMES} free times");

    println!(
        "Booking race: {PATIENTS} patients at once for {TIMES} times, through HAProxy to \
         {PROCESSES} release server processes on PostgreSQL, {rounds} rounds"
    );
    // The first round also opens the connections (clients to HAProxy, processes to PostgreSQL).
    let mut first_round = Vec::with_capacity(PATIENTS);
    let mut latencies = Vec::with_capacity(PATIENTS * rounds);
    let (mut booked, mut taken, mut other) = (0, 0, 0);
    let mut walls = Vec::new();
    for round in 0..rounds {
        let times = &slots[round * TIMES..(round + 1) * TIMES];
        let started = Instant::now();
        let racers: Vec<_> = patients
            .iter()
            .enumerate()
            .map(|(n, patient)| {
                let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
                let (slot, patient) = (times[n % TIMES].clone(), patient.clone());
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let status = client
                        .post(format!("{base}/fhir/Appointment"))
                        .bearer_auth(&bearer)
                        .header("content-type", "application/fhir+json")
                        .body(appointment(&slot, &patient))
                        .send()
                        .await
                        .map(|response| response.status())
                        .ok();
                    (status, sent.elapsed())
                })
            })
            .collect();
        for racer in racers {
            let (status, latency) = racer.await.unwrap();
            match status {
                Some(StatusCode::CREATED) => booked += 1,
                Some(StatusCode::CONFLICT) => taken += 1,
                _ => other += 1,
            }
            if round == 0 {
                first_round.push(latency);
            } else {
                latencies.push(latency);
            }
        }
        walls.push(started.elapsed());
    }
    let mut doubles = 0;
    for slot in &slots[..rounds * TIMES] {
        let on_slot = fhir_get(
            &client,
            &base,
            &bearer,
            &format!("Appointment?slot=Slot/{slot}&status=booked&_summary=count"),
        )
        .await;
        if on_slot["total"].as_u64().unwrap() > 1 {
            doubles += 1;
        }
    }
    let at = |latencies: &mut Vec<Duration>, quantile: f64| {
        latencies.sort();
        let index = ((latencies.len() as f64 * quantile) as usize).min(latencies.len() - 1);
        latencies[index].as_secs_f64() * 1000.0
    };
    // With one round only, the first is all there is.
    if latencies.is_empty() {
        latencies = first_round.clone();
    }
    let wall: Duration = walls.iter().sum::<Duration>() / u32::try_from(rounds).unwrap();
    println!();
    println!("| booking race, {PROCESSES} processes behind HAProxy | |");
    println!("| --- | --- |");
    println!(
        "| bookings made | {booked} of {} times ({rounds} rounds of {TIMES}) |",
        rounds * TIMES
    );
    println!("| slots booked twice | {doubles} |");
    println!("| told the time has gone (409) | {taken} |");
    println!("| any other answer | {other} |");
    println!(
        "| a booking's wait, first round, p50 / p99 / max | {:.0} / {:.0} / {:.0} ms |",
        at(&mut first_round, 0.5),
        at(&mut first_round, 0.99),
        at(&mut first_round, 1.0)
    );
    println!(
        "| a booking's wait, later rounds, p50 / p99 / max | {:.0} / {:.0} / {:.0} ms |",
        at(&mut latencies, 0.5),
        at(&mut latencies, 0.99),
        at(&mut latencies, 1.0)
    );
    println!(
        "| {PATIENTS} racers answered in | {:.0} ms a round |",
        wall.as_secs_f64() * 1000.0
    );
    assert_eq!(booked, rounds * TIMES, "exactly one booking per time");
    assert_eq!(doubles, 0, "no time booked twice");
}

async fn create_patients(client: &Client, base: &str, bearer: &str) -> Vec<String> {
    let entries: Vec<Value> = (0..PATIENTS)
        .map(|n| {
            json!({
                "resource": {"resourceType": "Patient", "name": [{"family": format!("Racer{n}")}]},
                "request": {"method": "POST", "url": "Patient"},
            })
        })
        .collect();
    let created: Value = client
        .post(format!("{base}/fhir"))
        .bearer_auth(bearer)
        .header("content-type", "application/fhir+json")
        .body(
            json!({"resourceType": "Bundle", "type": "transaction", "entry": entries}).to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["entry"]
        .as_array()
        .expect("the transaction's response")
        .iter()
        .map(|entry| {
            let location = entry["response"]["location"].as_str().unwrap();
            location.split('/').nth(1).unwrap().to_owned()
        })
        .collect()
}

async fn fhir_get(client: &Client, base: &str, bearer: &str, path: &str) -> Value {
    let response = client
        .get(format!("{base}/fhir/{path}"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

fn ids(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| entry["resource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn appointment(slot: &str, patient: &str) -> String {
    json!({
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{ "reference": format!("Slot/{slot}") }],
        "participant": [{
            "actor": { "reference": format!("Patient/{patient}") },
            "status": "accepted",
        }],
    })
    .to_string()
}
