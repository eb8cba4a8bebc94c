//! Notifications by email: the address they go to, parsed once, the topics a patient chooses
//! among, and the rule for trying again when the mail server does not take one.

use std::time::Duration;

/// An email address as a patient's record holds it: one `@` between a local part and a domain
/// with a dot, no spaces or control characters, at most 254 characters (RFC 5321's limit on a
/// path). Good enough to hand to a mail server, which is the real judge.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    #[error("Enter an email address in the correct format, like name@example.com")]
    Invalid,
}

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(text: &str) -> Result<Self, EmailAddressError> {
        let text = text.trim();
        let (local, domain) = text.rsplit_once('@').ok_or(EmailAddressError::Invalid)?;
        let well_formed = !local.is_empty()
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && text.chars().count() <= Self::MAX_CHARS
            && !text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(EmailAddressError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An address identifies a person: its `Debug` says only that there is one.
impl std::fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmailAddress(..)")
    }
}

/// What a patient may choose to be emailed about, or not: every topic is on until they turn it
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    /// An appointment they asked to be emailed about: booked, a reminder, cancelled by the
    /// practice.
    Appointments,
    /// Their record opened in an emergency by a clinician outside their practice.
    EmergencyAccess,
    /// A reply or a new message from the practice.
    Messages,
    /// A clinician's decision on a repeat prescription they asked for.
    Prescriptions,
}

impl Topic {
    pub const ALL: [Self; 4] = [
        Self::Appointments,
        Self::EmergencyAccess,
        Self::Messages,
        Self::Prescriptions,
    ];

    /// The form value, and the stored one.
    pub fn code(self) -> &'static str {
        match self {
            Self::Appointments => "appointments",
            Self::EmergencyAccess => "emergency-access",
            Self::Messages => "messages",
            Self::Prescriptions => "prescriptions",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|topic| topic.code() == code.trim())
    }
}

/// How many times a notification is tried before it is given up and shown to staff as failing.
pub const ATTEMPTS: u32 = 8;

/// What to do after attempt number `attempts` (from 1) failed: try again after the returned wait
/// (a minute, doubling, at most six hours), or `None` to give up.
pub fn retry_after(attempts: u32) -> Option<Duration> {
    if attempts >= ATTEMPTS {
        return None;
    }
    let minutes = 1_u64 << attempts.saturating_sub(1).min(16);
    Some(Duration::from_secs((minutes * 60).min(6 * 60 * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_taken_as_a_mail_server_would_need_them() {
        assert_eq!(
            EmailAddress::parse(" amina.okafor@example.com ")
                .unwrap()
                .as_str(),
            "amina.okafor@example.com"
        );
        for bad in [
            "",
            "amina",
            "@example.com",
            "amina@",
            "amina@example",
            "amina@.example.com",
            "amina@example.com.",
            "amina okafor@example.com",
            "amina@exa@mple.com",
            "<amina@example.com>",
            "amina@example.com\r\nBcc: x@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailAddressError::Invalid),
                "{bad:?}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
        assert_eq!(
            format!("{:?}", EmailAddress::parse("a@example.com").unwrap()),
            "EmailAddress(..)"
        );
    }

    #[test]
    fn a_failed_notification_is_tried_again_later_and_later_then_given_up() {
        let waits: Vec<Option<u64>> = (1..=ATTEMPTS)
            .map(|attempt| retry_after(attempt).map(|wait| wait.as_secs() / 60))
            .collect();
        assert_eq!(
            waits,
            [
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(64),
                None
            ]
        );
        assert_eq!(retry_after(20), None);
    }
}
