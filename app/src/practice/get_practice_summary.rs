//! Server function: the practice's public details for the home page.

use leptos::prelude::*;

use super::PracticeDto;
use crate::error::AppError;

/// Public information (what is on the practice's door), so anyone may ask; nothing about a patient
/// is read, so nothing is audited.
#[server(prefix = "/api", endpoint = "practice_summary")]
pub async fn get_practice_summary() -> Result<Option<PracticeDto>, AppError> {
    let db = use_context::<backend::Db>().ok_or_else(|| {
        tracing::error!("no database in the server function context");
        AppError::ServiceUnavailable
    })?;
    let summary = backend::practice::summary(&db).await?;
    Ok(summary.map(PracticeDto::from))
}
