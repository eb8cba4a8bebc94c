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
    use domain::messages::{MessageText, Subject, Topic};

    use super::{MESSAGE_FIELD, SUBJECT_FIELD, TOPIC_FIELD};
    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let patient_id = booking_patient(&session.actor)
        .map_err(|_| fail(AppError::NotAllowed))?
        .to_owned();
    let topic = Topic::parse(topic.as_deref().unwrap_or_default());
    let subject = Subject::parse(&subject);
    let text = MessageText::parse(&message);
    let problems: Vec<FieldError> = [
        // The first radio, where the error summary's link lands.
        (format!("{TOPIC_FIELD}-admin"), topic.as_ref().err()),
        (SUBJECT_FIELD.to_owned(), subject.as_ref().err()),
        (MESSAGE_FIELD.to_owned(), text.as_ref().err()),
    ]
    .into_iter()
    .filter_map(|(field_id, error)| {
        Some(FieldError {
            field_id,
            message: error?.to_string(),
        })
    })
    .collect();
    let (Ok(topic), Ok(subject), Ok(text)) = (topic, subject, text) else {
        return Err(fail(AppError::Invalid { problems }));
    };
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
