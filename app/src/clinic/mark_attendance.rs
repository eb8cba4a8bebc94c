//! Server function: mark where a patient on the clinic list is.

use leptos::prelude::*;

use crate::error::AppError;

/// Marks appointment `id` with `status` (a FHIR status: `arrived`, `checked-in`, …), for the
/// practice's staff; then back to the clinic list it was marked on (`date`, `clinician`).
#[server(prefix = "/api", endpoint = "mark_attendance")]
pub async fn mark_attendance(
    id: String,
    status: String,
    date: String,
    clinician: Option<String>,
) -> Result<(), AppError> {
    use backend::appointments::{
        AppointmentsError,
        clinic::{self, MarkError},
    };
    use domain::clinic::Attendance;

    use super::STATUS_FIELD;
    use crate::{account::fail, appointments::refused};

    let session = crate::account::require_session()?;
    let field = format!("{STATUS_FIELD}-{id}");
    let to = Attendance::parse(&status)
        .map_err(|why| fail(AppError::invalid(&field, why.to_string())))?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let marked = clinic::mark(
        &db,
        &session,
        &id,
        to,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await;
    match marked {
        Ok(_) => {
            let mut back = form_urlencoded::Serializer::new(String::new());
            back.append_pair("date", &date);
            if let Some(clinician) = clinician.filter(|c| !c.is_empty()) {
                back.append_pair("clinician", &clinician);
            }
            leptos_axum::redirect(&format!("/clinic?{}", back.finish()));
            Ok(())
        }
        Err(MarkError::NotNow(why)) => Err(fail(AppError::invalid(&field, why.to_string()))),
        Err(MarkError::NotOnTheList | MarkError::Appointments(AppointmentsError::Changed)) => {
            Err(fail(AppError::Conflict))
        }
        Err(MarkError::Appointments(error)) => Err(refused(error)),
    }
}
