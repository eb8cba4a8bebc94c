//! PostgreSQL: the ledger's keys by patient and agent (`p Patient/1`, `a …`, `e …`) are indexed
//! by number, the first 64 bits of the key's SHA-256 (migration 0018, which also numbers the keys
//! of rows written before, computes the same in SQL: `audit_ledger_key_number`).
//!
//! A patient's key lands on a page anywhere in the index, and finding that page is most of what
//! a key costs the statement that appends a batch. As text (about 50 bytes, compared by
//! collation) 64 keys a statement took 0.43–0.46 ms at 27 million keys, as numbers 0.29–0.31 ms
//! (pgbench, one client, commits not waiting for the disk), and the index shrank from 1.8 GB to
//! 0.8 GB when built afresh. On the bench at 14 million ledger rows, audited reads went from
//! 0.21–0.24 of a bare handler to 0.25–0.27, PostgreSQL's CPU from 40–42 µs a read to 30–37, and
//! a patient's trail (`AuditEvent?patient=…`) from a p99 of 15 ms to 4–6 ms.
//!
//! Two keys may share a number, rarely (among a million keys, about one chance in 37 million):
//! a search checks each row it finds against the keys it asked for (`super::query`), so one
//! patient's accesses never appear in another's trail. A count (`_total`, `_summary=count`)
//! counts numbers and would count such a row too.

use sha2::{Digest as _, Sha256};

/// `key`'s number: its SHA-256's first eight bytes, big-endian.
pub(super) fn key_number(key: &str) -> i64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The distinct numbers of a row's keys, for the index (two of its keys may share one).
pub(super) fn numbers_of(keys: &[String]) -> Vec<i64> {
    let mut numbers: Vec<i64> = keys.iter().map(|key| key_number(key)).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_number_is_the_start_of_its_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea…
        assert_eq!(key_number("abc"), 0xba78_16bf_8f01_cfea_u64 as i64);
        assert_ne!(key_number("p Patient/1"), key_number("p Patient/2"));
    }

    #[test]
    fn a_rows_keys_sharing_a_number_are_indexed_once() {
        let keys = vec!["p Patient/1".to_owned(), "p Patient/1".to_owned()];
        assert_eq!(numbers_of(&keys), vec![key_number("p Patient/1")]);
    }
}
