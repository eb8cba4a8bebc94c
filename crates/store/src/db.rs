//! The one database pool of the process ([`Db`]), behind which the record and the working state
//! are kept; [`crate::open`] opens and migrates it.
//!
//! One code path serves both backends through sqlx's `Any` driver: SQLite (the embedded default,
//! a file, one process) and PostgreSQL (any number of stateless servers behind a load balancer).
//! SQL written for it uses `$1, $2, …` placeholders, numbered in order of first appearance (SQLite
//! numbers named parameters that way), and only types both databases share: TEXT, BIGINT.
//!
//! `Any` rather than sqlx's native `SqlitePool`: measured on the bench's database (32 tasks, 8
//! connections, one read by id each), `Any` gave 37 633 then 27 281 reads/s and `SqlitePool`
//! 35 940 then 35 118, no consistent gain for two code paths. What bounds a read is the hand-off
//! to the connection's worker thread, which both share: so on SQLite the two hottest paths, reads
//! by id and the audit ledger's writer, go without sqlx (`crate::inline_reads`).

use std::{sync::Arc, time::Duration};

use sqlx::AnyPool;
use tokio::sync::Semaphore;

use crate::{
    changes::{Change, ChangeFeed},
    error::StoreError,
    ledger::Ledger,
    reads_by_id::ReadsById,
    rule::ExclusiveHold,
    state::WorkingState,
    transaction::Transaction,
};

pub use crate::database::Backend;

/// A handle to the database; cheap to clone: one shared reference, since every request's
/// handler takes its own (measured under read load, cloning and dropping the parts one by one
/// was 1 % of the server's CPU).
#[derive(Clone, Debug)]
pub struct Db(Arc<Parts>);

/// What a [`Db`] shares: public only as the target of its `Deref`, every field is the crate's.
#[derive(Debug)]
pub struct Parts {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Reads by id (see [`crate::reads_by_id`]).
    pub(crate) reads: ReadsById,
    /// The audit ledger (on SQLite a database of its own).
    pub(crate) ledger: Ledger,
    /// The rule every write keeps (see [`ExclusiveHold`]).
    pub(crate) rule: Option<&'static ExclusiveHold>,
    /// The same pool, behind the working state's own interface.
    pub(crate) state: WorkingState,
    /// Announcements of committed writes (see [`crate::changes`]).
    pub(crate) changes: Arc<ChangeFeed>,
    /// SQLite only: while any clone holds this, a task checkpoints the write-ahead log
    /// (`crate::open`).
    pub(crate) _checkpoints: Option<Arc<()>>,
    /// SQLite only: the record's write transactions of this process take turns (see
    /// [`Db::begin`]).
    pub(crate) write_turns: Option<Arc<Semaphore>>,
}

/// How long a write transaction waits for its turn on SQLite, at most: as long as SQLite's own
/// busy timeout lets a statement wait for the write lock, twice over, since the queue is fair and
/// a turn comes; well within a request's deadline (15 s by default).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

impl Db {
    pub(crate) fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for Db {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl Db {
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

    /// Hears of every write committed from now on, by any server process (see
    /// [`crate::changes`]).
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// How commits are made durable, as the database reports it: SQLite's `synchronous`
    /// (2 = FULL) or PostgreSQL's `synchronous_commit` and `fsync`. For the bench's report.
    pub async fn durability(&self) -> Result<String, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                    .fetch_one(&self.pool)
                    .await?;
                let name = match level {
                    0 => "OFF",
                    1 => "NORMAL",
                    2 => "FULL",
                    _ => "EXTRA",
                };
                format!("SQLite synchronous = {name}")
            }
            Backend::Postgres => {
                let (commit,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                    .fetch_one(&self.pool)
                    .await?;
                let (fsync,): (String,) =
                    sqlx::query_as("SHOW fsync").fetch_one(&self.pool).await?;
                format!("PostgreSQL synchronous_commit = {commit}, fsync = {fsync}")
            }
        })
    }

    /// Whether the database holds nothing yet: no schema of this service, or anyone else's
    /// (PostgreSQL: no table in its `public` schema; SQLite: no table at all).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'",
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
            }
        };
        let (tables,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
        Ok(tables == 0)
    }

    /// Whether the database answers at all (for readiness probes).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Begins a write transaction; its writes keep the database's rule.
    ///
    /// On SQLite, where one writer at a time holds the file's write lock, the transactions first
    /// take turns, in the order they asked, before each takes a connection. Without turns, a
    /// transaction waiting for the lock held one of the pool's 8 connections while it waited,
    /// and the writer may need one more for its reads: 8 requests for one repeat prescription at
    /// once held all 8, and the writer waited until SQLite's busy timeout failed someone ("database
    /// is locked", 1 run in 4 of the backend tests).
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        let turn = match &self.write_turns {
            Some(turns) => {
                let turn = tokio::time::timeout(WRITE_TURN_TIMEOUT, turns.clone().acquire_owned());
                // The semaphore is never closed; a wait that long means the writer is stuck.
                Some(
                    turn.await
                        .ok()
                        .and_then(Result::ok)
                        .ok_or(StoreError::WriterBusy)?,
                )
            }
            None => None,
        };
        Ok(Transaction::new(
            self.pool.begin().await?,
            self.rule,
            self.changes.clone(),
            turn,
        ))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The service's working state, kept in the same database (see [`crate::state`]).
    pub fn state(&self) -> &WorkingState {
        &self.state
    }

    /// The audit ledger: every access to patient data, appended and chained (see
    /// [`crate::ledger`]).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
}
