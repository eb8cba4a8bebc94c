//! SQLite: the group-commit writer as a thread of its own that owns its connection to the
//! ledger's file (`rusqlite`, the SQLite library sqlx links), rather than a task that hands each
//! statement to sqlx's worker thread for the connection and waits for it to come back.
//!
//! A request's entry then wakes one thread, and the answer wakes the request: no task in
//! between, and the batch's statements (prepared once, kept by the connection) run where the
//! batch is, with no SQL text built for each batch. `crate::inline_reads` has the figures,
//! measured with both together.
//!
//! Each batch takes the write lock (`BEGIN IMMEDIATE`) and reads the head inside it, so appends
//! from elsewhere (a move of old AuditEvents, another process) interleave without a gap or a
//! fork. Each row carries its own keys by patient and agent; a thread of their own indexes them
//! in a file of their own (`super::sqlite_keys`).

use std::{path::Path, time::Duration};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use tokio::sync::mpsc;

use super::{
    entry::Entry,
    sqlite_keys,
    writer::{Appended, BATCH, Pending, Writer, acknowledge, chained, logged_at},
};
use crate::{
    database::sqlite_pragma,
    error::{StoreError, WriteError},
    wal,
};

/// Opens the ledger's file (made by the pool before this starts, migrated before the first
/// entry comes) and starts the writer thread; it stops when the last [`Writer`] is dropped.
pub(super) fn start(path: &Path) -> Result<Writer, StoreError> {
    let (writer, queue) = Writer::queue();
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(5))?;
    sqlite_pragma(&connection, "PRAGMA synchronous = FULL")?;
    // Checkpoints are the pool's task's (`super::Ledger`), as long as it keeps up.
    for pragma in wal::limit_pragmas() {
        sqlite_pragma(&connection, &pragma)?;
    }
    std::thread::Builder::new()
        .name("audit-ledger".into())
        .spawn(move || write_batches(connection, queue))
        .map_err(|_| StoreError::AuditWriterStopped)?;
    Ok(writer)
}

fn write_batches(connection: Connection, mut queue: mpsc::Receiver<Pending>) {
    let mut writer = Ledger {
        connection,
        synchronous_full: true,
    };
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        // Whatever arrived while the last batch was written goes with this one.
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(pending) => batch.push(pending),
                Err(_) => break,
            }
        }
        let Some(logged) = logged_at(&batch) else {
            continue;
        };
        let entries: Vec<&Entry> = batch.iter().map(|p| &p.entry).collect();
        match writer.append(&entries, logged) {
            Ok(first) => acknowledge(&mut batch, first, logged),
            // One bad entry must not fail the others: each is tried on its own, and each
            // requester hears its own outcome.
            Err(_) => {
                for pending in batch.drain(..) {
                    let outcome = writer
                        .append(&[&pending.entry], logged)
                        .map(|seq| Appended { seq, logged });
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }
}

/// The thread's connection, and whether its `synchronous` is FULL at present (set only when a
/// batch needs the other level).
struct Ledger {
    connection: Connection,
    synchronous_full: bool,
}

impl Ledger {
    /// Appends `entries` in one transaction, chained after the head, and returns the first one's
    /// number once committed, as durably as they need (see `super::writer`).
    fn append(&mut self, entries: &[&Entry], logged: i64) -> Result<i64, WriteError> {
        let durable = entries.iter().any(|entry| entry.records_a_change());
        if self.synchronous_full != durable {
            sqlite_pragma(
                &self.connection,
                if durable {
                    "PRAGMA synchronous = FULL"
                } else {
                    "PRAGMA synchronous = NORMAL"
                },
            )?;
            self.synchronous_full = durable;
        }
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (head, hash): (i64, String) = transaction
            .prepare_cached("SELECT seq, hash FROM audit_ledger_head WHERE id = 1")?
            .query_row((), |row| Ok((row.get(0)?, row.get(1)?)))?;
        let (rows, hash) = chained(head, hash, entries)?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO audit_ledger \
                 (seq, recorded, logged, type_system, type_code, agent, agent_kind, entry, hash, \
                  keys) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for row in &rows {
                insert.execute((
                    row.seq,
                    row.derived.recorded,
                    logged,
                    &row.derived.type_system,
                    &row.derived.type_code,
                    &row.derived.agent,
                    row.derived.agent_kind,
                    &row.text,
                    &row.hash,
                    sqlite_keys::column(&row.derived.keys),
                ))?;
            }
            transaction
                .prepare_cached("UPDATE audit_ledger_head SET seq = ?1, hash = ?2 WHERE id = 1")?
                .execute((head + rows.len() as i64, &hash))?;
        }
        transaction.commit()?;
        Ok(head + 1)
    }
}

impl From<rusqlite::Error> for WriteError {
    fn from(error: rusqlite::Error) -> Self {
        WriteError::Store(error.into())
    }
}
