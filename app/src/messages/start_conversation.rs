//! Server function: a patient writes to the practice.

use leptos::prelude::*;

use crate::error::AppError;

/// Starts a conversation with the practice for the signed-in patient (or the person they act
/// for): what it is about
/// (`topic`), a `subject` and the `message`; then to the conversation, saying it is sent.
/// Patients checked to P9; audited.
#[server(prefix = "/api", endpoint = "start_conversation")]
pub async fn start_conversation(
    topic: Option<String>,
    subject: String,
    message: String,
) -> Result<(), AppError> {
    use backend::messages::{self, MessagesError};

    let session = crate::account::require_session()?;
    let (topic, subject, text) = super::parse_opening(topic, &subject, &message)?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = crate::account::access_to_whose_record(
        &db,
        &session,
        backend::auth::policy::Purpose::Messages,
        now,
        MessagesError::Refused,
    )
    .await
    .map_err(|error| match error {
        MessagesError::Refused(refusal) => crate::account::refusal(&session, refusal),
        error => super::refused(error),
    })?;
    let id = messages::start(&db, access, (topic, &subject), &text, now)
        .await
        .map_err(super::refused)?;
    leptos_axum::redirect(&format!("/messages/{id}?sent=yes"));
    Ok(())
}
