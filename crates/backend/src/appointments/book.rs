//! Booking the time a patient is holding: one transaction takes their hold and writes the
//! Appointment, whose store rules mark the Slot busy. Submitting twice books once: a second
//! submission finds the patient's own appointment on the slot and answers with it.

use domain::booking::{AppointmentReason, ContactPreference};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{
    AppointmentsError, BOOKING_REFERENCE_SYSTEM, CONTACT_PREFERENCE_URL, Directory, Gone,
    access_to, audit_write, availability, booking_patient,
    booking_reference::new_reference,
    cancel::{By, cancelled},
    holds::{slot_and_service, unavailable},
    list::{read, view},
    references,
};
use crate::{
    Db, FhirRepository,
    auth::{
        access::Access,
        audit::{self, AccessRecord, Action, Outcome},
        policy::Refusal,
    },
    notifications,
};
use store::{Found, WriteError, reservations};

/// What the patient adds to a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingDetails {
    pub reason: Option<AppointmentReason>,
    pub contact: ContactPreference,
}

/// A booked appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub appointment_id: String,
}

/// Books slot `slot_id`, which the patient must be holding, for them: `access` is a patient's to
/// their own record or a carer's to the record of someone they act for ([`booking_patient`]). A hold that ran out, or a slot someone else has, is
/// [`AppointmentsError::Unavailable`] with other times; the booking is audited as a create of
/// the patient's record.
pub async fn book(
    db: &Db,
    access: Access,
    slot_id: &str,
    details: &BookingDetails,
    now: Timestamp,
) -> Result<Booked, AppointmentsError> {
    let patient_id = booking_patient(&access)?.to_owned();
    let access = access_to(access, &patient_id)?;
    book_held(db, access, &patient_id, slot_id, details, None, now).await
}

/// Moves the patient's appointment `appointment_id` to slot `slot_id`, which they must be
/// holding: the new appointment is booked and the old one cancelled in one transaction, or
/// nothing changes. `access` is to the record of the appointment's patient ([`super::patient_of`]);
/// only that patient may move it, and only what could be cancelled online can be moved online.
pub async fn reschedule(
    db: &Db,
    access: Access,
    appointment_id: &str,
    slot_id: &str,
    now: Timestamp,
) -> Result<Booked, AppointmentsError> {
    let patient_id = booking_patient(&access)?.to_owned();
    let (old, owner, version) = read(db, appointment_id).await?;
    let mut access = access_to(access, &owner)?;
    // Only an appointment of the patient being booked for moves; the refused attempt is on the
    // record like any other.
    if owner != patient_id {
        access.outcome = Outcome::MinorFailure;
        audit::record(db, &access, now).await?;
        return Err(AppointmentsError::Refused(Refusal::NotTheirs));
    }
    let services = availability::services(db).await?;
    let before = view(&mut Directory::new(db), &services, &old, now)
        .await?
        .ok_or(AppointmentsError::NotFound)?;
    before
        .cancellable
        .map_err(AppointmentsError::CannotCancel)?;
    let details = BookingDetails {
        reason: before
            .reason
            .as_deref()
            .and_then(|reason| AppointmentReason::parse(reason).ok().flatten()),
        contact: before.contact.unwrap_or(ContactPreference::TextMessage),
    };
    let replacing = Replacing {
        id: appointment_id,
        resource: old,
        version,
    };
    book_held(
        db,
        access,
        &patient_id,
        slot_id,
        &details,
        Some(replacing),
        now,
    )
    .await
}

/// The appointment a booking replaces, as read (its version guards the change).
struct Replacing<'a> {
    id: &'a str,
    resource: Value,
    version: i64,
}

/// Takes the patient's hold on `slot_id` and writes their Appointment, and cancels the one it
/// replaces, all in one transaction; audits what was written.
async fn book_held(
    db: &Db,
    access: AccessRecord,
    patient_id: &str,
    slot_id: &str,
    details: &BookingDetails,
    replacing: Option<Replacing<'_>>,
    now: Timestamp,
) -> Result<Booked, AppointmentsError> {
    let (slot, service, start) = slot_and_service(db, slot_id).await?;

    let mut tx = store::begin(db).await?;
    // Taking the hold is the transaction's first statement: on SQLite it takes the write lock
    // before anything is read, so nothing read below can change before the commit.
    let hold = reservations::take(&mut tx, slot_id, patient_id).await?;
    let held = hold.is_some_and(|until| until > now);
    let written = if held {
        let appointment = appointment(db, &slot, slot_id, patient_id, details, now).await?;
        Some(store::create_in(&mut tx, ResourceType::Appointment, appointment, now).await)
    } else {
        None
    };
    let appointment_id = match written {
        Some(Ok(written)) => written.resource["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        Some(Err(WriteError::Taken)) | None => {
            drop(tx);
            // A second submission of the same booking: the first one's appointment is the answer.
            if let Some(own) = own_booking(db, slot_id, patient_id).await? {
                return Ok(Booked {
                    appointment_id: own,
                });
            }
            let why = if held {
                Gone::Taken
            } else {
                expired_or_taken(db, slot_id, now).await?
            };
            return Err(unavailable(db, why, service, start, patient_id, now).await?);
        }
        Some(Err(error)) => return Err(error.into()),
    };
    if let Some(old) = &replacing {
        let cancelled = cancelled(
            old.resource.clone(),
            By::Patient,
            "Moved to another time by the patient",
        );
        match store::update_in(
            &mut tx,
            ResourceType::Appointment,
            old.id,
            cancelled,
            Some(old.version),
            now,
        )
        .await
        {
            Ok(_) => {}
            Err(WriteError::VersionMismatch { .. } | WriteError::Conflict) => {
                return Err(AppointmentsError::Changed);
            }
            Err(error) => return Err(error.into()),
        }
    }
    tx.commit().await?;
    if let Some(old) = &replacing {
        let record = format!("Appointment/{}", old.id);
        audit_write(db, access.clone(), "update", Action::Update, record, now).await?;
        notifications::appointment_cancelled(db, old.id).await;
        super::freed_times::offer_after_freeing(db, old.id, now).await;
    }
    let record = format!("Appointment/{appointment_id}");
    audit_write(db, access, "create", Action::Create, record, now).await?;
    notifications::appointment_booked(db, patient_id, &appointment_id, start, details.contact, now)
        .await;
    Ok(Booked { appointment_id })
}

/// The patient's own active appointment on the slot, if it has one.
async fn own_booking(
    db: &Db,
    slot_id: &str,
    patient_id: &str,
) -> Result<Option<String>, AppointmentsError> {
    let Some(appointment_id) = reservations::holder_of(db, slot_id).await? else {
        return Ok(None);
    };
    let Found::Current(appointment) = db.read(ResourceType::Appointment, &appointment_id).await?
    else {
        return Ok(None);
    };
    Ok(
        (crate::booking::patient_id(&appointment.resource) == Some(patient_id))
            .then_some(appointment_id),
    )
}

/// Without a live hold: if the slot is still free and nobody else holds it, the patient's hold
/// simply ran out; otherwise someone took it.
async fn expired_or_taken(
    db: &Db,
    slot_id: &str,
    now: Timestamp,
) -> Result<Gone, AppointmentsError> {
    let free = matches!(
        db.read(ResourceType::Slot, slot_id).await?,
        Found::Current(slot) if slot.resource["status"] == "free"
    );
    let held_by_other = reservations::reserved_by(db, slot_id, now).await?;
    Ok(if free && held_by_other.is_none() {
        Gone::HoldExpired
    } else {
        Gone::Taken
    })
}

/// The Appointment for `patient_id` in `slot`: the slot's time and service, the clinician and
/// place of its schedule, and what the patient added.
async fn appointment(
    db: &Db,
    slot: &Value,
    slot_id: &str,
    patient_id: &str,
    details: &BookingDetails,
    now: Timestamp,
) -> Result<Value, AppointmentsError> {
    let schedule_id = slot["schedule"]["reference"]
        .as_str()
        .and_then(|r| r.strip_prefix("Schedule/"))
        .unwrap_or_default();
    let actors = match db.read(ResourceType::Schedule, schedule_id).await? {
        Found::Current(schedule) => references(&schedule.resource["actor"]),
        _ => Vec::new(),
    };
    let accepted =
        |reference: &str| json!({ "actor": { "reference": reference }, "status": "accepted" });
    let mut participants = vec![accepted(&format!("Patient/{patient_id}"))];
    participants.extend(
        actors
            .iter()
            .filter(|a| a.starts_with("PractitionerRole/") || a.starts_with("Location/"))
            .map(|a| accepted(a)),
    );
    let today = now.to_zoned(super::availability::london()).date();
    let mut appointment = json!({
        "resourceType": "Appointment",
        "identifier": [{ "system": BOOKING_REFERENCE_SYSTEM, "value": new_reference() }],
        "status": "booked",
        "serviceType": slot["serviceType"],
        "slot": [{ "reference": format!("Slot/{slot_id}") }],
        "start": slot["start"],
        "end": slot["end"],
        "created": today.to_string(),
        "participant": participants,
        "extension": [{
            "url": CONTACT_PREFERENCE_URL,
            "valueCode": details.contact.code(),
        }],
    });
    if let Some(reason) = &details.reason {
        appointment["reasonCode"] = json!([{ "text": reason.as_str() }]);
    }
    Ok(appointment)
}
