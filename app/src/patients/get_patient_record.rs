//! Server function: a patient's record, as a clinician opens it.

use leptos::prelude::*;

use super::PatientRecordView;
use crate::error::AppError;

/// Opens patient `patient_id`'s record for whoever is signed in, as the policy allows: a
/// clinician of the patient's practice, or one who has broken the glass for it. Every opening is
/// audited, refused ones too.
#[server(prefix = "/api", endpoint = "patient_record")]
pub async fn get_patient_record(patient_id: String) -> Result<PatientRecordView, AppError> {
    use backend::{
        auth::policy::{Purpose, Refusal},
        patient_record::{self, OpenRecordError},
    };
    use http::StatusCode;

    use crate::account::{fail, set_page_status};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let opened =
        match crate::account::access(&db, &session, &patient_id, Purpose::ReadRecord, now).await {
            Ok(access) => patient_record::open(&db, access, now).await,
            Err(error) => Err(patient_record::refusal(error, now)),
        };
    match opened {
        Ok(record) => Ok(PatientRecordView::Record(Box::new(record.into()))),
        Err(OpenRecordError::NotFound) => {
            set_page_status(StatusCode::NOT_FOUND);
            Ok(PatientRecordView::NotFound)
        }
        // The clinician may know whose record it is, and needs to, to break the glass.
        Err(OpenRecordError::Refused(Refusal::BreakGlassRequired, Some(banner))) => {
            set_page_status(StatusCode::FORBIDDEN);
            Ok(PatientRecordView::BreakGlassNeeded((*banner).into()))
        }
        Err(OpenRecordError::Refused(..)) => Err(fail(AppError::NotAllowed)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
