//! SQLite: reads by id on the thread that asks, with no hand-off at all.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement to it and
//! its rows back: two wake-ups of another thread per statement. Measured under the bench's load,
//! a server answering nothing but `SELECT 1` through sqlx stopped at 0.37× a bare handler, before
//! any work of its own; gathering reads into shared statements ([`crate::gathered_reads`]) only
//! spread that cost. A read of one row by its key from SQLite's page cache takes a few
//! microseconds, less than the hand-offs, so here it runs where it is asked for, on a connection
//! of this module's own (`rusqlite`, the same SQLite library sqlx links).
//!
//! Blocking the asking thread is safe because the wait is bounded by the read itself: in
//! write-ahead-log mode a reader never waits for a writer (a commit or a checkpoint), only, for
//! moments, while the log is reset after a checkpoint. Every read is a transaction of its own,
//! so it sees every write acknowledged before it was asked, by this process or any other.
//!
//! Measured with the bench's audited `GET /fhir/Patient/{id}` (5 000 patients, 32 connections,
//! load tool on the same two cores), with the ledger's writer on a thread of its own too
//! (`ledger::sqlite_writer`): 134 and 170 µs of server CPU per read, 0.25× and 0.22× a bare
//! handler, against 220 and 225 µs, 0.17× and 0.20×, with both through sqlx (reads gathered,
//! each batch of audit rows in one call), in alternating rounds on the same database.
//!
//! Connections are kept for reuse: one for each thread reading at the same moment (the runtime's
//! workers), opened when first needed and closed with the last handle to the database.

use std::{path::PathBuf, sync::Mutex, time::Duration};

use fhir::ResourceType;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

use crate::{database::sqlite_pragma, error::StoreError, gathered_reads::CurrentRow};

/// How long a read waits for the log to be reset, at most (as the pool's `busy_timeout`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle connections kept for reuse; a busier moment opens more and closes them afterwards.
const KEPT: usize = 8;

/// The database file, and its idle read connections.
#[derive(Debug)]
pub(crate) struct InlineReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl InlineReads {
    /// For the SQLite database at `url` (as sqlx takes it); `None` for an in-memory one, which
    /// no second connection can see.
    pub(crate) fn for_url(url: &str) -> Result<Option<Self>, StoreError> {
        Ok(crate::database::sqlite_file(url)?.map(|path| Self {
            path,
            idle: Mutex::new(Vec::new()),
        }))
    }

    /// The current row of `resource_type/id`, deleted or not; `None` if there never was one.
    pub(crate) fn current(
        &self,
        resource_type: ResourceType,
        id: &str,
    ) -> Result<Option<CurrentRow>, StoreError> {
        let connection = match self.take_idle() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let row = connection
            .prepare_cached(
                "SELECT version_id, last_updated, deleted, content FROM resources \
                 WHERE resource_type = ?1 AND id = ?2",
            )?
            .query_row((resource_type.as_str(), id), |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        self.put_back(connection);
        Ok(row)
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().ok()?.pop()
    }

    fn put_back(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEPT
        {
            idle.push(connection);
        }
    }

    /// A connection that only reads (`query_only`), opened read-write all the same: a read-only
    /// one could not join the write-ahead log's shared memory if it had to create it.
    fn open(&self) -> Result<Connection, StoreError> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        sqlite_pragma(&connection, "PRAGMA query_only = 1")?;
        // As the pool's connections: the file's pages mapped, not copied into each cache.
        sqlite_pragma(&connection, "PRAGMA mmap_size = 1073741824")?;
        Ok(connection)
    }
}
