//! Server function: whom the practice is about to write to.

use leptos::prelude::*;

use super::RecipientDto;
use crate::error::AppError;

/// Patient `patient_id`'s name and NHS number, for the staff of their practice writing to them;
/// audited.
#[server(prefix = "/api", endpoint = "message_recipient")]
pub async fn get_message_recipient(patient_id: String) -> Result<RecipientDto, AppError> {
    use backend::{auth::policy::Purpose, messages};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let (name, nhs_number) = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::Messages, now).await?;
        messages::recipient(&db, access, now).await
    }
    .await
    .map_err(super::refused)?;
    Ok(RecipientDto {
        patient_id,
        name,
        nhs_number: nhs_number.map(|n| n.to_string()),
    })
}
