//! Server function: one conversation with its messages.

use leptos::prelude::*;

use super::ThreadDto;
use crate::{appointments::PatientView, error::AppError};

/// Conversation `id` and its messages, for its patient, their proxy or the staff of their
/// practice; audited.
#[server(prefix = "/api", endpoint = "conversation")]
pub async fn get_conversation(id: String) -> Result<PatientView<ThreadDto>, AppError> {
    use backend::{
        auth::policy::Refusal,
        messages::{self, MessagesError},
    };
    use domain::{identity::Actor, messages::State};

    use super::{ConversationDto, MessageDto};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let found = async {
        let access = super::access_to_conversation(&db, &session, &id, now).await?;
        messages::thread(&db, access, &id, now).await
    }
    .await;
    let thread = match found {
        Ok(thread) => thread,
        Err(MessagesError::Refused(Refusal::ProofingTooLow)) => {
            return Ok(PatientView::ProofingTooLow);
        }
        Err(error) => return Err(super::refused(error)),
    };
    let staff = match &session.actor {
        Actor::Staff(staff) => Some(staff.user_id.clone()),
        Actor::Patient(_) => None,
    };
    let for_the_practice = staff.is_some();
    let mut conversation = ConversationDto::of(&thread.conversation, for_the_practice);
    if for_the_practice {
        conversation.patient_name = Some(thread.patient_name);
        conversation.nhs_number = thread.nhs_number.map(|n| n.to_string());
    }
    let theirs = staff.is_some_and(|me| {
        thread
            .conversation
            .owner
            .as_ref()
            .is_some_and(|(owner, _)| *owner == me)
    });
    Ok(PatientView::Ready(ThreadDto {
        conversation,
        messages: thread.messages.into_iter().map(MessageDto::from).collect(),
        closed: thread.conversation.state == State::Closed,
        for_the_practice,
        theirs,
    }))
}
