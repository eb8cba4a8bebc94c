//! The practice's clinic list for its staff: a day's appointments, marking where each patient is
//! (arrived, in consultation, finished, did not attend), and cancelling one for the practice.

mod cancel_for_the_practice;
mod get_clinic_day;
mod get_practice_appointment;
mod mark_attendance;

pub use cancel_for_the_practice::{CancelForThePractice, cancel_for_the_practice};
pub use get_clinic_day::{GetClinicDay, get_clinic_day};
pub use get_practice_appointment::{GetPracticeAppointment, get_practice_appointment};
pub use mark_attendance::{MarkAttendance, mark_attendance};
use serde::{Deserialize, Serialize};

/// The form field a new status is chosen in (one per row, suffixed with the appointment id).
pub const STATUS_FIELD: &str = "status";
/// `clinician=all` in the address: every clinician's appointments.
pub const EVERYONE: &str = "all";

/// The form field of the reason the practice gives for cancelling.
pub const PRACTICE_REASON_FIELD: &str = "reason";

/// An appointment as the practice's staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeAppointmentDto {
    pub appointment: crate::appointments::AppointmentDto,
    pub patient_name: String,
    /// "999 000 0018".
    pub nhs_number: Option<String>,
    /// "Email", "Phone call", …: how the patient asked to be contacted about it.
    pub contact: Option<String>,
    /// It has not started and is not cancelled: the practice may cancel it.
    pub cancellable: bool,
}

#[cfg(feature = "ssr")]
impl From<backend::appointments::PracticeAppointment> for PracticeAppointmentDto {
    fn from(found: backend::appointments::PracticeAppointment) -> Self {
        use domain::booking::CancelRefusal;

        let cancellable = matches!(
            found.appointment.cancellable,
            Ok(()) | Err(CancelRefusal::TooLate { .. })
        );
        Self {
            contact: found.appointment.contact.map(|c| c.label().to_owned()),
            cancellable,
            appointment: found.appointment.into(),
            patient_name: found.patient_name,
            nhs_number: found.nhs_number.map(|n| n.to_string()),
        }
    }
}

/// A day's clinic list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicDayDto {
    /// "2026-12-01", as the date field and the addresses carry it.
    pub date: String,
    /// "Tuesday 1 December 2026".
    pub day: String,
    pub previous_day: String,
    pub next_day: String,
    pub is_today: bool,
    /// (`PractitionerRole/…`, name) of every clinician of the practice.
    pub clinicians: Vec<(String, String)>,
    /// The clinician chosen, or `None` for everyone.
    pub chosen: Option<(String, String)>,
    pub appointments: Vec<ClinicAppointmentDto>,
    /// The person looking writes consultation notes (a clinician; not reception).
    pub writes_notes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicAppointmentDto {
    pub id: String,
    /// "9:30am".
    pub time: String,
    /// "Tuesday 1 December 2026, 9:30am".
    pub when: String,
    /// "10 minutes".
    pub length: String,
    pub patient_id: String,
    pub patient_name: String,
    /// "999 000 0018".
    pub nhs_number: Option<String>,
    /// "3 March 1962".
    pub birth_date: Option<String>,
    pub service: String,
    pub clinician: String,
    pub place: String,
    /// The FHIR status, which is also the form's value.
    pub status: String,
    /// "In consultation".
    pub status_label: String,
}

#[cfg(feature = "ssr")]
impl From<backend::appointments::clinic::ClinicAppointment> for ClinicAppointmentDto {
    fn from(a: backend::appointments::clinic::ClinicAppointment) -> Self {
        use backend::time::{appointment_time, clock, spoken_date};

        Self {
            time: clock(a.start),
            when: appointment_time(a.start),
            length: format!("{} minutes", a.end.duration_since(a.start).as_mins()),
            nhs_number: a.nhs_number.map(|n| n.to_string()),
            birth_date: a.birth_date.map(spoken_date),
            status: a.attendance.fhir_status().to_owned(),
            status_label: a.attendance.label().to_owned(),
            id: a.id,
            patient_id: a.patient_id,
            patient_name: a.patient_name,
            service: a.service,
            clinician: a.clinician,
            place: a.place,
        }
    }
}
