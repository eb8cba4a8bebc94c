//! SQLite's write-ahead logs (the record's and the audit ledger's): how large they may grow, and
//! the task that copies them back into their database files off the request path.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use sqlx::AnyPool;

/// After how many pages in SQLite's write-ahead log the commit that adds them copies the log back
/// itself (SQLite's default is 1 000). The checkpoint task copies it every second; it cannot keep
/// up with writes back to back (an import, the seed, a busy stretch of bookings), since
/// SQLite starts the log afresh only when a writer finds all of it copied, and with the task
/// alone the log grew to 310 MB in this module's test, 182 MB beside a 164 MB database in the
/// bench at 5 000 patients. 10 000 pages (40 MB) is about three seconds of the bench's busiest
/// audited reading (when its audit rows were written here), so the task still takes almost every
/// checkpoint off the request path.
pub(crate) const AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// The size the write-ahead log file is cut back to when SQLite starts it afresh; without it the
/// file keeps the largest size it ever reached.
pub(crate) const SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// The statements that put [`AUTOCHECKPOINT_PAGES`] and [`SIZE_LIMIT_BYTES`] on a connection:
/// the record's pool, the ledger's, and the ledger's writer thread all take these.
pub(crate) fn limit_pragmas() -> [String; 2] {
    [
        format!("PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}"),
        format!("PRAGMA journal_size_limit = {SIZE_LIMIT_BYTES}"),
    ]
}

/// How often SQLite's write-ahead log is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies SQLite's write-ahead log back into the database file every second, on a task of its
/// own, until every clone of the returned handle is gone. SQLite's default does it inside the
/// commit that fills the log past 1 000 pages, so about one request in a hundred (when each
/// audited read committed its AuditEvent here) waited for a thousand page writes and a sync of
/// the database file: the bench's searches had a tail of 5 ms over a median of 0.6 ms at 5 000 patients. A
/// passive checkpoint neither waits for nor blocks readers and writers. Under writes back to back
/// it falls behind, and SQLite's own checkpoint takes over ([`AUTOCHECKPOINT_PAGES`]).
pub(crate) fn checkpoint_in_background(pool: &AnyPool) -> Arc<()> {
    let alive = Arc::new(());
    let handle: Weak<()> = Arc::downgrade(&alive);
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if handle.strong_count() == 0 {
                break;
            }
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                // Busy or locked (a connection of this process is changing the schema, as
                // migrations do at first start): the next second's checkpoint copies it all.
                let transient = error
                    .as_database_error()
                    .and_then(|error| error.code())
                    // SQLite's extended codes keep the primary one in their low byte.
                    .and_then(|code| code.parse::<i32>().ok())
                    .is_some_and(|code| matches!(code & 0xff, 5 | 6));
                if transient {
                    tracing::debug!(%error, "the write-ahead log is checkpointed next time");
                } else {
                    tracing::warn!(%error, "the write-ahead log could not be checkpointed");
                }
            }
        }
    });
    alive
}
