//! Server function: a clinician records a vaccination given.

use leptos::prelude::*;

use crate::error::AppError;

/// Records that patient `patient_id` was given `vaccine` (one of the offered list) on `given`;
/// then back to their record.
#[server(prefix = "/api", endpoint = "record_immunisation")]
pub async fn record_immunisation(
    patient_id: String,
    vaccine: String,
    given: Option<String>,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, record_writes};
    use domain::terminology::VACCINES;

    use super::{past_date, written};
    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let mut problems = Vec::new();
    let vaccine = VACCINES.iter().find(|v| **v == vaccine);
    if vaccine.is_none() {
        problems.push(FieldError {
            field_id: "vaccine".to_owned(),
            message: "Select the vaccine from the list".to_owned(),
        });
    }
    let given = past_date(given.as_deref(), "given", &mut problems);
    if given.is_none() && problems.iter().all(|p| p.field_id != "given") {
        problems.push(FieldError {
            field_id: "given".to_owned(),
            message: "Enter the date the vaccine was given".to_owned(),
        });
    }
    let (Some(vaccine), Some(given), true) = (vaccine, given, problems.is_empty()) else {
        return Err(fail(AppError::Invalid { problems }));
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let recorded = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::WriteRecord, now).await?;
        record_writes::record_immunisation(&db, access, vaccine, given, now).await
    }
    .await;
    written(recorded, &patient_id, "vaccination")
}
