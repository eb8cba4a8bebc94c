//! Booking rules that hold whatever the storage: which appointment statuses hold a slot, how long
//! a chosen time is kept for a patient, and when an appointment can still be cancelled online.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Whether an appointment in this FHIR `Appointment.status` keeps its slot taken. Cancelled and
/// entered-in-error appointments give the slot back; a no-show still used the clinician's time.
pub fn holds_slot(status: &str) -> bool {
    !matches!(status, "cancelled" | "entered-in-error")
}

/// How long a time is kept for a patient between choosing it and confirming the booking: long
/// enough to read the answers and type a reason, short enough not to hide free times for long.
pub const HOLD: SignedDuration = SignedDuration::from_mins(5);

/// How far ahead patients may book online.
pub const BOOKING_HORIZON_DAYS: i16 = 28;

/// A service that sets no cut-off of its own: appointments cannot be cancelled online in the
/// last two hours, when the practice could no longer offer the time to someone else.
pub const DEFAULT_CANCELLATION_CUTOFF: SignedDuration = SignedDuration::from_hours(2);

/// Why an appointment cannot be cancelled online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelRefusal {
    /// It is already cancelled.
    AlreadyCancelled,
    /// It has started or is over.
    Started,
    /// Inside the service's cut-off: only the practice can cancel it now. `cutoff_minutes` is how
    /// long before the start online cancellation closes.
    TooLate { cutoff_minutes: i64 },
}

/// May an appointment with this `status`, starting at `start`, be cancelled online at `now`, for a
/// service whose online cancellation closes `cutoff` before the start?
pub fn may_cancel_online(
    status: &str,
    start: Timestamp,
    cutoff: SignedDuration,
    now: Timestamp,
) -> Result<(), CancelRefusal> {
    if !holds_slot(status) {
        return Err(CancelRefusal::AlreadyCancelled);
    }
    if now >= start {
        return Err(CancelRefusal::Started);
    }
    if start.duration_since(now) < cutoff {
        return Err(CancelRefusal::TooLate {
            cutoff_minutes: cutoff.as_mins(),
        });
    }
    Ok(())
}

/// Whether a slot starting at `start` may be chosen online at `now`: not started, and within
/// the booking horizon.
pub fn bookable(start: Timestamp, now: Timestamp) -> bool {
    let horizon = SignedDuration::from_hours(24 * i64::from(BOOKING_HORIZON_DAYS));
    start > now && start.duration_since(now) <= horizon
}

/// What the patient says the appointment is about: optional, one paragraph, for the clinician to
/// read before the appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentReason(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentReasonError {
    #[error("Reason must be 500 characters or fewer")]
    TooLong,
}

impl AppointmentReason {
    pub const MAX_CHARS: usize = 500;

    /// `None` for an empty field: giving a reason is optional. Runs of white space become one
    /// space.
    pub fn parse(text: &str) -> Result<Option<Self>, AppointmentReasonError> {
        let reason = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match reason.chars().count() {
            0 => Ok(None),
            n if n > Self::MAX_CHARS => Err(AppointmentReasonError::TooLong),
            _ => Ok(Some(Self(reason))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the practice should contact the patient about the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactPreference {
    TextMessage,
    PhoneCall,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactPreferenceError {
    #[error("Select how we should contact you about this appointment")]
    Missing,
}

impl ContactPreference {
    pub const ALL: [Self; 3] = [Self::TextMessage, Self::PhoneCall, Self::Email];

    /// The form value.
    pub fn code(self) -> &'static str {
        match self {
            Self::TextMessage => "text",
            Self::PhoneCall => "phone",
            Self::Email => "email",
        }
    }

    /// As the patient reads it.
    pub fn label(self) -> &'static str {
        match self {
            Self::TextMessage => "Text message",
            Self::PhoneCall => "Phone call",
            Self::Email => "Email",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ContactPreferenceError> {
        Self::ALL
            .into_iter()
            .find(|preference| preference.code() == code.trim())
            .ok_or(ContactPreferenceError::Missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cancelled_and_mistaken_appointments_free_their_slot() {
        for status in [
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "checked-in",
            "noshow",
            "waitlist",
        ] {
            assert!(holds_slot(status), "{status}");
        }
        assert!(!holds_slot("cancelled"));
        assert!(!holds_slot("entered-in-error"));
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn online_cancellation_closes_at_the_cutoff_before_the_start() {
        let start = at("2026-12-03T09:30:00Z");
        let two_hours = SignedDuration::from_hours(2);
        let check = |status: &str, now: &str, expected: Result<(), CancelRefusal>| {
            assert_eq!(
                may_cancel_online(status, start, two_hours, at(now)),
                expected,
                "{status} at {now}"
            );
        };
        check("booked", "2026-12-02T09:30:00Z", Ok(()));
        check("booked", "2026-12-03T07:30:00Z", Ok(()));
        let too_late = Err(CancelRefusal::TooLate {
            cutoff_minutes: 120,
        });
        check("booked", "2026-12-03T07:30:01Z", too_late);
        check("booked", "2026-12-03T09:29:59Z", too_late);
        check(
            "booked",
            "2026-12-03T09:30:00Z",
            Err(CancelRefusal::Started),
        );
        check(
            "cancelled",
            "2026-12-01T09:00:00Z",
            Err(CancelRefusal::AlreadyCancelled),
        );
    }

    #[test]
    fn slots_are_bookable_from_now_to_the_horizon() {
        let now = at("2026-12-01T12:00:00Z");
        assert!(!bookable(at("2026-12-01T11:59:00Z"), now));
        assert!(!bookable(now, now));
        assert!(bookable(at("2026-12-01T12:10:00Z"), now));
        assert!(bookable(at("2026-12-29T12:00:00Z"), now));
        assert!(!bookable(at("2026-12-29T12:00:01Z"), now));
    }

    #[test]
    fn a_reason_is_optional_and_at_most_500_characters() {
        assert_eq!(AppointmentReason::parse(" \n ").unwrap(), None);
        assert_eq!(
            AppointmentReason::parse(" Sore\n throat ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Sore throat"
        );
        assert!(AppointmentReason::parse(&"a".repeat(500)).is_ok());
        assert_eq!(
            AppointmentReason::parse(&"a".repeat(501)),
            Err(AppointmentReasonError::TooLong)
        );
    }

    #[test]
    fn contact_preferences_round_trip_through_their_form_codes() {
        for preference in ContactPreference::ALL {
            assert_eq!(ContactPreference::parse(preference.code()), Ok(preference));
        }
        assert_eq!(
            ContactPreference::parse(""),
            Err(ContactPreferenceError::Missing)
        );
    }
}
