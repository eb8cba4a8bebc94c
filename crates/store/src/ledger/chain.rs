//! The hash chain: each row's hash covers the hash of the row before it and its own entry, so a
//! row changed, removed or slipped in breaks every hash after it.

use sha2::{Digest as _, Sha256};

/// The hash before the first row.
pub(crate) const GENESIS: &str = "";

/// The hash of a row holding `entry` (its stored JSON) after a row hashed `previous`.
pub(crate) fn next(previous: &str, entry: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    hasher.update(entry.as_bytes());
    // Lower-case hex, written in one go (not a string for each byte).
    format!("{:x}", hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_depends_on_the_row_before_and_on_the_entry() {
        let first = next(GENESIS, "{}");
        assert_eq!(first.len(), 64);
        assert_ne!(
            next(&first, "{}"),
            first,
            "the same entry again chains to a new hash"
        );
        assert_ne!(next(&first, "{\"a\":1}"), next(&first, "{\"a\":2}"));
        assert_eq!(next(&first, "{}"), next(&first, "{}"));
    }

    #[test]
    fn a_hash_is_written_as_rows_already_stored_have_it() {
        // SHA-256 of "\n{}" in lower-case hex, two digits a byte (its 0x09 keeps its zero):
        // a ledger written before must still verify.
        assert_eq!(
            next(GENESIS, "{}"),
            "a062dd4952b935e430d409c4a5e5cd760e8781e3200d5c7e12a232dddba8a528"
        );
    }
}
