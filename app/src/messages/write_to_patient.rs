//! Server function: the practice writes to a patient.

use leptos::prelude::*;

use crate::error::AppError;

/// Starts a conversation with patient `patient_id` from the signed-in staff member of their
/// practice: what it is about (`topic`), a `subject` and the `message`; then to it in the inbox,
/// saying it is sent. Audited.
#[server(prefix = "/api", endpoint = "write_to_patient")]
pub async fn write_to_patient(
    patient_id: String,
    topic: Option<String>,
    subject: String,
    message: String,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, messages};

    let session = crate::account::require_session()?;
    if !matches!(session.actor, domain::identity::Actor::Staff(_)) {
        return Err(crate::account::fail(AppError::NotAllowed));
    }
    let (topic, subject, text) = super::parse_opening(topic, &subject, &message)?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let id = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::Messages, now).await?;
        messages::write_to_patient(&db, access, (topic, &subject), &text, now).await
    }
    .await
    .map_err(super::refused)?;
    leptos_axum::redirect(&format!("/inbox/{id}?sent=yes"));
    Ok(())
}
