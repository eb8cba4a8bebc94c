//! Breaking the glass: a clinician opening the record of a patient outside their own
//! organisation, which they may do only by saying why. The reason is stored with every access it
//! covers and shown to the patient word for word, so it is checked like any other field.

use serde::{Deserialize, Serialize};

/// The reason a clinician gives for opening a record outside their organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassReason(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BreakGlassReasonError {
    #[error("Enter why you need to see this record")]
    Missing,
    #[error("Reason must be at least 10 characters: say why in a sentence")]
    TooShort,
    #[error("Reason must be 500 characters or fewer")]
    TooLong,
}

impl BreakGlassReason {
    /// Shorter than this says nothing a patient could judge ("urgent", "needed").
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 500;

    /// Parses what a clinician typed. Runs of white space (line breaks too) become one space: the
    /// patient reads it as one sentence.
    pub fn parse(text: &str) -> Result<Self, BreakGlassReasonError> {
        let reason = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match reason.chars().count() {
            0 => Err(BreakGlassReasonError::Missing),
            n if n < Self::MIN_CHARS => Err(BreakGlassReasonError::TooShort),
            n if n > Self::MAX_CHARS => Err(BreakGlassReasonError::TooLong),
            _ => Ok(Self(reason)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_a_sentence_of_10_to_500_characters() {
        assert_eq!(
            BreakGlassReason::parse("  \n ").unwrap_err(),
            BreakGlassReasonError::Missing
        );
        assert_eq!(
            BreakGlassReason::parse("urgent").unwrap_err(),
            BreakGlassReasonError::TooShort
        );
        assert_eq!(
            BreakGlassReason::parse(&"x".repeat(501)).unwrap_err(),
            BreakGlassReasonError::TooLong
        );
        let reason = BreakGlassReason::parse(" Seen in A&E,\n\tunconscious ").unwrap();
        assert_eq!(reason.as_str(), "Seen in A&E, unconscious");
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // Eight characters in sixteen bytes: too short.
        assert!(BreakGlassReason::parse("éééééééé").is_err());
        assert!(BreakGlassReason::parse("éééééééééé").is_ok());
    }
}
