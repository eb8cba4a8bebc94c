//! A fresh, empty database for each test, so tests never see each other's data; and property
//! tests that print their seed ([`property`]); the real server binary started as an operator
//! would, alone or behind a load balancer ([`processes`]).
//!
//! The suite runs once per backend: `cargo xtask test` runs it on SQLite, then again with
//! `TEST_DATABASE_URL` pointing at the throwaway PostgreSQL server it started. Here that variable
//! picks the backend; a test never needs to know which one it got.

// A harness that cannot set up its database must stop the test with a clear message.
#![allow(clippy::expect_used)]

pub mod processes;
pub mod property;

use sqlx::{Connection as _, Executor as _, PgConnection};

/// A database for one test, gone when this value is dropped: a SQLite file with its directory,
/// or a PostgreSQL database dropped on its server, so that a developer's long-lived server does
/// not fill up with the suite's databases.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<Created>,
}

/// A PostgreSQL database this harness created, and the server URL to drop it through.
#[derive(Debug)]
struct Created {
    server_url: String,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(Created { server_url, name }) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot block on a future; a thread with a
        // runtime of its own can. FORCE ends the connections the test's pool still holds.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(async {
                    let mut admin = PgConnection::connect(&server_url).await?;
                    admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await?;
                    admin.close().await
                })
                .map_err(|e| format!("could not drop test database {name}: {e}"))
        })
        .join();
        // A database left behind is untidy, not wrong: say so rather than fail the test.
        if let Ok(Err(message)) = dropped {
            eprintln!("{message}");
        }
    }
}

/// Creates an empty database: a new PostgreSQL database on the `TEST_DATABASE_URL` server, or a
/// SQLite file in a temporary directory when that variable is unset.
pub async fn fresh_database() -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server_url) => {
            let name = format!("test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = PgConnection::connect(&server_url)
                .await
                .expect("TEST_DATABASE_URL names a PostgreSQL server that accepts connections");
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("the test user may create databases");
            let (server, _default_db) = server_url
                .rsplit_once('/')
                .expect("TEST_DATABASE_URL ends in /database");
            TestDatabase {
                url: format!("{server}/{name}"),
                _dir: None,
                postgres: Some(Created { server_url, name }),
            }
        }
        Err(_) => {
            let dir = tempfile::tempdir().expect("a temporary directory");
            // `mode=rwc`: the first connection creates the file, as the server's own does.
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            TestDatabase {
                url,
                _dir: Some(dir),
                postgres: None,
            }
        }
    }
}
