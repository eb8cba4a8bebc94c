//! Server function: someone at the practice takes a conversation.

use leptos::prelude::*;

use crate::error::AppError;

/// Assigns conversation `id` to the signed-in staff member; then back to it. The staff of its
/// patient's practice only; audited.
#[server(prefix = "/api", endpoint = "take_conversation")]
pub async fn take_conversation(id: String) -> Result<(), AppError> {
    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    async {
        let access = super::access_to_conversation(&db, &session, &id, now).await?;
        backend::messages::take(&db, access, &id, now).await
    }
    .await
    .map_err(super::refused)?;
    leptos_axum::redirect(&format!("/inbox/{id}?taken=yes"));
    Ok(())
}
