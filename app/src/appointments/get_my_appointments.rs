//! Server function: the signed-in patient's appointments.

use leptos::prelude::*;

use super::{MyAppointmentsDto, PatientView};
use crate::error::AppError;

/// Upcoming and past appointments of the signed-in patient (checked to P9), audited.
#[server(prefix = "/api", endpoint = "my_appointments")]
pub async fn get_my_appointments() -> Result<PatientView<MyAppointmentsDto>, AppError> {
    use backend::{
        appointments::{self, AppointmentsError},
        auth::policy::{Purpose, Refusal},
    };

    use super::refused;

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let listed = async {
        let patient_id = appointments::booking_patient(&session.actor)?;
        let access =
            crate::account::access(&db, &session, patient_id, Purpose::Appointments, now).await?;
        appointments::appointments(&db, access, now).await
    }
    .await;
    match listed {
        Ok((upcoming, past)) => Ok(PatientView::Ready(MyAppointmentsDto {
            upcoming: upcoming.into_iter().map(Into::into).collect(),
            past: past.into_iter().map(Into::into).collect(),
        })),
        Err(AppointmentsError::Refused(Refusal::ProofingTooLow)) => Ok(PatientView::ProofingTooLow),
        Err(error) => Err(refused(error)),
    }
}
