//! Keeping a chosen time for a patient while they check their answers ([`HOLD`] minutes), so that
//! nobody takes it in between. A patient holds one time at a time: choosing another lets the
//! first go. The store's booking rules refuse a held slot to anyone else's appointment.

use domain::booking::{HOLD, bookable};
use fhir::ResourceType;
use jiff::Timestamp;
use serde_json::Value;

use super::{
    AppointmentsError, Directory, FreeTime, Gone, Held, Service, Unavailable,
    availability::{self, service_of_slot},
    booking_patient, instant,
};
use crate::{Db, FhirRepository, auth::access::Access};
use store::{Found, reservations};

/// Holds slot `slot_id` for the patient `access` is to (checked for appointments) until [`HOLD`] from `now`. If someone else has
/// it (booked or holding), [`AppointmentsError::Unavailable`] offers the nearest other times.
pub async fn hold(
    db: &Db,
    access: &Access,
    slot_id: &str,
    now: Timestamp,
) -> Result<Held, AppointmentsError> {
    let patient_id = booking_patient(access)?;
    let (slot, service, start) = slot_and_service(db, slot_id).await?;
    let held_until = now.saturating_add(HOLD).unwrap_or(now);
    let claimed = bookable(start, now) && claim(db, slot_id, patient_id, held_until, now).await?;
    if !claimed {
        return Err(unavailable(db, Gone::Taken, service, start, patient_id, now).await?);
    }
    Ok(Held {
        time: time_of(db, &slot, slot_id, start).await?,
        service,
        held_until,
    })
}

/// The time `access`'s patient is holding in slot `slot_id`, for the page where they confirm.
/// A hold that ran out is [`Gone::HoldExpired`], with other times to choose from.
pub async fn held(
    db: &Db,
    access: &Access,
    slot_id: &str,
    now: Timestamp,
) -> Result<Held, AppointmentsError> {
    let patient_id = booking_patient(access)?;
    let (slot, service, start) = slot_and_service(db, slot_id).await?;
    match reservations::reserved_until(db, slot_id, patient_id).await? {
        Some(held_until) if held_until > now => Ok(Held {
            time: time_of(db, &slot, slot_id, start).await?,
            service,
            held_until,
        }),
        _ => Err(unavailable(db, Gone::HoldExpired, service, start, patient_id, now).await?),
    }
}

/// The nearest free times to slot `slot_id`'s, for `access`'s patient to choose from instead,
/// when it has gone (the page they land on after losing it).
pub async fn instead_of(
    db: &Db,
    access: &Access,
    slot_id: &str,
    now: Timestamp,
) -> Result<(Service, Vec<FreeTime>), AppointmentsError> {
    let patient_id = booking_patient(access)?;
    let (_, service, start) = slot_and_service(db, slot_id).await?;
    let alternatives = availability::alternatives(db, &service, start, patient_id, now).await?;
    Ok((service, alternatives))
}

/// Claims the slot for `patient_id` in one transaction: the hold row first (which takes the
/// write lock), then a check that the slot is still free. `false`: someone else has it.
async fn claim(
    db: &Db,
    slot_id: &str,
    patient_id: &str,
    held_until: Timestamp,
    now: Timestamp,
) -> Result<bool, AppointmentsError> {
    let mut tx = store::begin(db).await?;
    // One time at a time: whatever else this patient was holding goes back.
    let free = reservations::reserve(&mut tx, slot_id, patient_id, held_until, now).await?
        && store::read_in(&mut tx, ResourceType::Slot, slot_id)
            .await?
            .is_some_and(|slot| slot["status"] == "free");
    if !free {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// The Slot, the bookable service it is for, and when it starts.
pub(super) async fn slot_and_service(
    db: &Db,
    slot_id: &str,
) -> Result<(Value, Service, Timestamp), AppointmentsError> {
    let Found::Current(slot) = db.read(ResourceType::Slot, slot_id).await? else {
        return Err(AppointmentsError::NotFound);
    };
    let service = service_of_slot(db, &slot.resource)
        .await?
        .ok_or(AppointmentsError::NotFound)?;
    let start = instant(&slot.resource["start"]).ok_or(AppointmentsError::NotFound)?;
    Ok((slot.resource, service, start))
}

/// The time a slot offers, with whom and where.
async fn time_of(
    db: &Db,
    slot: &Value,
    slot_id: &str,
    start: Timestamp,
) -> Result<FreeTime, AppointmentsError> {
    let schedule = slot["schedule"]["reference"].as_str().unwrap_or_default();
    let (clinician, place) = Directory::new(db).diary(schedule).await?;
    Ok(FreeTime {
        slot_id: slot_id.to_owned(),
        start,
        end: instant(&slot["end"]).unwrap_or(start),
        clinician,
        place,
    })
}

/// [`AppointmentsError::Unavailable`], with the nearest other times to `wanted`.
pub(super) async fn unavailable(
    db: &Db,
    why: Gone,
    service: Service,
    wanted: Timestamp,
    patient_id: &str,
    now: Timestamp,
) -> Result<AppointmentsError, AppointmentsError> {
    let alternatives = availability::alternatives(db, &service, wanted, patient_id, now).await?;
    Ok(AppointmentsError::Unavailable(Box::new(Unavailable {
        why,
        service,
        alternatives,
    })))
}
