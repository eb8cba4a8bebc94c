//! Server function: the practice's services and places, for its administrators.

use leptos::prelude::*;

use super::PracticeSetupDto;
use crate::error::AppError;

/// Every service and place of the signed-in administrator's practice, offered or not.
#[server(prefix = "/api", endpoint = "practice_setup")]
pub async fn get_practice_setup() -> Result<PracticeSetupDto, AppError> {
    use backend::practice_setup;

    use super::{PlaceSetupDto, ServiceSetupDto};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let setup = practice_setup::setup(&db, &session)
        .await
        .map_err(super::refused)?;
    Ok(PracticeSetupDto {
        services: setup
            .services
            .into_iter()
            .map(|s| ServiceSetupDto {
                id: s.id,
                version: s.version,
                name: s.name,
                description: s.description,
                cutoff_hours: s.cancellation_cutoff_hours,
                offered: s.offered,
                places: s.places,
            })
            .collect(),
        places: setup
            .places
            .into_iter()
            .map(|p| PlaceSetupDto {
                id: p.id,
                version: p.version,
                name: p.name,
                address_lines: p.address_lines,
                town: p.town,
                postcode: p.postcode,
                phone: p.phone,
                directions: p.directions,
                open: p.open,
            })
            .collect(),
    })
}
