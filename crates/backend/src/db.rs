//! The one database pool of the process, and how it is opened and migrated.
//!
//! One code path serves both backends through sqlx's `Any` driver: SQLite (the embedded default,
//! a file, one process) and PostgreSQL (any number of stateless servers behind a load balancer).
//! SQL written for it uses `$1, $2, …` placeholders, numbered in order of first appearance (SQLite
//! numbers named parameters that way), and only types both databases share: TEXT, BIGINT.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use sqlx::{
    AnyPool, Executor as _,
    any::{AnyPoolOptions, install_default_drivers},
};

use crate::{StoreError, audit_writer::AuditQueue};

/// Which database a [`Db`] talks to, where their SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone (it is a pool).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// AuditEvents go through here, batched (see `audit_writer`).
    audit: AuditQueue,
    /// SQLite only: while any clone holds this, a task checkpoints the write-ahead log
    /// (`checkpoint_in_background`).
    _checkpoints: Option<Arc<()>>,
}

impl Db {
    /// Opens the database at `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://user@host:port/database`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        install_default_drivers(); // Idempotent.

        let (backend, url) = if url.starts_with("sqlite:") {
            // `mode=rwc` creates the file on first start.
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::UnsupportedDatabase);
        };
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5));
        let options = match backend {
            Backend::Sqlite => options.after_connect(|connection, _| {
                Box::pin(async move {
                    // WAL lets page renders read while a booking writes; the busy timeout makes a
                    // writer wait for another instead of failing at once. Reading through a
                    // memory map: every write (each audited read is one) empties the other
                    // connections' page caches, which then read pages back with a system call
                    // each; mapped, they are found in the operating system's cache directly.
                    // Checkpoints are mostly left to a task of their own
                    // (`checkpoint_in_background`); SQLite's own, in the commit that takes the
                    // log past `WAL_AUTOCHECKPOINT_PAGES`, is the backstop that bounds the log
                    // under writes back to back, which the task cannot keep up with.
                    connection
                        .execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                                 PRAGMA mmap_size = 1073741824; \
                                 PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}; \
                                 PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES};"
                            )
                            .as_str(),
                        )
                        .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options.connect(&url).await?;
        let audit = AuditQueue::start(pool.clone());
        let checkpoints = (backend == Backend::Sqlite).then(|| checkpoint_in_background(&pool));
        Ok(Self {
            pool,
            backend,
            audit,
            _checkpoints: checkpoints,
        })
    }

    /// Brings the schema up to date, and the search index with it (rebuilt when the search
    /// definitions changed since it was built). Safe to run on every start, from every process at
    /// once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let applied_before = self.applied_migrations().await;
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("../../migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("../../migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        let migrated = self.applied_migrations().await != applied_before;
        // A migration may write many rows (0014 adds a name pair for every patient): without
        // `VACUUM` PostgreSQL reads the table for each of them that a search meets, until its
        // autovacuum daemon gets round to a table that large (measured at a million patients:
        // 1 217 pages, 86 ms, for one "find a patient" straight after the upgrade).
        if crate::search::ensure_index(self).await? || migrated {
            self.refresh_statistics().await?;
        }
        Ok(())
    }

    /// How many migrations this database has had: none before its first start, when the
    /// migrations' own table does not exist yet.
    async fn applied_migrations(&self) -> i64 {
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await
            .map_or(0, |(count,)| count)
    }

    /// Brings the query planner's statistics up to date after a bulk write (seeding, an index
    /// rebuild, a migration). PostgreSQL plans from them, and until its autovacuum daemon gets
    /// round to new rows (minutes later, or not before the first visitors) it takes the tables for
    /// empty and joins the search index quadratically: measured, the booking page's slot search took 7.6 s
    /// on the freshly seeded demo data, 0.1 s after `ANALYZE`. `VACUUM` with it marks the new
    /// rows visible to all, so that searches read the search index alone (an index-only scan)
    /// instead of visiting the table for each row: Slot by day at 5 000 patients, p50 17 ms
    /// before. SQLite plans without statistics here, and reads indexes alone anyway.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("VACUUM (ANALYZE)").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// When a record of `resource_type` last changed, written by any process: a marker to watch
    /// for changes by (`None` while there is no such record).
    pub async fn last_change(
        &self,
        resource_type: fhir::ResourceType,
    ) -> Result<Option<String>, StoreError> {
        let (newest,): (Option<String>,) =
            sqlx::query_as("SELECT MAX(last_updated) FROM resources WHERE resource_type = $1")
                .bind(resource_type.as_str())
                .fetch_one(&self.pool)
                .await?;
        Ok(newest)
    }

    /// Whether the database answers at all (for readiness probes).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn audit_queue(&self) -> &AuditQueue {
        &self.audit
    }
}

/// After how many pages in SQLite's write-ahead log the commit that adds them copies the log back
/// itself (SQLite's default is 1 000). The checkpoint task copies it every second; it cannot keep
/// up with writes back to back (an import, the seed, a busy stretch of audited reads), since
/// SQLite starts the log afresh only when a writer finds all of it copied, and with the task
/// alone the log grew to 310 MB in this module's test, 182 MB beside a 164 MB database in the
/// bench at 5 000 patients. 10 000 pages (40 MB) is about three seconds of the bench's busiest
/// audited reading, so the task still takes almost every checkpoint off the request path.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// The size the write-ahead log file is cut back to when SQLite starts it afresh; without it the
/// file keeps the largest size it ever reached.
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// How often SQLite's write-ahead log is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies SQLite's write-ahead log back into the database file every second, on a task of its
/// own, until every clone of the returned handle is gone. SQLite's default does it inside the
/// commit that fills the log past 1 000 pages, so about one request in a hundred (each audited
/// read commits its AuditEvent) waited for a thousand page writes and a sync of the database
/// file: the bench's searches had a tail of 5 ms over a median of 0.6 ms at 5 000 patients. A
/// passive checkpoint neither waits for nor blocks readers and writers. Under writes back to back
/// it falls behind, and SQLite's own checkpoint takes over (`WAL_AUTOCHECKPOINT_PAGES`).
fn checkpoint_in_background(pool: &AnyPool) -> Arc<()> {
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
                tracing::warn!(%error, "the write-ahead log could not be checkpointed");
            }
        }
    });
    alive
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    /// Sustained writes (an import, the seed, a busy stretch of audited reads) must not grow the
    /// write-ahead log without bound: it is disk the hospital's IT team did not plan for, and every
    /// reader searches it. Each transaction here rewrites about a megabyte, back to back, while
    /// another connection keeps reading, for several times the log's size limit in all.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_write_ahead_log_stays_bounded_under_sustained_writes() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("wal.db");
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("the database opens");
        sqlx::query("CREATE TABLE scratch (id BIGINT PRIMARY KEY, body TEXT NOT NULL)")
            .execute(db.pool())
            .await
            .unwrap();
        // A thousand rows of about a kilobyte each: a megabyte of pages per rewrite.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
             INSERT INTO scratch SELECT i, hex(randomblob(500)) FROM n",
        )
        .execute(db.pool())
        .await
        .unwrap();

        let reading = tokio::spawn({
            let pool = db.pool().clone();
            async move {
                loop {
                    let (_count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM scratch")
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                    tokio::task::yield_now().await;
                }
            }
        });
        let log = dir.path().join("wal.db-wal");
        let mut largest = 0;
        for _ in 0..300 {
            sqlx::query("UPDATE scratch SET body = hex(randomblob(500))")
                .execute(db.pool())
                .await
                .unwrap();
            largest = largest.max(std::fs::metadata(&log).map_or(0, |file| file.len()));
        }
        reading.abort();

        let limit = WAL_SIZE_LIMIT_BYTES + 4 * 1024 * 1024;
        assert!(
            largest <= limit,
            "the write-ahead log grew to {largest} bytes (limit {limit}) over 300 MB of writes"
        );
    }
}
