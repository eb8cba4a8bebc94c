//! Offering the times that have come free to the patients waiting for an earlier one of their
//! service (`super::earlier`), by email and on their pages.
//!
//! A time comes free in many ways: an appointment cancelled or moved on these pages, or through
//! the FHIR API by another system; new times opened in a diary, here or elsewhere. So the offer
//! does not follow any one of them: [`offer_freed_times`] looks, for each wish, for free times of
//! its service before its appointment that were written after the patient asked (freed or new
//! since), and is run after every committed write of a Slot (the server hears them all, from
//! every process) and at once by the pages that free a time, so that the next page shows it.
//! Each wish is offered each time once, however many processes look side by side.

use domain::booking::{bookable, holds_slot};
use fhir::{
    ResourceType,
    search::{SearchQuery, parse_query},
};
use jiff::Timestamp;
use store::{
    FhirRepository, Found,
    state::earlier_times::{self, Wish},
};

use super::{AppointmentsError, instant};
use crate::{Db, notifications};

/// The most times one look offers for one wish: the earliest few, not a whole new diary.
const OFFERED_AT_ONCE: i64 = 3;

/// Offers every patient waiting for an earlier time the free times of their service that came
/// free since they asked, before their appointment (the earliest [`OFFERED_AT_ONCE`]), and
/// emails each patient offered any time new to them. A wish whose appointment has passed or is
/// no longer booked (cancelled through the FHIR API, say) goes.
pub async fn offer_freed_times(db: &Db, now: Timestamp) -> Result<(), AppointmentsError> {
    for (wish, asked_at) in earlier_times::every(db.state()).await? {
        if wish.start_before <= now {
            earlier_times::forget(db.state(), &wish.appointment_id).await?;
            continue;
        }
        let freed = freed_since(db, &wish, asked_at, now).await?;
        if freed.is_empty() {
            continue;
        }
        if !still_booked(db, &wish.appointment_id).await? {
            earlier_times::forget(db.state(), &wish.appointment_id).await?;
            continue;
        }
        let mut first_new = None;
        for (slot_id, start) in freed {
            let offered = (slot_id.as_str(), start);
            if earlier_times::offer(db.state(), &wish.appointment_id, offered, now).await? {
                first_new = first_new.or(Some(start));
            }
        }
        if let Some(start) = first_new {
            let (patient, appointment) = (&wish.patient_id, &wish.appointment_id);
            notifications::earlier_time_offered(db, patient, appointment, start, now).await;
        }
    }
    Ok(())
}

/// After appointment `appointment_id` was cancelled or moved on these pages: its own wish goes,
/// and the time it freed is offered at once. A failure is logged; the cancellation stands.
pub(super) async fn offer_after_freeing(db: &Db, appointment_id: &str, now: Timestamp) {
    let offered = async {
        earlier_times::forget(db.state(), appointment_id).await?;
        offer_freed_times(db, now).await
    };
    if let Err(error) = offered.await {
        tracing::warn!(%error, "a freed time could not be offered to those waiting");
    }
}

/// The earliest free times of `wish`'s service before its appointment, bookable at `now`,
/// written after `asked_at`: their slots' ids and starts.
async fn freed_since(
    db: &Db,
    wish: &Wish,
    asked_at: Timestamp,
    now: Timestamp,
) -> Result<Vec<(String, Timestamp)>, AppointmentsError> {
    let query = freed_query(wish, asked_at, now)?;
    let page = db.search(ResourceType::Slot, &query).await?;
    Ok(page
        .matches
        .iter()
        .filter_map(|found| {
            let slot = &found.resource;
            let (id, start) = (slot["id"].as_str()?, instant(&slot["start"])?);
            bookable(start, now).then(|| (id.to_owned(), start))
        })
        .collect())
}

/// `Slot?service-type=…&status=free&start=gt{now}&start=lt{appointment}&_lastUpdated=ge{asked}
/// &_sort=start&_count=3`.
fn freed_query(
    wish: &Wish,
    asked_at: Timestamp,
    now: Timestamp,
) -> Result<SearchQuery, AppointmentsError> {
    let whole = |at: Timestamp| Timestamp::from_second(at.as_second()).unwrap_or(at);
    let pairs = [
        (
            "service-type",
            format!("{}|{}", fhir::SERVICE_KIND_SYSTEM, wish.service),
        ),
        ("status", "free".to_owned()),
        ("start", format!("gt{}", whole(now))),
        ("start", format!("lt{}", whole(wish.start_before))),
        ("_lastUpdated", format!("ge{}", whole(asked_at))),
        ("_sort", "start".to_owned()),
    ]
    .map(|(key, value)| (key.to_owned(), value));
    let mut query =
        parse_query(ResourceType::Slot, &pairs).map_err(|_| store::StoreError::InvalidQuery)?;
    query.count = OFFERED_AT_ONCE;
    Ok(query)
}

/// Whether appointment `appointment_id` still holds its time.
async fn still_booked(db: &Db, appointment_id: &str) -> Result<bool, AppointmentsError> {
    Ok(
        match db.read(ResourceType::Appointment, appointment_id).await? {
            Found::Current(appointment) => {
                holds_slot(appointment.resource["status"].as_str().unwrap_or_default())
            }
            _ => false,
        },
    )
}
