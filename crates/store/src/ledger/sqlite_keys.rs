//! SQLite: the ledger's keys by patient and agent (`p Patient/1`, `a …`, `e …`), kept in a file
//! of their own (`health-audit.db` → `health-audit-keys.db`) by a thread of their own.
//!
//! A patient's key goes to a page anywhere in the index. Written in each batch's commit, as the
//! rows are, it cost the writer thread over half its time per row (bench5k, perf: 34 µs per row,
//! of which the keys about 14 µs and most of the log frames), and every request of the batch
//! waited for it: audited reads ran at 0.28–0.32 of a bare handler with the keys in the commit
//! and 0.40 with none written at all. So the writer appends each row's keys to
//! `audit_ledger_recent` in its own file, in the order of the rows (the end of one table, a page
//! or two per commit), and this thread moves them into the index in large sorted steps, in a
//! transaction of the keys' file that never takes the ledger's write lock. The writer deletes
//! what the index holds from `audit_ledger_recent` in its next batch. Measured so: 0.31–0.34 at
//! 330 000 rows, 0.31 at ten million (0.23–0.30 before), and a patient's trail from a cold page
//! cache at ten million rows in 3.0 ms at the median (5.6–6.9 ms before), the index being a
//! compact file of its own.
//!
//! `audit_ledger_indexed` says how far the index goes: every key of a row numbered up to it is in
//! the index, every key of a row after it still in `audit_ledger_recent`. A search reads the
//! index up to it and the recent keys after it (`super::query`). One statement reads the
//! ledger's file before the keys' (SQLite begins a statement's read transactions in the order of
//! its databases, `main` first), so whatever the writer has deleted from the recent keys by then
//! is in the index it sees.
//!
//! The index is derived data: its file syncs only at checkpoints (`synchronous = NORMAL`), and
//! whatever it lacks after a power cut, a lost file or an upgrade (rows neither indexed nor among
//! the recent keys) is rebuilt from the rows' entries — before the server serves
//! ([`catch_up`]) and by the thread.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Weak,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use rusqlite::{Connection, OpenFlags, OptionalExtension as _, TransactionBehavior};

use super::entry::Entry;
use crate::{database::sqlite_pragma, error::StoreError};

/// The name the ledger's connections attach the keys' file under.
pub(crate) const SCHEMA: &str = "keys";

/// Rows whose keys move in one step: large enough that a patient's page takes several keys at
/// once, small enough that the step's commit stays a few megabytes.
const STEP_ROWS: i64 = 20_000;

/// How long the thread waits when the index has caught up.
const IDLE: Duration = Duration::from_millis(100);

/// How far the index goes, shared by the thread that moves keys in and the writer that deletes
/// the moved ones from the recent keys; the thread stops when the last holder has gone.
#[derive(Debug, Default)]
pub(super) struct Indexed {
    seq: AtomicI64,
    thread_started: AtomicBool,
}

impl Indexed {
    /// The highest row number whose keys are all in the index (0: none known yet).
    pub(super) fn get(&self) -> i64 {
        self.seq.load(Ordering::Acquire)
    }

    fn set(&self, seq: i64) {
        self.seq.fetch_max(seq, Ordering::AcqRel);
    }
}

/// `…/health-audit.db` → `…/health-audit-keys.db`.
pub(super) fn keys_path(ledger: &Path) -> PathBuf {
    let stem = ledger
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    ledger.with_file_name(format!("{stem}-keys.db"))
}

/// Makes the keys' file beside the ledger at `ledger`, and its tables, if there are none: before
/// the ledger's connections attach it.
pub(super) fn create(ledger: &Path) -> Result<(), StoreError> {
    let connection = Connection::open(keys_path(ledger))?;
    sqlite_pragma(&connection, "PRAGMA journal_mode = WAL")?;
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS audit_ledger_keys (
             key TEXT NOT NULL,
             seq BIGINT NOT NULL,
             PRIMARY KEY (key, seq)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS audit_ledger_indexed (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             seq BIGINT NOT NULL
         );
         INSERT OR IGNORE INTO audit_ledger_indexed (id, seq) VALUES (1, 0);",
    )?;
    Ok(())
}

/// The keys' file, with the ledger's attached as `ledger`.
fn open(ledger: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        keys_path(ledger),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(5))?;
    sqlite_pragma(&connection, "PRAGMA synchronous = NORMAL")?;
    // Each step's keys go to pages anywhere in the index, which outgrows SQLite's own cache
    // (2 MiB) within minutes: mapped, such a page is read without a system call and a copy.
    sqlite_pragma(&connection, "PRAGMA mmap_size = 1073741824")?;
    connection.execute(
        "ATTACH DATABASE ?1 AS ledger",
        [ledger.to_string_lossy().as_ref()],
    )?;
    Ok(connection)
}

/// Brings the index up to the ledger's head (once the ledger's schema is migrated, before the
/// server serves), then starts the thread that keeps it there, until `indexed`, which the writer
/// shares, is dropped.
pub(super) fn catch_up(ledger: &Path, indexed: &Arc<Indexed>) -> Result<(), StoreError> {
    let mut connection = open(ledger)?;
    let mut started = false;
    while let Some(seq) = step(&mut connection)? {
        if !started {
            tracing::info!("bringing the audit ledger's index by patient up to date");
            started = true;
        }
        indexed.set(seq);
    }
    if indexed.thread_started.swap(true, Ordering::AcqRel) {
        return Ok(());
    }
    let shared = Arc::downgrade(indexed);
    std::thread::Builder::new()
        .name("audit-keys".into())
        .spawn(move || keep_up(connection, shared))
        .map_err(|_| StoreError::AuditWriterStopped)?;
    Ok(())
}

fn keep_up(mut connection: Connection, indexed: Weak<Indexed>) {
    loop {
        let Some(indexed) = indexed.upgrade() else {
            return;
        };
        match step(&mut connection) {
            Ok(Some(seq)) => indexed.set(seq),
            Ok(None) => std::thread::sleep(IDLE),
            Err(error) => {
                tracing::warn!(%error, "the audit ledger's index could not be brought up to date");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Moves the keys of the next rows into the index, and returns how far it now goes; `None` when
/// it had caught up already.
fn step(connection: &mut Connection) -> Result<Option<i64>, StoreError> {
    // The keys' write lock first: threads of other processes on the same files take turns.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let indexed: i64 = transaction.query_row(
        "SELECT seq FROM audit_ledger_indexed WHERE id = 1",
        (),
        |row| row.get(0),
    )?;
    // The ledger's head and recent keys from one snapshot of its file.
    let head: i64 = transaction.query_row(
        "SELECT seq FROM ledger.audit_ledger_head WHERE id = 1",
        (),
        |row| row.get(0),
    )?;
    if head <= indexed {
        return Ok(None);
    }
    let first_recent: Option<i64> = transaction
        .query_row(
            "SELECT seq FROM ledger.audit_ledger_recent WHERE seq > ?1 ORDER BY seq LIMIT 1",
            [indexed],
            |row| row.get(0),
        )
        .optional()?;
    let mut keys: Vec<(String, i64)> = Vec::new();
    let upto = match first_recent {
        Some(first) if first == indexed + 1 => {
            let upto = head.min(indexed + STEP_ROWS);
            let mut recent = transaction.prepare_cached(
                "SELECT key, seq FROM ledger.audit_ledger_recent WHERE seq > ?1 AND seq <= ?2",
            )?;
            for key in recent.query_map([indexed, upto], |row| Ok((row.get(0)?, row.get(1)?)))? {
                keys.push(key?);
            }
            upto
        }
        // Rows whose keys are neither here nor among the recent ones (or rows without keys):
        // from their entries.
        first => {
            let upto = first
                .map_or(head, |first| first - 1)
                .min(indexed + STEP_ROWS);
            let mut rows = transaction.prepare_cached(
                "SELECT seq, entry FROM ledger.audit_ledger WHERE seq > ?1 AND seq <= ?2",
            )?;
            let mut rows = rows.query([indexed, upto])?;
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                let text: String = row.get(1)?;
                let entry: Entry =
                    serde_json::from_str(&text).map_err(StoreError::CorruptResource)?;
                keys.extend(entry.derived().keys.into_iter().map(|key| (key, seq)));
            }
            upto
        }
    };
    // In the index's order, each page is written once however many of its keys the step has.
    keys.sort_unstable();
    {
        let mut insert = transaction
            .prepare_cached("INSERT OR IGNORE INTO audit_ledger_keys (key, seq) VALUES (?1, ?2)")?;
        for (key, seq) in &keys {
            insert.execute((key, seq))?;
        }
        transaction
            .prepare_cached("UPDATE audit_ledger_indexed SET seq = ?1 WHERE id = 1")?
            .execute([upto])?;
    }
    transaction.commit()?;
    Ok(Some(upto))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::keys_path;

    #[test]
    fn the_keys_sit_beside_the_ledger() {
        assert_eq!(
            keys_path(Path::new("/var/lib/health/health-audit.db")),
            Path::new("/var/lib/health/health-audit-keys.db")
        );
    }
}
