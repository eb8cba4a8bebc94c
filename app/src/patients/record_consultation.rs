//! Server function: a clinician writes a consultation note.

use leptos::prelude::*;

use crate::error::AppError;

/// Records a consultation with patient `patient_id` now, for `appointment` (an id from the clinic
/// list) if given, with `note` as its progress note; then back to their record.
#[server(prefix = "/api", endpoint = "record_consultation")]
pub async fn record_consultation(
    patient_id: String,
    appointment: Option<String>,
    note: String,
) -> Result<(), AppError> {
    use backend::{auth::policy::Purpose, record_writes};
    use domain::clinic::ConsultationNote;

    use super::written;
    use crate::account::fail;

    let session = crate::account::require_session()?;
    let note = ConsultationNote::parse(&note)
        .map_err(|e| fail(AppError::invalid("note", e.to_string())))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let recorded = async {
        let access =
            crate::account::access(&db, &session, &patient_id, Purpose::WriteRecord, now).await?;
        record_writes::record_consultation(
            &db,
            access,
            appointment.as_deref().filter(|a| !a.is_empty()),
            &note,
            now,
        )
        .await
    }
    .await;
    written(recorded, &patient_id, "note")
}
