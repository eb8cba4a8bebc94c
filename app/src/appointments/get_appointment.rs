//! Server function: one appointment, for its confirmation and cancellation pages.

use leptos::prelude::*;

use super::{AppointmentDto, PatientView};
use crate::error::AppError;

/// Appointment `id`, for whoever the policy lets see it (its patient, their proxy, the
/// practice's clinicians); audited.
#[server(prefix = "/api", endpoint = "appointment")]
pub async fn get_appointment(id: String) -> Result<PatientView<AppointmentDto>, AppError> {
    use backend::{
        appointments::{self, AppointmentsError},
        auth::policy::Refusal,
    };

    use super::refused;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let found = async {
        let access = super::access_to_appointment(&db, &session, &id, now).await?;
        appointments::appointment(&db, access, &id, now).await
    }
    .await;
    match found {
        Ok(appointment) => Ok(PatientView::Ready(appointment.into())),
        Err(AppointmentsError::Refused(Refusal::ProofingTooLow)) => Ok(PatientView::ProofingTooLow),
        Err(error) => Err(refused(error)),
    }
}
