//! Server function: one appointment as the practice's staff see it.

use leptos::prelude::*;

use super::PracticeAppointmentDto;
use crate::error::AppError;

/// Appointment `id` and whose it is, for the staff of its patient's practice (a clinician or
/// the office); audited.
#[server(prefix = "/api", endpoint = "practice_appointment")]
pub async fn get_practice_appointment(id: String) -> Result<PracticeAppointmentDto, AppError> {
    use backend::appointments;

    use crate::appointments::refused;

    let session = crate::account::require_session()?;
    if !matches!(session.actor, domain::identity::Actor::Staff(_)) {
        return Err(crate::account::fail(AppError::NotAllowed));
    }
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let found = async {
        let access = crate::appointments::access_to_appointment(&db, &session, &id, now).await?;
        appointments::appointment_for_the_practice(&db, access, &id, now).await
    }
    .await;
    found.map(Into::into).map_err(refused)
}
