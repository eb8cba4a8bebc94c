//! Server function: what the signed-in patient is emailed about.

use leptos::prelude::*;

use super::EmailChoicesDto;
use crate::{appointments::PatientView, error::AppError};

/// The signed-in patient's own email choices and the address they go to. Patients only, for
/// their own record; audited.
#[server(prefix = "/api", endpoint = "email_choices")]
pub async fn get_email_choices() -> Result<PatientView<EmailChoicesDto>, AppError> {
    use backend::{
        auth::policy::{Purpose, Refusal},
        notifications::{self, ChoicesError},
    };
    use domain::notifications::Topic;

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let patient_id = match backend::auth::acting::own_record(&session) {
        Ok(id) => id.to_owned(),
        Err(Refusal::ProofingTooLow) => {
            return Ok(PatientView::ProofingTooLow);
        }
        Err(_) => return Err(fail(AppError::NotAllowed)),
    };
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = crate::account::access(&db, &session, &patient_id, Purpose::ReadRecord, now)
        .await
        .map_err(|error| crate::appointments::refused(error.into()))?;
    let choices = notifications::choices(&db, access, now)
        .await
        .map_err(|error| match error {
            ChoicesError::NotTheirOwn => fail(AppError::NotAllowed),
            error => AppError::internal(&error),
        })?;
    let on =
        |wanted: Topic| (choices.topics.iter()).any(|(topic, chosen)| *topic == wanted && *chosen);
    Ok(PatientView::Ready(EmailChoicesDto {
        address: choices.address.as_ref().map(|a| a.as_str().to_owned()),
        appointments: on(Topic::Appointments),
        emergency_access: on(Topic::EmergencyAccess),
        messages: on(Topic::Messages),
        prescriptions: on(Topic::Prescriptions),
    }))
}
