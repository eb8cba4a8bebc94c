//! Server function: what the diary forms offer.

use leptos::prelude::*;

use super::DiaryChoicesDto;
use crate::error::AppError;

/// The clinicians whose diaries the signed-in person keeps (all of the practice's for an
/// administrator, their own for a clinician), the services and the places.
#[server(prefix = "/api", endpoint = "diary_choices")]
pub async fn get_diary_choices() -> Result<DiaryChoicesDto, AppError> {
    use backend::diaries;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let choices = diaries::choices(&db, &session, now)
        .await
        .map_err(super::refused)?;
    Ok(DiaryChoicesDto {
        clinicians: choices
            .clinicians
            .into_iter()
            .map(|c| (c.role, c.name))
            .collect(),
        services: choices.services,
        places: choices.places,
        today: backend::time::uk_date(now).to_string(),
    })
}
