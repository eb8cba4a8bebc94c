//! Server function: the practice cancels a patient's appointment.

use leptos::prelude::*;

use crate::error::AppError;

/// Cancels appointment `id` for the practice, telling the patient `reason` (required); then to
/// the page that says it is cancelled and whether an email tells the patient. For the staff of
/// its patient's practice (a clinician or the office); audited.
#[server(prefix = "/api", endpoint = "cancel_for_the_practice")]
pub async fn cancel_for_the_practice(id: String, reason: String) -> Result<(), AppError> {
    use backend::appointments::{self, AppointmentsError};
    use domain::booking::AppointmentReason;

    use super::PRACTICE_REASON_FIELD;
    use crate::{account::fail, appointments::refused};

    let session = crate::account::require_session()?;
    if !matches!(session.actor, domain::identity::Actor::Staff(_)) {
        return Err(fail(AppError::NotAllowed));
    }
    let reason = match AppointmentReason::parse(&reason) {
        Ok(Some(reason)) => reason,
        Ok(None) => {
            return Err(fail(AppError::invalid(
                PRACTICE_REASON_FIELD,
                "Enter why the practice is cancelling the appointment",
            )));
        }
        Err(error) => {
            return Err(fail(AppError::invalid(
                PRACTICE_REASON_FIELD,
                error.to_string(),
            )));
        }
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let cancelled = async {
        let access = crate::appointments::access_to_appointment(&db, &session, &id, now).await?;
        appointments::cancel_for_the_practice(&db, access, &id, &reason, now).await
    }
    .await;
    match cancelled {
        Ok(cancelled) => {
            let emailed = if cancelled.emailed { "yes" } else { "no" };
            leptos_axum::redirect(&format!(
                "/clinic/appointments/{id}/cancelled?emailed={emailed}"
            ));
            Ok(())
        }
        Err(AppointmentsError::CannotCancel(_) | AppointmentsError::Changed) => {
            Err(fail(AppError::Conflict))
        }
        Err(error) => Err(refused(error)),
    }
}
