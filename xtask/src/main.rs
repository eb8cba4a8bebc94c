//! `cargo xtask …`: the project's own commands, in Rust so that they run the same everywhere.
//!
//! - `run`: install what is missing, build in release mode and serve http://127.0.0.1:3000 with
//!   demo data (SQLite in `./data`).
//! - `test`: install what is missing, then every check CI runs: format, lints (server and WASM
//!   builds), Rust tests, and the Playwright journeys in Chromium.
//! - `seed`: fill an empty database with the demo data.
//! - `site`: build the bundle (`target/site`) that the debug server and the end-to-end tests
//!   load, e.g. before `npx playwright test` by hand.
//! - `bench [patients]`: the FHIR store and API benchmark on SQLite, then on a throwaway
//!   PostgreSQL (default 100 000 patients).
//! - `lighthouse`: the patient pages' (and the clinicians' record page's) weight (brotli) and
//!   Lighthouse mobile scores, on the release build; fails when a page misses its budget.
//! - `fhir-definitions`: regenerate the FHIR R4 definitions the server works from.

// A command-line tool reports to its user on stdout.
#![allow(clippy::print_stdout)]

mod cmd;
mod fhir_definitions;
mod site;
#[cfg(test)]
mod tidy;
mod tools;

use std::{path::Path, process::ExitCode};

use cmd::{Cmd, project_root};
use throwaway_postgres::{Durability, ThrowawayPostgres};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("seed") => seed(),
        Some("site") => site(),
        Some("verify-audit") => verify_audit(),
        Some("bench") => bench(args.get(1).map_or("100000", String::as_str)),
        Some("lighthouse") => lighthouse(),
        Some("fhir-definitions") => fhir_definitions::write(),
        _ => Err(
            "usage: cargo xtask <run | test | seed | site | verify-audit | bench [patients] | lighthouse | fhir-definitions>\n  run         build and serve the app with demo data\n  test        every check CI runs\n  seed        fill an empty database with demo data\n  site        build the bundle the debug server and the end-to-end tests load (target/site)\n  verify-audit  check the audit ledger's hash chain\n  bench       import N synthetic patients and measure the FHIR API, on SQLite and PostgreSQL\n  lighthouse  page weight and Lighthouse mobile scores against their budgets (release build)\n  fhir-definitions  regenerate crates/fhir/src/definitions/r4.json from the official FHIR package".into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

fn run() -> Result {
    let started = std::time::Instant::now();
    build_release()?;
    // The first start on a fresh machine is a promise of the README: print what it took.
    println!(
        "\nBuilt in {:.0?}; serving http://127.0.0.1:3000 (Ctrl-C stops it)…",
        started.elapsed()
    );
    Cmd::new(
        &project_root()
            .join("target/release/server")
            .to_string_lossy(),
        &[],
    )
    .envs(tools::leptos_envs())
    .env("LEPTOS_SITE_ROOT", RELEASE_SITE_ROOT)
    .env_default("HEALTH_DEMO_MODE", "true")
    .run()
}

/// The bundle the debug server loads, e.g. before running one Playwright spec by hand.
fn site() -> Result {
    tools::ensure_build_tools()?;
    site::build(
        site::Profile::Debug,
        DEBUG_SITE_ROOT,
        tools::leptos_envs(),
        None,
    )
}

/// Where the debug server looks for its bundle (`LEPTOS_SITE_ROOT` in `tools::leptos_envs`).
const DEBUG_SITE_ROOT: &str = "target/site";

/// The release build's own site root, so that the debug build the tests use keeps its bundle.
const RELEASE_SITE_ROOT: &str = "target/site-release";

/// The server in release mode and, at the same time, the tools the bundle needs and the
/// precompressed bundle itself. On a fresh machine the server's build is the long pole and leaves a
/// core idle through its serial stretches (the biggest crates, the link), which installing
/// wasm-bindgen-cli and building the WASM fill. Their output interleaves, line by line.
fn build_release() -> Result {
    std::thread::scope(|scope| {
        let bundle = scope.spawn(|| {
            tools::ensure_build_tools()?;
            site::build(
                site::Profile::Release,
                RELEASE_SITE_ROOT,
                tools::leptos_envs(),
                None,
            )
        });
        let server = Cmd::new("cargo", &["build", "--release", "--package", "server"])
            .envs(tools::leptos_envs())
            .env("LEPTOS_SITE_ROOT", RELEASE_SITE_ROOT)
            .run();
        let bundle = bundle
            .join()
            .unwrap_or_else(|_| Err("the bundle's build panicked".to_owned()));
        server.and(bundle)
    })
}

/// The release build as `run` makes it (its own site root, precompressed bundle), measured by
/// `end2end/lighthouse/measure.mjs` in Debian's Chromium; it prints its own tables and fails when
/// a page misses its budget.
fn lighthouse() -> Result {
    tools::ensure_test_tools()?;
    let dir = project_root().join("end2end/lighthouse");
    tools::npm_install(&dir, &["lighthouse", "node"])?;
    build_release()?;
    let root = project_root();
    let node = dir.join("node_modules/.bin/node");
    let server = root.join("target/release/server");
    Cmd::new(
        &node.to_string_lossy(),
        &[
            "measure.mjs",
            &server.to_string_lossy(),
            &root.join(RELEASE_SITE_ROOT).to_string_lossy(),
        ],
    )
    .dir(dir)
    .env("CHROME_PATH", "/usr/bin/chromium")
    .run()
}

/// The benchmark (`server/benches/fhir.rs`) on each backend in turn, then the booking race
/// through a load balancer on PostgreSQL; they print their own tables.
fn bench(patients: &str) -> Result {
    if patients.parse::<u32>().is_err() {
        return Err(format!("bench takes a number of patients, not {patients}"));
    }
    tools::ensure_test_tools()?;
    let run = |database_url: Option<String>| {
        let command = Cmd::new(
            "cargo",
            &[
                "bench",
                "-p",
                "server",
                "--bench",
                "fhir",
                "--",
                "--patients",
                patients,
            ],
        )
        .envs(tools::leptos_envs());
        match database_url {
            Some(url) => command.env("BENCH_DATABASE_URL", &url).run(),
            None => command.run(),
        }
    };
    run(None)?;
    let postgres = ThrowawayPostgres::start(Durability::Product)?;
    run(Some(postgres.create_database("bench")?))?;
    // Several processes behind a load balancer: the booking race (`server/benches/booking_race.rs`).
    Cmd::new(
        "cargo",
        &["bench", "-p", "server", "--bench", "booking_race"],
    )
    .envs(tools::leptos_envs())
    .env(
        "BENCH_DATABASE_URL",
        &postgres.create_database("booking_race")?,
    )
    .run()
}

fn seed() -> Result {
    Cmd::new("cargo", &["run", "--package", "server", "--", "seed"])
        .envs(tools::leptos_envs())
        .run()
}

fn verify_audit() -> Result {
    Cmd::new(
        "cargo",
        &["run", "--package", "server", "--", "verify-audit"],
    )
    .envs(tools::leptos_envs())
    .run()
}

fn test() -> Result {
    let started = std::time::Instant::now();
    tools::ensure_build_tools()?;
    tools::ensure_test_tools()?;

    step("format", || {
        Cmd::new("cargo", &["fmt", "--all", "--check"]).run()
    })?;
    // One build, linted as it compiles (clippy's driver wraps rustc for the workspace's own
    // crates, as `cargo clippy` does for a check): the lints of `cargo clippy --all-targets` and
    // of the wasm32 hydrate build without compiling everything a second time to check it.
    // The two builds share no crate (other targets, other profiles, the WASM its own target dir):
    // side by side, the WASM's fills the core the server's leaves idle while it links.
    side_by_side(
        (
            "lint and build the server, its tests, benches and tools",
            &|log: &Path| {
                Cmd::new("cargo", &["test", "--all-targets", "--no-run"])
                    .envs(tools::linted_build_envs())
                    .run_logged(log)
            },
        ),
        (
            "lint and build the site for end-to-end tests",
            &|log: &Path| {
                // Only the WASM and the styles: the server is the other step's binary.
                site::build(
                    site::Profile::Debug,
                    DEBUG_SITE_ROOT,
                    tools::linted_build_envs(),
                    Some(log),
                )
            },
        ),
    )?;
    // Every suite runs twice: on SQLite (the embedded default) and on PostgreSQL (the scale-out
    // backend), against a throwaway server started here and removed at the end.
    let postgres = step("start a throwaway PostgreSQL", || {
        ThrowawayPostgres::start(Durability::Off)
    })?;
    // The scale-out tests start their own PostgreSQL (SQLite is one process by design): once,
    // in the PostgreSQL run, is enough. The same environment as the build, so nothing is rebuilt.
    step("Rust tests on SQLite", || {
        Cmd::new("cargo", &["test", "--", "--skip", "scale_out::"])
            .envs(tools::linted_build_envs())
            .run()
    })?;
    // The disk-full test fills a SQLite data dir of its own: once, in the SQLite run.
    step("Rust tests on PostgreSQL", || {
        Cmd::new("cargo", &["test", "--", "--skip", "disk_full::"])
            .envs(tools::linted_build_envs())
            .env("TEST_DATABASE_URL", &postgres.url())
            .run()
    })?;
    // Node's test runner runs the files one at a time on a two-core machine, and each is a
    // client and one server: a core each. The two backends' runs side by side use both.
    let interop_database = postgres.create_database("interop")?;
    side_by_side(
        (
            "official FHIR examples and validators on SQLite",
            &|log: &Path| interop(None, log),
        ),
        (
            "official FHIR examples and validators on PostgreSQL",
            &|log: &Path| interop(Some(&interop_database), log),
        ),
    )?;
    step("end-to-end tests in Chromium on SQLite", || {
        playwright(None)
    })?;
    step(
        "end-to-end tests in Chromium on PostgreSQL, three processes behind HAProxy",
        || playwright(Some(postgres.create_database("end_to_end")?)),
    )?;
    println!("\nxtask: every check passed in {:.0?}", started.elapsed());
    Ok(())
}

/// The interoperability suite (Node's test runner, Node 22 from npm) against the debug server,
/// its output in `log`.
fn interop(database_url: Option<&str>, log: &Path) -> Result {
    let dir = project_root().join("interop");
    let node = dir
        .join("node_modules/.bin/node")
        .to_string_lossy()
        .into_owned();
    let command = Cmd::new(
        &node,
        &[
            "--test",
            "--test-reporter=spec",
            "tests/examples.test.mjs",
            "tests/booking.test.mjs",
            "tests/clients.test.mjs",
            "tests/fuzz.test.mjs",
        ],
    )
    .dir(dir);
    match database_url {
        Some(url) => command.env("INTEROP_DATABASE_URL", url).run_logged(log),
        None => command.run_logged(log),
    }
}

/// The Playwright suite against the debug server: every journey in all four settings on a fresh
/// SQLite file, then every journey on `database_url` in two of them, one with JavaScript and one
/// without. The server receives the same form posts with or without JavaScript (only the islands
/// differ) and whatever the screen's width, so the other two would repeat on PostgreSQL what
/// SQLite has just shown.
///
/// On PostgreSQL the server is three processes behind HAProxy, as a practice that outgrows one
/// process runs it: every journey, the booking race among them, crosses processes.
fn playwright(database_url: Option<String>) -> Result {
    let end2end = project_root().join("end2end");
    match database_url {
        None => Cmd::new("npx", &["playwright", "test"]),
        Some(url) => Cmd::new(
            "npx",
            &[
                "playwright",
                "test",
                "--project=phone-js",
                "--project=laptop-no-js",
            ],
        )
        .env("E2E_DATABASE_URL", &url)
        .env("E2E_PROCESSES", "3"),
    }
    .dir(end2end)
    .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    .run()
}

/// Two steps at once, each writing to a log of its own under `target/xtask-logs`; each log is
/// printed whole, in turn, when both have finished, so the output reads as if they ran one after
/// the other. Both run to the end even if one fails.
type LoggedStep<'a> = (&'a str, &'a (dyn Fn(&Path) -> Result + Sync));

fn side_by_side<'a>(first: LoggedStep<'a>, second: LoggedStep<'a>) -> Result {
    let logs = project_root().join("target/xtask-logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    println!("\n==> side by side: {} | {}", first.0, second.0);
    let run = |(name, f): LoggedStep<'a>, n: usize| {
        let log = logs.join(format!("step-{n}.log"));
        // Commands append to the log: start it empty.
        let _ = std::fs::remove_file(&log);
        let started = std::time::Instant::now();
        let result = f(&log);
        (name, log, result, started.elapsed())
    };
    let outcomes = std::thread::scope(|scope| {
        let a = scope.spawn(|| run(first, 1));
        let b = scope.spawn(|| run(second, 2));
        [a.join(), b.join()]
    });
    let mut failures = Vec::new();
    for outcome in outcomes {
        let (name, log, result, took) = outcome.map_err(|_| "a step panicked".to_owned())?;
        println!("\n==> {name}");
        print!("{}", std::fs::read_to_string(&log).unwrap_or_default());
        match result {
            Ok(()) => println!("==> {name}: ok in {took:.0?}"),
            Err(e) => failures.push(format!("{name} failed: {e}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n==> {name}");
    let started = std::time::Instant::now();
    let value = f().map_err(|e| format!("{name} failed: {e}"))?;
    println!("==> {name}: ok in {:.0?}", started.elapsed());
    Ok(value)
}
