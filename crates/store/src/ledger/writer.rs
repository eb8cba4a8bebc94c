//! Group commit: every request that touches patient data hands its entry to one writer task per
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
//! On SQLite the writer keeps one connection and the head of the chain, and sends each batch's
//! whole transaction in one call ([`append_in_one_call`]): one hand-off to sqlx's worker thread
//! instead of six. Measured with the bench's audited reads (32 connections, batches of about 11
//! rows), with reads gathered too: 174 and 214 µs of server CPU per read against 179 and 227 in
//! six statements, in two rounds. The ledger's growing key index costs more than that: each round
//! ran about 15 % slower than the one before it.

use jiff::Timestamp;
use sqlx::{Any, AnyConnection, AnyPool, Connection as _, Executor as _, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};

use super::{chain, entry::Entry};
use crate::{
    database::Backend,
    error::{StoreError, WriteError},
    transaction::placeholders_for,
};

/// The most entries written in one transaction.
const BATCH: usize = 256;

/// Where an entry went: its sequence number (its AuditEvent's id) and when it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub seq: i64,
    /// Milliseconds since the epoch.
    pub logged: i64,
}

/// An entry waiting for its batch, with the way back to the request that waits for it.
struct Pending {
    entry: Entry,
    now: Timestamp,
    done: oneshot::Sender<Result<Appended, WriteError>>,
}

/// The sending end, held by every clone of the ledger; the writer task stops when the last one
/// is dropped.
#[derive(Clone, Debug)]
pub(crate) struct Writer(mpsc::Sender<Pending>);

impl Writer {
    /// Starts the writer task on the current Tokio runtime.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Self {
        let (sender, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(write_batches(pool, backend, receiver));
        Self(sender)
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

async fn write_batches(pool: AnyPool, backend: Backend, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut kept = None;
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let Some(now) = batch.iter().map(|p| p.now).max() else {
            continue;
        };
        let logged = now.as_millisecond();
        let entries: Vec<&Entry> = batch.iter().map(|p| &p.entry).collect();
        match append_kept(&pool, backend, &mut kept, &entries, logged).await {
            Ok(first) => {
                for (seq, pending) in (first..).zip(batch.drain(..)) {
                    // The requester may have gone (a closed connection): nothing to tell.
                    let _ = pending.done.send(Ok(Appended { seq, logged }));
                }
            }
            // One bad entry must not fail the others: each is tried on its own, and each
            // requester hears its own outcome.
            Err(_) => {
                for pending in batch.drain(..) {
                    let outcome = append_kept(&pool, backend, &mut kept, &[&pending.entry], logged)
                        .await
                        .map(|seq| Appended { seq, logged });
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }
}

/// The writer task's own connection, kept from batch to batch (no pool hand-out each time). On
/// SQLite also whether its `synchronous` is FULL at present (set only when a batch needs the
/// other level, not before every batch), and the head of the chain as this task last left it.
struct Kept {
    connection: PoolConnection<Any>,
    synchronous_full: bool,
    head: Option<Head>,
}

/// The last row of the chain: its number and its hash.
type Head = (i64, String);

/// [`append`] on the writer's kept connection, taken from the pool first if there is none; after
/// a failure the connection goes back and the next batch takes a fresh one. On SQLite a batch
/// goes in one call when the head is known ([`append_in_one_call`]).
async fn append_kept(
    pool: &AnyPool,
    backend: Backend,
    kept: &mut Option<Kept>,
    entries: &[&Entry],
    logged: i64,
) -> Result<i64, WriteError> {
    let durable = entries.iter().any(|entry| entry.records_a_change());
    let mut current = match kept.take() {
        Some(current) => current,
        None => {
            let mut connection = pool.acquire().await.map_err(StoreError::from)?;
            if backend == Backend::Sqlite {
                set_synchronous(&mut connection, durable).await?;
            }
            Kept {
                connection,
                synchronous_full: durable,
                head: None,
            }
        }
    };
    if backend == Backend::Postgres {
        let first = append(&mut current.connection, backend, entries, logged, None).await?;
        *kept = Some(current);
        return Ok(first);
    }
    if current.synchronous_full != durable {
        set_synchronous(&mut current.connection, durable).await?;
        current.synchronous_full = durable;
    }
    let head = match current.head.take() {
        Some(head) => head,
        None => read_head(&mut current.connection).await?,
    };
    let first = head.0 + 1;
    match append_in_one_call(&mut current.connection, head, entries, logged).await {
        Ok(new_head) => current.head = Some(new_head),
        Err(_) => {
            // Nothing of the batch is written; the transaction it opened, if any, goes.
            if current.connection.execute("ROLLBACK").await.is_err()
                && current.connection.ping().await.is_err()
            {
                return Err(StoreError::AuditWriterStopped.into());
            }
            let first = append(&mut current.connection, backend, entries, logged, None).await?;
            *kept = Some(current);
            return Ok(first);
        }
    }
    *kept = Some(current);
    Ok(first)
}

/// The head as committed (read without taking the write lock: [`append_in_one_call`] finds out
/// if it moved).
async fn read_head(connection: &mut AnyConnection) -> Result<Head, StoreError> {
    Ok(
        sqlx::query_as("SELECT seq, hash FROM audit_ledger_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?,
    )
}

/// SQLite, a batch of the writer task: the whole transaction (`BEGIN IMMEDIATE`, the rows, their
/// keys, the new head, `COMMIT`) in one call to the connection's worker thread, one hand-off
/// instead of six, chained after the head this task last left. If anything else appended since
/// (a move of old AuditEvents, another process), it took that head's next number: the insert
/// fails on the primary key, and the caller rolls back and takes the locked way, [`append`].
async fn append_in_one_call(
    connection: &mut AnyConnection,
    head: Head,
    entries: &[&Entry],
    logged: i64,
) -> Result<Head, WriteError> {
    let (head_seq, head_hash) = head;
    let (rows, hash) = chained(head_seq, head_hash, entries)?;
    let keys = keys_of(&rows);
    let mut sql = String::from("BEGIN IMMEDIATE; ");
    let mut bound = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        sql.push_str(&format!(
            "INSERT INTO audit_ledger \
             (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash) \
             VALUES {}; ",
            numbered(bound, chunk.len(), 9)
        ));
        bound += chunk.len() * 9;
    }
    for chunk in keys.chunks(4 * ROWS_PER_STATEMENT) {
        sql.push_str(&format!(
            "INSERT INTO audit_ledger_keys (key, seq) VALUES {}; ",
            numbered(bound, chunk.len(), 2)
        ));
        bound += chunk.len() * 2;
    }
    sql.push_str(&format!(
        "UPDATE audit_ledger_head SET seq = ${}, hash = ${} WHERE id = 1 AND seq = ${}; COMMIT",
        bound + 1,
        bound + 2,
        bound + 3
    ));
    let mut query = sqlx::query(&sql);
    for row in &rows {
        query = bind_row(query, row, logged);
    }
    for (key, seq) in &keys {
        query = query.bind(*key).bind(*seq);
    }
    let last = head_seq + rows.len() as i64;
    query
        .bind(last)
        .bind(&hash)
        .bind(head_seq)
        .execute(&mut *connection)
        .await?;
    Ok((last, hash))
}

/// `($n+1, …), ($n+k+1, …), …`: `rows` rows of `columns` placeholders, numbered after the
/// first `bound` (sqlx numbers SQLite's `$N` across all the statements of one call).
fn numbered(bound: usize, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (1..=columns)
                .map(|column| format!("${}", bound + row * columns + column))
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
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

/// [`append`] on a connection of its own from `pool`, at the durability `entries` need: for the
/// appends that bypass the queue (a move of old AuditEvents, a bulk import).
pub(crate) async fn append_pooled(
    pool: &AnyPool,
    backend: Backend,
    entries: &[&Entry],
    logged: i64,
    carried_over: Option<&str>,
) -> Result<i64, WriteError> {
    let mut connection = pool.acquire().await.map_err(StoreError::from)?;
    if backend == Backend::Sqlite {
        let durable = entries.iter().any(|entry| entry.records_a_change());
        set_synchronous(&mut connection, durable).await?;
    }
    append(&mut connection, backend, entries, logged, carried_over).await
}

/// Appends `entries` in one transaction, chained after the last row, and returns the first one's
/// sequence number. `carried_over`: how far a move of old AuditEvents has got with this batch;
/// a batch the ledger has carried over already (by another process) is not appended again.
/// On SQLite the connection's `synchronous` must already be the one `entries` need.
async fn append(
    connection: &mut AnyConnection,
    backend: Backend,
    entries: &[&Entry],
    logged: i64,
    carried_over: Option<&str>,
) -> Result<i64, WriteError> {
    let durable = entries.iter().any(|entry| entry.records_a_change());
    let sqlite = backend == Backend::Sqlite;
    let mut tx = sqlx::Connection::begin(&mut *connection)
        .await
        .map_err(StoreError::from)?;
    if !sqlite && !durable {
        tx.execute("SET LOCAL synchronous_commit = off")
            .await
            .map_err(StoreError::from)?;
    }
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
             (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash) \
             VALUES {}",
            placeholders_for(sqlite, chunk.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind_row(query, row, logged);
        }
        query.execute(&mut *tx).await?;
    }
    let keys = keys_of(&rows);
    for chunk in keys.chunks(4 * ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO audit_ledger_keys (key, seq) VALUES {}",
            placeholders_for(sqlite, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (key, seq) in chunk {
            query = query.bind(*key).bind(*seq);
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

/// Rows to a statement: 9 values each, well inside both databases' limits on bound values.
const ROWS_PER_STATEMENT: usize = 100;

/// A ledger row about to be written.
struct Row {
    seq: i64,
    text: String,
    hash: String,
    derived: super::entry::Derived,
}

/// `entries` as rows numbered and chained after the head (`seq`, `hash`), and the new head's
/// hash.
fn chained(
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

/// The index keys of `rows`, each with its row's number.
fn keys_of(rows: &[Row]) -> Vec<(&str, i64)> {
    rows.iter()
        .flat_map(|row| row.derived.keys.iter().map(|key| (key.as_str(), row.seq)))
        .collect()
}

/// Binds a row's nine values, in the order of the insert's columns.
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
}
