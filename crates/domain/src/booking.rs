//! Booking rules that hold whatever the storage: which appointment statuses hold a slot.

/// Whether an appointment in this FHIR `Appointment.status` keeps its slot taken. Cancelled and
/// entered-in-error appointments give the slot back; a no-show still used the clinician's time.
pub fn holds_slot(status: &str) -> bool {
    !matches!(status, "cancelled" | "entered-in-error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cancelled_and_mistaken_appointments_free_their_slot() {
        for status in [
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "checked-in",
            "noshow",
            "waitlist",
        ] {
            assert!(holds_slot(status), "{status}");
        }
        assert!(!holds_slot("cancelled"));
        assert!(!holds_slot("entered-in-error"));
    }
}
