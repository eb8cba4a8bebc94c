//! Server function: the practice closes a conversation.

use leptos::prelude::*;

use crate::error::AppError;

/// Closes conversation `id`: it takes no more messages. The staff of its patient's practice
/// only; then back to it. Audited.
#[server(prefix = "/api", endpoint = "close_conversation")]
pub async fn close_conversation(id: String) -> Result<(), AppError> {
    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    async {
        let access = super::access_to_conversation(&db, &session, &id, now).await?;
        backend::messages::close(&db, access, &id, now).await
    }
    .await
    .map_err(super::refused)?;
    leptos_axum::redirect(&format!("/inbox/{id}?closed=yes"));
    Ok(())
}
