//! Server function: take an earlier time offered in place of a booked appointment.

use leptos::prelude::*;

use crate::error::AppError;

/// Moves appointment `id` of the signed-in patient (or of the person they act for) to the
/// earlier time in `slot_id` they were offered, if nobody took it first (then `Conflict`, and
/// the page says it has gone). Then to the appointment as changed. Audited.
#[server(prefix = "/api", endpoint = "take_earlier_time")]
pub async fn take_earlier_time(id: String, slot_id: String) -> Result<(), AppError> {
    use backend::appointments::{AppointmentsError, earlier};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = super::access_to_appointment(&db, &session, &id, now)
        .await
        .map_err(super::refused)?;
    match earlier::take(&db, access, &id, &slot_id, now).await {
        Ok(booked) => {
            let moved = format!(
                "/appointments/{}/booked?changed=true",
                booked.appointment_id
            );
            leptos_axum::redirect(&moved);
            Ok(())
        }
        Err(
            AppointmentsError::Unavailable(_)
            | AppointmentsError::Changed
            | AppointmentsError::CannotCancel(_),
        ) => Err(crate::account::fail(AppError::Conflict)),
        Err(error) => Err(super::refused(error)),
    }
}
