//! Server function: other times, when the one the patient wanted has gone.

use leptos::prelude::*;

use super::{PatientView, UnavailableDto};
use crate::error::AppError;

/// The nearest free times to slot `slot`'s, for the signed-in patient. `expired`: their hold ran
/// out (rather than someone else taking the time), which the page says kindly.
#[server(prefix = "/api", endpoint = "alternatives")]
pub async fn get_alternatives(
    slot: String,
    expired: bool,
) -> Result<PatientView<UnavailableDto>, AppError> {
    use backend::appointments;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let answer = async {
        let access = super::booking_access(&db, &session, now).await?;
        appointments::instead_of(&db, &access, &slot, now).await
    };
    match answer.await {
        Ok((service, alternatives)) => Ok(PatientView::Ready(UnavailableDto {
            hold_expired: expired,
            service: service.into(),
            alternatives: alternatives.into_iter().map(Into::into).collect(),
        })),
        Err(error) => super::patient_refusal(&session, error),
    }
}
