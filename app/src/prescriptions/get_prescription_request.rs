//! Server function: one prescription request, for a clinician to decide.

use leptos::prelude::*;

use super::PrescriptionRequestDto;
use crate::error::AppError;

/// Request `id` with whose it is, for a clinician of the patient's practice. Audited.
#[server(prefix = "/api", endpoint = "prescription_request")]
pub async fn get_prescription_request(id: String) -> Result<PrescriptionRequestDto, AppError> {
    use backend::{auth::policy::Purpose, prescriptions};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let refused = |error| super::refused_to_staff(&session, error);
    let patient_id = prescriptions::patient_of(&db, &id).await.map_err(refused)?;
    let access = crate::account::access(&db, &session, &patient_id, Purpose::Prescriptions, now)
        .await
        .map_err(|error| refused(error.into()))?;
    let request = prescriptions::to_decide(&db, access, &id, now)
        .await
        .map_err(refused)?;
    Ok(request.into())
}
