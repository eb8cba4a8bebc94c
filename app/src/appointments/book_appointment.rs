//! Server function: book the time the patient is holding.

use leptos::prelude::*;

use crate::error::AppError;

/// Books slot `slot_id` for the signed-in patient, who must be holding it, with the reason and
/// contact preference they gave; then shows the confirmation. Submitting twice books once. If the
/// time has gone, sends them to the nearest other times.
#[server(prefix = "/api", endpoint = "book_appointment")]
pub async fn book_appointment(
    slot_id: String,
    reason: Option<String>,
    contact: Option<String>,
) -> Result<(), AppError> {
    use backend::appointments::{self, AppointmentsError, BookingDetails, Gone};
    use domain::booking::{AppointmentReason, ContactPreference};

    use super::{CONTACT_FIELD, REASON_FIELD, refused};
    use crate::error::FieldError;

    let session = crate::account::require_session()?;
    let reason = AppointmentReason::parse(reason.as_deref().unwrap_or_default());
    let contact = ContactPreference::parse(contact.as_deref().unwrap_or_default());
    let details = match (reason, contact) {
        (Ok(reason), Ok(contact)) => BookingDetails { reason, contact },
        (reason, contact) => {
            let problem = |field: &str, message: String| FieldError {
                field_id: field.to_owned(),
                message,
            };
            let problems = [
                reason.err().map(|e| problem(REASON_FIELD, e.to_string())),
                // The first radio carries the field's id, for the error summary's link.
                contact
                    .err()
                    .map(|e| problem(&format!("{CONTACT_FIELD}-text"), e.to_string())),
            ];
            return Err(crate::account::fail(AppError::Invalid {
                problems: problems.into_iter().flatten().collect(),
            }));
        }
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let booked = async {
        let access = super::booking_access(&db, &session, now).await?;
        appointments::book(&db, access, &slot_id, &details, now).await
    }
    .await;
    match booked {
        Ok(booked) => {
            leptos_axum::redirect(&format!("/appointments/{}/booked", booked.appointment_id));
            Ok(())
        }
        Err(AppointmentsError::Unavailable(unavailable)) => {
            let expired = unavailable.why == Gone::HoldExpired;
            leptos_axum::redirect(&format!(
                "/book/unavailable?slot={slot_id}&expired={expired}"
            ));
            Ok(())
        }
        Err(error) => Err(refused(error)),
    }
}
