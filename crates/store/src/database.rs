//! Which database the store runs on, where their SQL differs.

/// Which database a [`crate::Db`] talks to, where their SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}
