//! The practice's diaries, for its administrators and each clinician's own: a week's use,
//! opening appointment times from a template, and blocking time off.

mod block_time_off;
mod get_diary_choices;
mod get_times_in_the_way;
mod get_week_use;
mod open_appointment_times;

pub use block_time_off::{BlockTimeOff, block_time_off};
pub use get_diary_choices::{GetDiaryChoices, get_diary_choices};
pub use get_times_in_the_way::{GetTimesInTheWay, get_times_in_the_way};
pub use get_week_use::{GetWeekUse, get_week_use};
pub use open_appointment_times::{OpenAppointmentTimes, open_appointment_times};
use serde::{Deserialize, Serialize};

use crate::clinic::ClinicAppointmentDto;

/// The weekdays as the template form names its checkboxes, Monday first.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("monday", "Monday"),
    ("tuesday", "Tuesday"),
    ("wednesday", "Wednesday"),
    ("thursday", "Thursday"),
    ("friday", "Friday"),
    ("saturday", "Saturday"),
    ("sunday", "Sunday"),
];

/// What the forms offer: clinicians whose diaries the person keeps, services, places; and
/// today's date, the forms' default first day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryChoicesDto {
    /// (`PractitionerRole/…`, name).
    pub clinicians: Vec<(String, String)>,
    /// (service code, name).
    pub services: Vec<(String, String)>,
    /// (`Location/…`, name).
    pub places: Vec<(String, String)>,
    /// "2026-12-01".
    pub today: String,
}

/// A week of the practice's diaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekUseDto {
    /// "Monday 30 November 2026".
    pub week_of: String,
    pub previous_week: String,
    pub next_week: String,
    pub clinicians: Vec<ClinicianUseDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicianUseDto {
    pub name: String,
    pub total: usize,
    pub booked: usize,
    pub blocked: usize,
    pub free: usize,
    /// Booked out of the times not blocked, in whole per cent.
    pub booked_percent: Option<usize>,
}

/// The booked appointments in some blocked time: still booked, for someone to rearrange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InTheWayDto {
    pub clinician: String,
    /// "Tuesday 1 December 2026, 9:00am to 1:00pm".
    pub span: String,
    pub appointments: Vec<ClinicAppointmentDto>,
}

/// Maps the diaries' errors to what the browser gets.
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: backend::diaries::DiaryError) -> crate::error::AppError {
    use backend::diaries::DiaryError;

    use crate::{account::fail, error::AppError};
    match error {
        DiaryError::NotFound => fail(AppError::NotFound),
        DiaryError::Refused(_) => fail(AppError::NotAllowed),
        error => AppError::internal(&error),
    }
}
