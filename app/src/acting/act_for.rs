//! Server function: choose whose record to use.

use leptos::prelude::*;

use crate::error::AppError;

/// Makes the signed-in patient act for `person` (a patient id one of their grants names) or for
/// themselves ([`super::THEMSELVES`]), then takes them home, where the banner says whose record
/// it is. A person they hold no grant from is refused (403), and nothing changes.
#[server(prefix = "/api", endpoint = "act_for")]
pub async fn act_for(person: Option<String>) -> Result<(), AppError> {
    use backend::auth::acting::{self, ActingError};

    use super::{PERSON_FIELD, THEMSELVES};
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let person = person
        .filter(|person| !person.trim().is_empty())
        .ok_or_else(|| {
            // The error summary links to the first radio.
            let first = format!("{PERSON_FIELD}-{THEMSELVES}");
            fail(AppError::invalid(&first, "Select whose record to use"))
        })?;
    let patient_id = (person != THEMSELVES).then_some(person.as_str());
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    match acting::choose(&db, &session, patient_id, jiff::Timestamp::now()).await {
        Ok(_) => {
            leptos_axum::redirect("/");
            Ok(())
        }
        Err(ActingError::NotAPatient) => Err(fail(AppError::NotAllowed)),
        Err(ActingError::NotGranted) => Err(fail(AppError::NotGranted)),
        Err(ActingError::Store(error)) => Err(AppError::internal(&error)),
    }
}
