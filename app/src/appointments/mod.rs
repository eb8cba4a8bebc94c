//! Booking and managing appointments, for patients: the DTOs the pages show and the server
//! functions behind them (one file each). Every step is a plain GET page or a form post that
//! redirects (POST-redirect-GET), so the journey is the same with JavaScript or without.

mod book_appointment;
mod cancel_appointment;
mod get_alternatives;
mod get_appointment;
mod get_booking_options;
mod get_held_time;
mod get_my_appointments;
mod hold_time;
mod reschedule_appointment;
mod take_earlier_time;
pub mod time_filter;
mod want_earlier_time;

pub use book_appointment::{BookAppointment, book_appointment};
pub use cancel_appointment::{CancelAppointment, cancel_appointment};
pub use get_alternatives::{GetAlternatives, get_alternatives};
pub use get_appointment::{GetAppointment, get_appointment};
pub use get_booking_options::{GetBookingOptions, get_booking_options};
pub use get_held_time::{GetHeldTime, get_held_time};
pub use get_my_appointments::{GetMyAppointments, get_my_appointments};
pub use hold_time::{HoldTime, hold_time};
pub use reschedule_appointment::{RescheduleAppointment, reschedule_appointment};
use serde::{Deserialize, Serialize};
pub use take_earlier_time::{TakeEarlierTime, take_earlier_time};
pub use want_earlier_time::{WantEarlierTime, want_earlier_time};

/// Form fields, shared by the pages and the server functions that read them.
pub const SERVICE_FIELD: &str = "service";
pub const DAY_FIELD: &str = "day";
pub const SLOT_FIELD: &str = "slot_id";
pub const REASON_FIELD: &str = "reason";
pub const CONTACT_FIELD: &str = "contact";
pub const CANCEL_REASON_FIELD: &str = "cancel_reason";
/// The appointment being changed, carried through the booking steps when rescheduling.
pub const CHANGE_FIELD: &str = "change";

/// A kind of appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDto {
    pub code: String,
    pub name: String,
    pub description: String,
}

/// A day with free times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayDto {
    /// `2026-12-01`: the form value.
    pub date: String,
    /// "Tuesday 1 December".
    pub label: String,
    pub free: i64,
}

/// A free time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeDto {
    pub slot_id: String,
    /// "9:30am".
    pub time: String,
    /// "Tuesday 1 December 2026, 9:30am".
    pub when: String,
    pub clinician: String,
    pub place: String,
    pub morning: bool,
}

/// What the booking pages offer, as far as the patient has chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingOptionsDto {
    pub services: Vec<ServiceDto>,
    /// The kind chosen, if any.
    pub service: Option<ServiceDto>,
    /// Days with free times for the chosen kind (when no day is chosen yet).
    pub days: Vec<DayDto>,
    /// The day chosen ("Tuesday 1 December"), if any.
    pub day: Option<DayDto>,
    /// The free times of the chosen day.
    pub times: Vec<TimeDto>,
}

/// A patient-only page's answer: the thing, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatientView<T> {
    Ready(T),
    /// NHS login has checked them below P9: the page says why and what to do.
    ProofingTooLow,
}

/// The time held for the patient while they check their answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDto {
    pub service: ServiceDto,
    pub time: TimeDto,
    /// The date of the time (`2026-12-01`), for the "change" links.
    pub date: String,
    /// "Wednesday 2 December 2026".
    pub day_label: String,
    /// "9:35am": until when it is kept.
    pub held_until: String,
}

/// A time that cannot be had, and the nearest others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableDto {
    /// The hold ran out (rather than someone else taking the time).
    pub hold_expired: bool,
    pub service: ServiceDto,
    pub alternatives: Vec<TimeDto>,
}

/// The check-your-answers page: the held time, or the news that it has gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeldView {
    Held(HeldDto),
    Unavailable(UnavailableDto),
}

/// Whether an appointment can be cancelled online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelDto {
    Allowed,
    /// Inside the service's cut-off: "2 hours".
    TooLate {
        cutoff: String,
    },
    Started,
    AlreadyCancelled,
}

/// An appointment as the patient reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentDto {
    pub id: String,
    pub reference: String,
    pub cancelled: bool,
    pub service: String,
    /// The service-kind code, for booking another time of the same kind.
    pub service_code: String,
    /// "Tuesday 1 December 2026, 9:30am".
    pub when: String,
    /// The start as an ISO instant, for `<time datetime>`.
    pub datetime: String,
    pub clinician: String,
    pub place: String,
    pub address: Vec<String>,
    pub directions: Option<String>,
    pub reason: Option<String>,
    pub contact: Option<String>,
    pub cancellation_reason: Option<String>,
    pub cancel: CancelDto,
}

/// Upcoming (soonest first), and past or cancelled (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAppointmentsDto {
    /// Whose they are, when not the reader's own: the person a carer acts for.
    pub for_name: Option<String>,
    pub upcoming: Vec<AppointmentDto>,
    pub past: Vec<AppointmentDto>,
    /// The upcoming appointments the patient wants earlier, by id.
    pub earlier_asked_for: Vec<String>,
    /// Earlier times offered in place of them.
    pub earlier_offers: Vec<EarlierOfferDto>,
}

/// An earlier time offered in place of a booked appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierOfferDto {
    pub slot_id: String,
    /// "Tuesday 8 December at 10:00am".
    pub when: String,
    pub datetime: String,
    /// The appointment it would replace, and when that is.
    pub instead_of: String,
    pub instead_of_when: String,
    /// Someone else took it first.
    pub gone: bool,
}

#[cfg(feature = "ssr")]
mod convert {
    use backend::{appointments, time};
    use domain::booking::CancelRefusal;

    use super::*;

    impl From<appointments::Service> for ServiceDto {
        fn from(service: appointments::Service) -> Self {
            Self {
                code: service.code,
                name: service.name,
                description: service.description,
            }
        }
    }

    impl From<appointments::FreeTime> for TimeDto {
        fn from(time: appointments::FreeTime) -> Self {
            Self {
                time: time::clock(time.start),
                when: time::appointment_time(time.start),
                morning: time::is_morning(time.start),
                slot_id: time.slot_id,
                clinician: time.clinician,
                place: time.place,
            }
        }
    }

    impl From<appointments::Unavailable> for UnavailableDto {
        fn from(unavailable: appointments::Unavailable) -> Self {
            Self {
                hold_expired: unavailable.why == appointments::Gone::HoldExpired,
                service: unavailable.service.into(),
                alternatives: unavailable
                    .alternatives
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            }
        }
    }

    impl From<appointments::Appointment> for AppointmentDto {
        fn from(appointment: appointments::Appointment) -> Self {
            Self {
                when: time::appointment_time(appointment.start),
                datetime: appointment.start.to_string(),
                cancelled: appointment.status == "cancelled",
                cancel: match appointment.cancellable {
                    Ok(()) => CancelDto::Allowed,
                    Err(CancelRefusal::TooLate { cutoff_minutes }) => CancelDto::TooLate {
                        cutoff: duration_words(cutoff_minutes),
                    },
                    Err(CancelRefusal::Started) => CancelDto::Started,
                    Err(CancelRefusal::AlreadyCancelled) => CancelDto::AlreadyCancelled,
                },
                id: appointment.id,
                reference: appointment.reference,
                service_code: appointment.service.code,
                service: appointment.service.name,
                clinician: appointment.clinician,
                place: appointment.place,
                address: appointment.address,
                directions: appointment.directions,
                reason: appointment.reason,
                contact: appointment.contact.map(|c| c.label().to_owned()),
                cancellation_reason: appointment.cancellation_reason,
            }
        }
    }

    /// "2 hours", "90 minutes", "1 hour".
    fn duration_words(minutes: i64) -> String {
        match (minutes / 60, minutes % 60) {
            (1, 0) => "1 hour".to_owned(),
            (hours, 0) => format!("{hours} hours"),
            _ => format!("{minutes} minutes"),
        }
    }
}

/// The session's access to the patient whose appointment `id` is, for appointments: the
/// policy's one check (a refusal is audited already).
#[cfg(feature = "ssr")]
pub(crate) async fn access_to_appointment(
    db: &backend::Db,
    session: &backend::auth::sessions::Session,
    id: &str,
    now: jiff::Timestamp,
) -> Result<backend::auth::access::Access, backend::appointments::AppointmentsError> {
    let patient_id = backend::appointments::patient_of(db, id).await?;
    Ok(crate::account::access(
        db,
        session,
        &patient_id,
        backend::auth::policy::Purpose::Appointments,
        now,
    )
    .await?)
}

/// The session's access for booking: to the appointments of the patient its pages are about
/// (their own, or the person they act for); a refusal is audited.
#[cfg(feature = "ssr")]
pub(crate) async fn booking_access(
    db: &backend::Db,
    session: &backend::auth::sessions::Session,
    now: jiff::Timestamp,
) -> Result<backend::auth::access::Access, backend::appointments::AppointmentsError> {
    use backend::{appointments::AppointmentsError, auth::policy::Purpose};
    crate::account::access_to_whose_record(
        db,
        session,
        Purpose::Appointments,
        now,
        AppointmentsError::Refused,
    )
    .await
}

/// What a patient's page shows for a refused or failed appointments use case: why not, in its
/// place ("prove who you are", not given access to do this for them), or the error.
#[cfg(feature = "ssr")]
pub(crate) fn patient_refusal<T>(
    session: &backend::auth::sessions::Session,
    error: backend::appointments::AppointmentsError,
) -> Result<PatientView<T>, crate::error::AppError> {
    use backend::{appointments::AppointmentsError, auth::policy::Refusal};
    match error {
        AppointmentsError::Refused(Refusal::ProofingTooLow) => Ok(PatientView::ProofingTooLow),
        AppointmentsError::Refused(refusal) => Err(crate::account::refusal(session, refusal)),
        error => Err(refused(error)),
    }
}

/// The error a server function returns for a refusal or failure of the appointments use cases.
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: backend::appointments::AppointmentsError) -> crate::error::AppError {
    use backend::{appointments::AppointmentsError, auth::policy::Refusal};

    use crate::{account::fail, error::AppError};
    match error {
        AppointmentsError::NotFound => fail(AppError::NotFound),
        AppointmentsError::Refused(Refusal::BeyondGrant) => fail(AppError::NotGranted),
        AppointmentsError::Refused(_) => fail(AppError::NotAllowed),
        error => AppError::internal(&error),
    }
}
