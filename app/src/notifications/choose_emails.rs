//! Server function: choose what the signed-in patient is emailed about.

use leptos::prelude::*;

use crate::error::AppError;

/// Keeps the signed-in patient's choice: each topic whose box was ticked (sent) is on, every
/// other off, and emails waiting of those turned off are withdrawn. Then back to the page,
/// saying it is saved. Patients only, for their own record; audited.
#[server(prefix = "/api", endpoint = "choose_emails")]
pub async fn choose_emails(
    appointments: Option<String>,
    emergency_access: Option<String>,
    messages: Option<String>,
    prescriptions: Option<String>,
) -> Result<(), AppError> {
    use backend::{
        auth::policy::Purpose,
        notifications::{self, ChoicesError},
    };
    use domain::notifications::Topic;

    use crate::account::fail;

    let session = crate::account::require_session()?;
    let patient_id = backend::auth::acting::own_record(&session)
        .map_err(|_| fail(AppError::NotAllowed))?
        .to_owned();
    let wanted: Vec<Topic> = [
        (Topic::Appointments, appointments.is_some()),
        (Topic::EmergencyAccess, emergency_access.is_some()),
        (Topic::Messages, messages.is_some()),
        (Topic::Prescriptions, prescriptions.is_some()),
    ]
    .into_iter()
    .filter_map(|(topic, ticked)| ticked.then_some(topic))
    .collect();
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let now = jiff::Timestamp::now();
    let access = crate::account::access(&db, &session, &patient_id, Purpose::ReadRecord, now)
        .await
        .map_err(|error| crate::appointments::refused(error.into()))?;
    notifications::choose(&db, access, &wanted, now)
        .await
        .map_err(|error| match error {
            ChoicesError::NotTheirOwn => fail(AppError::NotAllowed),
            error => AppError::internal(&error),
        })?;
    leptos_axum::redirect("/settings/emails?saved=yes");
    Ok(())
}
