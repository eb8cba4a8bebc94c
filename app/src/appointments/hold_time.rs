//! Server function: keep the chosen time for the patient while they check their answers.

use leptos::prelude::*;

use crate::error::AppError;

/// Holds slot `slot_id` for the signed-in patient, then sends them to check their answers; if
/// someone else has it, to the nearest other times instead. `change`: the appointment this time
/// is to replace, carried to the next page.
#[server(prefix = "/api", endpoint = "hold_time")]
pub async fn hold_time(slot_id: Option<String>, change: Option<String>) -> Result<(), AppError> {
    use backend::appointments::{self, AppointmentsError};

    use super::{SLOT_FIELD, refused};

    let session = crate::account::require_session()?;
    let slot_id = slot_id
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| crate::account::fail(AppError::invalid(SLOT_FIELD, "Select a time")))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let change = change
        .filter(|id| !id.is_empty())
        .map(|id| format!("&change={id}"))
        .unwrap_or_default();
    let now = jiff::Timestamp::now();
    let held = async {
        let access = super::booking_access(&db, &session, now).await?;
        appointments::hold(&db, &access, &slot_id, now).await
    };
    match held.await {
        Ok(_) => leptos_axum::redirect(&format!("/book/check?slot={slot_id}{change}")),
        Err(AppointmentsError::Unavailable(_)) => {
            leptos_axum::redirect(&format!("/book/unavailable?slot={slot_id}{change}"));
        }
        Err(error) => return Err(refused(error)),
    }
    Ok(())
}
