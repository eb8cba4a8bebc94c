//! Random secrets (session ids, tokens, client secrets) and the digests the database keeps of
//! them instead.
//!
//! Every secret is 256 random bits, so a plain SHA-256 digest is enough: a copy of the database
//! holds nothing a caller could present, and a slow password hash would buy nothing.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// 256 random bits, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    // The operating system's generator; without it nothing here can be secure, so stop.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 digest the database keeps in place of `secret`.
pub(crate) fn digest(secret: &str) -> String {
    // Lower-case hex, written in one go (not a string for each byte).
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// Compares two digests in constant time, so timing reveals nothing about how much matched.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn digests_compare_equal_only_when_equal() {
        assert!(same(&digest("a"), &digest("a")));
        assert!(!same(&digest("a"), &digest("b")));
    }
}
