//! Server function: find a patient by NHS number, for staff.

use leptos::prelude::*;

use super::FindPatientView;
use crate::error::AppError;

/// The patient with this NHS number (spaces and dashes allowed), if the service holds one.
/// Staff only; every search is audited.
#[server(prefix = "/api", endpoint = "find_patient")]
pub async fn find_patient(nhs_number: String) -> Result<FindPatientView, AppError> {
    use backend::patient_search::{self, FindPatientError};
    use domain::NhsNumber;

    use super::{NHS_NUMBER_FIELD, PatientMatchDto};

    let session = crate::account::require_session()?;
    let nhs_number = NhsNumber::parse(&nhs_number).map_err(|error| {
        crate::account::fail(AppError::invalid(NHS_NUMBER_FIELD, error.to_string()))
    })?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let found = patient_search::by_nhs_number(
        &db,
        &session.actor,
        &nhs_number,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    match found {
        Ok(Some(found)) => Ok(FindPatientView::Found(PatientMatchDto::of(
            found,
            &session.actor,
        ))),
        Ok(None) => Ok(FindPatientView::NoMatch),
        Err(FindPatientError::NotStaff) => Err(crate::account::fail(AppError::NotAllowed)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
