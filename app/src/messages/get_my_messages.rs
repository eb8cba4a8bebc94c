//! Server function: the signed-in patient's conversations with the practice.

use leptos::prelude::*;

use super::ConversationDto;
use crate::{appointments::PatientView, error::AppError};

/// The signed-in patient's conversations, newest first. Patients checked to P9; audited.
#[server(prefix = "/api", endpoint = "my_messages")]
pub async fn get_my_messages() -> Result<PatientView<Vec<ConversationDto>>, AppError> {
    use backend::{
        appointments::{AppointmentsError, booking_patient},
        auth::policy::{Purpose, Refusal},
        messages,
    };

    let session = crate::account::require_session()?;
    let patient_id = match booking_patient(&session.actor) {
        Ok(id) => id.to_owned(),
        Err(AppointmentsError::Refused(Refusal::ProofingTooLow)) => {
            return Ok(PatientView::ProofingTooLow);
        }
        Err(_) => return Err(crate::account::fail(AppError::NotAllowed)),
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = crate::account::access(&db, &session, &patient_id, Purpose::Messages, now)
        .await
        .map_err(|error| super::refused(error.into()))?;
    let listed = messages::conversations(&db, access, now)
        .await
        .map_err(super::refused)?;
    Ok(PatientView::Ready(
        listed
            .iter()
            .map(|conversation| ConversationDto::of(conversation, false))
            .collect(),
    ))
}
