//! Cancelling an appointment online, within the service's rules: not once it has started, nor
//! inside the service's cut-off (the practice may already have turned others away). The store's
//! booking rules free the slot in the same write.

use domain::booking::AppointmentReason;
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{
    Appointment, AppointmentsError, Directory, access_to, audit_write, availability,
    list::{read, view},
};
use crate::{
    Db, FhirRepository,
    auth::{access::Access, audit::Action},
    notifications,
};
use store::WriteError;

/// Cancels appointment `appointment_id` for whoever the policy lets change it (`access` is to the
/// record of its patient), giving `reason` if the patient gave one. Answers with the cancelled
/// appointment.
pub async fn cancel(
    db: &Db,
    access: Access,
    appointment_id: &str,
    reason: Option<&AppointmentReason>,
    now: Timestamp,
) -> Result<Appointment, AppointmentsError> {
    let (appointment, patient_id, version) = read(db, appointment_id).await?;
    let access = access_to(access, &patient_id)?;
    let services = availability::services(db).await?;
    let mut directory = Directory::new(db);
    let before = view(&mut directory, &services, &appointment, now)
        .await?
        .ok_or(AppointmentsError::NotFound)?;
    before
        .cancellable
        .map_err(AppointmentsError::CannotCancel)?;

    let reason = reason.map_or("Cancelled online by the patient", AppointmentReason::as_str);
    let appointment = cancelled(appointment, reason);
    // Based on the version just checked: if it changed meanwhile, nothing is written.
    let written = db
        .update(
            ResourceType::Appointment,
            appointment_id,
            appointment,
            Some(version),
            now,
        )
        .await;
    let (written, _) = match written {
        Ok(written) => written,
        Err(WriteError::VersionMismatch { .. } | WriteError::Conflict) => {
            return Err(AppointmentsError::Changed);
        }
        Err(error) => return Err(error.into()),
    };
    let record = format!("Appointment/{appointment_id}");
    audit_write(db, access, "update", Action::Update, record, now).await?;
    notifications::appointment_cancelled(db, appointment_id).await;
    view(&mut directory, &services, &written.resource, now)
        .await?
        .ok_or(AppointmentsError::NotFound)
}

/// `appointment` cancelled by its patient, for `reason`.
pub(super) fn cancelled(mut appointment: Value, reason: &str) -> Value {
    appointment["status"] = json!("cancelled");
    appointment["cancelationReason"] = json!({
        "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
            "code": "pat",
            "display": "Patient",
        }],
        "text": reason,
    });
    appointment
}
