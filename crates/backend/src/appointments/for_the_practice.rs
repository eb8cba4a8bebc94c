//! The practice's side of a patient's appointment: its staff (a clinician or the office, whose
//! access the policy gives for appointments, not the patient's) see whose it is and cancel it,
//! at any time before it starts, with a reason the patient reads when they sign in; when the
//! patient asked to be contacted by email about it, an email tells them (saying no more than
//! that it is cancelled). The store's booking rules free the slot in the same write.

use domain::{
    NhsNumber,
    booking::{AppointmentReason, CancelRefusal},
};
use jiff::Timestamp;

use super::{
    Appointment, AppointmentsError,
    cancel::{By, Cancelling},
};
use crate::{
    Db,
    auth::{
        access::Access,
        policy::{Basis, Refusal},
    },
    notifications,
};

/// An appointment as the practice's staff see it: as its patient does, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeAppointment {
    pub appointment: Appointment,
    pub patient_name: String,
    pub nhs_number: Option<NhsNumber>,
}

/// An appointment the practice has cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeCancelled {
    pub appointment: PracticeAppointment,
    /// Whether an email is on its way to tell the patient.
    pub emailed: bool,
}

/// Appointment `appointment_id` for the practice's staff (`access`, checked for the patient's
/// appointments, is theirs); audited as a read of it.
pub async fn appointment_for_the_practice(
    db: &Db,
    access: Access,
    appointment_id: &str,
    now: Timestamp,
) -> Result<PracticeAppointment, AppointmentsError> {
    let (patient_name, nhs_number) = whose(&access)?;
    let appointment = super::appointment(db, access, appointment_id, now).await?;
    Ok(PracticeAppointment {
        appointment,
        patient_name,
        nhs_number,
    })
}

/// Cancels appointment `appointment_id` for the practice (`access`, checked for the patient's
/// appointments, is that of its staff: a clinician or the office), for `reason`, which the
/// patient reads when they sign in. Any time before it starts: the online cut-off is the
/// patient's rule, not the practice's. Answers with the cancelled appointment, and whether an
/// email tells the patient.
pub async fn cancel_for_the_practice(
    db: &Db,
    access: Access,
    appointment_id: &str,
    reason: &AppointmentReason,
    now: Timestamp,
) -> Result<PracticeCancelled, AppointmentsError> {
    let (patient_name, nhs_number) = whose(&access)?;
    let cancelling = Cancelling::read(db, access, appointment_id, now).await?;
    match cancelling.before.cancellable {
        Ok(()) | Err(CancelRefusal::TooLate { .. }) => {}
        Err(refusal) => return Err(AppointmentsError::CannotCancel(refusal)),
    }
    let (patient_id, start, contact) = (
        cancelling.patient_id.clone(),
        cancelling.before.start,
        cancelling.before.contact,
    );
    let appointment = cancelling
        .write(db, By::Practice, reason.as_str(), now)
        .await?;
    let emailed = notifications::appointment_cancelled_by_the_practice(
        db,
        &patient_id,
        appointment_id,
        start,
        contact,
        now,
    )
    .await;
    Ok(PracticeCancelled {
        appointment: PracticeAppointment {
            appointment,
            patient_name,
            nhs_number,
        },
        emailed,
    })
}

/// The patient's name and NHS number, if `access` is the practice's.
fn whose(access: &Access) -> Result<(String, Option<NhsNumber>), AppointmentsError> {
    if !matches!(access.basis, Basis::CareTeam | Basis::PracticeOffice) {
        return Err(AppointmentsError::Refused(Refusal::NotClinical));
    }
    let nhs_number = fhir::read::identifier(&access.patient, fhir::NHS_NUMBER_SYSTEM)
        .and_then(|text| NhsNumber::parse(text).ok());
    Ok((fhir::read::person_name(&access.patient), nhs_number))
}
