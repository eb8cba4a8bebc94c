//! Checking the chain (`verify-audit`): every row's hash follows from the row before and its own
//! entry, the numbers run without a gap up to the head, and the columns searched by say what the
//! entries say. The keys by patient and agent are an index derived from the entries, checked by
//! their number.

use sqlx::AnyPool;

use super::{chain, entry::Entry, key_number::numbers_of, query::Keys, sqlite_keys};
use crate::error::StoreError;

/// What a check of the ledger found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Rows checked.
    pub rows: i64,
    /// The first row that does not follow from the one before it (changed, removed or slipped
    /// in), and why; `None` when the whole chain holds.
    pub broken: Option<(i64, &'static str)>,
}

/// Rows read at a time.
const CHUNK: i64 = 10_000;

pub(crate) async fn verify(pool: &AnyPool, keys_are: Keys) -> Result<Verification, StoreError> {
    let mut previous_hash = chain::GENESIS.to_owned();
    let mut previous_seq = 0_i64;
    // The keys of the rows the index covers, counted from the entries. On SQLite the index
    // covers the rows up to how far it went when the check began; each row after carries its
    // own keys, checked against its entry.
    let mut keys = 0_i64;
    let indexed = match keys_are {
        Keys::Beside => i64::MAX,
        Keys::Apart => {
            sqlx::query_as::<_, (i64,)>("SELECT seq FROM keys.audit_ledger_indexed WHERE id = 1")
                .fetch_one(pool)
                .await?
                .0
        }
    };
    let keys_column = match keys_are {
        Keys::Beside => "CAST(NULL AS TEXT)",
        Keys::Apart => "keys",
    };
    let broken = |seq, why| {
        Ok(Verification {
            rows: seq - 1,
            broken: Some((seq, why)),
        })
    };
    loop {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT seq, recorded, type_system, type_code, agent, agent_kind, entry, hash, \
             {keys_column} FROM audit_ledger WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(previous_seq)
        .bind(CHUNK)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for (seq, recorded, type_system, type_code, agent, agent_kind, text, hash, row_keys) in rows
        {
            if seq != previous_seq + 1 {
                return broken(previous_seq + 1, "a row is missing");
            }
            if chain::next(&previous_hash, &text) != hash {
                return broken(
                    seq,
                    "the row's hash does not follow from its entry and the row before",
                );
            }
            let Ok(entry) = serde_json::from_str::<Entry>(&text) else {
                return broken(seq, "the entry is not readable");
            };
            let derived = entry.derived();
            if (
                derived.recorded,
                derived.type_system,
                derived.type_code,
                derived.agent,
            ) != (recorded, type_system, type_code, agent)
                || derived.agent_kind != agent_kind
            {
                return broken(seq, "the row's search columns differ from its entry");
            }
            match row_keys {
                Some(row_keys) if row_keys != sqlite_keys::column(&derived.keys) => {
                    return broken(seq, "the row's keys differ from its entry");
                }
                None if seq > indexed => {
                    return broken(seq, "the row's keys are missing");
                }
                _ => {}
            }
            if seq <= indexed {
                keys += match keys_are {
                    Keys::Beside => numbers_of(&derived.keys).len(),
                    Keys::Apart => derived.keys.len(),
                } as i64;
            }
            previous_seq = seq;
            previous_hash = hash;
        }
    }
    let (head, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_ledger_head WHERE id = 1")
            .fetch_one(pool)
            .await?;
    if head != previous_seq || head_hash != previous_hash {
        return broken(
            previous_seq + 1,
            "rows at the end of the ledger are missing",
        );
    }
    let (stored_keys,): (i64,) = sqlx::query_as(match keys_are {
        Keys::Beside => "SELECT COUNT(*) FROM audit_ledger_key_numbers WHERE seq <= $1",
        Keys::Apart => "SELECT COUNT(*) FROM keys.audit_ledger_keys WHERE seq <= $1",
    })
    .bind(previous_seq.min(indexed))
    .fetch_one(pool)
    .await?;
    if stored_keys != keys {
        return Ok(Verification {
            rows: previous_seq,
            broken: Some((0, "the index by patient and agent differs from the entries")),
        });
    }
    Ok(Verification {
        rows: previous_seq,
        broken: None,
    })
}
