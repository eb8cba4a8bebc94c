//! The rule a service gives the store to keep inside every write (see [`crate::exclusive`]):
//! plain data, so that the store's lowest layers can carry it without knowing what it means.

use fhir::ResourceType;
use serde_json::Value;

/// What the store needs to know of an exclusive hold; the functions are the service's own
/// reading of the resources (which statuses hold, which references are held).
#[derive(Debug)]
pub struct ExclusiveHold {
    /// The type whose writes take and give back (Appointment).
    pub holder: ResourceType,
    /// The type held (Slot).
    pub held: ResourceType,
    /// The ids of the held resources a holder, as written, holds: none while it is inactive.
    pub holds: fn(&Value) -> Vec<String>,
    /// The party a holder acts for (an appointment's patient), whose reservation it may use.
    pub party: fn(&Value) -> Option<&str>,
    /// Whether a held resource, as stored, may be taken.
    pub is_free: fn(&Value) -> bool,
    /// Marks a held resource taken (`true`) or free again (`false`).
    pub mark: fn(&mut Value, bool),
    /// Whether a holder, as written, leaves out what it may take from what it holds (an
    /// appointment without its times); then `complete` fills that in from the held resources,
    /// before the holder is stored.
    pub incomplete: fn(&Value) -> bool,
    pub complete: fn(&mut Value, &[Value]),
    /// Where a holder refers to what it holds (`Appointment.slot`), and what a client is told
    /// when that does not exist.
    pub held_at: &'static str,
    pub missing_held: &'static str,
}
