//! Server function: whom the signed-in patient may act for.

use leptos::prelude::*;

use super::ActingChoicesDto;
use crate::{appointments::PatientView, error::AppError};

/// The people who have given the signed-in patient (checked to P9) access to act for them, and
/// whom they act for now. Names and relationships only: no record is opened.
#[server(prefix = "/api", endpoint = "acting_choices")]
pub async fn get_acting_choices() -> Result<PatientView<ActingChoicesDto>, AppError> {
    use backend::auth::{
        acting::{self, ActingError},
        policy::Refusal,
    };

    use crate::account::{ActingForDto, fail};

    let session = crate::account::require_session()?;
    match backend::auth::acting::own_record(&session) {
        Ok(_) => {}
        Err(Refusal::ProofingTooLow) => return Ok(PatientView::ProofingTooLow),
        Err(_) => return Err(fail(AppError::NotAllowed)),
    }
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let choices = acting::choices(&db, &session, jiff::Timestamp::now())
        .await
        .map_err(|error| match error {
            ActingError::NotAPatient | ActingError::NotGranted => fail(AppError::NotAllowed),
            ActingError::Store(error) => AppError::internal(&error),
        })?;
    // A choice whose grant has ended is no choice: the list shows themselves chosen.
    let acting_for = session
        .acting_for
        .clone()
        .filter(|id| choices.iter().any(|grant| &grant.patient_id == id));
    Ok(PatientView::Ready(ActingChoicesDto {
        own_name: session.actor.display_name().to_owned(),
        choices: choices.into_iter().map(ActingForDto::from).collect(),
        acting_for,
    }))
}
