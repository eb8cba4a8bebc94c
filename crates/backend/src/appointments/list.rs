//! A patient's appointments as they read them: upcoming ones first, soonest first, then past and
//! cancelled ones, newest first. Reading them is reading the record, so it is audited.

use domain::booking::{ContactPreference, DEFAULT_CANCELLATION_CUTOFF, may_cancel_online};
use fhir::{ResourceType, search::parse_query};
use jiff::Timestamp;
use serde_json::Value;

use super::{
    Appointment, AppointmentsError, BOOKING_REFERENCE_SYSTEM, CONTACT_PREFERENCE_URL, Directory,
    Service, access_to, availability, booking_reference::reference_of, instant, references,
};
use crate::{
    Db, FhirRepository, StoreError,
    auth::{access::Access, audit},
};
use store::Found;

/// How many past appointments the list shows.
pub const PAST_LISTED: usize = 20;

/// The appointments of `access`'s patient: (upcoming, soonest first; past and cancelled, newest
/// first).
pub async fn appointments(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<(Vec<Appointment>, Vec<Appointment>), AppointmentsError> {
    let patient_id = access.patient_id.clone();
    let mut access = access_to(access, &patient_id)?;
    let query = parse_query(
        ResourceType::Appointment,
        &[
            ("patient".to_owned(), format!("Patient/{patient_id}")),
            ("_sort".to_owned(), "date".to_owned()),
            ("_count".to_owned(), "500".to_owned()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let found = db.search(ResourceType::Appointment, &query).await?;
    let services = availability::services(db).await?;
    let mut directory = Directory::new(db);
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for appointment in found.matches.iter().map(|found| &found.resource) {
        let Some(view) = view(&mut directory, &services, appointment, now).await? else {
            continue;
        };
        access.records.insert(format!("Appointment/{}", view.id));
        if domain::booking::holds_slot(&view.status) && view.end > now {
            upcoming.push(view);
        } else {
            past.push(view);
        }
    }
    past.reverse();
    past.truncate(PAST_LISTED);
    access.interaction = "search-type";
    access.action = audit::Action::Execute;
    audit::record(db, &access, now).await?;
    Ok((upcoming, past))
}

/// One appointment, for whoever the policy lets see it (its patient, their proxy, the practice):
/// `access` is to the record of its patient ([`patient_of`]).
pub async fn appointment(
    db: &Db,
    access: Access,
    appointment_id: &str,
    now: Timestamp,
) -> Result<Appointment, AppointmentsError> {
    let (appointment, patient_id, _) = read(db, appointment_id).await?;
    let mut access = access_to(access, &patient_id)?;
    let services = availability::services(db).await?;
    let view = view(&mut Directory::new(db), &services, &appointment, now)
        .await?
        .ok_or(AppointmentsError::NotFound)?;
    access
        .records
        .insert(format!("Appointment/{appointment_id}"));
    audit::record(db, &access, now).await?;
    Ok(view)
}

/// Whose appointment `appointment_id` is: the patient whose record the edge checks access to
/// before a use case on that one appointment.
pub async fn patient_of(db: &Db, appointment_id: &str) -> Result<String, AppointmentsError> {
    Ok(read(db, appointment_id).await?.1)
}

/// An Appointment, the id of its patient, and its version.
pub(super) async fn read(
    db: &Db,
    appointment_id: &str,
) -> Result<(Value, String, i64), AppointmentsError> {
    let Found::Current(found) = db.read(ResourceType::Appointment, appointment_id).await? else {
        return Err(AppointmentsError::NotFound);
    };
    let patient_id = crate::booking::patient_id(&found.resource)
        .ok_or(AppointmentsError::NotFound)?
        .to_owned();
    Ok((found.resource, patient_id, found.version_id))
}

/// An Appointment as the patient reads it; `None` if it lacks a time.
pub(super) async fn view(
    directory: &mut Directory<'_, Db>,
    services: &[Service],
    appointment: &Value,
    now: Timestamp,
) -> Result<Option<Appointment>, StoreError> {
    let (Some(id), Some(start), Some(end)) = (
        appointment["id"].as_str(),
        instant(&appointment["start"]),
        instant(&appointment["end"]),
    ) else {
        return Ok(None);
    };
    let status = appointment["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let code = availability::service_kind(&appointment["serviceType"]).unwrap_or_default();
    let service = services
        .iter()
        .find(|service| service.code == code)
        .cloned()
        .unwrap_or_else(|| Service {
            code: code.to_owned(),
            name: appointment["serviceType"][0]["text"]
                .as_str()
                .unwrap_or("Appointment")
                .to_owned(),
            description: String::new(),
            cancellation_cutoff: DEFAULT_CANCELLATION_CUTOFF,
        });
    let mut actors: Vec<String> = appointment["participant"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["actor"]["reference"].as_str().map(str::to_owned))
        .collect();
    // An appointment another system booked may name only the patient: the slot's diary says
    // with whom and where.
    let names = |kind: &str| actors.iter().any(|actor| actor.starts_with(kind));
    if (!names("PractitionerRole/") || !names("Location/"))
        && let Some(slot) = appointment["slot"][0]["reference"].as_str()
    {
        let schedule = directory
            .get(slot)
            .await?
            .and_then(|slot| slot["schedule"]["reference"].as_str().map(str::to_owned));
        if let Some(schedule) = schedule {
            let diary = directory
                .get(&schedule)
                .await?
                .map(|s| references(&s["actor"]));
            actors.extend(diary.unwrap_or_default());
        }
    }
    let mut clinician = String::new();
    let mut place = (String::new(), Vec::new(), None);
    for actor in &actors {
        if actor.starts_with("PractitionerRole/") && clinician.is_empty() {
            clinician = directory.clinician(actor).await?;
        } else if actor.starts_with("Location/") && place.0.is_empty() {
            place = directory.place(actor).await?;
        }
    }
    let contact = appointment["extension"]
        .as_array()
        .and_then(|extensions| {
            extensions
                .iter()
                .find(|e| e["url"].as_str() == Some(CONTACT_PREFERENCE_URL))
        })
        .and_then(|e| ContactPreference::parse(e["valueCode"].as_str()?).ok());
    let cancellable = may_cancel_online(&status, start, service.cancellation_cutoff, now);
    Ok(Some(Appointment {
        id: id.to_owned(),
        reference: fhir::read::identifier(appointment, BOOKING_REFERENCE_SYSTEM)
            .map_or_else(|| reference_of(id), str::to_owned),
        status,
        start,
        end,
        clinician,
        place: place.0,
        address: place.1,
        directions: place.2,
        reason: fhir::read::concept_text(&appointment["reasonCode"][0]).map(str::to_owned),
        contact,
        cancellation_reason: fhir::read::concept_text(&appointment["cancelationReason"])
            .map(str::to_owned),
        cancellable,
        service,
    }))
}
