//! Errors of the storage layer. Their text is for logs; callers map them to what a user may see.

use fhir::operation_outcome::Issue;

/// A failure to read or write the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// From the SQLite paths that run without sqlx (`crate::inline_reads`, the ledger's writer).
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored resource is not valid FHIR JSON")]
    CorruptResource(#[source] serde_json::Error),
    #[error("the database URL must start with sqlite: or postgres:")]
    UnsupportedDatabase,
    #[error("a resource to store has no id or an unsupported resourceType")]
    MissingTypeOrId,
    /// A search the service builds itself did not parse: a mistake in our code, not the data.
    #[error("a search built by the service is not valid")]
    InvalidQuery,
    /// A request the store understands but does not serve (an `_include` on AuditEvent).
    #[error("{0}")]
    NotSupported(&'static str),
    /// A search that would cost the database too much (filtering too many audit records).
    #[error("{0}")]
    TooCostly(&'static str),
    /// The ledger's URL names no file (its name is made from the record's, so it always does).
    #[error("the audit ledger's SQLite database must be a file")]
    LedgerNotAFile,
    #[error("the audit writer has stopped")]
    AuditWriterStopped,
    #[error("the reader of records by id has stopped")]
    ReaderStopped,
    /// SQLite's one writer did not get to a write transaction in time (`Db::begin`).
    #[error("the database's writer is busy")]
    WriterBusy,
}

impl StoreError {
    /// Whether the database could not be reached or could not take the work just now (it is
    /// down, restarting, out of connections, or its disk is full): for the caller to say the
    /// service is unavailable for the moment, rather than that something is wrong with it.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::WriterBusy => true,
            Self::Database(error) => match error {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(error) => error.code().is_some_and(|code| {
                    // PostgreSQL's classes 08 (connection exception), 53 (insufficient
                    // resources) and 57 (operator intervention: shut down, restarting); SQLite's
                    // busy, locked, I/O error, full and cannot-open, kept in the low byte of its
                    // extended codes.
                    ["08", "53", "57"]
                        .iter()
                        .any(|class| code.starts_with(class))
                        || code
                            .parse::<i32>()
                            .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14))
                }),
                _ => false,
            },
            Self::Sqlite(rusqlite::Error::SqliteFailure(error, _)) => matches!(
                error.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::CannotOpen
            ),
            _ => false,
        }
    }
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the resource does not exist")]
    NotFound,
    #[error("the resource is at version {current}, not the one the client based its change on")]
    VersionMismatch { current: i64 },
    #[error("another client changed the resource at the same moment")]
    Conflict,
    /// A resource the write would hold exclusively is held already (an appointment's slot is
    /// booked; GP Connect calls it DUPLICATE_REJECTED).
    #[error("a resource the write would hold is held already")]
    Taken,
    /// The write breaks a rule given to the store (such as holding a resource that does not
    /// exist).
    #[error("{}", .0.diagnostics)]
    Rule(Issue),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(error: sqlx::Error) -> Self {
        // A unique-key violation means another client created the same resource first.
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return WriteError::Conflict;
        }
        WriteError::Store(error.into())
    }
}
