//! PostgreSQL: the group-commit writer as a task on a connection it keeps, appending each batch
//! with one statement — one round trip a batch.
//!
//! The hash chain is computed here (`super::chain`, as on SQLite) from the end of the ledger as
//! this process last saw it, and the statement appends only if the ledger still ends there: it
//! moves the head on from that number (a row lock, so writers in any number of processes append
//! one after another) and inserts the rows and their keys only if it did. A batch that finds the
//! head moved (another process appended, or an import did) gets back where the ledger ends now
//! and is chained and sent again; a process appending alone never does.
//!
//! Measured against migration 0017's `audit_ledger_append`, which locked the head and chained
//! the hashes inside the database (PL/pgSQL, five statements of its own): PostgreSQL's time for a
//! bench-sized batch of seven reads' rows (pgbench, one client, in turns) fell from 0.43–0.65 ms
//! to 0.29–0.47 ms. That function is left in the database for processes of the earlier version
//! while a rolling upgrade replaces them; nothing here calls it.

use sqlx::{PgConnection, PgPool, pool::PoolConnection};
use tokio::sync::mpsc;

use super::{
    entry::Entry,
    key_number::numbers_of,
    writer::{Appended, BATCH, Pending, Row, Writer, acknowledge, chained, logged_at},
};
use crate::error::{StoreError, WriteError};

/// Starts the writer task on the current Tokio runtime; it stops when the last [`Writer`] is
/// dropped.
pub(super) fn start(pool: PgPool) -> Writer {
    let (writer, queue) = Writer::queue();
    tokio::spawn(write_batches(pool, queue));
    writer
}

async fn write_batches(pool: PgPool, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut kept = Kept::default();
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let Some(logged) = logged_at(&batch) else {
            continue;
        };
        let entries: Vec<&Entry> = batch.iter().map(|p| &p.entry).collect();
        match kept.append(&pool, &entries, logged).await {
            Ok(first) => acknowledge(&mut batch, first, logged),
            // One bad entry must not fail the others: each is tried on its own, and each
            // requester hears its own outcome.
            Err(_) => {
                for pending in batch.drain(..) {
                    let outcome = kept
                        .append(&pool, &[&pending.entry], logged)
                        .await
                        .map(|seq| Appended { seq, logged });
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }
}

/// What the writer task keeps from batch to batch: its connection (no pool hand-out each time)
/// and where the ledger ended after its last batch.
#[derive(Default)]
struct Kept {
    connection: Option<PoolConnection<sqlx::Postgres>>,
    end: Option<End>,
}

impl Kept {
    /// [`append`] on the kept connection; after a failure the connection goes back, and the
    /// next batch takes a fresh one and reads where the ledger ends.
    async fn append(
        &mut self,
        pool: &PgPool,
        entries: &[&Entry],
        logged: i64,
    ) -> Result<i64, WriteError> {
        let mut connection = match self.connection.take() {
            Some(connection) => connection,
            None => pool.acquire().await.map_err(StoreError::from)?,
        };
        let end = self.end.take();
        let (first, end) = append(&mut connection, end, entries, logged, None).await?;
        self.connection = Some(connection);
        self.end = Some(end);
        Ok(first)
    }
}

/// The end of the ledger: its last row's number and hash, and how far a move of old AuditEvents
/// has got.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct End {
    seq: i64,
    hash: String,
    carried_over: Option<String>,
}

/// Appends `entries` in one transaction, chained after the last row, and returns the first one's
/// sequence number and the ledger's new end; `known`: where the ledger ended when this process
/// last looked (read afresh if `None`). A batch with a change in it is durable before this
/// returns, a batch of reads' rows is committed without waiting for the disk (see
/// `super::writer`). `carrying`: how far a move of old AuditEvents has got with this batch; a
/// batch the ledger has carried over already (by another process) is not appended again.
pub(super) async fn append(
    connection: &mut PgConnection,
    known: Option<End>,
    entries: &[&Entry],
    logged: i64,
    carrying: Option<&str>,
) -> Result<(i64, End), WriteError> {
    let mut end = match known {
        Some(end) => end,
        None => {
            sqlx::query_as("SELECT seq, hash, carried_over FROM audit_ledger_head WHERE id = 1")
                .fetch_one(&mut *connection)
                .await
                .map_err(StoreError::from)?
        }
    };
    let durable = entries.iter().any(|entry| entry.records_a_change());
    loop {
        if let (Some(moving), Some(carried)) = (carrying, &end.carried_over)
            && moving <= carried.as_str()
        {
            // Another process starting at the same moment moved these already.
            return Ok((end.seq + 1, end));
        }
        let (rows, hash) = chained(end.seq, end.hash.clone(), entries)?;
        let columns = Columns::of(&rows);
        let (appended, seq, hash, carried_over): (bool, i64, String, Option<String>) =
            sqlx::query_as(APPEND)
                .bind(&columns.entries)
                .bind(&columns.recorded)
                .bind(&columns.type_systems)
                .bind(&columns.type_codes)
                .bind(&columns.agents)
                .bind(&columns.agent_kinds)
                .bind(&columns.hashes)
                .bind(&columns.key_numbers)
                .bind(&columns.key_seqs)
                .bind(logged)
                .bind(durable)
                .bind(end.seq)
                .bind(&hash)
                .bind(carrying)
                .fetch_one(&mut *connection)
                .await
                .map_err(StoreError::from)?;
        let now = End {
            seq,
            hash,
            carried_over,
        };
        if appended {
            return Ok((end.seq + 1, now));
        }
        // The ledger no longer ends where this batch was chained: chain it after the new end.
        end = now;
    }
}

/// Appends a batch chained after row `$12` if the ledger still ends there, and answers whether
/// it did with the ledger's end as this statement saw it. Nothing is inserted unless this
/// statement moved the head (`FROM head`); the head's row lock orders writers of every process,
/// and a writer that waited for it sees the winner's head and moves nothing. A batch with a
/// change in it (`$11`) waits for the disk even where the server is set not to; a batch of
/// reads' rows does not wait.
const APPEND: &str = "\
WITH durability AS (
    SELECT set_config('synchronous_commit',
        CASE WHEN NOT $11 THEN 'off'
             WHEN current_setting('synchronous_commit') = 'off' THEN 'on'
             ELSE current_setting('synchronous_commit') END,
        true)
),
head AS (
    UPDATE audit_ledger_head
    SET seq = $12 + cardinality($1::TEXT[]), hash = $13,
        carried_over = COALESCE($14, carried_over)
    WHERE id = 1 AND seq = $12
    RETURNING seq, hash, carried_over
),
rows AS (
    INSERT INTO audit_ledger
        (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash)
    SELECT $12 + t.n, t.recorded, $10, t.type_system, t.type_code, t.agent, t.agent_kind,
           t.entry, t.hash
    FROM head, unnest($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[],
                      $6::TEXT[], $7::TEXT[])
        WITH ORDINALITY AS t(entry, recorded, type_system, type_code, agent, agent_kind, hash, n)
),
keys AS (
    INSERT INTO audit_ledger_key_numbers (key, seq)
    SELECT k.key, k.seq FROM head, unnest($8::BIGINT[], $9::BIGINT[]) AS k(key, seq)
)
SELECT after.* FROM durability, (
    SELECT true, seq, hash, carried_over FROM head
    UNION ALL
    SELECT false, seq, hash, carried_over FROM audit_ledger_head
    WHERE id = 1 AND NOT EXISTS (SELECT FROM head)
) AS after";

/// A batch's rows, column by column: the arrays the statement takes.
struct Columns<'r> {
    entries: Vec<&'r str>,
    recorded: Vec<i64>,
    type_systems: Vec<&'r str>,
    type_codes: Vec<&'r str>,
    agents: Vec<&'r str>,
    agent_kinds: Vec<&'static str>,
    hashes: Vec<&'r str>,
    /// The numbers of the rows' keys (`super::key_number`).
    key_numbers: Vec<i64>,
    /// The row each of `key_numbers` belongs to.
    key_seqs: Vec<i64>,
}

impl<'r> Columns<'r> {
    fn of(rows: &'r [Row]) -> Self {
        // Each key's number with its row's.
        let (key_numbers, key_seqs) = rows
            .iter()
            .flat_map(|row| {
                numbers_of(&row.derived.keys)
                    .into_iter()
                    .map(move |number| (number, row.seq))
            })
            .unzip();
        Self {
            entries: rows.iter().map(|row| row.text.as_str()).collect(),
            recorded: rows.iter().map(|row| row.derived.recorded).collect(),
            type_systems: rows
                .iter()
                .map(|row| row.derived.type_system.as_str())
                .collect(),
            type_codes: rows
                .iter()
                .map(|row| row.derived.type_code.as_str())
                .collect(),
            agents: rows.iter().map(|row| row.derived.agent.as_str()).collect(),
            agent_kinds: rows.iter().map(|row| row.derived.agent_kind).collect(),
            hashes: rows.iter().map(|row| row.hash.as_str()).collect(),
            key_numbers,
            key_seqs,
        }
    }
}
