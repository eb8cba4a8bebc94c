//! Several server processes on one PostgreSQL behind HAProxy (Debian's), as a practice that
//! outgrows one process runs them: no sticky sessions, each request to the next process in turn.
//!
//! Each test starts its own PostgreSQL, its own processes and its own balancer, whichever backend
//! the rest of the suite runs on: SQLite is one process by design, and a test here may kill what
//! it started. `cargo xtask test` runs them once, in its PostgreSQL run.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use test_support::processes::{free_port, start_balancer};
use throwaway_postgres::{Durability, ThrowawayPostgres};

use crate::{
    helpers::http_client,
    process::{Running, demo_session, demo_token, start, verify_audit},
};

/// The deployment: fields drop in this order, the processes before the database they use.
struct Deployment {
    /// Through the balancer.
    base: String,
    /// Each process directly, by-passing the balancer.
    processes: Vec<String>,
    servers: Vec<Running>,
    _balancer: Running,
    database_url: String,
    dir: tempfile::TempDir,
    postgres: ThrowawayPostgres,
}

impl Deployment {
    /// `processes` server processes with demo data on a fresh PostgreSQL, and HAProxy in front:
    /// ready when `/readyz` answers through the balancer.
    async fn start(processes: usize) -> Self {
        let postgres = ThrowawayPostgres::start(Durability::Off).expect("a throwaway PostgreSQL");
        let database_url = postgres.create_database("scale_out").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let envs = [
            ("DATABASE_URL", database_url.as_str()),
            ("HEALTH_DEMO_MODE", "true"),
            ("HEALTH_BEHIND_PROXY", "true"),
            ("HEALTH_PUBLIC_URL", base.as_str()),
        ];
        // One after another: the first seeds the demo data, the others find it there.
        let (servers, addresses): (Vec<_>, Vec<_>) = (0..processes)
            .map(|_| start(dir.path(), &envs, None))
            .unzip();
        let balancer = start_balancer(port, &addresses, dir.path());
        let deployment = Self {
            base,
            processes: addresses
                .into_iter()
                .map(|address| format!("http://{address}"))
                .collect(),
            servers,
            _balancer: balancer,
            database_url,
            dir,
            postgres,
        };
        let client = http_client().build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = client
                .get(format!("{}/readyz", deployment.base))
                .send()
                .await
                .is_ok_and(|response| response.status() == StatusCode::OK);
            if ready {
                break deployment;
            }
            assert!(Instant::now() < deadline, "the balancer never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills process `n` with SIGKILL: no draining, no shutdown code.
    fn kill(&mut self, n: usize) {
        let server = &mut self.servers[n].0;
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

async fn get(client: &Client, base: &str, token: &str, path: &str) -> Value {
    let response = client
        .get(format!("{base}/fhir/{path}"))
        .bearer_auth(token)
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

/// Books `slot` for `patient` through `base`: the status, or `None` when no answer came.
async fn book(
    client: &Client,
    base: &str,
    token: &str,
    slot: &str,
    patient: &str,
) -> Option<(StatusCode, Value)> {
    let response = client
        .post(format!("{base}/fhir/Appointment"))
        .bearer_auth(token)
        .header("content-type", "application/fhir+json")
        .body(appointment(slot, patient))
        .send()
        .await
        .ok()?;
    let status = response.status();
    Some((status, response.json().await.unwrap_or(Value::Null)))
}

/// Every slot holds at most one booked appointment; returns how many hold one.
async fn booked_slots(client: &Client, base: &str, token: &str, slots: &[String]) -> usize {
    let mut booked = 0;
    for slot in slots {
        let on_slot = get(
            client,
            base,
            token,
            &format!("Appointment?slot=Slot/{slot}&status=booked&_summary=count"),
        )
        .await;
        let total = on_slot["total"].as_u64().unwrap();
        assert!(total <= 1, "slot {slot} holds {total} appointments");
        booked += usize::try_from(total).unwrap();
    }
    booked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_process_reaches_a_clinic_list_open_through_another_at_once() {
    let deployment = Deployment::start(3).await;
    let client = http_client().build().unwrap();
    let (first, second, third) = (
        &deployment.processes[0],
        &deployment.processes[1],
        &deployment.processes[2],
    );
    // A clinician signs in through one process and opens the clinic list's events on another.
    let cookie = demo_session(&client, first, "clinician").await;
    let mut events = client
        .get(format!("{second}/clinic/events"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        events.status(),
        StatusCode::OK,
        "the session is valid on every process"
    );
    // The list has been open a moment (its process listens from the first request on).
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The practice system books through a third.
    let bearer = demo_token(&client, third).await;
    let slot = ids(&get(&client, third, &bearer, "Slot?status=free&_count=1").await).remove(0);
    let patient = ids(&get(&client, third, &bearer, "Patient?_count=1").await).remove(0);
    let (status, _) = book(&client, third, &bearer, &slot, &patient)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let booked = Instant::now();

    let mut heard = String::new();
    while !heard.contains("event: changed") {
        let left = Duration::from_secs(1).saturating_sub(booked.elapsed());
        let chunk = tokio::time::timeout(left, events.chunk())
            .await
            .expect("the open list hears of the booking within a second")
            .unwrap()
            .expect("the events stay open");
        heard.push_str(&String::from_utf8_lossy(&chunk));
    }
    eprintln!(
        "heard through another process {} ms after the booking was acknowledged",
        booked.elapsed().as_millis()
    );
}

/// A process killed mid-load behind the balancer: the others go on serving, the balancer sends
/// new requests to them, every booking answered 201 is kept, and no slot is booked twice.
/// Bookers race two to a slot; a request that gets no answer (it was on the killed process) is
/// tried again, as a page or an app would.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_one_of_three_processes_under_booking_load_loses_no_booking_and_books_no_slot_twice()
 {
    let mut deployment = Deployment::start(3).await;
    let client = http_client().build().unwrap();
    let base = deployment.base.clone();
    let bearer = demo_token(&client, &base).await;
    let slots = ids(&get(&client, &base, &bearer, "Slot?status=free&_count=80").await);
    assert_eq!(slots.len(), 80, "the demo practice has free slots");
    let patient = ids(&get(&client, &base, &bearer, "Patient?_count=1").await).remove(0);

    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let unanswered = Arc::new(Mutex::new(0_usize));
    let mut bookers = Vec::new();
    for booker in 0..8 {
        let mine: Vec<String> = slots.iter().skip(booker % 4).step_by(4).cloned().collect();
        let (client, base, bearer, patient) = (
            client.clone(),
            base.clone(),
            bearer.clone(),
            patient.clone(),
        );
        let (acknowledged, unanswered) = (acknowledged.clone(), unanswered.clone());
        bookers.push(tokio::spawn(async move {
            for slot in mine {
                for _attempt in 0..3 {
                    match book(&client, &base, &bearer, &slot, &patient).await {
                        Some((StatusCode::CREATED, created)) => {
                            let id = created["id"].as_str().unwrap().to_owned();
                            acknowledged.lock().unwrap().push((slot.clone(), id));
                            break;
                        }
                        // Gateway errors: the process that had it is gone.
                        Some((status, _)) if status.is_server_error() => {}
                        Some(_) => break, // Taken by the other booker.
                        None => {}
                    }
                    *unanswered.lock().unwrap() += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 12 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before_kill = acknowledged.lock().unwrap().len();
    deployment.kill(1);
    for booker in bookers {
        booker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let unanswered = *unanswered.lock().unwrap();
    assert!(
        before_kill > 0 && acknowledged.len() > before_kill,
        "bookings went on after the kill: {before_kill} before, {} in all",
        acknowledged.len()
    );

    for (slot, id) in &acknowledged {
        let appointment = get(&client, &base, &bearer, &format!("Appointment/{id}")).await;
        assert_eq!(appointment["status"], "booked", "acknowledged booking {id}");
        assert_eq!(appointment["slot"][0]["reference"], format!("Slot/{slot}"));
    }
    // A booking the killed process committed but never answered is booked and unacknowledged;
    // anything else booked was acknowledged.
    let booked = booked_slots(&client, &base, &bearer, &slots).await;
    assert!(
        (acknowledged.len()..=acknowledged.len() + unanswered).contains(&booked),
        "{booked} slots booked, {} bookings acknowledged, {unanswered} unanswered",
        acknowledged.len()
    );
    // The audit ledger's chain runs unbroken through the kill.
    verify_audit(
        deployment.dir.path(),
        &[("DATABASE_URL", &deployment.database_url)],
    );
    eprintln!(
        "{} bookings acknowledged ({before_kill} before the kill), {unanswered} requests \
         unanswered or refused by the gateway and tried again",
        acknowledged.len()
    );
}

/// 500 patients at once, each booking one of 50 times through the balancer: exactly 50 get one,
/// every other is told the time has gone, nothing fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_patients_racing_for_fifty_times_through_the_balancer_book_exactly_fifty() {
    const PATIENTS: usize = 500;
    const TIMES: usize = 50;
    let deployment = Deployment::start(3).await;
    let client = http_client().build().unwrap();
    let base = deployment.base.clone();
    let bearer = demo_token(&client, &base).await;
    let slots = ids(&get(
        &client,
        &base,
        &bearer,
        &format!("Slot?status=free&_count={TIMES}"),
    )
    .await);
    assert_eq!(slots.len(), TIMES);
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
        .bearer_auth(&bearer)
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
    let patients: Vec<String> = created["entry"]
        .as_array()
        .expect("the transaction's response")
        .iter()
        .map(|entry| {
            let location = entry["response"]["location"].as_str().unwrap();
            location.split('/').nth(1).unwrap().to_owned()
        })
        .collect();
    assert_eq!(patients.len(), PATIENTS);

    let started = Instant::now();
    let racers: Vec<_> = patients
        .into_iter()
        .enumerate()
        .map(|(n, patient)| {
            let (client, base, bearer) = (client.clone(), base.clone(), bearer.clone());
            let slot = slots[n % TIMES].clone();
            tokio::spawn(async move {
                let sent = Instant::now();
                let answer = book(&client, &base, &bearer, &slot, &patient).await;
                (answer.map(|(status, _)| status), sent.elapsed())
            })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut latencies = Vec::new();
    for racer in racers {
        let (status, latency) = racer.await.unwrap();
        statuses.push(status);
        latencies.push(latency);
    }
    let wall = started.elapsed();
    let booked = statuses
        .iter()
        .filter(|s| **s == Some(StatusCode::CREATED))
        .count();
    let told_gone = statuses
        .iter()
        .filter(|s| **s == Some(StatusCode::CONFLICT))
        .count();
    assert_eq!(booked, TIMES, "statuses: {statuses:?}");
    assert_eq!(told_gone, PATIENTS - TIMES, "statuses: {statuses:?}");
    assert_eq!(booked_slots(&client, &base, &bearer, &slots).await, TIMES);
    latencies.sort();
    eprintln!(
        "{PATIENTS} patients, {TIMES} times, 3 processes: p50 {} ms, p99 {} ms, all in {} ms",
        latencies[PATIENTS / 2].as_millis(),
        latencies[PATIENTS * 99 / 100].as_millis(),
        wall.as_millis()
    );
}

/// PostgreSQL stops mid-load (as in a crash or a failover) and comes back: meanwhile every
/// process says it is not ready, pages say there is a problem with the service and the FHIR API
/// answers with an OperationOutcome, all 503; once it is back every process serves again,
/// without being restarted, and nothing acknowledged was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_restarted_under_load_gets_clear_503s_meanwhile_and_every_process_recovers() {
    let deployment = Deployment::start(3).await;
    let client = http_client().build().unwrap();
    let base = deployment.base.clone();
    let bearer = demo_token(&client, &base).await;
    let slots = ids(&get(&client, &base, &bearer, "Slot?status=free&_count=40").await);
    let patient = ids(&get(&client, &base, &bearer, "Patient?_count=1").await).remove(0);
    let cookie = demo_session(&client, &base, "patient-p9").await;

    // Load: bookings one after another through the balancer, until the slots run out.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let load = {
        let (client, base, bearer, slots, patient, acknowledged) = (
            client.clone(),
            base.clone(),
            bearer.clone(),
            slots.clone(),
            patient.clone(),
            acknowledged.clone(),
        );
        tokio::spawn(async move {
            for slot in slots {
                if let Some((StatusCode::CREATED, created)) =
                    book(&client, &base, &bearer, &slot, &patient).await
                {
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(created["id"].as_str().unwrap().to_owned());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    deployment.postgres.stop().unwrap();
    // Each process in turn, all at once: a request waits a few seconds for the database before
    // it is told the service is unavailable.
    let checks = deployment.processes.iter().map(|process| {
        let (client, cookie, bearer, patient) = (&client, &cookie, &bearer, &patient);
        async move {
            let ready = client
                .get(format!("{process}/readyz"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                ready.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{process} is not ready"
            );
            let page = client
                .get(format!("{process}/appointments"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(
                page.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{process}/appointments"
            );
            let html = page.text().await.unwrap();
            assert!(
                html.contains("Sorry, there is a problem with the service"),
                "{process}/appointments: {html}"
            );
            let read = client
                .get(format!("{process}/fhir/Patient/{patient}"))
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap();
            assert_eq!(
                read.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{process} FHIR read"
            );
            assert!(read.headers().contains_key("retry-after"));
            let outcome: Value = read.json().await.unwrap();
            assert_eq!(outcome["resourceType"], "OperationOutcome");
        }
    });
    futures_util::future::join_all(checks).await;

    deployment.postgres.start_again().unwrap();
    let restarted = Instant::now();
    for process in &deployment.processes {
        // Ready again, and then reading with no failure in between.
        serves_again(
            &client,
            process,
            &bearer,
            &patient,
            restarted,
            Duration::from_secs(30),
        )
        .await;
        let page = client
            .get(format!("{process}/appointments"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "{process}/appointments, signed in still"
        );
    }
    eprintln!(
        "every process served again {} ms after PostgreSQL was back",
        restarted.elapsed().as_millis()
    );
    load.await.unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    for id in &acknowledged {
        let appointment = get(&client, &base, &bearer, &format!("Appointment/{id}")).await;
        assert_eq!(appointment["status"], "booked", "acknowledged booking {id}");
    }
    booked_slots(&client, &base, &bearer, &slots).await;
    verify_audit(
        deployment.dir.path(),
        &[("DATABASE_URL", &deployment.database_url)],
    );
}

/// Waits until `base` reads `patient` again (failing once `since` is `within` past), then asserts
/// it goes on serving: 20 reads in a row, every one answered.
async fn serves_again(
    client: &Client,
    base: &str,
    bearer: &str,
    patient: &str,
    since: Instant,
    within: Duration,
) {
    let read = || {
        client
            .get(format!("{base}/fhir/Patient/{patient}"))
            .bearer_auth(bearer)
            .send()
    };
    while !read()
        .await
        .is_ok_and(|response| response.status() == StatusCode::OK)
    {
        assert!(since.elapsed() < within, "{base} did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..20 {
        let status = read().await.unwrap().status();
        assert_eq!(status, StatusCode::OK, "{base} keeps serving");
    }
}

/// A TCP proxy that holds back everything it passes by a delay the test may change at any time:
/// a database that has become very slow, or a network to it that has, between the server and
/// PostgreSQL.
struct DelayProxy {
    port: u16,
    delay_ms: Arc<AtomicU64>,
    accepting: tokio::task::JoinHandle<()>,
}

impl DelayProxy {
    async fn start(upstream: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let delay_ms = Arc::new(AtomicU64::new(0));
        let accepting = tokio::spawn({
            let delay_ms = delay_ms.clone();
            async move {
                while let Ok((inbound, _)) = listener.accept().await {
                    let Ok(outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                    else {
                        continue;
                    };
                    let (from_server, to_server) = inbound.into_split();
                    let (from_database, to_database) = outbound.into_split();
                    tokio::spawn(pass_on(from_server, to_database, delay_ms.clone()));
                    tokio::spawn(pass_on(from_database, to_server, delay_ms.clone()));
                }
            }
        });
        Self {
            port,
            delay_ms,
            accepting,
        }
    }

    fn delay(&self, delay: Duration) {
        self.delay_ms
            .store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn pass_on(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay_ms: Arc<AtomicU64>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0; 16 * 1024];
    while let Ok(read @ 1..) = from.read(&mut buffer).await {
        let delay = delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
}

/// The resident memory of process `pid`, in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

/// The database stalls (every packet to and from it held back for seconds) while 200 FHIR reads
/// and 20 pages arrive at once: each is answered 503 when its time is up (an OperationOutcome,
/// or the "problem with the service" page), none is left hanging, the server's memory stays
/// bounded; and once the database is quick again the server serves again by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_database_gets_clear_503s_when_time_is_up_and_the_server_recovers_by_itself() {
    let postgres = ThrowawayPostgres::start(Durability::Off).expect("a throwaway PostgreSQL");
    let direct = postgres.create_database("slow").unwrap();
    let proxy = DelayProxy::start(postgres.port()).await;
    let via_proxy = direct.replace(
        &format!(":{}/", postgres.port()),
        &format!(":{}/", proxy.port),
    );
    let dir = tempfile::tempdir().unwrap();
    let (server, address) = start(
        dir.path(),
        &[
            ("DATABASE_URL", via_proxy.as_str()),
            ("HEALTH_DEMO_MODE", "true"),
            ("HEALTH_REQUEST_TIMEOUT_SECONDS", "3"),
        ],
        None,
    );
    let base = format!("http://{address}");
    // A request the server has not answered after this long counts as left hanging.
    let client = http_client()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let bearer = demo_token(&client, &base).await;
    let patient = ids(&get(&client, &base, &bearer, "Patient?_count=1").await).remove(0);
    let cookie = demo_session(&client, &base, "patient-p9").await;
    let resident_before = resident_kib(server.0.id());

    proxy.delay(Duration::from_secs(10));
    let reads = (0..200).map(|_| {
        let (client, base, bearer, patient) = (&client, &base, &bearer, &patient);
        async move {
            let read = client
                .get(format!("{base}/fhir/Patient/{patient}"))
                .bearer_auth(bearer)
                .send()
                .await
                .expect("answered in time");
            assert_eq!(read.status(), StatusCode::SERVICE_UNAVAILABLE);
            let outcome: Value = read.json().await.unwrap();
            assert_eq!(outcome["resourceType"], "OperationOutcome");
        }
    });
    let pages = (0..20).map(|_| {
        let (client, base, cookie) = (&client, &base, &cookie);
        async move {
            let page = client
                .get(format!("{base}/appointments"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("answered in time");
            assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
            let html = page.text().await.unwrap();
            assert!(
                html.contains("Sorry, there is a problem with the service"),
                "{html}"
            );
        }
    });
    futures_util::future::join(
        futures_util::future::join_all(reads),
        futures_util::future::join_all(pages),
    )
    .await;
    let resident_during = resident_kib(server.0.id());
    assert!(
        resident_during < resident_before + 64 * 1024,
        "memory grew from {resident_before} KiB to {resident_during} KiB"
    );

    proxy.delay(Duration::ZERO);
    let quick_again = Instant::now();
    serves_again(
        &client,
        &base,
        &bearer,
        &patient,
        quick_again,
        Duration::from_secs(60),
    )
    .await;
    eprintln!(
        "memory {resident_before} KiB before, {resident_during} KiB while stalled; serving \
         again {} ms after the database was quick again",
        quick_again.elapsed().as_millis()
    );
    drop(server);
}
