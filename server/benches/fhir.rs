//! The FHIR store and API under load: `cargo bench -p server --bench fhir -- --patients N`.
//!
//! 1. Generates N synthetic patients, each with 10 observations, 2 conditions, 1 allergy,
//!    2 medication requests and 3 appointments (each booking a slot of its own), and imports them
//!    through the store (`insert_new_many`, as the seed, 500 patients to a transaction):
//!    the import rate.
//! 2. Starts the real server binary on that database, as a separate process.
//! 3. Times searches one at a time over HTTP (identifier, family name, Slot by date): p50, p99;
//!    and the clinicians' "find a patient" (by name, by NHS number) in process: server time.
//! 4. Loads `GET /fhir/Patient/{id}` from many connections, then a bare axum handler answering a
//!    fixed JSON body (a patient of the same size, in a process of its own), with the same load
//!    tool in the same run: requests per second each, and their ratio.
//! 5. The server's peak resident memory (VmHWM), and how much of what it holds at the end is its
//!    own (anonymous: heap and stacks) rather than pages of mapped files it could drop.
//!
//! SQLite in a temporary directory by default; `BENCH_DATABASE_URL=postgres://…` for PostgreSQL
//! (an empty database; `sqlite:///path?mode=rwc` keeps an SQLite one to look at); with `--reuse`,
//! steps 2 to 5 on the database an earlier run with the same N left there. `cargo xtask bench N`
//! runs both, starting a throwaway PostgreSQL.
//! Synthetic data only; NHS numbers from the 999 test range (about 909 000 valid ones: patients
//! beyond that have none).

#![allow(clippy::print_stdout, clippy::expect_used, clippy::unwrap_used)]

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use backend::{
    Db,
    auth::{api_clients, scope::Scopes},
    patient_search::{self, NameSearch},
};
use domain::{
    NhsNumber, OdsCode,
    identity::{Actor, StaffRole, StaffUser},
};
use fhir::build::{self, Address, AppointmentParties, HumanName, PatientDetails, ServiceKind};
use jiff::{Span, Timestamp, civil, tz::TimeZone};
use serde_json::{Value, json};

const PATIENTS_PER_TRANSACTION: usize = 500;
const SCHEDULES: usize = 20;
const GP: ServiceKind = ServiceKind {
    code: "gp",
    display: "GP appointment",
};

struct Args {
    patients: usize,
    seconds: u64,
    connections: usize,
    searches: usize,
    /// Measure the database as an earlier run with the same `--patients` left it (kept with
    /// `BENCH_DATABASE_URL`) instead of importing again: a million patients take an hour.
    reuse: bool,
    /// Fill the audit ledger to this many rows (reads of the imported patients by a connected
    /// system) before measuring searches of it.
    ledger_rows: usize,
    /// Before the measured turns, load the API alone for this many seconds and say which process
    /// serves it, for a profiler to attach to (`perf record -g -p PID`).
    profile_seconds: u64,
    /// Before each search of the audit ledger, drop the operating system's page cache (needs
    /// root), so that each reads its pages from the disk, as the first searches after a start.
    cold: bool,
    /// Internal: run as the bare axum baseline server on this port, answering `body`.
    baseline_port: Option<u16>,
}

impl Args {
    fn parse() -> Self {
        let mut args = Self {
            patients: 10_000,
            seconds: 10,
            connections: 32,
            searches: 500,
            reuse: false,
            ledger_rows: 0,
            profile_seconds: 0,
            cold: false,
            baseline_port: None,
        };
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            let mut number = || {
                words
                    .next()
                    .and_then(|n| n.replace('_', "").parse::<usize>().ok())
                    .unwrap_or_else(|| panic!("{word} needs a number"))
            };
            match word.as_str() {
                "--patients" => args.patients = number(),
                "--seconds" => args.seconds = number() as u64,
                "--connections" => args.connections = number(),
                "--searches" => args.searches = number(),
                "--baseline-server" => args.baseline_port = Some(number() as u16),
                "--reuse" => args.reuse = true,
                "--cold" => args.cold = true,
                "--ledger-rows" => args.ledger_rows = number(),
                "--profile" => args.profile_seconds = number() as u64,
                // `cargo bench` adds `--bench`; anything else is a filter we do not use.
                _ => {}
            }
        }
        args
    }
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    if let Some(port) = args.baseline_port {
        runtime.block_on(baseline_server(port));
        return;
    }
    runtime.block_on(bench(args));
}

/// The bare handler the API is compared with: axum, one route, a fixed body.
async fn baseline_server(port: u16) {
    let body = serde_json::to_string(&sample_patient()).unwrap();
    let app = axum::Router::new().route(
        "/patient",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/fhir+json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the baseline port");
    axum::serve(listener, app)
        .await
        .expect("the baseline serves");
}

async fn bench(args: Args) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let on_postgres = !database_url.starts_with("sqlite:");
    let backend_name = if on_postgres { "PostgreSQL" } else { "SQLite" };
    let db = backend::open_database(&database_url)
        .await
        .expect("the database opens");
    db.migrate().await.expect("migrations apply");

    println!(
        "FHIR store bench: {} patients on {backend_name} ({} cores)",
        args.patients,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let started = Instant::now();
    let imported = if args.reuse {
        imported_earlier(&db, args.patients).await
    } else {
        import(&db, args.patients).await
    };
    let import_seconds = started.elapsed().as_secs_f64();
    // As after any bulk import: without statistics PostgreSQL plans the searches below as if the
    // tables were empty (see `Db::refresh_statistics`).
    if !args.reuse {
        db.refresh_statistics().await.unwrap();
    }
    let database_bytes = database_size(&db, &database_url).await;
    let ledger_fill = fill_ledger(&db, &imported.patient_ids, args.ledger_rows).await;
    if ledger_fill.is_some() {
        db.refresh_statistics().await.unwrap();
    }

    let secret = api_clients::new_secret();
    let scopes: Scopes = "system/*.crs".parse().unwrap();
    api_clients::register(&db, "bench", "Bench", &secret, &scopes, Timestamp::now())
        .await
        .expect("the bench client");

    let port = free_port();
    let server = Stopped(start_server(&database_url, port, dir.path()));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()
        .unwrap();
    wait_until_up(&client, &format!("{base}/healthz")).await;
    let search_token = fetch_token(&client, &base, &secret).await;

    let searches = [
        (
            "identifier",
            (0..args.searches)
                .map(|n| {
                    let patient = pick(n, imported.with_nhs_number);
                    format!(
                        "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{}",
                        nhs_number(patient).unwrap().digits()
                    )
                })
                .collect::<Vec<_>>(),
        ),
        (
            "family name",
            (0..args.searches)
                .map(|n| format!("Patient?family={}", family(pick(n, args.patients))))
                .collect(),
        ),
        (
            "Slot by date",
            (0..args.searches)
                .map(|n| {
                    let day = imported.first_day
                        + Span::new().days(pick(n, imported.slot_days.max(1)) as i64);
                    let next = day.tomorrow().unwrap();
                    format!("Slot?start=ge{day}&start=lt{next}&_count=20")
                })
                .collect(),
        ),
    ];
    let mut latencies = Vec::new();
    for (name, paths) in &searches {
        let mut times = Vec::with_capacity(paths.len());
        for path in paths {
            let started = Instant::now();
            let response = client
                .get(format!("{base}/fhir/{path}"))
                .bearer_auth(&search_token)
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let bundle: Value = response.json().await.unwrap();
            times.push(started.elapsed());
            assert!(
                bundle["total"].as_i64().unwrap_or(0) > 0,
                "{path} finds nothing"
            );
        }
        times.sort();
        latencies.push((*name, percentile(&times, 50), percentile(&times, 99)));
    }

    // A patient's audit trail, newest first, as "who has looked at your record" and a FHIR
    // client read it.
    let mut trail_times = Vec::with_capacity(args.searches);
    for n in 0..args.searches {
        let patient = &imported.patient_ids[pick(n, imported.patient_ids.len())];
        if args.cold {
            drop_page_cache();
        }
        let started = Instant::now();
        let response = client
            .get(format!(
                "{base}/fhir/AuditEvent?patient=Patient/{patient}&_sort=-date&_count=20"
            ))
            .bearer_auth(&search_token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let bundle: Value = response.json().await.unwrap();
        trail_times.push(started.elapsed());
        assert!(
            args.ledger_rows == 0 || bundle["entry"].as_array().is_some_and(|e| !e.is_empty()),
            "the trail of {patient} is empty"
        );
    }
    trail_times.sort();
    let ledger_rows = db.ledger().rows().await.unwrap();

    // The clinicians' "find a patient" (issue: under 50 ms of server time at 1 M patients),
    // timed in this process through the same use case the page calls, its audit record included.
    let clinician = Actor::Staff(StaffUser {
        user_id: "555000000000".into(),
        display_name: "Bench clinician".into(),
        role: StaffRole::Clinician,
        organisation: OdsCode::parse("Y90009").unwrap(),
    });
    let mut by_name = Vec::with_capacity(args.searches);
    let mut by_number = Vec::with_capacity(args.searches);
    for n in 0..args.searches {
        let patient = pick(n, imported.with_nhs_number);
        let name = NameSearch {
            // The first letters, as a receptionist types them, narrowed by given name.
            family: family(patient).chars().take(4).collect(),
            given: Some(GIVEN[patient % GIVEN.len()].to_owned()),
            birth_date: None,
        };
        let started = Instant::now();
        let (found, _) = patient_search::by_name(&db, &clinician, &name, None, Timestamp::now())
            .await
            .unwrap();
        by_name.push(started.elapsed());
        assert!(!found.is_empty(), "{} finds nobody", name.family);
        let number = nhs_number(patient).unwrap();
        let started = Instant::now();
        let found = patient_search::by_nhs_number(&db, &clinician, &number, None, Timestamp::now())
            .await
            .unwrap();
        by_number.push(started.elapsed());
        assert!(found.is_some());
    }
    by_name.sort();
    by_number.sort();

    // A fresh token: the load runs take a while, and tokens last five minutes.
    let token = fetch_token(&client, &base, &secret).await;
    let ids = Arc::new(imported.patient_ids);
    let create_ids = ids.clone();
    let baseline_port = free_port();
    let baseline = Stopped(
        Command::new(std::env::current_exe().unwrap())
            .args(["--baseline-server", &baseline_port.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("the baseline server starts"),
    );
    let baseline_base = format!("http://127.0.0.1:{baseline_port}");
    wait_until_up(&client, &format!("{baseline_base}/patient")).await;
    let requests = Requests {
        api: Arc::new({
            let (client, base) = (client.clone(), base.clone());
            move |n| {
                client
                    .get(format!("{base}/fhir/Patient/{}", ids[pick(n, ids.len())]))
                    .bearer_auth(&token)
            }
        }),
        // The same server's liveness probe: no token, database or audit record, so what the
        // stack itself (request ids, security headers, logging) costs.
        probe: Arc::new({
            let (client, base) = (client.clone(), base.clone());
            move |_| client.get(format!("{base}/healthz"))
        }),
        // The readiness probe: one `SELECT 1` through the pool and nothing else, so the most any
        // request that touches the database at all can do with this driver on this machine.
        ping: Arc::new({
            let (client, base) = (client.clone(), base.clone());
            move |_| client.get(format!("{base}/readyz"))
        }),
        bare: Arc::new({
            let client = client.clone();
            move |_| client.get(format!("{baseline_base}/patient"))
        }),
    };
    if args.profile_seconds > 0 {
        eprintln!(
            "the API alone for {} s, served by process {}: attach a profiler now",
            args.profile_seconds,
            server.id()
        );
        load(
            args.connections,
            Duration::from_secs(args.profile_seconds),
            requests.api.clone(),
        )
        .await;
    }
    // In short turns, one after the other and again: this machine's speed drifts by a fifth from
    // one minute to the next (it shares its host), and a ratio of two figures taken a minute
    // apart measured the drift as much as the server.
    let turns = (args.seconds / 2).max(1);
    let turn = Duration::from_secs_f64(args.seconds as f64 / turns as f64);
    let mut rates = Rates::default();
    let (mut api_cpu, mut database_cpu) = (0.0, 0.0);
    for _ in 0..turns {
        let cpu_before = cpu_seconds(server.id());
        let database_before = on_postgres.then(postgres_cpu_seconds);
        let api = load(args.connections, turn, requests.api.clone()).await;
        api_cpu += cpu_seconds(server.id()) - cpu_before;
        if let Some(before) = database_before {
            database_cpu += postgres_cpu_seconds() - before;
        }
        rates.api.push(api);
        rates
            .probe
            .push(load(args.connections, turn, requests.probe.clone()).await);
        rates
            .ping
            .push(load(args.connections, turn, requests.ping.clone()).await);
        rates
            .bare
            .push(load(args.connections, turn, requests.bare.clone()).await);
    }
    // Creates: a new Observation for a random patient each time, checked against the R4
    // definitions on the way in, written with its index rows, audited.
    let create_seconds = args.seconds.clamp(2, 10);
    let token = fetch_token(&client, &base, &secret).await;
    let create: MakeRequest = Arc::new({
        let (client, base, ids) = (client.clone(), base.clone(), create_ids);
        move |n| {
            let subject = json!({ "reference": format!("Patient/{}", ids[pick(n, ids.len())]) });
            client
                .post(format!("{base}/fhir/Observation"))
                .bearer_auth(&token)
                .header("content-type", "application/fhir+json")
                .body(observation("new", &subject, n, n % 10).to_string())
        }
    });
    let cpu_before = cpu_seconds(server.id());
    let create_rate = load(
        args.connections,
        Duration::from_secs(create_seconds),
        create,
    )
    .await;
    let create_cpu =
        (cpu_seconds(server.id()) - cpu_before) / (create_rate * create_seconds as f64);
    // The checks alone, in this process, on the same bodies.
    let bodies: Vec<Value> = (0..2000)
        .map(|n| observation("new", &json!({ "reference": "Patient/p" }), n, n % 10))
        .collect();
    let started = Instant::now();
    for body in &bodies {
        assert!(fhir::validate::check(body, fhir::ResourceType::Observation).is_empty());
    }
    let validation_cpu = started.elapsed().as_secs_f64() / bodies.len() as f64;
    let peak_rss = memory_kib(&server, "VmHWM:");
    let anonymous_rss = memory_kib(&server, "RssAnon:");
    drop(server);
    drop(baseline);
    let (api_rate, probe_rate, ping_rate, baseline_rate) = (
        mean(&rates.api),
        mean(&rates.probe),
        mean(&rates.ping),
        mean(&rates.bare),
    );
    let api_cpu = api_cpu / (api_rate * args.seconds as f64);
    let database_cpu = database_cpu / (api_rate * args.seconds as f64);
    let turn_ratios: Vec<f64> = rates
        .api
        .iter()
        .zip(&rates.bare)
        .map(|(api, bare)| api / bare)
        .collect();

    let durability = db
        .durability()
        .await
        .expect("the database reports its durability");
    println!();
    println!("| {backend_name}, {} patients | |", args.patients);
    println!("| --- | --- |");
    println!("| commits made durable by | {durability} |");
    if args.reuse {
        println!(
            "| import | not in this run: {} resources imported by an earlier one |",
            imported.resources
        );
    } else {
        println!(
            "| import | {} resources in {import_seconds:.0} s: {:.0} resources/s ({:.0} patients/s) |",
            imported.resources,
            imported.resources as f64 / import_seconds,
            args.patients as f64 / import_seconds,
        );
    }
    println!(
        "| database size | {:.0} MiB ({:.1} KiB per patient) |",
        database_bytes as f64 / 1_048_576.0,
        database_bytes as f64 / 1024.0 / args.patients as f64
    );
    for (name, p50, p99) in &latencies {
        println!(
            "| search {name} ({} requests, one at a time) | p50 {:.2} ms, p99 {:.2} ms |",
            args.searches,
            p50.as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0
        );
    }
    for (name, times) in [
        (
            "find a patient by name (first 4 letters and given name)",
            &by_name,
        ),
        ("find a patient by NHS number", &by_number),
    ] {
        println!(
            "| {name}: server time, audit included ({} searches) | p50 {:.2} ms, p99 {:.2} ms |",
            args.searches,
            percentile(times, 50).as_secs_f64() * 1000.0,
            percentile(times, 99).as_secs_f64() * 1000.0
        );
    }
    if let Some((rows, seconds)) = ledger_fill {
        println!(
            "| audit ledger filled | {rows} rows in {seconds:.0} s: {:.0} rows/s |",
            rows as f64 / seconds
        );
    }
    println!(
        "| AuditEvent?patient=…&_sort=-date&_count=20 ({} requests, one at a time{}; {ledger_rows} ledger rows, {:.0} MiB) | p50 {:.2} ms, p99 {:.2} ms |",
        args.searches,
        if args.cold {
            // Cold reads wait for what the disk reads ahead (`store::disk`).
            let ahead = match read_ahead_kib(&database_url) {
                Some(kib) => format!(", the disk reading {kib} KiB ahead"),
                None => String::new(),
            };
            if on_postgres {
                format!(
                    ", OS page cache dropped before each{ahead} (PostgreSQL's shared buffers kept)"
                )
            } else {
                format!(", OS page cache dropped before each{ahead}")
            }
        } else {
            String::new()
        },
        ledger_size(&database_url).await as f64 / 1_048_576.0,
        percentile(&trail_times, 50).as_secs_f64() * 1000.0,
        percentile(&trail_times, 99).as_secs_f64() * 1000.0
    );
    println!(
        "| GET Patient/{{id}} ({} connections, {} s in {turns} turns with the loads below) | {api_rate:.0} requests/s, server CPU {:.0} µs per request{} |",
        args.connections,
        args.seconds,
        api_cpu * 1e6,
        // Steadier than the rates on a shared machine: CPU time is not lost to a neighbour's
        // load the way wall-clock throughput is.
        if database_cpu > 0.0 {
            format!(", PostgreSQL CPU {:.0} µs per request", database_cpu * 1e6)
        } else {
            String::new()
        }
    );
    println!(
        "| POST Observation, validated ({} connections, {create_seconds} s) | {create_rate:.0} requests/s, server CPU {:.0} µs per request |",
        args.connections,
        create_cpu * 1e6
    );
    println!(
        "| validating one Observation against the R4 definitions | {:.1} µs: creates with validation ≈ {:.3}× the rate without (1 − validation CPU / create CPU) |",
        validation_cpu * 1e6,
        1.0 - validation_cpu / create_cpu
    );
    println!(
        "| GET /healthz (same server: no token, database or audit), same load | {probe_rate:.0} requests/s |"
    );
    println!(
        "| GET /readyz (same server: one `SELECT 1`, no token or audit), same load | {ping_rate:.0} requests/s |"
    );
    println!("| bare axum handler, same load | {baseline_rate:.0} requests/s |");
    println!(
        "| ratio API / bare handler | {:.2} (turn by turn {:.2}–{:.2}) |",
        api_rate / baseline_rate,
        turn_ratios.iter().copied().fold(f64::INFINITY, f64::min),
        turn_ratios.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "| ratio /readyz / bare handler (the ceiling for any database read) | {:.2} |",
        ping_rate / baseline_rate
    );
    println!(
        "| server peak RSS | {:.0} MiB |",
        peak_rss.unwrap_or(0) as f64 / 1024.0
    );
    println!(
        "| server anonymous RSS at the end (heap and stacks, not mapped files) | {:.0} MiB |",
        anonymous_rss.unwrap_or(0) as f64 / 1024.0
    );
}

struct Imported {
    resources: usize,
    patient_ids: Vec<String>,
    /// Patients 0..this have NHS numbers.
    with_nhs_number: usize,
    first_day: civil::Date,
    slot_days: usize,
}

/// What `import` returns, for a database an earlier run imported `patients` into: the
/// generator is deterministic but for the day it started, which the first slot's date gives.
async fn imported_earlier(db: &Db, patients: usize) -> Imported {
    let store::Found::Current(first_slot) =
        store::read(db, fhir::ResourceType::Slot, "p0000000-s0")
            .await
            .unwrap()
    else {
        panic!("--reuse: the database holds no earlier run's patients");
    };
    let first_slot: Timestamp = first_slot.resource["start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let london = TimeZone::get("Europe/London").unwrap();
    Imported {
        resources: 2 + 3 * SCHEDULES + patients * (1 + 10 + 2 + 2 + 1 + 3 * 2),
        patient_ids: (0..patients).map(|n| format!("p{n:07}")).collect(),
        with_nhs_number: (0..patients)
            .rev()
            .find(|n| nhs_number(*n).is_some())
            .map_or(0, |n| n + 1),
        first_day: first_slot.to_zoned(london).date(),
        slot_days: patients * 3 / SCHEDULES * 10 / (24 * 60),
    }
}

/// Generates and stores the practice and `patients` patients with their records.
async fn import(db: &Db, patients: usize) -> Imported {
    let london = TimeZone::get("Europe/London").unwrap();
    let now = Timestamp::now();
    let created = now.to_zoned(london.clone());
    let first_day = created.date().tomorrow().unwrap();
    let first_slot = first_day.at(0, 0, 0, 0).to_zoned(london.clone()).unwrap();
    let mut resources = 0;
    let started = Instant::now();
    let mut tx = store::begin(db).await.unwrap();
    // Resources are stored a transaction's worth at a time, as an import would.
    let mut batch = Vec::new();

    let org = "org-bench";
    let location = "location-bench";
    let address = Address {
        lines: vec!["1 Bench Street".into()],
        city: "Leeds".into(),
        postcode: "LS1 1AA".into(),
    };
    let ods = OdsCode::parse("Y90009").unwrap();
    batch.push(build::organization(
        org,
        &ods,
        "Bench Practice",
        &address,
        "0113 496 0999",
    ));
    batch.push(build::location(
        location,
        org,
        "Bench Practice",
        &address,
        "0113 496 0999",
    ));
    let horizon = (
        first_slot.clone(),
        first_slot.checked_add(Span::new().days(3650)).unwrap(),
    );
    for n in 0..SCHEDULES {
        let name = HumanName {
            prefix: Some("Dr".into()),
            given: vec!["Bench".into()],
            family: format!("Clinician{n}"),
        };
        batch.push(build::practitioner(
            &format!("pr-{n}"),
            &format!("55500000{n:04}"),
            &name,
            "female",
        ));
        batch.push(build::practitioner_role(
            &format!("role-{n}"),
            &format!("pr-{n}"),
            org,
            location,
            build::StaffRole::Doctor,
        ));
        batch.push(build::schedule(
            &format!("schedule-{n}"),
            &format!("role-{n}"),
            location,
            GP,
            (&horizon.0, &horizon.1),
        ));
    }
    resources += 2 + 3 * SCHEDULES;

    let mut patient_ids = Vec::with_capacity(patients);
    let mut with_nhs_number = 0;
    let mut slot = 0usize;
    for n in 0..patients {
        let id = format!("p{n:07}");
        let number = nhs_number(n);
        if number.is_some() {
            with_nhs_number = n + 1;
        }
        let mut patient = build::patient(
            &id,
            &PatientDetails {
                // Replaced below when the 999 range has run out.
                nhs_number: number.unwrap_or_else(|| NhsNumber::parse("9990000018").unwrap()),
                name: HumanName {
                    prefix: None,
                    given: vec![GIVEN[n % GIVEN.len()].into()],
                    family: family(n),
                },
                gender: if n % 2 == 0 { "female" } else { "male" },
                birth_date: civil::date(
                    1930 + (n % 90) as i16,
                    1 + (n % 12) as i8,
                    1 + (n % 28) as i8,
                ),
                address: Address {
                    lines: vec![format!("{} Bench Road", 1 + n % 300)],
                    city: "Leeds".into(),
                    postcode: format!("LS{} {}AB", 1 + n % 29, n % 10),
                },
                mobile: format!("07700 900{:03}", n % 1000),
                email: None,
                registered_with: org.into(),
            },
        );
        if number.is_none() {
            patient.as_object_mut().unwrap().remove("identifier");
        }
        batch.push(patient);
        let subject = json!({ "reference": format!("Patient/{id}") });
        for k in 0..10 {
            batch.push(observation(&format!("{id}-o{k}"), &subject, n, k));
        }
        for k in 0..2 {
            batch.push(json!({
                "resourceType": "Condition", "id": format!("{id}-c{k}"),
                "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" }] },
                "code": { "text": CONDITIONS[(n + k) % 3] },
                "subject": subject,
            }));
            batch.push(json!({
                "resourceType": "MedicationRequest", "id": format!("{id}-m{k}"),
                "status": "active", "intent": "order",
                "medicationCodeableConcept": { "text": MEDICINES[(n + k) % 3] },
                "subject": subject,
                "dosageInstruction": [{ "text": "As directed" }],
            }));
        }
        batch.push(json!({
            "resourceType": "AllergyIntolerance", "id": format!("{id}-a"),
            "clinicalStatus": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active" }] },
            "code": { "text": ALLERGENS[n % 3] },
            "patient": subject,
        }));
        for k in 0..3 {
            let schedule = slot % SCHEDULES;
            let start = first_slot
                .checked_add(Span::new().minutes(10 * (slot / SCHEDULES) as i64))
                .unwrap();
            let end = start.checked_add(Span::new().minutes(10)).unwrap();
            let slot_id = format!("{id}-s{k}");
            batch.push(build::slot(
                &slot_id,
                &format!("schedule-{schedule}"),
                GP,
                build::SlotStatus::Free,
                &start,
                &end,
            ));
            let parties = AppointmentParties {
                slot_id: &slot_id,
                patient_id: &id,
                practitioner_role_id: &format!("role-{schedule}"),
                location_id: location,
            };
            batch.push(build::booked_appointment(
                &format!("{id}-b{k}"),
                parties,
                GP,
                (&start, &end),
                &created,
            ));
            slot += 1;
        }
        resources += 1 + 10 + 2 + 2 + 1 + 3 * 2;
        patient_ids.push(id);
        if (n + 1) % PATIENTS_PER_TRANSACTION == 0 {
            store::insert_new_many(&mut tx, std::mem::take(&mut batch), now)
                .await
                .expect("valid resources");
            tx.commit().await.unwrap();
            tx = store::begin(db).await.unwrap();
            // Progress on stderr (the tables go to stdout): a million patients take an hour.
            if (n + 1) % 50_000 == 0 {
                eprintln!(
                    "imported {} patients in {:.0} s",
                    n + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    store::insert_new_many(&mut tx, batch, now)
        .await
        .expect("valid resources");
    tx.commit().await.unwrap();
    let slot_days = slot / SCHEDULES * 10 / (24 * 60);
    Imported {
        resources,
        patient_ids,
        with_nhs_number,
        first_day,
        slot_days,
    }
}

fn observation(id: &str, subject: &Value, n: usize, k: usize) -> Value {
    let (code, display, unit, base) = [
        ("8867-4", "Heart rate", "/min", 60.0),
        ("29463-7", "Body weight", "kg", 55.0),
        ("8310-5", "Body temperature", "Cel", 36.2),
        ("8480-6", "Systolic blood pressure", "mm[Hg]", 105.0),
        ("8462-4", "Diastolic blood pressure", "mm[Hg]", 65.0),
    ][k % 5];
    json!({
        "resourceType": "Observation", "id": id, "status": "final",
        "category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs" }] }],
        "code": { "coding": [{ "system": "http://loinc.org", "code": code, "display": display }] },
        "subject": subject,
        "effectiveDateTime": format!("20{:02}-{:02}-{:02}", 15 + k, 1 + n % 12, 1 + n % 28),
        "valueQuantity": { "value": base + (n % 30) as f64, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit },
    })
}

/// The n-th NHS number of the 999 test range, while it lasts.
fn nhs_number(n: usize) -> Option<NhsNumber> {
    // Stems with no valid check digit are skipped, so the n-th patient's number is worked out
    // from a table of valid stems rather than by arithmetic.
    static STEMS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        (999_000_000..=999_999_999)
            .filter(|stem| NhsNumber::from_stem(*stem).is_some())
            .collect()
    });
    stems.get(n).and_then(|stem| NhsNumber::from_stem(*stem))
}

const CONDITIONS: [&str; 3] = [
    "Asthma",
    "Essential hypertension",
    "Type 2 diabetes mellitus",
];
const MEDICINES: [&str; 3] = [
    "Salbutamol inhaler",
    "Ramipril 5mg capsules",
    "Metformin 500mg tablets",
];
const ALLERGENS: [&str; 3] = ["Penicillin", "Peanut", "Latex"];
const GIVEN: [&str; 8] = [
    "Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza",
];
const SYLLABLES: [&str; 30] = [
    "Ab", "Bar", "Cal", "Dor", "El", "Fen", "Gar", "Hal", "Ing", "Jor", "Kel", "Lan", "Mor", "Nor",
    "Os", "Pen", "Quin", "Ros", "Sel", "Tor", "Ul", "Ven", "Wyn", "Yar", "Zel", "Ash", "Bro",
    "Cor", "Dun", "Eck",
];

/// A family name for patient `n`: 27 000 distinct ones, so a name matches about 37 patients in
/// a million (as common surnames do in a practice's list, give or take).
fn family(n: usize) -> String {
    let s = |k: usize| SYLLABLES[k % SYLLABLES.len()];
    format!(
        "{}{}{}",
        s(n),
        s(n / 30).to_lowercase(),
        s(n / 900).to_lowercase()
    )
}

/// A spread-out pick from 0..len for the n-th request.
fn pick(n: usize, len: usize) -> usize {
    (n.wrapping_mul(2_654_435_761) >> 3) % len.max(1)
}

fn sample_patient() -> Value {
    json!({
        "resourceType": "Patient", "id": "p0000001",
        "meta": { "versionId": "1", "lastUpdated": "2026-11-22T02:00:00.000Z" },
        "identifier": [{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018" }],
        "active": true,
        "name": [{ "family": "Abbarab", "given": ["Amara"] }],
        "telecom": [{ "system": "phone", "value": "07700 900001", "use": "mobile" }],
        "gender": "female", "birthDate": "1931-02-02",
        "address": [{ "line": ["2 Bench Road"], "city": "Leeds", "postalCode": "LS2 1AB", "use": "home" }],
        "generalPractitioner": [{ "reference": "Organization/org-bench" }],
    })
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The request of each load, given a request's number.
type MakeRequest = Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>;

struct Requests {
    api: MakeRequest,
    probe: MakeRequest,
    ping: MakeRequest,
    bare: MakeRequest,
}

/// Requests per second of each load, turn by turn.
#[derive(Default)]
struct Rates {
    api: Vec<f64>,
    probe: Vec<f64>,
    ping: Vec<f64>,
    bare: Vec<f64>,
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Closed-loop load: `connections` tasks, each sending the next request as soon as the last is
/// answered, for `period`. Requests per second answered with a 2xx.
async fn load(connections: usize, period: Duration, request: MakeRequest) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // Warm up: connections open and caches fill before counting starts.
    for n in 0..connections {
        request(n).send().await.unwrap();
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|task| {
            let (request, done, stop) = (request.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = task * 1_000_003;
                while !stop.load(Ordering::Relaxed) {
                    let response = request(n).send().await.unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    response.bytes().await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(period).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / elapsed
}

/// A process the bench started, stopped when the bench lets go of it: at the end, and when a
/// run fails half-way (a failed request panics), which otherwise left the server running and
/// holding the database's connections.
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

impl std::ops::Deref for Stopped {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.0
    }
}

fn start_server(database_url: &str, port: u16, dir: &std::path::Path) -> Child {
    let site_root = dir.join("site");
    std::fs::create_dir_all(site_root.join("pkg")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", database_url)
        .env("HEALTH_BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("HEALTH_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("HEALTH_DATA_DIR", dir.join("data"))
        .env("HEALTH_LOG", "warn")
        .env("LEPTOS_SITE_ROOT", site_root)
        .stdout(Stdio::null())
        .spawn()
        .expect("the server starts")
}

async fn wait_until_up(client: &reqwest::Client, url: &str) {
    for _ in 0..600 {
        if client
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never answered");
}

async fn fetch_token(client: &reqwest::Client, base: &str, secret: &str) -> String {
    let response: Value = client
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "bench"),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Fills the audit ledger to `rows` rows: reads of random imported patients by a connected
/// system, a minute apart up to now, 5 000 to a transaction. `None` when it had as many already
/// (a reused database) or none were asked for; else how many were written, in how many seconds.
async fn fill_ledger(db: &Db, patient_ids: &[String], rows: usize) -> Option<(usize, f64)> {
    use store::ledger::{AccessEntry, AgentEntry, AgentKind, Entry};
    let have = db.ledger().rows().await.unwrap() as usize;
    if rows <= have {
        return None;
    }
    let started = Instant::now();
    let now = Timestamp::now();
    let missing = rows - have;
    for chunk in (0..missing).collect::<Vec<_>>().chunks(5_000) {
        let entries: Vec<Entry> = chunk
            .iter()
            .map(|&n| {
                let patient = format!("Patient/{}", patient_ids[pick(n, patient_ids.len())]);
                Entry::Access(Box::new(AccessEntry {
                    recorded: now.as_millisecond() - (missing - n) as i64 * 60_000,
                    interaction: "read".into(),
                    action: "R".into(),
                    outcome: "0".into(),
                    agent: AgentEntry {
                        kind: AgentKind::System,
                        reference: None,
                        identifier: Some((
                            backend::auth::audit::API_CLIENT_SYSTEM.to_owned(),
                            "bench-fill".into(),
                        )),
                        name: "Bench filler".into(),
                        role: "a connected computer system".into(),
                    },
                    on_behalf_of: None,
                    purpose: "HOPERAT".into(),
                    reason: None,
                    patients: vec![patient.clone()],
                    records: vec![patient],
                    query: None,
                    address: Some(format!("192.0.2.{}", n % 250)),
                    request_id: Some(format!("{n:032x}")),
                }))
            })
            .collect();
        db.ledger().append_all(&entries, now).await.unwrap();
    }
    Some((missing, started.elapsed().as_secs_f64()))
}

/// Writes dirty pages out and drops Linux's page cache (clean, unmapped pages), so that the next
/// reads go to the disk.
fn drop_page_cache() {
    let synced = Command::new("sync").status().is_ok_and(|s| s.success());
    let dropped = std::fs::write("/proc/sys/vm/drop_caches", "3");
    assert!(
        synced && dropped.is_ok(),
        "--cold drops the page cache, which needs root: {dropped:?}"
    );
}

/// User and system CPU time process `pid` has used so far, from Linux's /proc (seconds).
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        // It has exited since it was listed.
        return 0.0;
    };
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // Linux counts in USER_HZ, 100 a second on every architecture this runs on.
    ticks / 100.0
}

/// The CPU time of every PostgreSQL process on this machine (its backends, WAL writer and the
/// rest), in seconds; 0 when none runs here (a database on another machine).
fn postgres_cpu_seconds() -> f64 {
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    processes
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim_end() == "postgres")
        })
        .map(cpu_seconds)
        .sum()
}

/// One memory figure of `process` from Linux's /proc status (KiB): `field` is its label, such as
/// `VmHWM:` (the peak resident set) or `RssAnon:` (resident anonymous memory).
fn memory_kib(process: &Child, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", process.id())).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .trim()
        .trim_end_matches(" kB")
        .parse()
        .ok()
}

async fn database_size(db: &Db, url: &str) -> u64 {
    if let Some(path) = url.strip_prefix("sqlite://") {
        // The database file and its write-ahead log.
        let file = std::path::Path::new(path.split('?').next().unwrap());
        return files_starting(file, &file.file_name().unwrap().to_string_lossy());
    }
    let _ = db;
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())")
        .fetch_one(&pool)
        .await
        .unwrap();
    bytes as u64
}

/// The bytes of the files beside `file` whose names start with `prefix`.
fn files_starting(file: &std::path::Path, prefix: &str) -> u64 {
    std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        .filter_map(|entry| entry.metadata().ok())
        .map(|metadata| metadata.len())
        .sum()
}

/// How far the disk under a SQLite database reads ahead (PostgreSQL's files may be anywhere).
fn read_ahead_kib(url: &str) -> Option<u64> {
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    store::disk::read_ahead_kib(std::path::Path::new(path))
}

/// The audit ledger's size: on SQLite its own files (rows, keys) and logs, on PostgreSQL its
/// tables and indexes.
async fn ledger_size(url: &str) -> u64 {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = std::path::Path::new(path.split('?').next().unwrap());
        let stem = file.file_stem().unwrap().to_string_lossy();
        return files_starting(file, &format!("{stem}-audit.db"))
            + files_starting(file, &format!("{stem}-audit-keys.db"));
    }
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let (bytes,): (i64,) = sqlx::query_as(
        "SELECT (pg_total_relation_size('audit_ledger') \
         + pg_total_relation_size('audit_ledger_key_numbers'))::BIGINT",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    bytes as u64
}
