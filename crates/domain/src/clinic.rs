//! A clinic day: where each booked patient is, from booked to finished (or did not attend), and
//! which changes make sense when.

use jiff::{Timestamp, civil};
use serde::{Deserialize, Serialize};

/// Where a patient with an appointment is, as reception and the clinician mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Attendance {
    Booked,
    Arrived,
    InConsultation,
    Finished,
    DidNotAttend,
}

impl Attendance {
    pub const ALL: [Self; 5] = [
        Self::Booked,
        Self::Arrived,
        Self::InConsultation,
        Self::Finished,
        Self::DidNotAttend,
    ];

    /// The FHIR `Appointment.status` that stores it. "In consultation" is `checked-in`: the
    /// administrative work is done and the encounter under way (FHIR's own words for it).
    pub fn fhir_status(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Arrived => "arrived",
            Self::InConsultation => "checked-in",
            Self::Finished => "fulfilled",
            Self::DidNotAttend => "noshow",
        }
    }

    /// The attendance an `Appointment.status` stands for; `None` for one off the clinic list
    /// (proposed, pending, cancelled, entered in error, waitlisted).
    pub fn from_fhir_status(status: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.fhir_status() == status)
    }

    /// What the clinic list says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Booked => "Booked",
            Self::Arrived => "Arrived",
            Self::InConsultation => "In consultation",
            Self::Finished => "Finished",
            Self::DidNotAttend => "Did not attend",
        }
    }

    /// The value a form posts: the FHIR status, so addresses and forms speak one language.
    pub fn parse(value: &str) -> Result<Self, AttendanceError> {
        Self::from_fhir_status(value).ok_or(AttendanceError::Unknown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("Select what the patient's status is now")]
    Unknown,
    #[error("A patient cannot arrive, be seen or finish before the day of their appointment")]
    NotTheDayYet,
    #[error("A patient can be marked as did not attend only once their appointment has started")]
    NotStartedYet,
}

/// Whether an appointment on `day` starting at `start` may be marked `to`, at `now` (UK date
/// `today`). Any mark can be put back to booked, to undo a slip; arriving, consultation and
/// finishing belong to the day itself (or a late correction), and "did not attend" needs the
/// time to have come.
pub fn may_mark(
    to: Attendance,
    day: civil::Date,
    start: Timestamp,
    today: civil::Date,
    now: Timestamp,
) -> Result<(), AttendanceError> {
    match to {
        Attendance::Booked => Ok(()),
        Attendance::Arrived | Attendance::InConsultation | Attendance::Finished if day > today => {
            Err(AttendanceError::NotTheDayYet)
        }
        Attendance::DidNotAttend if start > now => Err(AttendanceError::NotStartedYet),
        _ => Ok(()),
    }
}

/// What a clinician writes about a consultation: free text, 1 to 10,000 characters once
/// trimmed. Parsed once at the edge; stored as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationNote(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationNoteError {
    #[error("Enter the consultation note")]
    Empty,
    #[error("The note must be 10,000 characters or fewer")]
    TooLong,
}

impl ConsultationNote {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(text: &str) -> Result<Self, ConsultationNoteError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ConsultationNoteError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(ConsultationNoteError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: civil::Date = civil::date(2026, 12, 1);

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn every_attendance_is_stored_as_a_fhir_status_and_read_back() {
        for attendance in Attendance::ALL {
            assert_eq!(
                Attendance::from_fhir_status(attendance.fhir_status()),
                Some(attendance)
            );
            assert_eq!(Attendance::parse(attendance.fhir_status()), Ok(attendance));
        }
        assert_eq!(Attendance::from_fhir_status("cancelled"), None);
        assert_eq!(
            Attendance::parse("teleported"),
            Err(AttendanceError::Unknown)
        );
    }

    #[test]
    fn a_patient_arrives_on_the_day_not_before() {
        let now = at("2026-12-01T09:00:00Z");
        let tomorrow = civil::date(2026, 12, 2);
        let start = at("2026-12-02T09:00:00Z");
        assert_eq!(
            may_mark(Attendance::Arrived, tomorrow, start, TODAY, now),
            Err(AttendanceError::NotTheDayYet)
        );
        let later_today = at("2026-12-01T15:00:00Z");
        assert_eq!(
            may_mark(Attendance::Arrived, TODAY, later_today, TODAY, now),
            Ok(())
        );
        assert_eq!(
            may_mark(Attendance::Booked, tomorrow, start, TODAY, now),
            Ok(())
        );
    }

    #[test]
    fn a_note_has_words_and_a_limit() {
        assert_eq!(
            ConsultationNote::parse("  Cough for 3 weeks. Chest clear.  ")
                .unwrap()
                .as_str(),
            "Cough for 3 weeks. Chest clear."
        );
        assert_eq!(
            ConsultationNote::parse(" \n "),
            Err(ConsultationNoteError::Empty)
        );
        let long = "a".repeat(ConsultationNote::MAX_CHARS + 1);
        assert_eq!(
            ConsultationNote::parse(&long),
            Err(ConsultationNoteError::TooLong)
        );
    }

    #[test]
    fn did_not_attend_only_once_the_time_has_come() {
        let now = at("2026-12-01T09:00:00Z");
        let soon = at("2026-12-01T09:10:00Z");
        assert_eq!(
            may_mark(Attendance::DidNotAttend, TODAY, soon, TODAY, now),
            Err(AttendanceError::NotStartedYet)
        );
        let earlier = at("2026-12-01T08:50:00Z");
        assert_eq!(
            may_mark(Attendance::DidNotAttend, TODAY, earlier, TODAY, now),
            Ok(())
        );
    }
}
