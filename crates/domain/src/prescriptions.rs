//! Repeat prescriptions: when a repeat medicine can be asked for online, what a patient may add
//! to a request, a clinician's decision on it, and how each request's state reads to a patient.

use jiff::civil::Date;

/// Whether a repeat medicine can be requested online on `today`: not once its authorisation has
/// run out (`valid_until`, the last day it covers, before today), when the prescriber must
/// review it first. One with no end date can be requested.
pub fn review_due(valid_until: Option<Date>, today: Date) -> bool {
    valid_until.is_some_and(|last| last < today)
}

/// A patient's note to the practice with their request (a changed dose, going away): plain text
/// on one or more lines, at most [`RequestNote::MAX_CHARS`]; blank means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNote(String);

/// A clinician's reason for refusing a request, which the patient reads: at most
/// [`RefusalReason::MAX_CHARS`], and never blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalReason(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PrescriptionError {
    #[error("Select the medicines you need")]
    NoMedicine,
    #[error("Select the pharmacy to send your prescription to")]
    NoPharmacy,
    #[error("Your note must be 500 characters or fewer")]
    NoteTooLong,
    #[error("Select whether to approve or refuse the request")]
    NoDecision,
    #[error("Enter the reason for refusing, which the patient will read")]
    NoReason,
    #[error("The reason must be 500 characters or fewer")]
    ReasonTooLong,
}

/// Line breaks as `\n`, control characters other than those and tabs dropped, trimmed.
fn plain(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_owned()
}

impl RequestNote {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Option<Self>, PrescriptionError> {
        match plain(text) {
            text if text.is_empty() => Ok(None),
            text if text.chars().count() > Self::MAX_CHARS => Err(PrescriptionError::NoteTooLong),
            text => Ok(Some(Self(text))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RefusalReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, PrescriptionError> {
        match plain(text) {
            text if text.is_empty() => Err(PrescriptionError::NoReason),
            text if text.chars().count() > Self::MAX_CHARS => Err(PrescriptionError::ReasonTooLong),
            text => Ok(Self(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a clinician decides about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Sent to the pharmacy the patient chose.
    Approve,
    Refuse(RefusalReason),
}

impl Decision {
    /// The form's answer: `approve`, or `refuse` with a reason.
    pub fn parse(choice: &str, reason: &str) -> Result<Self, PrescriptionError> {
        match choice.trim() {
            "approve" => Ok(Self::Approve),
            "refuse" => Ok(Self::Refuse(RefusalReason::parse(reason)?)),
            _ => Err(PrescriptionError::NoDecision),
        }
    }
}

/// Where a request is, as its patient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    /// Waiting for a clinician.
    Requested,
    /// Approved and sent to the pharmacy named.
    Approved {
        pharmacy: String,
    },
    Refused {
        reason: String,
    },
}

impl RequestState {
    /// In words: "Requested", "Approved: sent to Boots, High Street", "Refused: …".
    pub fn words(&self) -> String {
        match self {
            Self::Requested => "Requested".to_owned(),
            Self::Approved { pharmacy } => format!("Approved: sent to {pharmacy}"),
            Self::Refused { reason } => format!("Refused: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_needs_a_review_only_after_its_last_day() {
        let today = Date::constant(2026, 12, 7);
        assert!(!review_due(None, today));
        assert!(!review_due(Some(today), today));
        assert!(review_due(Some(Date::constant(2026, 12, 6)), today));
    }

    #[test]
    fn a_refusal_needs_a_reason_and_a_note_may_be_blank() {
        assert_eq!(RequestNote::parse("  \r\n "), Ok(None));
        assert_eq!(
            RequestNote::parse(" Going away\r\non Friday ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Going away\non Friday"
        );
        assert_eq!(
            RequestNote::parse(&"a".repeat(501)),
            Err(PrescriptionError::NoteTooLong)
        );
        assert_eq!(Decision::parse("approve", ""), Ok(Decision::Approve));
        assert_eq!(
            Decision::parse("refuse", " "),
            Err(PrescriptionError::NoReason)
        );
        assert_eq!(
            Decision::parse("", "why"),
            Err(PrescriptionError::NoDecision)
        );
        let refused = Decision::parse("refuse", "Please book a medication review").unwrap();
        assert_eq!(
            refused,
            Decision::Refuse(RefusalReason("Please book a medication review".to_owned()))
        );
        let state = RequestState::Refused {
            reason: "Please book a medication review".to_owned(),
        };
        assert_eq!(state.words(), "Refused: Please book a medication review");
    }
}
