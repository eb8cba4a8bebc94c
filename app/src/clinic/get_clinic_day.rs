//! Server function: a day's clinic list.

use leptos::prelude::*;

use super::ClinicDayDto;
use crate::error::AppError;

/// The clinic list of `date` ("2026-12-01"; today when absent) for `clinician`
/// (`PractitionerRole/…`, `all`, or absent for the signed-in clinician's own), for the
/// practice's staff. Audited with every patient on it.
#[server(prefix = "/api", endpoint = "clinic_day")]
pub async fn get_clinic_day(
    date: Option<String>,
    clinician: Option<String>,
) -> Result<ClinicDayDto, AppError> {
    use backend::{
        appointments::{
            AppointmentsError,
            clinic::{self, Whose},
        },
        time::{long_date, uk_date},
    };

    use super::{ClinicAppointmentDto, EVERYONE};
    use crate::{account::fail, appointments::refused};

    let session = crate::account::require_session()?;
    let now = jiff::Timestamp::now();
    let today = uk_date(now);
    let date = match date.as_deref().filter(|d| !d.is_empty()) {
        None => today,
        Some(text) => text.parse::<jiff::civil::Date>().map_err(|_| {
            fail(AppError::invalid(
                "date",
                "Enter a real date, for example 2026-12-01",
            ))
        })?,
    };
    let whose = match clinician.as_deref() {
        None | Some("") => Whose::Mine,
        Some(EVERYONE) => Whose::Everyones,
        Some(role) => Whose::Clinicians(role),
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let day = clinic::clinic_day(
        &db,
        &session,
        date,
        whose,
        crate::account::client_address(),
        now,
    )
    .await
    .map_err(|error| match error {
        AppointmentsError::NotFound => fail(AppError::NotFound),
        error => refused(error),
    })?;
    let neighbour = |date: Result<jiff::civil::Date, jiff::Error>| {
        date.map(|d| d.to_string()).unwrap_or_default()
    };
    Ok(ClinicDayDto {
        date: day.date.to_string(),
        day: long_date(day.date),
        previous_day: neighbour(day.date.yesterday()),
        next_day: neighbour(day.date.tomorrow()),
        is_today: day.date == today,
        clinicians: day
            .clinicians
            .into_iter()
            .map(|c| (c.role, c.name))
            .collect(),
        chosen: day.chosen.map(|c| (c.role, c.name)),
        writes_notes: matches!(
            &session.actor,
            domain::identity::Actor::Staff(staff)
                if staff.role == domain::identity::StaffRole::Clinician
        ),
        appointments: day
            .appointments
            .into_iter()
            .map(ClinicAppointmentDto::from)
            .collect(),
    })
}
