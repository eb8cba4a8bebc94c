//! Server function: cancel an appointment online.

use leptos::prelude::*;

use crate::error::AppError;

/// Cancels appointment `id` with the reason given (optional), within the service's cut-off, for
/// whoever the policy lets change it; then shows that it is cancelled.
#[server(prefix = "/api", endpoint = "cancel_appointment")]
pub async fn cancel_appointment(id: String, cancel_reason: Option<String>) -> Result<(), AppError> {
    use backend::appointments::{self, AppointmentsError};
    use domain::booking::AppointmentReason;

    use super::{CANCEL_REASON_FIELD, refused};
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let reason = AppointmentReason::parse(cancel_reason.as_deref().unwrap_or_default())
        .map_err(|e| fail(AppError::invalid(CANCEL_REASON_FIELD, e.to_string())))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let cancelled = async {
        let access = super::access_to_appointment(&db, &session, &id, now).await?;
        appointments::cancel(&db, access, &id, reason.as_ref(), now).await
    }
    .await;
    match cancelled {
        Ok(_) => {
            leptos_axum::redirect(&format!("/appointments/{id}/cancelled"));
            Ok(())
        }
        Err(AppointmentsError::CannotCancel(_) | AppointmentsError::Changed) => {
            Err(fail(AppError::Conflict))
        }
        Err(error) => Err(refused(error)),
    }
}
