//! Integration tests of the record store against a real database: SQLite, or PostgreSQL when the
//! test command provides one (see `test-support`). The store is opened without the service's
//! booking rule, which `backend`'s tests cover.

// A failed expectation in a test helper is a failed test with a message, which is what we want.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod changes;
mod ledger;
mod notifications;
mod resources;

use store::Db;

/// A migrated, empty database.
pub async fn empty_db() -> (Db, test_support::TestDatabase) {
    let database = test_support::fresh_database().await;
    let db = Db::connect(&database.url, None)
        .await
        .expect("the test database opens");
    db.migrate().await.expect("migrations apply");
    (db, database)
}
