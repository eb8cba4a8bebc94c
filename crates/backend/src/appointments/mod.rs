//! A patient's appointments: finding a free time, keeping it for them while they check their
//! answers, booking it, and seeing and cancelling what they have booked.
//!
//! Availability is practice information; everything about a booked appointment is the patient's
//! record, so every use case here that touches one takes an [`Access`] to its patient's record,
//! checked for [`Purpose::Appointments`] at the edge ([`crate::auth::access::check`], which
//! audits a refusal), and audits what it did. Where the appointment names the patient, the edge
//! asks [`patient_of`] whose it is first. The rules themselves (hold length, cancellation
//! cut-off) are pure, in `domain::booking`; the store's booking rules (`crate::booking`) keep a
//! slot from ever holding two appointments, whichever way they arrive.

pub(crate) mod availability;
mod book;
mod booking_reference;
pub mod calendar;
mod cancel;
pub mod clinic;
pub mod earlier;
mod for_the_practice;
mod freed_times;
mod holds;
mod list;

use std::collections::HashMap;

pub use availability::{free_days, free_times, service, services};
pub use book::{Booked, BookingDetails, book, reschedule};
pub use cancel::cancel;
pub use for_the_practice::{
    PracticeAppointment, PracticeCancelled, appointment_for_the_practice, cancel_for_the_practice,
};
pub use freed_times::offer_freed_times;
pub use holds::{held, hold, instead_of};
pub use list::{appointment, appointments, patient_of};

use domain::booking::{CancelRefusal, ContactPreference};
use fhir::ResourceType;
use jiff::{SignedDuration, Timestamp, civil};
use serde_json::Value;

use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        access::{Access, AccessError},
        audit::{self, AccessRecord, Action},
        policy::{Basis, Purpose, Refusal},
    },
};
use store::{Found, WriteError};

/// How the patient wants to be contacted about an appointment (a `valueCode`: text, phone,
/// email), on the Appointment.
pub const CONTACT_PREFERENCE_URL: &str =
    "https://fhir.openhealth.example/StructureDefinition/contact-preference";

/// The patient's own booking reference, on the Appointment as an identifier.
pub const BOOKING_REFERENCE_SYSTEM: &str = "https://fhir.openhealth.example/Id/booking-reference";

/// A kind of appointment patients can book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service-kind code, which is also what the booking pages' addresses carry.
    pub code: String,
    pub name: String,
    pub description: String,
    /// Online cancellation closes this long before the start.
    pub cancellation_cutoff: SignedDuration,
}

/// A day with free times, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeDay {
    pub date: civil::Date,
    pub free: i64,
}

/// A time that can be booked: when, with whom, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeTime {
    pub slot_id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub clinician: String,
    pub place: String,
}

/// A time held for the patient while they check their answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub service: Service,
    pub time: FreeTime,
    pub held_until: Timestamp,
}

/// A booked (or once booked) appointment, as the patient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: String,
    /// The short reference the patient can quote to the practice.
    pub reference: String,
    /// FHIR `Appointment.status`.
    pub status: String,
    pub service: Service,
    pub start: Timestamp,
    pub end: Timestamp,
    pub clinician: String,
    pub place: String,
    /// The place's address, as the lines a letter would carry.
    pub address: Vec<String>,
    /// How to get there, as the practice describes it.
    pub directions: Option<String>,
    pub reason: Option<String>,
    pub contact: Option<ContactPreference>,
    pub cancellation_reason: Option<String>,
    /// Whether the patient can still cancel it online, and if not, why.
    pub cancellable: Result<(), CancelRefusal>,
}

/// Why a wanted time cannot be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// Someone else booked it or is holding it, or it has started.
    Taken,
    /// It was held for the patient, and the hold ran out before they confirmed.
    HoldExpired,
}

/// A time that cannot be had, and what to offer instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub why: Gone,
    pub service: Service,
    /// The nearest free times for the same service, in time order.
    pub alternatives: Vec<FreeTime>,
}

/// Why a use case here could not go ahead, beyond its own outcomes.
#[derive(Debug, thiserror::Error)]
pub enum AppointmentsError {
    /// No such appointment, slot or service (or not one this patient can know of).
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// The time wanted cannot be had (any more); the nearest others are offered instead.
    #[error("the time is not available: {:?}", .0.why)]
    Unavailable(Box<Unavailable>),
    /// The appointment cannot be cancelled online (the page says why and who can).
    #[error("cannot cancel online: {0:?}")]
    CannotCancel(CancelRefusal),
    /// Someone changed the appointment while the patient was looking at it.
    #[error("the appointment changed meanwhile")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write or its audit record failed")]
    Write(#[from] WriteError),
}

/// The patient whose appointments `access` opens for booking: a patient's own, or, for a carer
/// acting for someone, theirs (the grant covering appointments, as the check made sure). Staff
/// book through the practice's own pages, not these.
pub fn booking_patient(access: &Access) -> Result<&str, AppointmentsError> {
    if access.purpose != Purpose::Appointments {
        return Err(AppointmentsError::NotFound);
    }
    match access.basis {
        Basis::Own | Basis::Proxy => Ok(&access.patient_id),
        Basis::CareTeam | Basis::BreakGlass(_) | Basis::PracticeOffice => {
            Err(AppointmentsError::Refused(Refusal::NotTheirs))
        }
    }
}

impl From<AccessError> for AppointmentsError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => Self::NotFound,
            AccessError::Refused { refusal, .. } => Self::Refused(refusal),
            AccessError::Store(error) => error.into(),
            AccessError::Audit(error) => error.into(),
        }
    }
}

/// The audit record to complete for a use case on `patient_id`'s appointments, if `access` was
/// checked for that patient and for appointments. Anything else is a mistake at the edge, and
/// reveals nothing: [`AppointmentsError::NotFound`].
fn access_to(access: Access, patient_id: &str) -> Result<AccessRecord, AppointmentsError> {
    if access.purpose != Purpose::Appointments || access.patient_id != patient_id {
        return Err(AppointmentsError::NotFound);
    }
    Ok(access.record)
}

/// Completes `access` as a write of `record` and stores it.
async fn audit_write(
    db: &Db,
    mut access: AccessRecord,
    interaction: &'static str,
    action: Action,
    record: String,
    now: Timestamp,
) -> Result<(), WriteError> {
    access.interaction = interaction;
    access.action = action;
    access.records.insert(record);
    audit::record(db, &access, now).await
}

/// Looks up who and where a slot or appointment is with, reading each record once per use case.
struct Directory<'a, R> {
    records: &'a R,
    cache: HashMap<String, Option<Value>>,
}

impl<'a, R: FhirRepository> Directory<'a, R> {
    fn new(records: &'a R) -> Self {
        Self {
            records,
            cache: HashMap::new(),
        }
    }

    /// Adds a record already at hand (a search's `_include`s).
    fn add(&mut self, resource: Value) {
        if let (Some(kind), Some(id)) = (resource["resourceType"].as_str(), resource["id"].as_str())
        {
            self.cache.insert(format!("{kind}/{id}"), Some(resource));
        }
    }

    /// The current record a `Type/id` reference names, if any.
    async fn get(&mut self, reference: &str) -> Result<Option<&Value>, StoreError> {
        if !self.cache.contains_key(reference) {
            let found = match reference
                .split_once('/')
                .and_then(|(kind, id)| Some((kind.parse::<ResourceType>().ok()?, id)))
            {
                Some((kind, id)) => match self.records.read(kind, id).await? {
                    Found::Current(versioned) => Some(versioned.resource),
                    _ => None,
                },
                None => None,
            };
            self.cache.insert(reference.to_owned(), found);
        }
        Ok(self.cache.get(reference).and_then(Option::as_ref))
    }

    /// The name of the clinician a PractitionerRole reference stands for.
    async fn clinician(&mut self, role: &str) -> Result<String, StoreError> {
        let practitioner = match self.get(role).await? {
            Some(role) => role["practitioner"]["reference"]
                .as_str()
                .map(str::to_owned),
            None => None,
        };
        Ok(match practitioner {
            Some(reference) => match self.get(&reference).await? {
                Some(person) => with_prefix(person),
                None => String::new(),
            },
            None => String::new(),
        })
    }

    /// A Location's name, address lines and directions.
    async fn place(
        &mut self,
        location: &str,
    ) -> Result<(String, Vec<String>, Option<String>), StoreError> {
        Ok(match self.get(location).await? {
            Some(place) => (
                place["name"].as_str().unwrap_or_default().to_owned(),
                fhir::read::address_lines(&place["address"]),
                place["description"].as_str().map(str::to_owned),
            ),
            None => (String::new(), Vec::new(), None),
        })
    }

    /// Who and where a Schedule's diary is for: the names of its PractitionerRole and Location.
    async fn diary(&mut self, schedule: &str) -> Result<(String, String), StoreError> {
        let actors: Vec<String> = match self.get(schedule).await? {
            Some(schedule) => references(&schedule["actor"]),
            None => Vec::new(),
        };
        let mut clinician = String::new();
        let mut place = String::new();
        for actor in actors {
            if actor.starts_with("PractitionerRole/") {
                clinician = self.clinician(&actor).await?;
            } else if actor.starts_with("Location/") {
                place = self.place(&actor).await?.0;
            }
        }
        Ok((clinician, place))
    }
}

/// "Dr Amara Okafor": a clinician's name with its prefix, as patients address them.
fn with_prefix(person: &Value) -> String {
    let name = fhir::read::person_name(person);
    match person["name"][0]["prefix"][0].as_str() {
        Some(prefix) if !name.starts_with(prefix) => format!("{prefix} {name}"),
        _ => name,
    }
}

/// The `reference`s in an array of References (`actor`, `participant[].actor`, …).
fn references(array: &Value) -> Vec<String> {
    array
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r["reference"].as_str().map(str::to_owned))
        .collect()
}

/// An instant a FHIR record carries (`start`, `end`).
fn instant(value: &Value) -> Option<Timestamp> {
    value.as_str()?.parse().ok()
}
