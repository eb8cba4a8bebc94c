//! Server function: a reply in a conversation, from the patient or the practice.

use leptos::prelude::*;

use crate::error::AppError;

/// Adds `message` to conversation `id`, from its patient, their proxy or the staff of their
/// practice; then back to the conversation, saying it is sent. Audited.
#[server(prefix = "/api", endpoint = "reply_to_conversation")]
pub async fn reply_to_conversation(id: String, message: String) -> Result<(), AppError> {
    use backend::messages;
    use domain::{identity::Actor, messages::MessageText};

    use super::MESSAGE_FIELD;
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let text = MessageText::parse(&message)
        .map_err(|error| fail(AppError::invalid(MESSAGE_FIELD, error.to_string())))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    async {
        let access = super::access_to_conversation(&db, &session, &id, now).await?;
        messages::reply(&db, access, &id, &text, now).await
    }
    .await
    .map_err(super::refused)?;
    let page = match session.actor {
        Actor::Staff(_) => "inbox",
        Actor::Patient(_) => "messages",
    };
    leptos_axum::redirect(&format!("/{page}/{id}?sent=yes"));
    Ok(())
}
