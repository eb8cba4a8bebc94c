//! Offering a time that has just freed up (an appointment cancelled or moved) to the patients
//! waiting for an earlier one of its service (`super::earlier`), by email and on their pages.

use jiff::Timestamp;
use store::state::earlier_times;

use super::{AppointmentsError, holds::slot_and_service};
use crate::{Db, notifications};

/// After appointment `appointment_id` was cancelled or moved, freeing the time in `slot_id`:
/// its own wish goes, and the time is offered to everyone waiting for an earlier one of its
/// service. A failure is logged; the cancellation stands.
pub(super) async fn offer_to_those_waiting(
    db: &Db,
    appointment_id: &str,
    slot_id: Option<&str>,
    now: Timestamp,
) {
    if let Err(error) = offer_freed(db, appointment_id, slot_id, now).await {
        tracing::warn!(%error, "a freed time could not be offered to those waiting");
    }
}

async fn offer_freed(
    db: &Db,
    appointment_id: &str,
    slot_id: Option<&str>,
    now: Timestamp,
) -> Result<(), AppointmentsError> {
    earlier_times::forget(db.state(), appointment_id).await?;
    let Some(slot_id) = slot_id else {
        return Ok(());
    };
    let (slot, service, start) = slot_and_service(db, slot_id).await?;
    if slot["status"] != "free" || start <= now {
        return Ok(());
    }
    for wish in earlier_times::fitting(db.state(), &service.code, start).await? {
        if earlier_times::offer(db.state(), &wish.appointment_id, (slot_id, start), now).await? {
            notifications::earlier_time_offered(
                db,
                &wish.patient_id,
                &wish.appointment_id,
                start,
                now,
            )
            .await;
        }
    }
    Ok(())
}
