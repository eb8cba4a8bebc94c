//! Server function: a clinician records a patient's vital signs.

use leptos::prelude::*;

use crate::error::AppError;

/// Records the vital signs entered (any of them; empty fields are not measured) for patient
/// `patient_id`, then back to their record, which shows them.
#[server(prefix = "/api", endpoint = "record_vital_signs")]
pub async fn record_vital_signs(
    patient_id: String,
    systolic: Option<String>,
    diastolic: Option<String>,
    pulse: Option<String>,
    temperature: Option<String>,
    weight: Option<String>,
    height: Option<String>,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, record_writes};
    use domain::vitals::{Vital, VitalSigns};

    use crate::{account::fail, error::FieldError};

    let session = crate::account::require_session()?;
    let signs = VitalSigns::parse(|vital| {
        match vital {
            Vital::Systolic => &systolic,
            Vital::Diastolic => &diastolic,
            Vital::Pulse => &pulse,
            Vital::Temperature => &temperature,
            Vital::Weight => &weight,
            Vital::Height => &height,
        }
        .as_deref()
        .unwrap_or_default()
    })
    .map_err(|problems| {
        fail(AppError::Invalid {
            problems: problems
                .into_iter()
                .map(|problem| FieldError {
                    field_id: problem.field().to_owned(),
                    message: problem.to_string(),
                })
                .collect(),
        })
    })?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let recorded = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::WriteRecord, now).await?;
        record_writes::record_vital_signs(&db, access, &signs, now).await
    }
    .await;
    super::written(recorded, &patient_id, "vital-signs")
}
