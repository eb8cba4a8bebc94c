//! Server function: the booked appointments in some blocked time.

use leptos::prelude::*;

use super::InTheWayDto;
use crate::error::AppError;

/// The appointments still booked in `clinician`'s diary from `from` to `until` (instants, as
/// blocking time off gives them), for whoever keeps that diary. Audited as a listing.
#[server(prefix = "/api", endpoint = "times_in_the_way")]
pub async fn get_times_in_the_way(
    clinician: String,
    from: String,
    until: String,
) -> Result<InTheWayDto, AppError> {
    use backend::{diaries, time::appointment_time};

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let (Ok(from), Ok(until)) = (
        from.parse::<jiff::Timestamp>(),
        until.parse::<jiff::Timestamp>(),
    ) else {
        return Err(fail(AppError::NotFound));
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let booked = diaries::booked_between(
        &db,
        &session,
        &clinician,
        (from, until),
        crate::account::client_address(),
        now,
    )
    .await
    .map_err(super::refused)?;
    let name = diaries::choices(&db, &session, now)
        .await
        .map_err(super::refused)?
        .clinicians
        .into_iter()
        .find(|c| c.role == clinician)
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(InTheWayDto {
        clinician: name,
        span: format!("{} to {}", appointment_time(from), appointment_time(until)),
        appointments: booked
            .into_iter()
            .map(crate::clinic::ClinicAppointmentDto::from)
            .collect(),
    })
}
