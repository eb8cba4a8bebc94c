//! Server function: move an appointment to the time the patient is holding.

use leptos::prelude::*;

use crate::error::AppError;

/// Books slot `slot_id` (which the signed-in patient holds) in place of their appointment `id`,
/// cancelling the old one in the same transaction; then shows the new one. If the time has gone,
/// sends them to the nearest other times, still changing the same appointment.
#[server(prefix = "/api", endpoint = "reschedule_appointment")]
pub async fn reschedule_appointment(id: String, slot_id: String) -> Result<(), AppError> {
    use backend::appointments::{self, AppointmentsError, Gone};

    use super::refused;
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let moved = async {
        let access = super::access_to_appointment(&db, &session, &id, now).await?;
        appointments::reschedule(&db, access, &id, &slot_id, now).await
    }
    .await;
    match moved {
        Ok(booked) => {
            leptos_axum::redirect(&format!(
                "/appointments/{}/booked?changed=true",
                booked.appointment_id
            ));
            Ok(())
        }
        Err(AppointmentsError::Unavailable(unavailable)) => {
            let expired = unavailable.why == Gone::HoldExpired;
            leptos_axum::redirect(&format!(
                "/book/unavailable?slot={slot_id}&expired={expired}&change={id}"
            ));
            Ok(())
        }
        Err(AppointmentsError::CannotCancel(_) | AppointmentsError::Changed) => {
            Err(fail(AppError::Conflict))
        }
        Err(error) => Err(refused(error)),
    }
}
