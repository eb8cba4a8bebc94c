//! What can be booked: the practice's services, the days with free times, the free times of a
//! day, and the nearest other times when the one wanted has gone. Practice information, not a
//! patient's record, so nothing here is audited; a time someone else is holding is not offered.

use std::collections::HashSet;

use domain::booking::{BOOKING_HORIZON_DAYS, DEFAULT_CANCELLATION_CUTOFF, bookable};
use fhir::{
    ResourceType,
    search::{SearchQuery, parse_query},
};
use jiff::{SignedDuration, Timestamp, civil, tz::TimeZone};
use serde_json::Value;

use fhir::CANCELLATION_CUTOFF_URL;

use super::{Directory, FreeDay, FreeTime, Service, instant};
use crate::{Db, FhirRepository, StoreError};
use store::reservations;

/// The services patients can book, by name.
pub async fn services(records: &impl FhirRepository) -> Result<Vec<Service>, StoreError> {
    let query = parse_query(
        ResourceType::HealthcareService,
        &[pair("active", "true"), pair("_count", "100")],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let mut services: Vec<Service> = records
        .search(ResourceType::HealthcareService, &query)
        .await?
        .matches
        .iter()
        .filter_map(|found| service_of(&found.resource))
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(services)
}

/// The bookable service with this code, if there is one.
pub async fn service(
    records: &impl FhirRepository,
    code: &str,
) -> Result<Option<Service>, StoreError> {
    Ok(services(records)
        .await?
        .into_iter()
        .find(|service| service.code == code))
}

/// The bookable service a Slot is for (by its service-kind code).
pub(super) async fn service_of_slot(
    records: &impl FhirRepository,
    slot: &Value,
) -> Result<Option<Service>, StoreError> {
    let Some(code) = service_kind(&slot["serviceType"]) else {
        return Ok(None);
    };
    service(records, code).await
}

/// The days from today to the booking horizon with free times for `service`, earliest first, and
/// how many each has. One search over the whole window (paged), counted per UK day here: a count
/// per day would repeat the same index scans for each of the 29 days.
pub async fn free_days(
    records: &impl FhirRepository,
    service: &Service,
    now: Timestamp,
) -> Result<Vec<FreeDay>, StoreError> {
    let today = now.to_zoned(london()).date();
    let Some(end) = today
        .checked_add(jiff::Span::new().days(BOOKING_HORIZON_DAYS + 1))
        .ok()
        .and_then(|day| day.to_zoned(london()).ok())
    else {
        return Ok(Vec::new());
    };
    let mut query = slot_query(service, now, end.timestamp())?;
    query.count = fhir::search::MAX_COUNT;
    query.sort = parse_query(ResourceType::Slot, &[pair("_sort", "start")])
        .map_err(|_| StoreError::InvalidQuery)?
        .sort;
    let mut counts = std::collections::BTreeMap::<civil::Date, i64>::new();
    loop {
        let page = records.search(ResourceType::Slot, &query).await?;
        for start in page
            .matches
            .iter()
            .filter_map(|slot| instant(&slot.resource["start"]))
        {
            if bookable(start, now) {
                *counts.entry(start.to_zoned(london()).date()).or_default() += 1;
            }
        }
        if (page.matches.len() as i64) < query.count {
            break;
        }
        query.offset += query.count;
    }
    Ok(counts
        .into_iter()
        .map(|(date, free)| FreeDay { date, free })
        .collect())
}

/// The free times for `service` on `date` (UK time), earliest first, with whom and where; none
/// that `patient_id` cannot have because someone else is holding it.
pub async fn free_times(
    db: &Db,
    service: &Service,
    date: civil::Date,
    patient_id: &str,
    now: Timestamp,
) -> Result<Vec<FreeTime>, StoreError> {
    let Some((from, to)) = bookable_window(date, now) else {
        return Ok(Vec::new());
    };
    free_slots(db, service, (from, to), patient_id, now).await
}

/// Up to five free times for `service` nearest to `wanted`, in time order: what to offer when
/// the wanted time has gone.
pub(super) async fn alternatives(
    db: &Db,
    service: &Service,
    wanted: Timestamp,
    patient_id: &str,
    now: Timestamp,
) -> Result<Vec<FreeTime>, StoreError> {
    let week = SignedDuration::from_hours(24 * 7);
    let from = wanted.saturating_sub(week).unwrap_or(wanted).max(now);
    let to = wanted.saturating_add(week).unwrap_or(wanted);
    let mut times = free_slots(db, service, (from, to), patient_id, now).await?;
    times.sort_by_key(|time| time.start.duration_since(wanted).abs());
    times.truncate(5);
    times.sort_by_key(|time| time.start);
    Ok(times)
}

/// The free slots for `service` starting in `[from, to)`, in time order, that `patient_id` may
/// book now.
async fn free_slots(
    db: &Db,
    service: &Service,
    (from, to): (Timestamp, Timestamp),
    patient_id: &str,
    now: Timestamp,
) -> Result<Vec<FreeTime>, StoreError> {
    let mut query = slot_query(service, from, to)?;
    query.count = fhir::search::MAX_COUNT;
    query.sort = parse_query(ResourceType::Slot, &[pair("_sort", "start")])
        .map_err(|_| StoreError::InvalidQuery)?
        .sort;
    query.includes = parse_query(ResourceType::Slot, &[pair("_include", "Slot:schedule")])
        .map_err(|_| StoreError::InvalidQuery)?
        .includes;
    let page = db.search(ResourceType::Slot, &query).await?;
    let held = held_by_others(db, patient_id, now).await?;
    let mut directory = Directory::new(db);
    for schedule in page.included {
        directory.add(schedule.resource);
    }
    let mut times = Vec::new();
    for slot in page.matches.iter().map(|found| &found.resource) {
        let (Some(id), Some(start), Some(end)) = (
            slot["id"].as_str(),
            instant(&slot["start"]),
            instant(&slot["end"]),
        ) else {
            continue;
        };
        if held.contains(id) || !bookable(start, now) {
            continue;
        }
        let schedule = slot["schedule"]["reference"].as_str().unwrap_or_default();
        let (clinician, place) = directory.diary(schedule).await?;
        times.push(FreeTime {
            slot_id: id.to_owned(),
            start,
            end,
            clinician,
            place,
        });
    }
    Ok(times)
}

/// Slots held for anyone but `patient_id`, whose hold has not run out.
async fn held_by_others(
    db: &Db,
    patient_id: &str,
    now: Timestamp,
) -> Result<HashSet<String>, StoreError> {
    Ok(reservations::reserved_for_others(db, patient_id, now)
        .await?
        .into_iter()
        .collect())
}

/// `Slot?service-type=…&status=free&start=ge{from}&start=lt{to}`.
fn slot_query(
    service: &Service,
    from: Timestamp,
    to: Timestamp,
) -> Result<SearchQuery, StoreError> {
    parse_query(
        ResourceType::Slot,
        &[
            pair(
                "service-type",
                &format!("{}|{}", fhir::SERVICE_KIND_SYSTEM, service.code),
            ),
            pair("status", "free"),
            pair("start", &format!("ge{}", whole_seconds(from))),
            pair("start", &format!("lt{}", whole_seconds(to))),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)
}

/// The part of `date` (UK time) in which times can still be booked at `now`, if any.
fn bookable_window(date: civil::Date, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let start = date.to_zoned(london()).ok()?.timestamp();
    let end = date.tomorrow().ok()?.to_zoned(london()).ok()?.timestamp();
    let from = start.max(now);
    (from < end).then_some((from, end))
}

fn whole_seconds(at: Timestamp) -> Timestamp {
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

pub(super) fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// A HealthcareService as a bookable [`Service`]; `None` without a service-kind code.
fn service_of(resource: &Value) -> Option<Service> {
    let code = service_kind(&resource["type"])?;
    Some(Service {
        code: code.to_owned(),
        name: resource["name"].as_str().unwrap_or(code).to_owned(),
        description: resource["comment"].as_str().unwrap_or_default().to_owned(),
        cancellation_cutoff: cancellation_cutoff(resource).unwrap_or(DEFAULT_CANCELLATION_CUTOFF),
    })
}

/// The service-kind code in an array of CodeableConcepts (`HealthcareService.type`,
/// `Slot.serviceType`, `Appointment.serviceType`).
pub(crate) fn service_kind(concepts: &Value) -> Option<&str> {
    concepts
        .as_array()?
        .iter()
        .flat_map(|concept| concept["coding"].as_array().into_iter().flatten())
        .find(|coding| coding["system"].as_str() == Some(fhir::SERVICE_KIND_SYSTEM))?["code"]
        .as_str()
}

/// The service's online-cancellation cut-off extension, in minutes or hours.
pub(crate) fn cancellation_cutoff(resource: &Value) -> Option<SignedDuration> {
    let duration = &resource["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"].as_str() == Some(CANCELLATION_CUTOFF_URL))?["valueDuration"];
    let value = duration["value"].as_i64()?;
    match duration["code"].as_str()? {
        "min" => Some(SignedDuration::from_mins(value)),
        "h" => Some(SignedDuration::from_hours(value)),
        _ => None,
    }
}
