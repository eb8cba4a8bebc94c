//! Patients waiting for an earlier time than one they have booked, and the free times offered to
//! them: a wish per booked appointment (its service and start), and an offer per wish and free
//! time, until the time is taken (by them: the wish goes, with its offers; by someone else: the
//! offer is marked gone, for the patient to be told). Which times fit a wish, and taking one, are
//! the caller's.

use jiff::Timestamp;

use super::{WorkingState, sessions::seconds};
use crate::StoreError;

/// A booked appointment its patient wants earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wish {
    pub appointment_id: String,
    pub patient_id: String,
    /// The service's code: only its times are offered.
    pub service: String,
    /// The appointment's start: only times before it are offered.
    pub start_before: Timestamp,
}

/// A free time offered for a wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The booked appointment it would replace.
    pub appointment_id: String,
    pub slot_id: String,
    pub slot_start: Timestamp,
    pub offered_at: Timestamp,
    /// When someone else took it.
    pub gone_at: Option<Timestamp>,
}

/// Records `wish` (again: nothing changes).
pub async fn wish(state: &WorkingState, wish: &Wish, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO earlier_time_wishes \
         (appointment_id, patient_id, service, start_before, asked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (appointment_id) DO NOTHING",
    )
    .bind(&wish.appointment_id)
    .bind(&wish.patient_id)
    .bind(&wish.service)
    .bind(wish.start_before.as_second())
    .bind(now.as_second())
    .execute(state.pool())
    .await?;
    Ok(())
}

/// Forgets the wish for `appointment_id`, and its offers.
pub async fn forget(state: &WorkingState, appointment_id: &str) -> Result<(), StoreError> {
    let mut tx = state.pool().begin().await?;
    sqlx::query("DELETE FROM earlier_time_offers WHERE appointment_id = $1")
        .bind(appointment_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM earlier_time_wishes WHERE appointment_id = $1")
        .bind(appointment_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The wishes of `patient_id`.
pub async fn wishes_of(state: &WorkingState, patient_id: &str) -> Result<Vec<Wish>, StoreError> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT appointment_id, patient_id, service, start_before FROM earlier_time_wishes \
         WHERE patient_id = $1",
    )
    .bind(patient_id)
    .fetch_all(state.pool())
    .await?;
    Ok(rows.into_iter().map(wish_of).collect())
}

/// Every wish, with when it was asked for, longest waiting first.
pub async fn every(state: &WorkingState) -> Result<Vec<(Wish, Timestamp)>, StoreError> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT appointment_id, patient_id, service, start_before, asked_at \
         FROM earlier_time_wishes ORDER BY asked_at, appointment_id",
    )
    .fetch_all(state.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(appointment_id, patient_id, service, start_before, asked_at)| {
                let wish = wish_of((appointment_id, patient_id, service, start_before));
                (wish, seconds(asked_at))
            },
        )
        .collect())
}

/// Offers the time in `slot_id` (starting at `slot_start`) for the wish of `appointment_id`:
/// `true` if it was not offered for it before.
pub async fn offer(
    state: &WorkingState,
    appointment_id: &str,
    (slot_id, slot_start): (&str, Timestamp),
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO earlier_time_offers (appointment_id, slot_id, slot_start, offered_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (appointment_id, slot_id) DO NOTHING",
    )
    .bind(appointment_id)
    .bind(slot_id)
    .bind(slot_start.as_second())
    .bind(now.as_second())
    .execute(state.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The offers for the wishes of `patient_id`, earliest time first.
pub async fn offers_to(state: &WorkingState, patient_id: &str) -> Result<Vec<Offer>, StoreError> {
    let rows: Vec<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT o.appointment_id, o.slot_id, o.slot_start, o.offered_at, o.gone_at \
         FROM earlier_time_offers o \
         JOIN earlier_time_wishes w ON w.appointment_id = o.appointment_id \
         WHERE w.patient_id = $1 ORDER BY o.slot_start, o.slot_id",
    )
    .bind(patient_id)
    .fetch_all(state.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(appointment_id, slot_id, slot_start, offered_at, gone_at)| Offer {
                appointment_id,
                slot_id,
                slot_start: seconds(slot_start),
                offered_at: seconds(offered_at),
                gone_at: gone_at.map(seconds),
            },
        )
        .collect())
}

/// Marks every offer of the time in `slot_id` gone (someone took it), but the one for
/// `taken_for` if given; answers with the wishes told so.
pub async fn gone(
    state: &WorkingState,
    slot_id: &str,
    taken_for: Option<&str>,
    now: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "UPDATE earlier_time_offers SET gone_at = $2 \
         WHERE slot_id = $1 AND gone_at IS NULL AND appointment_id <> $3 \
         RETURNING appointment_id",
    )
    .bind(slot_id)
    .bind(now.as_second())
    .bind(taken_for.unwrap_or_default())
    .fetch_all(state.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn wish_of(
    (appointment_id, patient_id, service, start_before): (String, String, String, i64),
) -> Wish {
    Wish {
        appointment_id,
        patient_id,
        service,
        start_before: seconds(start_before),
    }
}
