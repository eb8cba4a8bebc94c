//! Cancelling an appointment online, by its patient (or their proxy), within the service's
//! rules: not once it has started, nor inside the service's cut-off (the practice may already
//! have turned others away). The store's booking rules free the slot in the same write. (The
//! practice cancels in `for_the_practice`.)

use domain::booking::AppointmentReason;
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{
    Appointment, AppointmentsError, Directory, Service, access_to, audit_write, availability,
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
    let cancelling = Cancelling::read(db, access, appointment_id, now).await?;
    cancelling
        .before
        .cancellable
        .map_err(AppointmentsError::CannotCancel)?;
    let reason = reason.map_or("Cancelled online by the patient", AppointmentReason::as_str);
    let cancelled = cancelling.write(db, By::Patient, reason, now).await?;
    notifications::appointment_cancelled(db, appointment_id).await;
    Ok(cancelled)
}

/// An appointment about to be cancelled, as read for it: whose it is, how it looks now
/// (`before`, with whether it may be cancelled), and what writing it cancelled needs.
pub(super) struct Cancelling<'a> {
    pub(super) patient_id: String,
    pub(super) before: Appointment,
    id: &'a str,
    resource: Value,
    version: i64,
    access: AccessRecord,
    services: Vec<Service>,
    directory: Directory<'a, Db>,
}

impl<'a> Cancelling<'a> {
    /// Reads appointment `id`, which `access` (checked for appointments) must be to the record
    /// of its patient.
    pub(super) async fn read(
        db: &'a Db,
        access: Access,
        id: &'a str,
        now: Timestamp,
    ) -> Result<Self, AppointmentsError> {
        let (resource, patient_id, version) = read(db, id).await?;
        let access = access_to(access, &patient_id)?;
        let services = availability::services(db).await?;
        let mut directory = Directory::new(db);
        let before = view(&mut directory, &services, &resource, now)
            .await?
            .ok_or(AppointmentsError::NotFound)?;
        Ok(Self {
            patient_id,
            before,
            id,
            resource,
            version,
            access,
            services,
            directory,
        })
    }

    /// Writes it cancelled by `by` for `reason` ([`write_cancelled`]): the appointment as it is
    /// now.
    pub(super) async fn write(
        mut self,
        db: &Db,
        by: By,
        reason: &str,
        now: Timestamp,
    ) -> Result<Appointment, AppointmentsError> {
        let written = write_cancelled(
            db,
            self.access,
            (self.id, self.resource, self.version),
            (by, reason),
            now,
        )
        .await?;
        super::freed_times::offer_after_freeing(db, self.id, now).await;
        view(&mut self.directory, &self.services, &written, now)
            .await?
            .ok_or(AppointmentsError::NotFound)
    }
}

/// Writes `appointment` (`id` at `version`, as just checked) cancelled by `by` for `reason`,
/// and audits the write with `access`: the stored appointment. If it changed meanwhile, nothing
/// is written.
async fn write_cancelled(
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
