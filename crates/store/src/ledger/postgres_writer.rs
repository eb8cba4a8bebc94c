//! PostgreSQL: the group-commit writer as a task on a connection it keeps, appending each batch
//! with one call of the database's `audit_ledger_append` (migration 0017), which locks the head,
//! chains the hashes, writes the rows, their keys and the new head, and commits on its own — one
//! round trip a batch.
//!
//! Written as statements of ours, a batch took seven round trips (begin, a setting, the head,
//! the rows, the keys, the new head, commit), each a wake-up of the database's process and of
//! ours. Measured with the bench's audited reads (32 connections, 5,000 patients): … (see the
//! closing figures in the commit that brought this in).
//!
//! The hash chain is computed by the database here, where the head's lock is held, and by
//! `super::chain` everywhere else; `Ledger::verify` checks the one against the other.

use sqlx::{PgConnection, PgPool, pool::PoolConnection};
use tokio::sync::mpsc;

use super::{
    entry::Entry,
    writer::{Appended, BATCH, Pending, Writer, acknowledge, logged_at},
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
    let mut kept = None;
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        let Some(logged) = logged_at(&batch) else {
            continue;
        };
        let entries: Vec<&Entry> = batch.iter().map(|p| &p.entry).collect();
        match append_kept(&pool, &mut kept, &entries, logged).await {
            Ok(first) => acknowledge(&mut batch, first, logged),
            // One bad entry must not fail the others: each is tried on its own, and each
            // requester hears its own outcome.
            Err(_) => {
                for pending in batch.drain(..) {
                    let outcome = append_kept(&pool, &mut kept, &[&pending.entry], logged)
                        .await
                        .map(|seq| Appended { seq, logged });
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }
}

/// [`append`] on the writer task's own connection, kept from batch to batch (no pool hand-out
/// each time); after a failure the connection goes back and the next batch takes a fresh one.
async fn append_kept(
    pool: &PgPool,
    kept: &mut Option<PoolConnection<sqlx::Postgres>>,
    entries: &[&Entry],
    logged: i64,
) -> Result<i64, WriteError> {
    let mut connection = match kept.take() {
        Some(connection) => connection,
        None => pool.acquire().await.map_err(StoreError::from)?,
    };
    let first = append(&mut connection, entries, logged, None).await?;
    *kept = Some(connection);
    Ok(first)
}

/// Appends `entries` in one transaction, chained after the last row, and returns the first one's
/// sequence number; a batch with a change in it is durable before this returns, a batch of
/// reads' rows is committed without waiting for the disk (see `super::writer`). `carrying`: how
/// far a move of old AuditEvents has got with this batch; a batch the ledger has carried over
/// already (by another process) is not appended again.
pub(super) async fn append(
    connection: &mut PgConnection,
    entries: &[&Entry],
    logged: i64,
    carrying: Option<&str>,
) -> Result<i64, WriteError> {
    let mut columns = Columns::with_capacity(entries.len());
    for (number, entry) in (1..).zip(entries) {
        columns.push(number, entry)?;
    }
    let durable = entries.iter().any(|entry| entry.records_a_change());
    let (first,): (i64,) =
        sqlx::query_as("SELECT audit_ledger_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(&columns.entries)
            .bind(&columns.recorded)
            .bind(&columns.type_systems)
            .bind(&columns.type_codes)
            .bind(&columns.agents)
            .bind(&columns.agent_kinds)
            .bind(&columns.key_values)
            .bind(&columns.key_entries)
            .bind(logged)
            .bind(durable)
            .bind(carrying)
            .fetch_one(connection)
            .await
            .map_err(StoreError::from)?;
    Ok(first)
}

/// A batch's rows, column by column: the arrays the database function takes.
struct Columns {
    entries: Vec<String>,
    recorded: Vec<i64>,
    type_systems: Vec<String>,
    type_codes: Vec<String>,
    agents: Vec<String>,
    agent_kinds: Vec<&'static str>,
    key_values: Vec<String>,
    /// The entry (from 1) each key of `key_values` belongs to.
    key_entries: Vec<i32>,
}

impl Columns {
    fn with_capacity(entries: usize) -> Self {
        Self {
            entries: Vec::with_capacity(entries),
            recorded: Vec::with_capacity(entries),
            type_systems: Vec::with_capacity(entries),
            type_codes: Vec::with_capacity(entries),
            agents: Vec::with_capacity(entries),
            agent_kinds: Vec::with_capacity(entries),
            key_values: Vec::with_capacity(3 * entries),
            key_entries: Vec::with_capacity(3 * entries),
        }
    }

    /// Adds `entry`, the `number`th of the batch.
    fn push(&mut self, number: i32, entry: &Entry) -> Result<(), StoreError> {
        let derived = entry.derived();
        self.entries
            .push(serde_json::to_string(entry).map_err(StoreError::CorruptResource)?);
        self.recorded.push(derived.recorded);
        self.type_systems.push(derived.type_system);
        self.type_codes.push(derived.type_code);
        self.agents.push(derived.agent);
        self.agent_kinds.push(derived.agent_kind);
        for key in derived.keys {
            self.key_values.push(key);
            self.key_entries.push(number);
        }
        Ok(())
    }
}
