//! Server function: a patient writes to the practice.

use leptos::prelude::*;

use crate::error::AppError;

/// Starts a conversation with the practice for the signed-in patient: what it is about
/// (`topic`), a `subject` and the `message`; then to the conversation, saying it is sent.
/// Patients checked to P9; audited.
#[server(prefix = "/api", endpoint = "start_conversation")]
pub async fn start_conversation(
    topic: Option<String>,
    subject: String,
    message: String,
) -> Result<(), AppError> {
    use backend::{appointments::booking_patient, auth::policy::Purpose, messages};

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let patient_id = booking_patient(&session.actor)
        .map_err(|_| fail(AppError::NotAllowed))?
        .to_owned();
    let (topic, subject, text) = super::parse_opening(topic, &subject, &message)?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = crate::account::access(&db, &session, &patient_id, Purpose::Messages, now)
        .await
        .map_err(|error| super::refused(error.into()))?;
    let id = messages::start(&db, access, (topic, &subject), &text, now)
        .await
        .map_err(super::refused)?;
    leptos_axum::redirect(&format!("/messages/{id}?sent=yes"));
    Ok(())
}
