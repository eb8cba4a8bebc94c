//! Cancelling an appointment online, by its patient (or their proxy), within the service's
//! rules: not once it has started, nor inside the service's cut-off (the practice may already
//! have turned others away). The store's booking rules free the slot in the same write. (The
//! practice cancels in `for_the_practice`.)

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
    auth::{
        access::Access,
        audit::{AccessRecord, Action},
        policy::{Basis, Refusal},
    },
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
    if !matches!(access.basis, Basis::Own | Basis::Proxy) {
        return Err(AppointmentsError::Refused(Refusal::NotTheirs));
    }
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
    let written = write_cancelled(
        db,
        access,
        (appointment_id, appointment, version),
        (By::Patient, reason),
        now,
    )
    .await?;
    notifications::appointment_cancelled(db, appointment_id).await;
    view(&mut directory, &services, &written, now)
        .await?
        .ok_or(AppointmentsError::NotFound)
}

/// Writes `appointment` (`id` at `version`, as just checked) cancelled by `by` for `reason`,
/// and audits the write with `access`: the stored appointment. If it changed meanwhile, nothing
/// is written.
pub(super) async fn write_cancelled(
    db: &Db,
    access: AccessRecord,
    (id, appointment, version): (&str, Value, i64),
    (by, reason): (By, &str),
    now: Timestamp,
) -> Result<Value, AppointmentsError> {
    let appointment = cancelled(appointment, by, reason);
    let written = db
        .update(
            ResourceType::Appointment,
            id,
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
    let record = format!("Appointment/{id}");
    audit_write(db, access, "update", Action::Update, record, now).await?;
    Ok(written.resource)
}

/// Who cancelled an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum By {
    Patient,
    Practice,
}

/// `appointment` cancelled by `by`, for `reason`.
pub(super) fn cancelled(mut appointment: Value, by: By, reason: &str) -> Value {
    let (code, display) = match by {
        By::Patient => ("pat", "Patient"),
        By::Practice => ("prov", "Provider"),
    };
    appointment["status"] = json!("cancelled");
    appointment["cancelationReason"] = json!({
        "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
            "code": code,
            "display": display,
        }],
        "text": reason,
    });
    appointment
}
