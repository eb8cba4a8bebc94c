//! `server backup DIR` and `server restore DIR`: a consistent backup of everything the service
//! keeps (the record with every version, the working state, the audit ledger), taken while it
//! runs, and its restore into an empty database.
//!
//! - SQLite: the record's and the ledger's files, copied one after the other by `VACUUM INTO`
//!   (see `store::backup` for why in that order).
//! - PostgreSQL: `pg_dump`'s custom format, one snapshot of the whole database; restored by
//!   `pg_restore`.
//!
//! A restore refuses a database that holds anything, and ends by opening the restored database
//! as the server would (bringing its schema up to date) and verifying the audit ledger's chain.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};
use backend::Db;
use store::{
    backup::{LEDGER_FILE, RECORD_FILE, sqlite_files},
    db::Backend,
};

use crate::config::Config;

/// PostgreSQL's dump in a backup.
const DUMP_FILE: &str = "health.pgdump";

/// Writes a backup of the configured database into `dir`, a new or empty directory.
pub async fn backup_command(config: &Config, dir: &Path) -> anyhow::Result<String> {
    if dir.exists() && dir.read_dir()?.next().is_some() {
        bail!(
            "{} is not empty: back up into a new directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let db = backend::open_database(&config.database_url)
        .await
        .context("could not open the database")?;
    match db.backend() {
        Backend::Sqlite => {
            db.back_up_sqlite(dir).await.context("the backup failed")?;
        }
        Backend::Postgres => {
            let dump = dir.join(DUMP_FILE);
            run(Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&dump)
                .arg(&config.database_url))?;
        }
    }
    sync_dir(dir)?;
    Ok(format!("backed up into {}", dir.display()))
}

/// Restores the backup in `dir` into the configured database, which must be empty; then checks
/// the restored audit ledger. Returns its number of rows.
pub async fn restore_command(config: &Config, dir: &Path) -> anyhow::Result<i64> {
    if config.database_url.starts_with("sqlite:") {
        let (record, ledger) = sqlite_files(&config.database_url)?;
        for (from, to) in [(RECORD_FILE, &record), (LEDGER_FILE, &ledger)] {
            let from = dir.join(from);
            if !from.is_file() {
                bail!(
                    "{} holds no SQLite backup ({} is missing)",
                    dir.display(),
                    from.display()
                );
            }
            if to.exists() {
                bail!("{} exists: restore into an empty data dir", to.display());
            }
        }
        for (from, to) in [(RECORD_FILE, &record), (LEDGER_FILE, &ledger)] {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            copy_durably(&dir.join(from), to)?;
        }
    } else {
        let dump = dir.join(DUMP_FILE);
        if !dump.is_file() {
            bail!(
                "{} holds no PostgreSQL backup ({DUMP_FILE} is missing)",
                dir.display()
            );
        }
        let db = backend::open_database(&config.database_url)
            .await
            .context("could not open the database")?;
        if !db.is_empty().await? {
            bail!("the database to restore into is not empty: create a new one");
        }
        drop(db);
        run(Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname"])
            .arg(&config.database_url)
            .arg(&dump))?;
    }
    let db: Db = backend::open_database(&config.database_url)
        .await
        .context("could not open the restored database")?;
    db.migrate()
        .await
        .context("could not migrate the restored database")?;
    let verification = db.ledger().verify().await?;
    if let Some((seq, why)) = verification.broken {
        bail!("the restored audit ledger does not verify from row {seq}: {why}");
    }
    Ok(verification.rows)
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .with_context(|| format!("could not run {program} (PostgreSQL's client tools)"))?;
    if !output.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Copies `from` to the new file `to` and syncs it, so that a restore reported done is on disk.
fn copy_durably(from: &Path, to: &PathBuf) -> anyhow::Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("could not copy {} to {}", from.display(), to.display()))?;
    std::fs::File::open(to)?.sync_all()?;
    if let Some(parent) = to.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Syncs a directory, so that the files just created in it survive a power cut.
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
