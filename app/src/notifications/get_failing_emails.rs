//! Server function: the emails the mail server kept refusing, for the practice's office.

use leptos::prelude::*;

use super::FailingEmailDto;
use crate::error::AppError;

/// The emails given up on for the practice's patients, newest first: for its administrators;
/// audited as a listing of those patients.
#[server(prefix = "/api", endpoint = "failing_emails")]
pub async fn get_failing_emails() -> Result<Vec<FailingEmailDto>, AppError> {
    use backend::notifications::{self, Kind};

    let session = crate::account::require_session()?;
    let db = use_context::<backend::Db>().ok_or(AppError::ServiceUnavailable)?;
    let failing = notifications::failing(
        &db,
        &session,
        crate::account::client_address(),
        jiff::Timestamp::now(),
    )
    .await
    .map_err(super::refused)?;
    Ok(failing
        .into_iter()
        .map(|email| FailingEmailDto {
            what: match email.kind {
                Some(Kind::AppointmentBooked) => "Appointment booked",
                Some(Kind::AppointmentReminder) => "Appointment reminder",
                Some(Kind::AppointmentCancelledByThePractice) => {
                    "Appointment cancelled by the practice"
                }
                Some(Kind::RecordOpenedInAnEmergency) => "Record opened in an emergency",
                Some(Kind::MessageFromThePractice) => "Message from the practice",
                Some(Kind::PrescriptionDecided) => "Prescription decided",
                Some(Kind::EarlierTimeOffered) => "Earlier appointment offered",
                None => "An email this version does not know",
            }
            .to_owned(),
            failed_at: backend::time::spoken(email.failed_at),
            nhs_number: email.nhs_number.map(|n| n.to_string()),
            id: email.id,
            patient_id: email.patient_id,
            patient_name: email.patient_name,
            attempts: email.attempts,
            failure: email.last_failure,
        })
        .collect())
}
