//! Server function: add a place, or change one.

// One argument per form field, as the form posts them; the server macro's generated code takes
// them all too, so the allowance is the module's.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;

/// Saves the place form: a new place when `id` is empty, else a change to the one the form
/// showed at `version` (refused if someone changed it since). Then back to the list.
#[server(prefix = "/api", endpoint = "save_place")]
pub async fn save_place(
    id: String,
    version: String,
    name: String,
    line1: String,
    line2: String,
    town: String,
    postcode: String,
    phone: String,
    directions: String,
    open: Option<String>,
) -> Result<(), AppError> {
    use backend::practice_setup;
    use domain::practice_setup::PlaceDetails;

    let session = crate::account::require_session()?;
    let edit = super::edit(&id, &version)?;
    let details = PlaceDetails::parse(
        &name,
        &line1,
        &line2,
        &town,
        &postcode,
        &phone,
        &directions,
        open.as_deref() == Some("yes"),
    )
    .map_err(super::invalid)?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    practice_setup::save_place(&db, &session, edit, &details, jiff::Timestamp::now())
        .await
        .map_err(super::refused)?;
    let mut back = form_urlencoded::Serializer::new(String::from("/practice?"));
    back.append_pair("saved", &details.name);
    leptos_axum::redirect(&back.finish());
    Ok(())
}
