//! Server function: the signed-in patient's own record.

use leptos::prelude::*;

use crate::{appointments::PatientView, error::AppError, patients::PatientRecordDto};

/// The signed-in patient's record (checked to P9): who they are, allergies, problems and
/// medicines. Reading it is audited like any other opening of a record.
#[server(prefix = "/api", endpoint = "my_record")]
pub async fn get_my_record() -> Result<PatientView<PatientRecordDto>, AppError> {
    use backend::{
        auth::policy::{Purpose, Refusal},
        patient_record::{self, OpenRecordError},
    };
    use domain::identity::Actor;

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let own = match &session.actor {
        Actor::Patient(patient) => patient.patient_id.clone(),
        Actor::Staff(_) => return Err(fail(AppError::NotAllowed)),
    };
    let Some(patient_id) = own else {
        return Err(fail(AppError::NotFound));
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
        Err(OpenRecordError::Refused(..)) => Err(fail(AppError::NotAllowed)),
        Err(OpenRecordError::NotFound) => Err(fail(AppError::NotFound)),
        Err(error) => Err(AppError::internal(&error)),
    }
}
