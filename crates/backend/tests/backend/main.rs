//! Integration tests of the backend against a real database: SQLite, or PostgreSQL when the test
//! command provides one (see `test-support`).

// A failed expectation in a test helper is a failed test with a message, which is what we want.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod appointments;
mod audit;
mod booking;
mod clinic;
mod diaries;
mod kept_forms;
mod patient_search;
mod practice;
mod practice_setup;
mod prescriptions;
mod record_writes;

use backend::Db;

/// A migrated, empty database of the backend under test.
pub async fn empty_db() -> (Db, test_support::TestDatabase) {
    let database = test_support::fresh_database().await;
    let db = backend::open_database(&database.url)
        .await
        .expect("the test database opens");
    db.migrate().await.expect("migrations apply");
    (db, database)
}
