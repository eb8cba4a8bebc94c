//! Emails from the practice: a patient's choice of what they are emailed about, and, for the
//! practice's office, the emails the mail server kept refusing.

mod choose_emails;
mod get_email_choices;
mod get_failing_emails;
mod send_email_again;

pub use choose_emails::{ChooseEmails, choose_emails};
pub use get_email_choices::{GetEmailChoices, get_email_choices};
pub use get_failing_emails::{GetFailingEmails, get_failing_emails};
pub use send_email_again::{SendEmailAgain, send_email_again};
use serde::{Deserialize, Serialize};

/// The form field of each topic: a checkbox, sent only when ticked.
pub const APPOINTMENTS_FIELD: &str = "appointments";
pub const EMERGENCY_ACCESS_FIELD: &str = "emergency_access";
pub const MESSAGES_FIELD: &str = "messages";
pub const PRESCRIPTIONS_FIELD: &str = "prescriptions";

/// What the "emails we send you" page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChoicesDto {
    /// The address on their record, if it has one we can send to.
    pub address: Option<String>,
    pub appointments: bool,
    pub emergency_access: bool,
    pub messages: bool,
    pub prescriptions: bool,
}

/// An email given up on, for the practice's office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingEmailDto {
    pub id: String,
    /// "Appointment booked", …
    pub what: String,
    pub patient_id: String,
    pub patient_name: String,
    /// "999 000 0018".
    pub nhs_number: Option<String>,
    /// "7 December 2026 at 10:04am".
    pub failed_at: String,
    pub attempts: u32,
    /// The mail server's answer.
    pub failure: String,
}

/// A refusal or failure of the use cases here, as the browser may see it.
#[cfg(feature = "ssr")]
fn refused(error: backend::notifications::FailingError) -> crate::error::AppError {
    use backend::notifications::FailingError;

    use crate::{account::fail, error::AppError};
    match error {
        FailingError::NotFound => fail(AppError::NotFound),
        FailingError::Refused(_) => fail(AppError::NotAllowed),
        error => AppError::internal(&error),
    }
}
