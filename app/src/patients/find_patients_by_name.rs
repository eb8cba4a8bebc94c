//! Server function: find patients by name (and date of birth), for staff.

use leptos::prelude::*;

use super::NameMatchesDto;
use crate::error::AppError;

/// Patients whose family name starts with `family`, narrowed by the start of a given name and
/// by date of birth (`born`, "1962-03-03") when given. Staff only; every search is audited.
#[server(prefix = "/api", endpoint = "find_patients_by_name")]
pub async fn find_patients_by_name(
    family: String,
    given: Option<String>,
    born: Option<String>,
) -> Result<NameMatchesDto, AppError> {
    use backend::patient_search::{self, FindPatientError, NameSearch};

    use super::{BORN_FIELD, FAMILY_FIELD, PatientMatchDto};
    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let mut problems = Vec::new();
    let family = family.trim().to_owned();
    if family.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        problems.push(FieldError {
            field_id: FAMILY_FIELD.to_owned(),
            message: "Enter at least the first 2 letters of the patient's family name".to_owned(),
        });
    }
    let birth_date = match born.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => None,
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(date) if date <= backend::time::uk_date(jiff::Timestamp::now()) => Some(date),
            Ok(_) => {
                problems.push(FieldError {
                    field_id: BORN_FIELD.to_owned(),
                    message: "Date of birth must be today or in the past".to_owned(),
                });
                None
            }
            Err(_) => {
                problems.push(FieldError {
                    field_id: BORN_FIELD.to_owned(),
                    message: "Date of birth must be a real date, for example 3 March 1962"
                        .to_owned(),
                });
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(fail(AppError::Invalid { problems }));
    }
    let search = NameSearch {
        family,
        given: given.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
        birth_date,
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let found = patient_search::by_name(
        &db,
        &session.actor,
        &search,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    match found {
        Ok((matches, more)) => Ok(NameMatchesDto {
            matches: matches
                .into_iter()
                .map(|found| PatientMatchDto::of(found, &session.actor))
                .collect(),
            more,
        }),
        Err(FindPatientError::NotStaff) => Err(fail(AppError::NotAllowed)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
