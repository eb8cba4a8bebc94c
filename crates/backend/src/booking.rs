//! The booking rule the store keeps inside every write of an Appointment, whichever way it
//! arrives (REST, a transaction Bundle, the web pages, seeding): an active appointment holds its
//! slots, marking them busy; a cancelled or deleted one gives them back, marking them free
//! ([`RULE`], given to the store when the database is opened). A slot that a patient is holding
//! while they confirm is not free for anyone else's appointment until the hold runs out.

use fhir::ResourceType;
use serde_json::{Value, json};
use store::ExclusiveHold;

/// An active Appointment holds its Slots exclusively.
pub static RULE: ExclusiveHold = ExclusiveHold {
    holder: ResourceType::Appointment,
    held: ResourceType::Slot,
    holds: held_slots,
    party: patient_id,
    is_free: |slot| slot["status"] == "free",
    mark: |slot, taken| slot["status"] = json!(if taken { "busy" } else { "free" }),
    incomplete: needs_times,
    complete: times_from_slots,
    held_at: "Appointment.slot",
    missing_held: "The appointment's slot does not exist",
};

/// The id of the patient an Appointment is for (its `Patient/<id>` participant).
pub(crate) fn patient_id(appointment: &Value) -> Option<&str> {
    appointment["participant"]
        .as_array()?
        .iter()
        .find_map(|p| p["actor"]["reference"].as_str()?.strip_prefix("Patient/"))
}

/// Whether an appointment lacks the times it must have (app-3): one that is only proposed,
/// cancelled or waitlisted may leave them out, and is stored as written.
fn needs_times(appointment: &Value) -> bool {
    let status = appointment["status"].as_str().unwrap_or_default();
    appointment.get("start").is_none()
        && appointment.get("end").is_none()
        && !matches!(status, "proposed" | "cancelled" | "waitlist")
}

/// An appointment that names its slots but not its times (as a FHIR client may book) runs from
/// the first slot's start to the last slot's end (invariant app-3: a booked appointment has
/// times). Instants compare as written only when written alike, so they are parsed.
fn times_from_slots(appointment: &mut Value, slots: &[Value]) {
    let instant = |slot: &Value, key: &str| {
        let text = slot[key].as_str()?;
        Some((text.parse::<jiff::Timestamp>().ok()?, text.to_owned()))
    };
    let start = slots.iter().filter_map(|s| instant(s, "start")).min();
    let end = slots.iter().filter_map(|s| instant(s, "end")).max();
    if let (Some((_, start)), Some((_, end))) = (start, end) {
        appointment["start"] = json!(start);
        appointment["end"] = json!(end);
    }
}

/// The Slots an active Appointment holds (`slot[].reference` = `Slot/<id>`); none once it is
/// cancelled or otherwise no longer holds a slot.
fn held_slots(appointment: &Value) -> Vec<String> {
    if !domain::booking::holds_slot(appointment["status"].as_str().unwrap_or_default()) {
        return Vec::new();
    }
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
