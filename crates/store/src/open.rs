//! Opening the database ([`Db::connect`]: the pool, SQLite's settings and its checkpoint task,
//! the audit ledger) and bringing its schema and search index up to date ([`Db::migrate`]).

use std::{sync::Arc, time::Duration};

use sqlx::{
    Executor as _,
    any::{AnyPoolOptions, install_default_drivers},
};
use tokio::sync::Semaphore;

use crate::{
    changes::ChangeFeed,
    db::{Backend, Db, Parts},
    error::StoreError,
    gathered_reads::GatheredReads,
    index,
    inline_reads::InlineReads,
    ledger::Ledger,
    reads_by_id::ReadsById,
    rule::ExclusiveHold,
    state::WorkingState,
    wal,
};

impl Db {
    /// Opens the database at `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://user@host:port/database`. Every write through it keeps `rule`, given by the
    /// service above (`backend::booking::RULE`; `None` only for a store with no such rule).
    pub async fn connect(
        url: &str,
        rule: Option<&'static ExclusiveHold>,
    ) -> Result<Self, StoreError> {
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
        // No ping on every acquire (sqlx's default): a round trip before each statement on
        // PostgreSQL. sqlx still checks each connection as it goes back to the pool (off the
        // request's path) and closes one that has died; a connection that died while idle
        // fails one statement instead of being replaced first.
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .test_before_acquire(false);
        let options = match backend {
            Backend::Sqlite => options.after_connect(|connection, _| {
                Box::pin(async move {
                    // WAL lets page renders read while a booking writes; the busy timeout makes a
                    // writer wait for another instead of failing at once. Reading through a
                    // memory map: every write empties the other
                    // connections' page caches, which then read pages back with a system call
                    // each; mapped, they are found in the operating system's cache directly.
                    // Checkpoints are mostly left to a task of their own
                    // (`checkpoint_in_background`); SQLite's own, in the commit that takes the
                    // log past `wal::AUTOCHECKPOINT_PAGES`, is the backstop that bounds the log
                    // under writes back to back, which the task cannot keep up with.
                    // `synchronous = FULL`: every commit syncs the log, so an acknowledged write
                    // survives a power cut too (NORMAL may roll the last ones back). Audited
                    // reads write to the audit ledger's own file, not here.
                    connection
                        .execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                                 PRAGMA mmap_size = 1073741824; {};",
                                wal::limit_pragmas().join("; "),
                            )
                            .as_str(),
                        )
                        .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options.after_connect(|connection, _| {
                Box::pin(async move {
                    // A server configured with `synchronous_commit = off` acknowledges commits
                    // it may lose in a crash; this service acknowledges bookings and audit
                    // records, so such connections are raised to `on`. Stronger settings
                    // (`remote_write`, `remote_apply`) are kept.
                    let (setting,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                        .fetch_one(&mut *connection)
                        .await?;
                    if setting == "off" {
                        connection.execute("SET synchronous_commit = on").await?;
                    }
                    Ok(())
                })
            }),
        };
        let pool = options.connect(&url).await?;
        let ledger = Ledger::open(backend, &url, &pool).await?;
        let checkpoints =
            (backend == Backend::Sqlite).then(|| wal::checkpoint_in_background(&pool));
        let inline = match backend {
            Backend::Sqlite => InlineReads::for_url(&url)?,
            _ => None,
        };
        let reads = match (backend, inline) {
            (_, Some(inline)) => ReadsById::Inline(Arc::new(inline)),
            (Backend::Postgres, None) => ReadsById::Gathered(GatheredReads::connect(&url).await?),
            (Backend::Sqlite, None) => ReadsById::Pooled(pool.clone()),
        };
        Ok(Self::new(Parts {
            changes: ChangeFeed::new(backend, pool.clone(), &url),
            state: WorkingState::new(pool.clone(), backend),
            reads,
            pool,
            backend,
            ledger,
            rule,
            _checkpoints: checkpoints,
            write_turns: (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1))),
        }))
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
        self.ledger.migrate(&self.pool).await?;
        // A migration may write many rows (0014 adds a name pair for every patient): without
        // `VACUUM` PostgreSQL reads the table for each of them that a search meets, until its
        // autovacuum daemon gets round to a table that large (measured at a million patients:
        // 1 217 pages, 86 ms, for one "find a patient" straight after the upgrade).
        if index::ensure_index(self).await? || migrated {
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
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used)]

    use super::*;

    /// Sustained writes (an import, the seed, a busy stretch of bookings) must not grow the
    /// write-ahead log without bound: it is disk the hospital's IT team did not plan for, and every
    /// reader searches it. Each transaction here rewrites about a megabyte, back to back, while
    /// another connection keeps reading, for several times the log's size limit in all.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_write_ahead_log_stays_bounded_under_sustained_writes() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("wal.db");
        let db = Db::connect(&format!("sqlite://{}", path.display()), None)
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

        let limit = wal::SIZE_LIMIT_BYTES + 4 * 1024 * 1024;
        assert!(
            largest <= limit,
            "the write-ahead log grew to {largest} bytes (limit {limit}) over 300 MB of writes"
        );
    }
}
