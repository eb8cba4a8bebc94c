//! Write transactions: sqlx's, for this crate's statements, and [`Transaction`], the one callers
//! hold, which carries the rule the database was opened with; and the few facts of SQL that
//! differ between the two databases inside a transaction.

use std::{collections::BTreeSet, sync::Arc};

use fhir::ResourceType;
use sqlx::Any;
use tokio::sync::OwnedSemaphorePermit;

use crate::{changes::ChangeFeed, error::StoreError, rule::ExclusiveHold};

/// sqlx's transaction on either database, for the statements inside this crate.
pub(crate) type SqlTransaction = sqlx::Transaction<'static, Any>;

/// A write transaction on the record: the changes made through it land together at
/// [`commit`](Self::commit), or not at all (dropped uncommitted, it rolls back). It carries the
/// rule the database was opened with, so every write through it keeps that rule too.
pub struct Transaction {
    pub(crate) sql: SqlTransaction,
    pub(crate) rule: Option<&'static ExclusiveHold>,
    /// Told what was written once it is committed (see [`crate::changes`]).
    feed: Arc<ChangeFeed>,
    written: BTreeSet<ResourceType>,
    /// SQLite's: this transaction's turn to write (see `Db::begin`), until it ends.
    turn: Option<OwnedSemaphorePermit>,
}

impl Transaction {
    pub(crate) fn new(
        sql: SqlTransaction,
        rule: Option<&'static ExclusiveHold>,
        feed: Arc<ChangeFeed>,
        turn: Option<OwnedSemaphorePermit>,
    ) -> Self {
        Self {
            sql,
            rule,
            feed,
            written: BTreeSet::new(),
            turn,
        }
    }

    /// Notes that this transaction writes a resource of `resource_type`, to be announced at
    /// commit; with it the type its rule may change (an Appointment's Slots).
    pub(crate) fn writes(&mut self, resource_type: ResourceType) {
        self.written.insert(resource_type);
        if let Some(rule) = self.rule.filter(|rule| rule.holder == resource_type) {
            self.written.insert(rule.held);
        }
    }

    /// The statements of this crate's other modules run on the same transaction.
    pub(crate) fn sql(&mut self) -> &mut SqlTransaction {
        &mut self.sql
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        let Self {
            sql,
            feed,
            written,
            turn,
            ..
        } = self;
        sql.commit().await?;
        // The next writer's turn: announcing the change need not hold it up.
        drop(turn);
        feed.announce(&written).await;
        Ok(())
    }
}

/// `rows` groups of `columns` placeholders for a many-row INSERT on `tx`'s database: numbered
/// (`($1, $2), ($3, $4)`) for PostgreSQL, anonymous (`(?, ?), (?, ?)`) for SQLite, whose driver
/// looks each numbered one up by name in a list, so that binding thousands takes quadratic time
/// (measured: a third of an import's time went there).
pub(crate) fn placeholders(tx: &SqlTransaction, rows: usize, columns: usize) -> String {
    placeholders_for(is_sqlite(tx), rows, columns)
}

/// [`placeholders`] for a connection known to be SQLite's (`sqlite`) or PostgreSQL's.
pub(crate) fn placeholders_for(sqlite: bool, rows: usize, columns: usize) -> String {
    let numbered = !sqlite;
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push_str(&format!("${}", row * columns + column + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

pub(crate) fn is_sqlite(tx: &SqlTransaction) -> bool {
    tx.backend_name() == "SQLite"
}
