//! The practice's services and places, as its administrators keep them: what patients choose
//! from when they book, and where they go.

mod get_practice_setup;
mod save_place;
mod save_service;

pub use get_practice_setup::{GetPracticeSetup, get_practice_setup};
pub use save_place::{SavePlace, save_place};
pub use save_service::{SaveService, save_service};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeSetupDto {
    pub services: Vec<ServiceSetupDto>,
    pub places: Vec<PlaceSetupDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSetupDto {
    pub id: String,
    /// The version the form is based on.
    pub version: i64,
    pub name: String,
    pub description: String,
    pub cutoff_hours: i64,
    pub offered: bool,
    /// `Location/…` references.
    pub places: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceSetupDto {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub address_lines: Vec<String>,
    pub town: String,
    pub postcode: String,
    pub phone: String,
    pub directions: String,
    pub open: bool,
}

impl PlaceSetupDto {
    /// `Location/…`, as a service names it.
    pub fn reference(&self) -> String {
        format!("Location/{}", self.id)
    }
}

/// Maps the setup's errors to what the browser gets.
#[cfg(feature = "ssr")]
pub(crate) fn refused(error: backend::practice_setup::SetupError) -> crate::error::AppError {
    use backend::practice_setup::SetupError;

    use crate::{account::fail, error::AppError};
    match error {
        SetupError::NotFound => fail(AppError::NotFound),
        SetupError::Refused(_) => fail(AppError::NotAllowed),
        SetupError::ChangedMeanwhile => fail(AppError::Conflict),
        error => AppError::internal(&error),
    }
}

/// The form's problems as the error summary lists them.
#[cfg(feature = "ssr")]
pub(crate) fn invalid(
    problems: Vec<domain::practice_setup::SetupProblem>,
) -> crate::error::AppError {
    use crate::{
        account::fail,
        error::{AppError, FieldError},
    };
    fail(AppError::Invalid {
        problems: problems
            .into_iter()
            .map(|p| FieldError {
                field_id: p.field.to_owned(),
                message: p.message,
            })
            .collect(),
    })
}

/// The record a form edits: `None` for a new one (empty id), else its id and the version the
/// form showed.
#[cfg(feature = "ssr")]
pub(crate) fn edit<'a>(
    id: &'a str,
    version: &str,
) -> Result<Option<backend::practice_setup::Edit<'a>>, crate::error::AppError> {
    use crate::{account::fail, error::AppError};
    if id.is_empty() {
        return Ok(None);
    }
    let version = version.parse().map_err(|_| fail(AppError::NotFound))?;
    Ok(Some(backend::practice_setup::Edit { id, version }))
}
