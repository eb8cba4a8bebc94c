//! Server function: a queue of the practice's inbox.

use leptos::prelude::*;

use super::InboxDto;
use crate::error::AppError;

/// The conversations of `queue` (`unassigned` unless given) of the patients registered with the
/// signed-in staff member's practice, most recently changed first. Staff only; audited as a
/// listing.
#[server(prefix = "/api", endpoint = "inbox")]
pub async fn get_inbox(queue: Option<String>) -> Result<InboxDto, AppError> {
    use backend::messages;
    use domain::messages::Queue;

    use super::ConversationDto;

    let session = crate::account::require_session()?;
    // An address edited by hand falls back to the first queue.
    let queue = queue
        .as_deref()
        .and_then(Queue::parse)
        .unwrap_or(Queue::Unassigned);
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let listed = messages::inbox(
        &db,
        &session,
        queue,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await
    .map_err(super::refused)?;
    Ok(InboxDto {
        queue: queue.code().to_owned(),
        conversations: listed
            .into_iter()
            .map(|entry| ConversationDto {
                patient_name: Some(entry.patient_name),
                nhs_number: entry.nhs_number.map(|n| n.to_string()),
                ..ConversationDto::of(&entry.conversation, true)
            })
            .collect(),
    })
}
