//! The reference a patient quotes for an appointment: eight characters read out on the phone
//! without confusion (no 0/O, 1/I/L), as `K7P2-QX9M`.
//!
//! A booking made here gets a random one, kept on the Appointment as an identifier
//! ([`super::BOOKING_REFERENCE_SYSTEM`]). An appointment that came another way (made by the
//! practice's staff, sent by another system through the FHIR API, the demo data) has none
//! stored: its reference is worked out from its id instead, the same every time it is shown,
//! so the patient never sees a 36-character id as the thing to quote.

use sha2::{Digest as _, Sha256};

const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A new random reference, for a booking made here.
pub(super) fn new_reference() -> String {
    written(&uuid::Uuid::new_v4().as_bytes()[..8])
}

/// The reference of the appointment `id` that has none stored.
pub(super) fn reference_of(id: &str) -> String {
    written(&Sha256::digest(id.as_bytes())[..8])
}

/// Eight bytes as eight characters of the alphabet, in two groups of four.
fn written(bytes: &[u8]) -> String {
    let chars: String = bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readable(reference: &str) -> bool {
        let (first, second) = reference.split_once('-').unwrap_or_default();
        [first, second]
            .iter()
            .all(|group| group.len() == 4 && group.bytes().all(|b| ALPHABET.contains(&b)))
    }

    #[test]
    fn an_appointment_without_a_stored_reference_always_shows_the_same_short_one() {
        let id = "0b9f3c1e-5a8d-4d2e-9c61-7f2e1a4b8c90";
        assert!(readable(&reference_of(id)), "{}", reference_of(id));
        assert_eq!(reference_of(id), reference_of(id));
        assert_ne!(reference_of(id), reference_of("another-appointment"));
    }

    #[test]
    fn a_new_reference_is_readable_and_new_each_time() {
        let (one, two) = (new_reference(), new_reference());
        assert!(readable(&one), "{one}");
        assert_ne!(one, two);
    }
}
