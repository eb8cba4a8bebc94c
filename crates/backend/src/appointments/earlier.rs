//! Earlier appointments. A patient with a booked appointment may ask to be told of an earlier
//! time for the same service ([`ask`]; [`stop_asking`]). When a time of that service frees up
//! before it (an appointment cancelled or moved, new times opened: `super::freed_times`), everyone
//! waiting for one is offered it, by email and on their home page ([`waiting`]). The first to take
//! it ([`take`]) gets it: holding it is the gate (of many patients holding one time, exactly one
//! can), then their appointment moves to it, the old one cancelled in the same transaction; the
//! others' offers are marked gone, and the page tells them so. The time they gave up is offered in
//! turn.

use jiff::{SignedDuration, Timestamp};
use store::state::earlier_times::{self, Wish};

use super::{
    AppointmentsError, Booked, Directory, access_to, audit_write, availability, booking_patient,
    hold,
    holds::slot_and_service,
    list::{read, view},
    reschedule,
};
use crate::{
    Db,
    auth::{access::Access, audit::Action, policy::Refusal},
};

/// How long a patient is told that an offered time has gone.
const GONE_SHOWN_FOR: SignedDuration = SignedDuration::from_hours(24 * 7);

/// A free time offered to a patient in place of one of their appointments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierOffer {
    pub slot_id: String,
    pub start: Timestamp,
    /// The booked appointment it would replace, and its start.
    pub instead_of: String,
    pub instead_of_start: Timestamp,
    /// Someone else took it first.
    pub gone: bool,
}

/// What a patient is waiting for: the appointments they want earlier, and the times offered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EarlierTimes {
    pub asked_for: Vec<String>,
    pub offers: Vec<EarlierOffer>,
}

/// `access`'s patient asks to be told of a time earlier than their booked appointment
/// `appointment_id`, for the same service. Audited as an update of the appointment.
pub async fn ask(
    db: &Db,
    access: Access,
    appointment_id: &str,
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let (patient_id, record, appointment) = theirs(db, access, appointment_id, now).await?;
    if appointment.status != "booked" || appointment.start <= now {
        return Err(AppointmentsError::NotFound);
    }
    let wish = Wish {
        appointment_id: appointment_id.to_owned(),
        patient_id,
        service: appointment.service.code,
        start_before: appointment.start,
    };
    earlier_times::wish(db.state(), &wish, now).await?;
    let written = format!("Appointment/{appointment_id}");
    audit_write(db, record, "update", Action::Update, written, now).await?;
    Ok(())
}

/// `access`'s patient no longer wants an earlier time than `appointment_id`.
pub async fn stop_asking(
    db: &Db,
    access: Access,
    appointment_id: &str,
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    let (_, record, _) = theirs(db, access, appointment_id, now).await?;
    earlier_times::forget(db.state(), appointment_id).await?;
    let written = format!("Appointment/{appointment_id}");
    audit_write(db, record, "update", Action::Update, written, now).await?;
    Ok(())
}

/// What `access`'s patient is waiting for: the appointments they asked about, and the times
/// offered for them that are still to come (free, or gone in the last week), earliest first.
/// An offered time someone has booked since is gone.
pub async fn waiting(
    db: &Db,
    access: &Access,
    now: Timestamp,
) -> Result<EarlierTimes, AppointmentsError> {
    let patient_id = booking_patient(access)?;
    let wishes = earlier_times::wishes_of(db.state(), patient_id).await?;
    let mut offers = Vec::new();
    for offer in earlier_times::offers_to(db.state(), patient_id).await? {
        let Some(wish) = wishes
            .iter()
            .find(|wish| wish.appointment_id == offer.appointment_id)
        else {
            continue;
        };
        if offer.slot_start <= now || wish.start_before <= now {
            continue;
        }
        let mut gone = offer.gone_at.is_some();
        if !gone && !still_free(db, &offer.slot_id).await? {
            earlier_times::gone(db.state(), &offer.slot_id, None, now).await?;
            gone = true;
        }
        let shown = offer.gone_at.is_none_or(|at| {
            at.saturating_add(GONE_SHOWN_FOR)
                .is_ok_and(|until| until > now)
        });
        if shown {
            offers.push(EarlierOffer {
                slot_id: offer.slot_id,
                start: offer.slot_start,
                instead_of: offer.appointment_id,
                instead_of_start: wish.start_before,
                gone,
            });
        }
    }
    Ok(EarlierTimes {
        asked_for: wishes.into_iter().map(|wish| wish.appointment_id).collect(),
        offers,
    })
}

/// `access`'s patient takes the time in `slot_id` offered in place of `appointment_id`: held
/// first (of many at once, exactly one holds it; the others get [`AppointmentsError::Unavailable`]
/// with other times, and their offer is gone), then their appointment moves to it.
pub async fn take(
    db: &Db,
    access: Access,
    appointment_id: &str,
    slot_id: &str,
    now: Timestamp,
) -> Result<Booked, AppointmentsError> {
    let patient_id = booking_patient(&access)?.to_owned();
    let offered = earlier_times::offers_to(db.state(), &patient_id)
        .await?
        .into_iter()
        .any(|offer| offer.appointment_id == appointment_id && offer.slot_id == slot_id);
    if !offered {
        return Err(AppointmentsError::NotFound);
    }
    if let Err(error) = hold(db, &access, slot_id, now).await {
        if matches!(error, AppointmentsError::Unavailable(_)) {
            earlier_times::gone(db.state(), slot_id, None, now).await?;
        }
        return Err(error);
    }
    let booked = reschedule(db, access, appointment_id, slot_id, now).await?;
    // Everyone else offered it is told it has gone.
    earlier_times::gone(db.state(), slot_id, None, now).await?;
    Ok(booked)
}

/// Whether the time in `slot_id` is still free.
async fn still_free(db: &Db, slot_id: &str) -> Result<bool, AppointmentsError> {
    match slot_and_service(db, slot_id).await {
        Ok((slot, _, _)) => Ok(slot["status"] == "free"),
        Err(AppointmentsError::NotFound) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Booked appointment `appointment_id` of `access`'s patient (their own, or of the person they
/// act for), with the audit record to complete.
async fn theirs(
    db: &Db,
    access: Access,
    appointment_id: &str,
    now: Timestamp,
) -> Result<(String, crate::auth::audit::AccessRecord, super::Appointment), AppointmentsError> {
    let patient_id = booking_patient(&access)?.to_owned();
    let (resource, owner, _) = read(db, appointment_id).await?;
    let record = access_to(access, &owner)?;
    if owner != patient_id {
        return Err(AppointmentsError::Refused(Refusal::NotTheirs));
    }
    let services = availability::services(db).await?;
    let appointment = view(&mut Directory::new(db), &services, &resource, now)
        .await?
        .ok_or(AppointmentsError::NotFound)?;
    Ok((patient_id, record, appointment))
}
