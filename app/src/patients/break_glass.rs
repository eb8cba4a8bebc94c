//! Server function: a clinician breaks the glass to open a record outside their practice.

use leptos::prelude::*;

use crate::error::AppError;

/// Records why the signed-in clinician needs patient `patient_id`'s record, then sends them to
/// it. The reason is shown to the patient, so it is checked like any other field.
#[server(prefix = "/api", endpoint = "break_glass")]
pub async fn break_glass(patient_id: String, reason: String) -> Result<(), AppError> {
    use backend::patient_record::{self, BreakGlassError};
    use domain::break_glass::BreakGlassReason;

    use super::REASON_FIELD;

    let session = crate::account::require_session()?;
    let reason = BreakGlassReason::parse(&reason).map_err(|error| {
        crate::account::fail(AppError::invalid(REASON_FIELD, error.to_string()))
    })?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let result = patient_record::break_the_glass(
        &db,
        &session,
        &patient_id,
        &reason,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    match result {
        Ok(()) => {
            leptos_axum::redirect(&format!("/patients/{patient_id}"));
            Ok(())
        }
        Err(BreakGlassError::NotFound | BreakGlassError::NotClinical) => {
            Err(crate::account::fail(AppError::NotAllowed))
        }
        Err(error) => Err(AppError::internal(&error)),
    }
}
