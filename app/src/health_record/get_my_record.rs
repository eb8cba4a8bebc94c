//! Server function: the signed-in patient's own record, or that of someone they act for.

use leptos::prelude::*;

use crate::{appointments::PatientView, error::AppError, patients::PatientRecordDto};

/// The record of the signed-in patient (checked to P9), or of the person they act for, or of
/// `patient` (a `for` in the page's address: theirs, or someone they act for, else refused): who
/// they are, allergies, problems, medicines, results. Reading it is audited like any other
/// opening of a record.
#[server(prefix = "/api", endpoint = "my_record")]
pub async fn get_my_record(
    patient: Option<String>,
) -> Result<PatientView<PatientRecordDto>, AppError> {
    use backend::{
        auth::policy::{Purpose, Refusal},
        patient_record::{self, OpenRecordError},
    };

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let patient_id = match crate::account::whose_record(&session, patient) {
        Ok(patient_id) => patient_id,
        Err(Refusal::ProofingTooLow) => return Ok(PatientView::ProofingTooLow),
        Err(_) => return Err(fail(AppError::NotAllowed)),
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let opened =
        match crate::account::access(&db, &session, &patient_id, Purpose::ReadRecord, now).await {
            Ok(access) => patient_record::open(&db, access, now).await,
            Err(error) => Err(patient_record::refusal(error, now)),
        };
    match opened {
        Ok(record) => Ok(PatientView::Ready(record.into())),
        Err(OpenRecordError::Refused(Refusal::ProofingTooLow, _)) => {
            Ok(PatientView::ProofingTooLow)
        }
        Err(OpenRecordError::Refused(refusal, _)) => {
            Err(crate::account::refusal(&session, refusal))
        }
        Err(OpenRecordError::NotFound) => Err(fail(AppError::NotFound)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
