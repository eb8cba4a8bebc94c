//! Server function: send an email the mail server kept refusing once more.

use leptos::prelude::*;

use crate::error::AppError;

/// Puts email `id`, one the practice's office sees failing, back in the queue to go now (once
/// the address has been checked with the patient); then back to the list, saying so.
#[server(prefix = "/api", endpoint = "send_email_again")]
pub async fn send_email_again(id: String) -> Result<(), AppError> {
    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    backend::notifications::try_again(&db, &session, &id, jiff::Timestamp::now())
        .await
        .map_err(super::refused)?;
    leptos_axum::redirect("/practice/emails?sent=yes");
    Ok(())
}
