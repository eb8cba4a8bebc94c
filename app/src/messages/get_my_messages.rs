//! Server function: the signed-in patient's conversations with the practice.

use leptos::prelude::*;

use super::ConversationDto;
use crate::{appointments::PatientView, error::AppError};

/// The conversations of the signed-in patient, or of the person they act for, newest first.
/// Patients checked to P9; audited.
#[server(prefix = "/api", endpoint = "my_messages")]
pub async fn get_my_messages() -> Result<PatientView<Vec<ConversationDto>>, AppError> {
    use backend::{
        auth::policy::Refusal,
        messages::{self, MessagesError},
    };

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = match crate::account::access_to_whose_record(
        &db,
        &session,
        backend::auth::policy::Purpose::Messages,
        now,
        MessagesError::Refused,
    )
    .await
    {
        Ok(access) => access,
        Err(MessagesError::Refused(Refusal::ProofingTooLow)) => {
            return Ok(PatientView::ProofingTooLow);
        }
        Err(MessagesError::Refused(refusal)) => {
            return Err(crate::account::refusal(&session, refusal));
        }
        Err(error) => return Err(super::refused(error)),
    };
    let listed = messages::conversations(&db, access, now)
        .await
        .map_err(super::refused)?;
    Ok(PatientView::Ready(
        listed
            .iter()
            .map(|conversation| ConversationDto::of(conversation, false))
            .collect(),
    ))
}
