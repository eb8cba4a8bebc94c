//! Reservations: a resource held for one party for a short while (a time a patient is about to
//! book, kept while they check their answers), so that no holder acting for anyone else takes it
//! in between ([`crate::ExclusiveHold`] checks them), and who holds what for good.
//!
//! A party reserves one resource at a time ([`reserve`] lets the others go). A reservation that
//! ran out is as good as none; it is overwritten by the next one. Rows live in `slot_holds` and
//! `slot_bookings`, named for the one rule there is.

use jiff::Timestamp;

use crate::{db::Db, error::StoreError, transaction::Transaction};

/// Reserves `held_id` for `party` until `until`, unless another party's reservation of it is
/// still live at `now`; returns whether it did. Every other reservation of `party`'s is let go.
/// On SQLite this upsert takes the write lock, so nothing the caller reads in `tx` after it can
/// change before the commit.
pub async fn reserve(
    tx: &mut Transaction,
    held_id: &str,
    party: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let reserved = sqlx::query(
        "INSERT INTO slot_holds (slot_id, patient_id, held_until) VALUES ($1, $2, $3) \
         ON CONFLICT (slot_id) DO UPDATE \
         SET patient_id = excluded.patient_id, held_until = excluded.held_until \
         WHERE slot_holds.patient_id = excluded.patient_id OR slot_holds.held_until <= $4",
    )
    .bind(held_id)
    .bind(party)
    .bind(until.as_second())
    .bind(now.as_second())
    .execute(&mut **tx.sql())
    .await?
    .rows_affected()
        == 1;
    if reserved {
        sqlx::query("DELETE FROM slot_holds WHERE patient_id = $1 AND slot_id <> $2")
            .bind(party)
            .bind(held_id)
            .execute(&mut **tx.sql())
            .await?;
    }
    Ok(reserved)
}

/// Ends `party`'s reservation of `held_id`, returning until when it ran (it may have run out
/// already). As the first statement of a transaction it takes SQLite's write lock.
pub async fn take(
    tx: &mut Transaction,
    held_id: &str,
    party: &str,
) -> Result<Option<Timestamp>, StoreError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "DELETE FROM slot_holds WHERE slot_id = $1 AND patient_id = $2 RETURNING held_until",
    )
    .bind(held_id)
    .bind(party)
    .fetch_optional(&mut **tx.sql())
    .await?;
    Ok(row.and_then(|(until,)| Timestamp::from_second(until).ok()))
}

/// Until when `party` has `held_id` reserved, live or run out.
pub async fn reserved_until(
    db: &Db,
    held_id: &str,
    party: &str,
) -> Result<Option<Timestamp>, StoreError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT held_until FROM slot_holds WHERE slot_id = $1 AND patient_id = $2")
            .bind(held_id)
            .bind(party)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(until,)| Timestamp::from_second(until).ok()))
}

/// The party with a live reservation of `held_id` at `now`, if any.
pub async fn reserved_by(
    db: &Db,
    held_id: &str,
    now: Timestamp,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT patient_id FROM slot_holds WHERE slot_id = $1 AND held_until > $2")
            .bind(held_id)
            .bind(now.as_second())
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(party,)| party))
}

/// The resources reserved at `now` for anyone but `party`.
pub async fn reserved_for_others(
    db: &Db,
    party: &str,
    now: Timestamp,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT slot_id FROM slot_holds WHERE held_until > $1 AND patient_id <> $2")
            .bind(now.as_second())
            .bind(party)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(held,)| held).collect())
}

/// The holder that holds `held_id` for good (an active appointment of a slot), if any.
pub async fn holder_of(db: &Db, held_id: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT appointment_id FROM slot_bookings WHERE slot_id = $1")
            .bind(held_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(holder,)| holder))
}
