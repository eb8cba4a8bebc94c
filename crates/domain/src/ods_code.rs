//! ODS codes: the Organisation Data Service identifiers of NHS organisations (a GP practice is a
//! letter and five digits, like `A81001`; trusts are three characters, like `RR8`).

use std::fmt;

/// A syntactically valid ODS code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OdsCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("ODS code must be 3 to 10 letters and numbers")]
    Malformed,
}

impl OdsCode {
    pub fn parse(input: &str) -> Result<Self, OdsCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let well_formed =
            (3..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric());
        if well_formed {
            Ok(Self(code))
        } else {
            Err(OdsCodeError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OdsCode {
    type Error = OdsCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OdsCode> for String {
    fn from(value: OdsCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, OdsCodeError>) {
        assert_eq!(
            OdsCode::parse(input)
                .as_ref()
                .map(OdsCode::as_str)
                .map_err(|e| *e),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn practice_and_trust_codes_parse_and_upper_case() {
        check("A81001", Ok("A81001"));
        check(" y90001 ", Ok("Y90001"));
        check("RR8", Ok("RR8"));
    }

    #[test]
    fn malformed_codes_are_rejected() {
        check("", Err(OdsCodeError::Malformed));
        check("AB", Err(OdsCodeError::Malformed));
        check("A81-001", Err(OdsCodeError::Malformed));
        check("ABCDEFGHIJK", Err(OdsCodeError::Malformed));
    }
}
