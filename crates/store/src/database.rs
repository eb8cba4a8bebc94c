//! Which database the store runs on, where their SQL differs.

use crate::error::StoreError;

/// Which database a [`crate::Db`] talks to, where their SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The file a `sqlite:` URL names; `None` for an in-memory database, which no second connection
/// can see.
pub(crate) fn sqlite_file(url: &str) -> Result<Option<std::path::PathBuf>, StoreError> {
    use std::str::FromStr as _;
    let path = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
        .get_filename()
        .to_path_buf();
    let in_memory = path.as_os_str().is_empty() || path.as_os_str() == ":memory:";
    Ok((!in_memory).then_some(path))
}

/// Runs one `PRAGMA` on a connection of our own (not sqlx's), whether or not it answers with a
/// row (`journal_size_limit` does, `synchronous` does not).
pub(crate) fn sqlite_pragma(
    connection: &rusqlite::Connection,
    pragma: &str,
) -> rusqlite::Result<()> {
    connection.prepare(pragma)?.query(())?.next()?;
    Ok(())
}

/// Copies the `main` database of `pool`'s file into the new file `to`, as one snapshot.
pub(crate) async fn vacuum_into(
    pool: &sqlx::AnyPool,
    to: &std::path::Path,
) -> Result<(), StoreError> {
    // `main`: the ledger's connections attach its index by patient, which is not copied.
    sqlx::query("VACUUM main INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    Ok(())
}
