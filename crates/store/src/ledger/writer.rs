//! Group commit: every request that touches patient data hands its entry to one writer per
//! process and waits until it is committed (no audit, no data), but the entries of concurrent
//! requests share one transaction, and one sync, instead of queueing for the write lock one by
//! one.
//!
//! How durable a batch is before its requests hear back follows from what it holds: a batch with
//! a change in it (a booking's, a record entry's row) survives a power cut — SQLite
//! `synchronous = FULL`, PostgreSQL's own `synchronous_commit` (`on`, see `crate::open`); a batch
//! of reads' rows survives a crash of the server process, without waiting for the disk — a
//! committed frame in SQLite's write-ahead log (`NORMAL`), a commit PostgreSQL holds in its own
//! memory (`SET LOCAL synchronous_commit = off`). Measured here one `fdatasync` takes 3–7 ms: a
//! sync for every batch of reads would cap the reads of a busy server.
//!
//! Here is the queue and what the writers share; the writers themselves are a thread owning its
//! connection on SQLite (`super::sqlite_writer`) and a task sending one statement a batch on
//! PostgreSQL (`super::postgres_writer`). Appends from outside the queue (a move of old
//! AuditEvents, an import) take the same way: on SQLite [`append_pooled`], on PostgreSQL the
//! same statement.

use jiff::Timestamp;
use sqlx::{Any, AnyConnection, AnyPool, Executor as _};
use tokio::sync::{mpsc, oneshot};

use super::{chain, entry::Entry};
use crate::{
    error::{StoreError, WriteError},
    transaction::placeholders_for,
};

/// The most entries written in one transaction.
pub(super) const BATCH: usize = 256;

/// Where an entry went: its sequence number (its AuditEvent's id) and when it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub seq: i64,
    /// Milliseconds since the epoch.
    pub logged: i64,
}

/// An entry waiting for its batch, with the way back to the request that waits for it.
pub(super) struct Pending {
    pub(super) entry: Entry,
    pub(super) now: Timestamp,
    pub(super) done: oneshot::Sender<Result<Appended, WriteError>>,
}

/// The sending end, held by every clone of the ledger; the writer task stops when the last one
/// is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Writer(mpsc::Sender<Pending>);

impl Writer {
    /// The queue, for a writer of another kind to drain.
    pub(super) fn queue() -> (Self, mpsc::Receiver<Pending>) {
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        (Self(sender), receiver)
    }

    /// Appends `entry` and returns once it is committed.
    pub(crate) async fn append(
        &self,
        entry: Entry,
        now: Timestamp,
    ) -> Result<Appended, WriteError> {
        let (done, committed) = oneshot::channel();
        self.0
            .send(Pending { entry, now, done })
            .await
            .map_err(|_| StoreError::AuditWriterStopped)?;
        committed
            .await
            .map_err(|_| StoreError::AuditWriterStopped)?
    }
}

/// When a batch is logged: the latest of its entries' times, in milliseconds.
pub(super) fn logged_at(batch: &[Pending]) -> Option<i64> {
    batch
        .iter()
        .map(|p| p.now)
        .max()
        .map(|now| now.as_millisecond())
}

/// Tells each requester of `batch`, appended as one from `first` on, where its entry went.
pub(super) fn acknowledge(batch: &mut Vec<Pending>, first: i64, logged: i64) {
    for (seq, pending) in (first..).zip(batch.drain(..)) {
        // The requester may have gone (a closed connection): nothing to tell.
        let _ = pending.done.send(Ok(Appended { seq, logged }));
    }
}

/// SQLite: how far each commit is synced (see the module docs).
async fn set_synchronous(connection: &mut AnyConnection, full: bool) -> Result<(), StoreError> {
    connection
        .execute(if full {
            "PRAGMA synchronous = FULL"
        } else {
            "PRAGMA synchronous = NORMAL"
        })
        .await?;
    Ok(())
}

/// SQLite: [`append`] on a connection of its own from `pool`, at the durability `entries` need,
/// for the appends that bypass the writer thread's queue (a move of old AuditEvents, a bulk
/// import). PostgreSQL's go through `super::postgres_writer::append`.
pub(crate) async fn append_pooled(
    pool: &AnyPool,
    entries: &[&Entry],
    logged: i64,
    carried_over: Option<&str>,
) -> Result<i64, WriteError> {
    let mut connection = pool.acquire().await.map_err(StoreError::from)?;
    let durable = entries.iter().any(|entry| entry.records_a_change());
    set_synchronous(&mut connection, durable).await?;
    append(&mut connection, entries, logged, carried_over).await
}

/// Appends `entries` in one transaction, chained after the last row, and returns the first one's
/// sequence number. `carried_over`: how far a move of old AuditEvents has got with this batch;
/// a batch the ledger has carried over already (by another process) is not appended again.
/// The connection's `synchronous` must already be the one `entries` need.
async fn append(
    connection: &mut AnyConnection,
    entries: &[&Entry],
    logged: i64,
    carried_over: Option<&str>,
) -> Result<i64, WriteError> {
    let mut tx = sqlx::Connection::begin(&mut *connection)
        .await
        .map_err(StoreError::from)?;
    // The head first: from here on this batch has the ledger to itself.
    let (head, hash, carried): (i64, String, Option<String>) = sqlx::query_as(
        "UPDATE audit_ledger_head SET seq = seq WHERE id = 1 RETURNING seq, hash, carried_over",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if let (Some(moving), Some(carried)) = (carried_over, &carried)
        && moving <= carried.as_str()
    {
        // Another process starting at the same moment moved these already.
        return Ok(head + 1);
    }
    let (rows, hash) = chained(head, hash, entries)?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO audit_ledger \
             (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash, \
              keys) \
             VALUES {}",
            placeholders_for(true, chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind_row(query, row, logged);
        }
        query.execute(&mut *tx).await?;
    }
    sqlx::query(
        "UPDATE audit_ledger_head SET seq = $1, hash = $2, \
         carried_over = COALESCE($3, carried_over) WHERE id = 1",
    )
    .bind(head + rows.len() as i64)
    .bind(&hash)
    .bind(carried_over)
    .execute(&mut *tx)
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(head + 1)
}

/// Rows to a statement: 10 values each, well inside SQLite's limit on bound values.
const ROWS_PER_STATEMENT: usize = 100;

/// A ledger row about to be written.
pub(super) struct Row {
    pub(super) seq: i64,
    pub(super) text: String,
    pub(super) hash: String,
    pub(super) derived: super::entry::Derived,
}

/// `entries` as rows numbered and chained after the head (`seq`, `hash`), and the new head's
/// hash.
pub(super) fn chained(
    seq: i64,
    mut hash: String,
    entries: &[&Entry],
) -> Result<(Vec<Row>, String), StoreError> {
    let mut rows = Vec::with_capacity(entries.len());
    for (seq, entry) in (seq + 1..).zip(entries) {
        let text = serde_json::to_string(entry).map_err(StoreError::CorruptResource)?;
        hash = chain::next(&hash, &text);
        rows.push(Row {
            seq,
            derived: entry.derived(),
            text,
            hash: hash.clone(),
        });
    }
    Ok((rows, hash))
}

/// Binds a row's ten values, in the order of the insert's columns.
fn bind_row<'q>(
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    row: &'q Row,
    logged: i64,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(row.seq)
        .bind(row.derived.recorded)
        .bind(logged)
        .bind(&row.derived.type_system)
        .bind(&row.derived.type_code)
        .bind(&row.derived.agent)
        .bind(row.derived.agent_kind)
        .bind(&row.text)
        .bind(&row.hash)
        .bind(super::sqlite_keys::column(&row.derived.keys))
}
