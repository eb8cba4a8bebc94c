//! The audit ledger: one compact, append-only row for every access to patient data (and every
//! sign-in and sign-out), kept apart from the clinical record as part of the service's working
//! state. Each row carries a hash chained to the row before ([`verify`](Ledger::verify) checks the
//! chain), rows are written by group commit ([`append`](Ledger::append) returns once the row is
//! durable), and the rows read as FHIR AuditEvents: the store's `AuditEvent` interactions (read,
//! search, create) are served from here.
//!
//! On SQLite the ledger is a database file of its own beside the record's (`health.db` →
//! `health-audit.db`): a batch's commit then neither takes the record's write lock nor empties the
//! record's readers' page caches, and it syncs only when the batch records a change (see
//! `writer`); each row carries its keys by patient and agent, and their index is a third file,
//! kept by a thread of its own (`sqlite_keys`). On PostgreSQL it is three tables of the same
//! database, the keys indexed by number (`key_number`).

mod carry_over;
mod chain;
mod entry;
mod key_number;
mod postgres_writer;
mod query;
mod sqlite_keys;
mod sqlite_writer;
mod verify;
mod writer;

use std::{path::PathBuf, sync::Arc, time::Duration};

use fhir::search::SearchQuery;
use jiff::Timestamp;
use sqlx::{AnyPool, Executor as _, PgPool, any::AnyPoolOptions, postgres::PgPoolOptions};

pub use entry::{AccessEntry, AgentEntry, AgentKind, EMERGENCY, Entry, SIGN_IN, SIGN_OUT};
use query::Keys;
pub use query::{Logged, Trail, Who};
pub use verify::Verification;
pub use writer::Appended;

use crate::{
    database::Backend,
    error::{StoreError, WriteError},
    stored::SearchPage,
    wal,
};

/// A handle to the ledger; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ledger {
    pool: AnyPool,
    backend: Backend,
    writer: writer::Writer,
    /// PostgreSQL only: the connections that append (the writer's and a spare for appends from
    /// outside its queue), typed, for the arrays a batch is sent as.
    appenders: Option<PgPool>,
    /// SQLite only: while any clone holds this, a task checkpoints the ledger's write-ahead log,
    /// as the record's (`crate::open`), so that the writer's commits do not.
    _checkpoints: Option<Arc<()>>,
    /// SQLite only: the ledger's file, and what keeps the thread indexing its keys running.
    sqlite_keys: Option<(PathBuf, Arc<sqlite_keys::IndexThread>)>,
}

impl Ledger {
    /// The ledger beside the record at `record_url` (SQLite: a file of its own; PostgreSQL: the
    /// record's own `pool`).
    pub(crate) async fn open(
        backend: Backend,
        record_url: &str,
        record_pool: &AnyPool,
    ) -> Result<Self, StoreError> {
        let ledger_url = sqlite_ledger_url(record_url);
        let sqlite_keys = match backend {
            Backend::Postgres => None,
            Backend::Sqlite => match crate::database::sqlite_file(&ledger_url)? {
                Some(path) => {
                    crate::disk::warn_if_reading_far_ahead(&path);
                    sqlite_keys::create(&path)?;
                    Some((path, Arc::new(sqlite_keys::IndexThread::default())))
                }
                None => return Err(StoreError::LedgerNotAFile),
            },
        };
        let pool = match &sqlite_keys {
            None => record_pool.clone(),
            Some((path, _)) => {
                let keys = sqlite_keys::keys_path(path).to_string_lossy().into_owned();
                AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(5))
                    .test_before_acquire(false)
                    .after_connect(move |connection, _| {
                        let keys = keys.clone();
                        Box::pin(async move {
                            // `synchronous` is set by the writer for each batch.
                            connection
                                .execute(
                                    format!(
                                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                         PRAGMA busy_timeout = 5000; {};",
                                        wal::limit_pragmas().join("; "),
                                    )
                                    .as_str(),
                                )
                                .await?;
                            sqlx::query(&format!("ATTACH DATABASE $1 AS {}", sqlite_keys::SCHEMA))
                                .bind(keys)
                                .execute(&mut *connection)
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&ledger_url)
                    .await?
            }
        };
        let appenders = match backend {
            Backend::Postgres => Some(
                PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(record_url)
                    .await?,
            ),
            Backend::Sqlite => None,
        };
        let writer = match (&appenders, &sqlite_keys) {
            (Some(appenders), _) => postgres_writer::start(appenders.clone()),
            (None, Some((path, _))) => sqlite_writer::start(path)?,
            (None, None) => return Err(StoreError::LedgerNotAFile),
        };
        Ok(Self {
            writer,
            appenders,
            _checkpoints: (backend == Backend::Sqlite)
                .then(|| wal::checkpoint_in_background(&pool)),
            pool,
            backend,
            sqlite_keys,
        })
    }

    /// Brings the ledger's schema up to date (SQLite: its own file's, and the index of its keys
    /// up to the head; PostgreSQL's is in the record's migrations), then moves in any AuditEvents the record still holds from before the
    /// ledger existed.
    pub(crate) async fn migrate(&self, record: &AnyPool) -> Result<(), StoreError> {
        if let Some((path, thread)) = &self.sqlite_keys {
            sqlx::migrate!("../../migrations/sqlite-ledger")
                .run(&self.pool)
                .await?;
            let (path, thread) = (path.clone(), thread.clone());
            tokio::task::spawn_blocking(move || sqlite_keys::catch_up(&path, &thread))
                .await
                .map_err(|_| StoreError::AuditWriterStopped)??;
        }
        let moved = carry_over::carry_over(record, self).await?;
        if moved > 0 {
            tracing::info!(
                moved,
                "audit events moved from the record into the audit ledger"
            );
        }
        Ok(())
    }

    /// Appends `entry` and returns once it is committed, in one batch with those of concurrent
    /// requests: a read's row survives a crash of the server, a change's a power cut.
    pub async fn append(&self, entry: Entry, now: Timestamp) -> Result<Appended, WriteError> {
        self.writer.append(entry, now).await
    }

    /// Appends `entries` in one transaction of their own, outside the queue's batches (an import
    /// of accesses recorded elsewhere, the bench's filling), and returns the first one's number
    /// once they are durable.
    pub async fn append_all(&self, entries: &[Entry], now: Timestamp) -> Result<i64, WriteError> {
        let entries: Vec<&Entry> = entries.iter().collect();
        self.append_outside_queue(&entries, now.as_millisecond(), None)
            .await
    }

    /// Appends `entries` as one batch outside the writer's queue, logged at `logged`
    /// (milliseconds); `carrying`: how far a move of old AuditEvents gets with it.
    async fn append_outside_queue(
        &self,
        entries: &[&Entry],
        logged: i64,
        carrying: Option<&str>,
    ) -> Result<i64, WriteError> {
        match &self.appenders {
            Some(appenders) => {
                let mut connection = appenders.acquire().await.map_err(StoreError::from)?;
                postgres_writer::append(&mut connection, None, entries, logged, carrying)
                    .await
                    .map(|(first, _)| first)
            }
            None => writer::append_pooled(&self.pool, entries, logged, carrying).await,
        }
    }

    /// The row whose AuditEvent id is `id`.
    pub async fn read(&self, id: &str) -> Result<Option<Logged>, StoreError> {
        query::read(&self.pool, id).await
    }

    /// A FHIR search of AuditEvent.
    pub async fn search(&self, query: &SearchQuery) -> Result<SearchPage, StoreError> {
        query::search(&self.pool, self.keys(), query).await
    }

    /// A page of one patient's trail, newest first (see [`Trail`]).
    pub async fn trail(&self, trail: &Trail) -> Result<Vec<Logged>, StoreError> {
        query::trail(&self.pool, self.keys(), trail).await
    }

    /// The emergency ("break-glass") accesses to `patient`'s (`Patient/1`) record numbered
    /// after `after`, newest first.
    pub async fn emergencies_after(
        &self,
        patient: &str,
        after: i64,
    ) -> Result<Vec<Logged>, StoreError> {
        query::emergencies_after(&self.pool, self.keys(), patient, after).await
    }

    /// The newest `limit` rows, newest first.
    pub async fn newest(&self, limit: i64) -> Result<Vec<Logged>, StoreError> {
        query::newest(&self.pool, limit).await
    }

    /// How many rows there are.
    pub async fn rows(&self) -> Result<i64, StoreError> {
        let (rows,): (i64,) = sqlx::query_as("SELECT seq FROM audit_ledger_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(rows)
    }

    /// Checks the whole chain (see [`Verification`]).
    pub async fn verify(&self) -> Result<Verification, StoreError> {
        verify::verify(&self.pool, self.keys()).await
    }

    /// SQLite: a consistent copy of the ledger's rows into the new file `to`, for a backup.
    pub(crate) async fn back_up_sqlite(&self, to: &std::path::Path) -> Result<(), StoreError> {
        crate::database::vacuum_into(&self.pool, to).await
    }

    fn keys(&self) -> Keys {
        match self.backend {
            Backend::Postgres => Keys::Beside,
            Backend::Sqlite => Keys::Apart,
        }
    }
}

/// `sqlite://dir/health.db?mode=rwc` → `sqlite://dir/health-audit.db?mode=rwc`.
pub(crate) fn sqlite_ledger_url(record_url: &str) -> String {
    let (path, options) = match record_url.split_once('?') {
        Some((path, options)) => (path, Some(options)),
        None => (record_url, None),
    };
    let path = match path.strip_suffix(".db") {
        Some(stem) => format!("{stem}-audit.db"),
        None => format!("{path}-audit"),
    };
    match options {
        Some(options) => format!("{path}?{options}"),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use crate::ledger::sqlite_ledger_url;

    #[test]
    fn the_ledger_file_sits_beside_the_records() {
        assert_eq!(
            sqlite_ledger_url("sqlite:///var/lib/health/health.db?mode=rwc"),
            "sqlite:///var/lib/health/health-audit.db?mode=rwc"
        );
        assert_eq!(
            sqlite_ledger_url("sqlite://data/records"),
            "sqlite://data/records-audit"
        );
    }
}
