//! SQLite's side of backup and restore: a consistent copy of the record and of the audit ledger,
//! taken while the service runs, and the files a restore puts in place. (PostgreSQL's backup is
//! `pg_dump`'s, one snapshot of the whole database; the server's `backup` command runs it.)
//!
//! The record is copied first and the ledger second, each by `VACUUM INTO` (one read transaction:
//! a snapshot of that file, whatever is written meanwhile). A change is audited after it is
//! committed, so the ledger's copy, taken later, holds the audit row of every change in the
//! record's copy, and perhaps rows of accesses a moment newer. The ledger's index by patient is
//! not copied: it is derived from the rows, and rebuilt before a restored server serves.

use std::path::{Path, PathBuf};

use crate::{Db, database::Backend, error::StoreError};

/// The record's file in a backup.
pub const RECORD_FILE: &str = "health.db";
/// The audit ledger's file in a backup.
pub const LEDGER_FILE: &str = "health-audit.db";

impl Db {
    /// SQLite: writes consistent copies of the record and the ledger into `dir` (which exists
    /// and holds neither), as [`RECORD_FILE`] and [`LEDGER_FILE`].
    pub async fn back_up_sqlite(&self, dir: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::NotSupported(
                "PostgreSQL is backed up with pg_dump",
            ));
        }
        crate::database::vacuum_into(self.pool(), &dir.join(RECORD_FILE)).await?;
        self.ledger.back_up_sqlite(&dir.join(LEDGER_FILE)).await
    }
}

/// Where a SQLite database at `record_url` keeps its record and its ledger: the files a restore
/// writes.
pub fn sqlite_files(record_url: &str) -> Result<(PathBuf, PathBuf), StoreError> {
    let record = crate::database::sqlite_file(record_url)?.ok_or(StoreError::LedgerNotAFile)?;
    let ledger = crate::database::sqlite_file(&crate::ledger::sqlite_ledger_url(record_url))?
        .ok_or(StoreError::LedgerNotAFile)?;
    Ok((record, ledger))
}
