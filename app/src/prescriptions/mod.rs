//! Repeat prescriptions: a patient (or a carer acting for them) asks for their repeat medicines
//! to be sent to a pharmacy; the practice's clinicians approve or refuse each request, and the
//! patient reads what became of it. Plain forms that redirect, so every step works without
//! JavaScript.

mod decide_prescription;
mod get_prescription_request;
mod get_prescription_requests;
mod get_repeat_prescriptions;
mod request_prescriptions;

pub use decide_prescription::{DecidePrescription, decide_prescription};
pub use get_prescription_request::{GetPrescriptionRequest, get_prescription_request};
pub use get_prescription_requests::{GetPrescriptionRequests, get_prescription_requests};
pub use get_repeat_prescriptions::{GetRepeatPrescriptions, get_repeat_prescriptions};
pub use request_prescriptions::{RequestPrescriptions, request_prescriptions};
use serde::{Deserialize, Serialize};

/// Form fields. A group's first box or radio carries the group's name as its id, which the
/// error summary links to.
pub const MEDICINES_FIELD: &str = "medicines";
pub const PHARMACY_FIELD: &str = "pharmacy";
pub const NOTE_FIELD: &str = "note";
pub const DECISION_FIELD: &str = "decision";
pub const REASON_FIELD: &str = "reason";

/// A repeat medicine the patient may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatMedicineDto {
    pub id: String,
    pub name: String,
    pub dosage: Option<String>,
    /// Due for a review: it cannot be asked for online.
    pub review_due: bool,
    /// A request for it is waiting for the practice.
    pub requested: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PharmacyDto {
    pub id: String,
    pub name: String,
}

/// One request, as the patient or the practice reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescriptionRequestDto {
    pub id: String,
    pub medicine: String,
    pub dosage: Option<String>,
    /// "7 December 2026 at 10:04am".
    pub requested: String,
    pub datetime: String,
    /// In words: "Requested", "Approved: sent to Boots, High Street", "Refused: …".
    pub status: String,
    /// `requested`, `approved` or `refused`: the tag's colour.
    pub state: String,
    pub pharmacy: String,
    pub note: Option<String>,
    /// For the practice: whose it is.
    pub patient_name: Option<String>,
    pub nhs_number: Option<String>,
}

/// The patient's repeat prescriptions page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatPrescriptionsDto {
    /// The name of the person a carer acts for, whose these are.
    pub acting_for: Option<String>,
    pub medicines: Vec<RepeatMedicineDto>,
    pub pharmacies: Vec<PharmacyDto>,
    /// The pharmacy of their latest request, chosen at first.
    pub usual_pharmacy: Option<String>,
    pub requests: Vec<PrescriptionRequestDto>,
}

#[cfg(feature = "ssr")]
mod convert {
    use backend::{prescriptions, time};
    use domain::prescriptions::RequestState;

    use super::*;

    impl From<prescriptions::PrescriptionRequest> for PrescriptionRequestDto {
        fn from(request: prescriptions::PrescriptionRequest) -> Self {
            let state = match request.state {
                RequestState::Requested => "requested",
                RequestState::Approved { .. } => "approved",
                RequestState::Refused { .. } => "refused",
            };
            Self {
                id: request.id,
                medicine: request.medicine,
                dosage: request.dosage,
                requested: time::spoken(request.requested_at),
                datetime: request.requested_at.to_string(),
                status: request.state.words(),
                state: state.to_owned(),
                pharmacy: request.pharmacy,
                note: request.note,
                patient_name: None,
                nhs_number: None,
            }
        }
    }

    impl From<prescriptions::WaitingRequest> for PrescriptionRequestDto {
        fn from(waiting: prescriptions::WaitingRequest) -> Self {
            Self {
                patient_name: Some(waiting.patient_name),
                nhs_number: waiting.nhs_number.map(|n| n.to_string()),
                ..waiting.request.into()
            }
        }
    }
}

/// A refusal or failure of the use cases here, as the browser may see it; `session`'s person
/// reads a refusal in their own terms (a carer beyond their grant is told so).
#[cfg(feature = "ssr")]
pub(crate) fn refused(
    session: &backend::auth::sessions::Session,
    error: backend::prescriptions::PrescriptionsError,
) -> crate::error::AppError {
    use backend::prescriptions::PrescriptionsError;

    use crate::{account::fail, error::AppError};
    match error {
        PrescriptionsError::NotFound => fail(AppError::NotFound),
        PrescriptionsError::Refused(refusal) => crate::account::refusal(session, refusal),
        PrescriptionsError::Decided | PrescriptionsError::AlreadyRequested => {
            fail(AppError::Conflict)
        }
        PrescriptionsError::ReviewDue => invalid(
            MEDICINES_FIELD,
            "A medicine you chose is due for a review: book a medication review with your GP",
        ),
        PrescriptionsError::NoSuchPharmacy => invalid(
            PHARMACY_FIELD,
            &domain::prescriptions::PrescriptionError::NoPharmacy.to_string(),
        ),
        error => AppError::internal(&error),
    }
}

/// As [`refused`], for the practice's pages: a refusal is "this is for the practice's staff",
/// whoever asks.
#[cfg(feature = "ssr")]
pub(crate) fn refused_to_staff(
    session: &backend::auth::sessions::Session,
    error: backend::prescriptions::PrescriptionsError,
) -> crate::error::AppError {
    use backend::prescriptions::PrescriptionsError;

    use crate::{account::fail, error::AppError};
    match error {
        PrescriptionsError::Refused(_) => fail(AppError::NotAllowed),
        error => refused(session, error),
    }
}

/// One problem with field `field_id`, for the error summary.
#[cfg(feature = "ssr")]
pub(crate) fn invalid(field_id: &str, message: &str) -> crate::error::AppError {
    crate::account::fail(crate::error::AppError::Invalid {
        problems: vec![crate::error::FieldError {
            field_id: field_id.to_owned(),
            message: message.to_owned(),
        }],
    })
}
