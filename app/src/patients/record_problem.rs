//! Server function: a clinician adds a problem to a patient's problem list.

use leptos::prelude::*;

use crate::error::AppError;

/// Adds the problem with SNOMED CT code `problem` (from the offered list) to patient
/// `patient_id`'s problem list, since `onset` if given; then back to their record.
#[server(prefix = "/api", endpoint = "record_problem")]
pub async fn record_problem(
    patient_id: String,
    problem: String,
    onset: Option<String>,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, record_writes};
    use domain::terminology::{PROBLEMS, find};

    use super::{past_date, written};
    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let mut problems = Vec::new();
    let concept = find(PROBLEMS, &problem);
    if concept.is_none() {
        problems.push(FieldError {
            field_id: "problem".to_owned(),
            message: "Select the problem from the list".to_owned(),
        });
    }
    let onset = past_date(onset.as_deref(), "onset", &mut problems);
    let (Some(concept), true) = (concept, problems.is_empty()) else {
        return Err(fail(AppError::Invalid { problems }));
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let recorded = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::WriteRecord, now).await?;
        record_writes::record_problem(&db, access, concept, onset, now).await
    }
    .await;
    written(recorded, &patient_id, "problem")
}
