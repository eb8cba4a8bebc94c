//! SQLite: the ledger's keys by patient and agent (`p Patient/1`, `a …`, `e …`), indexed in a
//! file of their own (`health-audit.db` → `health-audit-keys.db`) by a thread of their own.
//!
//! A patient's key goes to a page anywhere in the index. Written in each batch's commit, as the
//! rows are, it cost the writer thread over half its time per row (bench5k, perf: 34 µs per row,
//! of which the keys about 14 µs and most of the log frames), and every request of the batch
//! waited for it: audited reads ran at 0.28–0.32 of a bare handler with the keys in the commit.
//! Appended to a table of recent keys in the order of the rows instead (and deleted from there
//! once indexed), they still cost two more B-trees' pages in every commit: 0.31–0.34. So each
//! row carries its own keys in its `keys` column ([`column`]), and the writer writes nothing
//! else; this thread moves the keys of the rows after the index's end into it in large sorted
//! steps, in a transaction of the keys' file that never takes the ledger's write lock.
//!
//! `audit_ledger_indexed` says how far the index goes: every key of a row numbered up to it is in
//! the index. A search reads the index up to it and, after it, the rows whose `keys` column holds
//! the key ([`pattern`]): a few hundred rows at most while the thread keeps up, read along the
//! primary key (`super::query`). Either snapshot may be the older within one statement: a row
//! the index holds that the ledger's snapshot does not yet have joins no row, and a row after the
//! index's end carries its keys.
//!
//! The index is derived data: its file syncs only at checkpoints (`synchronous = NORMAL`), and
//! whatever it lacks after a power cut, a lost file or an upgrade is rebuilt from the rows (their
//! `keys`, or their entries where a row is older than the column) — before the server serves
//! ([`catch_up`]) and by the thread.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::entry::Entry;
use crate::{database::sqlite_pragma, error::StoreError};

/// The name the ledger's connections attach the keys' file under.
pub(crate) const SCHEMA: &str = "keys";

/// Rows whose keys move in one step: large enough that a patient's page takes several keys at
/// once, small enough that the step's commit stays a few megabytes.
const STEP_ROWS: i64 = 20_000;

/// How long the thread waits when the index has caught up.
const IDLE: Duration = Duration::from_millis(100);

/// The thread that keeps the index up to date runs while any holder of this lives (every clone
/// of the ledger holds it), and is started once.
#[derive(Debug, Default)]
pub(super) struct IndexThread {
    started: AtomicBool,
}

/// A row's keys as its `keys` column holds them: each as a JSON string, each followed by a comma,
/// after a leading one (`,"p Patient/1","a Practitioner/2",`). Within JSON text a quote inside a
/// string is always escaped, so `,"` begins a key and nowhere else: [`pattern`] finds exactly the
/// rows with a key, with SQLite's `instr`, and no row with a key that merely contains it.
pub(super) fn column(keys: &[String]) -> String {
    let mut column = String::from(",");
    for key in keys {
        column.push_str(&quoted(key));
        column.push(',');
    }
    column
}

/// What [`column`] holds for `key`, commas and all.
pub(super) fn pattern(key: &str) -> String {
    format!(",{},", quoted(key))
}

fn quoted(key: &str) -> String {
    serde_json::Value::from(key).to_string()
}

/// The keys of a [`column`].
fn from_column(column: &str) -> Result<Vec<String>, serde_json::Error> {
    serde_json::from_str(&format!("[{}]", column.trim_matches(',')))
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
/// server serves), then starts the thread that keeps it there while `thread` is held.
pub(super) fn catch_up(ledger: &Path, thread: &Arc<IndexThread>) -> Result<(), StoreError> {
    let mut connection = open(ledger)?;
    let mut started = false;
    while step(&mut connection)?.is_some() {
        if !started {
            tracing::info!("bringing the audit ledger's index by patient up to date");
            started = true;
        }
    }
    if thread.started.swap(true, Ordering::AcqRel) {
        return Ok(());
    }
    let held = Arc::downgrade(thread);
    std::thread::Builder::new()
        .name("audit-keys".into())
        .spawn(move || keep_up(connection, held))
        .map_err(|_| StoreError::AuditWriterStopped)?;
    Ok(())
}

fn keep_up(mut connection: Connection, held: Weak<IndexThread>) {
    // Waits longer after each failure in a row (a row it cannot read stays unreadable), up to a
    // minute, so that a lasting fault is not logged ten times a second.
    let mut failures = 0_u32;
    while held.strong_count() > 0 {
        match step(&mut connection) {
            Ok(Some(_)) => failures = 0,
            Ok(None) => {
                failures = 0;
                std::thread::sleep(IDLE);
            }
            Err(error) => {
                failures += 1;
                tracing::warn!(%error, failures, "the audit ledger's index could not be brought up to date");
                std::thread::sleep(Duration::from_secs(1 << failures.min(6)));
            }
        }
    }
}

/// A step's transaction, holding the keys' write lock first, so that threads of other processes
/// on the same files take turns; and only the keys': `BEGIN IMMEDIATE` takes the write lock of
/// every attached file, the ledger's too, and the writer thread's batches waited for the whole
/// step (measured: a step reading cold pages held an audited search up by 54 ms). A write to the
/// keys' file as the first statement of a deferred transaction takes that file's lock alone; the
/// ledger's rows are then read from a snapshot, as any reader reads them.
fn begin_step(connection: &mut Connection) -> Result<rusqlite::Transaction<'_>, StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
    transaction.execute("UPDATE audit_ledger_indexed SET seq = seq WHERE id = 1", ())?;
    Ok(transaction)
}

/// Moves the keys of the next rows into the index, and returns how far it now goes; `None` when
/// it had caught up already.
fn step(connection: &mut Connection) -> Result<Option<i64>, StoreError> {
    let transaction = begin_step(connection)?;
    let indexed: i64 = transaction.query_row(
        "SELECT seq FROM audit_ledger_indexed WHERE id = 1",
        (),
        |row| row.get(0),
    )?;
    let head: i64 = transaction.query_row(
        "SELECT seq FROM ledger.audit_ledger_head WHERE id = 1",
        (),
        |row| row.get(0),
    )?;
    if head <= indexed {
        // Dropped, the transaction rolls back: a caught-up index writes nothing.
        return Ok(None);
    }
    let upto = head.min(indexed + STEP_ROWS);
    let mut keys: Vec<(String, i64)> = Vec::new();
    {
        // A row written before rows carried their keys: from its entry.
        let mut rows = transaction.prepare_cached(
            "SELECT seq, keys, CASE WHEN keys IS NULL THEN entry END \
             FROM ledger.audit_ledger WHERE seq > ?1 AND seq <= ?2",
        )?;
        let mut rows = rows.query([indexed, upto])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let row_keys = match row.get::<_, Option<String>>(1)? {
                Some(column) => from_column(&column),
                None => serde_json::from_str::<Entry>(&row.get::<_, String>(2)?)
                    .map(|entry| entry.derived().keys),
            }
            .map_err(|error| {
                tracing::error!(
                    seq,
                    "an audit ledger row's keys cannot be read: run verify-audit"
                );
                StoreError::CorruptResource(error)
            })?;
            keys.extend(row_keys.into_iter().map(|key| (key, seq)));
        }
    }
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

    use rusqlite::{Connection, TransactionBehavior};

    use super::{begin_step, column, create, from_column, keys_path, open, pattern};

    #[test]
    fn the_keys_sit_beside_the_ledger() {
        assert_eq!(
            keys_path(Path::new("/var/lib/health/health-audit.db")),
            Path::new("/var/lib/health/health-audit-keys.db")
        );
    }

    #[test]
    fn a_rows_keys_are_found_whole_and_read_back() {
        let keys = vec![
            "p Patient/1".to_owned(),
            "a tenant|x\",\"p Patient/2".to_owned(),
        ];
        let stored = column(&keys);
        assert_eq!(from_column(&stored).unwrap(), keys);
        assert_eq!(from_column(&column(&[])).unwrap(), Vec::<String>::new());
        assert!(stored.contains(&pattern("p Patient/1")));
        assert!(
            !stored.contains(&pattern("p Patient/2")),
            "a key inside another key is not one of the row's keys"
        );
        assert!(!stored.contains(&pattern("p Patient/")));
    }

    #[test]
    fn a_step_leaves_the_ledger_free_for_its_writer() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("health-audit.db");
        let mut writer = Connection::open(&ledger).unwrap();
        writer
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE audit_ledger (seq INTEGER);")
            .unwrap();
        create(&ledger).unwrap();
        let mut keys = open(&ledger).unwrap();
        let step = begin_step(&mut keys).unwrap();

        // The writer thread's batch, without waiting: the step must not hold the ledger's lock.
        writer.busy_timeout(std::time::Duration::ZERO).unwrap();
        let batch = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .expect("the ledger's write lock is free during a step");
        batch
            .execute("INSERT INTO audit_ledger VALUES (1)", ())
            .unwrap();
        batch.commit().unwrap();

        // And the keys' own lock is the step's: another step waits.
        let mut other = open(&ledger).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        assert!(begin_step(&mut other).is_err(), "two steps at once");
        step.commit().unwrap();
        assert!(begin_step(&mut other).is_ok());
    }
}
