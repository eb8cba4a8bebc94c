//! Server function: add a service, or change one.

use leptos::prelude::*;

use crate::error::AppError;

/// Saves the service form: a new service when `id` is empty, else a change to the one the form
/// showed at `version` (refused if someone changed it since). Then back to the list, which
/// says what was saved.
#[server(prefix = "/api", endpoint = "save_service")]
pub async fn save_service(
    id: String,
    version: String,
    name: String,
    description: String,
    cutoff: String,
    offered: Option<String>,
    places: Option<Vec<String>>,
) -> Result<(), AppError> {
    use backend::practice_setup;
    use domain::practice_setup::ServiceDetails;

    let session = crate::account::require_session()?;
    let edit = super::edit(&id, &version)?;
    let details = ServiceDetails::parse(
        &name,
        &description,
        &cutoff,
        offered.as_deref() == Some("yes"),
        places.unwrap_or_default(),
    )
    .map_err(super::invalid)?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    practice_setup::save_service(&db, &session, edit, &details, jiff::Timestamp::now())
        .await
        .map_err(super::refused)?;
    let mut back = form_urlencoded::Serializer::new(String::from("/practice?"));
    back.append_pair("saved", &details.name);
    leptos_axum::redirect(&back.finish());
    Ok(())
}
