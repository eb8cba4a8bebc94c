//! Booking rules applied inside every write of an Appointment, whichever way it arrives (REST
//! create or update, delete, seeding): an active appointment takes its slots, marking them busy;
//! a cancelled or deleted one gives them back, marking them free. All in the writer's transaction,
//! so the Appointment and its Slots never disagree. A slot that a patient is holding while they
//! confirm (`slot_holds`) is not free for anyone else's appointment until the hold runs out.

use fhir::{ResourceType, operation_outcome::Issue};
use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::{Any, Transaction};

use crate::store::{self, WriteError};

/// Brings `slot_bookings` and the Slots' status in line with the Appointment `id` as just written
/// (`None`: deleted).
pub(crate) async fn on_appointment_write(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    appointment: Option<&Value>,
    now: Timestamp,
) -> Result<(), WriteError> {
    let held_before: Vec<(String,)> =
        sqlx::query_as("SELECT slot_id FROM slot_bookings WHERE appointment_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let held_before: Vec<String> = held_before.into_iter().map(|(slot,)| slot).collect();
    let patient = appointment.and_then(patient_id);
    let wanted: Vec<String> = match appointment {
        Some(a) if domain::booking::holds_slot(a["status"].as_str().unwrap_or_default()) => {
            slot_ids(a)
        }
        _ => Vec::new(),
    };

    for slot in held_before.iter().filter(|s| !wanted.contains(s)) {
        sqlx::query("DELETE FROM slot_bookings WHERE slot_id = $1")
            .bind(slot)
            .execute(&mut **tx)
            .await?;
        set_slot_status(tx, slot, "free", now).await?;
    }
    for (n, slot) in wanted
        .iter()
        .enumerate()
        .filter(|(_, s)| !held_before.contains(s))
    {
        let at = format!("Appointment.slot[{n}]");
        match store::read_in(tx, ResourceType::Slot, slot).await? {
            Some(s) if s["status"] == "free" => {}
            Some(_) => return Err(WriteError::SlotTaken),
            None => {
                return Err(WriteError::Rule(
                    Issue::new("business-rule", "The appointment's slot does not exist").at(at),
                ));
            }
        }
        let holder: Option<(String,)> = sqlx::query_as(
            "SELECT patient_id FROM slot_holds WHERE slot_id = $1 AND held_until > $2",
        )
        .bind(slot)
        .bind(now.as_second())
        .fetch_optional(&mut **tx)
        .await?;
        if holder.is_some_and(|(holder,)| Some(holder.as_str()) != patient) {
            return Err(WriteError::SlotTaken);
        }
        // The primary key refuses a second holder: that is the guard, not the status read above.
        sqlx::query("INSERT INTO slot_bookings (slot_id, appointment_id) VALUES ($1, $2)")
            .bind(slot)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(|e| match WriteError::from(e) {
                WriteError::Conflict => WriteError::SlotTaken,
                other => other,
            })?;
        set_slot_status(tx, slot, "busy", now).await?;
    }
    Ok(())
}

/// The id of the patient an Appointment is for (its `Patient/<id>` participant).
pub(crate) fn patient_id(appointment: &Value) -> Option<&str> {
    appointment["participant"]
        .as_array()?
        .iter()
        .find_map(|p| p["actor"]["reference"].as_str()?.strip_prefix("Patient/"))
}

/// The ids of the Slots an Appointment references (`slot[].reference` = `Slot/<id>`).
fn slot_ids(appointment: &Value) -> Vec<String> {
    appointment["slot"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            s["reference"]
                .as_str()?
                .strip_prefix("Slot/")
                .map(String::from)
        })
        .collect()
}

async fn set_slot_status(
    tx: &mut Transaction<'_, Any>,
    slot: &str,
    status: &str,
    now: Timestamp,
) -> Result<(), WriteError> {
    store::rewrite_in(tx, ResourceType::Slot, slot, now, |s| {
        s["status"] = json!(status)
    })
    .await
}
