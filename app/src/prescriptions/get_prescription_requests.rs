//! Server function: the practice's queue of prescription requests.

use leptos::prelude::*;

use super::PrescriptionRequestDto;
use crate::error::AppError;

/// The requests waiting for a decision from the signed-in clinician's practice, oldest first.
/// Clinicians only; audited as a listing.
#[server(prefix = "/api", endpoint = "prescription_requests")]
pub async fn get_prescription_requests() -> Result<Vec<PrescriptionRequestDto>, AppError> {
    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let waiting = backend::prescriptions::waiting(
        &db,
        &session,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await
    .map_err(|error| super::refused_to_staff(&session, error))?;
    Ok(waiting.into_iter().map(Into::into).collect())
}
