//! A rule given to the store from above, kept inside every write of one resource type, whichever
//! way the write arrives (REST create or update, delete, a transaction Bundle, seeding): a
//! resource of the holder type holds resources of another type exclusively. Booking is the one
//! such rule today: an active Appointment holds its Slots (busy); a cancelled or deleted one gives
//! them back (free). All in the writer's transaction, so holder and held never disagree.
//!
//! The guard is the primary key of `slot_bookings` (named for the one rule there is), which
//! refuses a second holder under any concurrency, not the held resource's status read first. A
//! held resource reserved for a while by one party (`slot_holds`, see [`crate::reservations`]) is
//! not free for a holder acting for anyone else until the reservation runs out.

use fhir::operation_outcome::Issue;
use jiff::Timestamp;
use serde_json::Value;

use crate::{
    error::{StoreError, WriteError},
    rule::ExclusiveHold,
    transaction::SqlTransaction,
    versions::{lock_current, read_current, rewrite_in},
};

/// Brings the holds and the held resources in line with the holder `id` as just written
/// (`None`: deleted).
pub(crate) async fn on_holder_write(
    tx: &mut SqlTransaction,
    rule: &ExclusiveHold,
    id: &str,
    holder: Option<&Value>,
    now: Timestamp,
) -> Result<(), WriteError> {
    let held_before: Vec<(String,)> =
        sqlx::query_as("SELECT slot_id FROM slot_bookings WHERE appointment_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let held_before: Vec<String> = held_before.into_iter().map(|(held,)| held).collect();
    let party = holder.and_then(rule.party);
    let wanted: Vec<String> = holder.map(rule.holds).unwrap_or_default();

    for held in held_before.iter().filter(|h| !wanted.contains(h)) {
        sqlx::query("DELETE FROM slot_bookings WHERE slot_id = $1")
            .bind(held)
            .execute(&mut **tx)
            .await?;
        mark(tx, rule, held, false, now).await?;
    }
    for (n, held) in wanted
        .iter()
        .enumerate()
        .filter(|(_, h)| !held_before.contains(h))
    {
        match read_current(tx, rule.held, held).await? {
            Some(resource) if (rule.is_free)(&resource) => {}
            Some(_) => return Err(WriteError::Taken),
            None => {
                return Err(WriteError::Rule(
                    Issue::new("business-rule", rule.missing_held)
                        .at(format!("{}[{n}]", rule.held_at)),
                ));
            }
        }
        let reserved_for: Option<(String,)> = sqlx::query_as(
            "SELECT patient_id FROM slot_holds WHERE slot_id = $1 AND held_until > $2",
        )
        .bind(held)
        .bind(now.as_second())
        .fetch_optional(&mut **tx)
        .await?;
        if reserved_for.is_some_and(|(other,)| Some(other.as_str()) != party) {
            return Err(WriteError::Taken);
        }
        // The primary key refuses a second holder: that is the guard, not the status read above.
        sqlx::query("INSERT INTO slot_bookings (slot_id, appointment_id) VALUES ($1, $2)")
            .bind(held)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(|e| match WriteError::from(e) {
                WriteError::Conflict => WriteError::Taken,
                other => other,
            })?;
        mark(tx, rule, held, true, now).await?;
    }
    Ok(())
}

async fn mark(
    tx: &mut SqlTransaction,
    rule: &ExclusiveHold,
    held: &str,
    taken: bool,
    now: Timestamp,
) -> Result<(), WriteError> {
    rewrite_in(tx, rule.held, held, now, |resource| {
        (rule.mark)(resource, taken)
    })
    .await
}

/// Fills in what a holder about to be written leaves out and may take from the resources it
/// holds (an appointment's times from its slots; see [`ExclusiveHold::incomplete`]). A held
/// resource written in the same batch (`alongside`) is read from there, any other from the
/// store; one that exists in neither is left for [`on_holder_write`] to refuse.
pub(crate) async fn complete_holder(
    tx: &mut SqlTransaction,
    rule: &ExclusiveHold,
    holder: &mut Value,
    alongside: &[Value],
) -> Result<(), WriteError> {
    if !(rule.incomplete)(holder) {
        return Ok(());
    }
    let mut ids = (rule.holds)(holder);
    // Locked in one order by every writer, so that two holders never wait for each other.
    ids.sort();
    let mut held = Vec::new();
    for id in ids {
        let written_alongside = alongside
            .iter()
            .find(|r| r["resourceType"] == rule.held.as_str() && r["id"] == id.as_str());
        if let Some(resource) = written_alongside {
            held.push(resource.clone());
            continue;
        }
        // Locked, not merely read: the write marks it taken later in this transaction, and on
        // SQLite a plain read first could not be followed by a write (see `lock_current`).
        if let Some(current) = lock_current(tx, rule.held, &id).await?
            && !current.deleted
        {
            held.push(serde_json::from_str(&current.content).map_err(StoreError::CorruptResource)?);
        }
    }
    (rule.complete)(holder, &held);
    Ok(())
}
