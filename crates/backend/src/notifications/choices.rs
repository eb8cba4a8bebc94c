//! The patient's choice of what they are emailed about: every topic is on until they turn it
//! off, and turning one off withdraws what is waiting of it. Theirs alone: not a proxy's, not
//! the practice's.

use domain::notifications::{EmailAddress, Topic};
use jiff::Timestamp;
use store::state::notifications;

use super::{Kind, address_on};
use crate::{
    Db, StoreError,
    auth::{
        access::Access,
        audit,
        policy::{Basis, Purpose},
    },
};

/// What the patient sees of their email choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChoices {
    /// The address on their record that emails go to, if it has one that can be used.
    pub address: Option<EmailAddress>,
    /// Each topic, and whether it is on.
    pub topics: Vec<(Topic, bool)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChoicesError {
    /// Only the patient chooses their emails: not a proxy, not staff.
    #[error("not their own")]
    NotTheirOwn,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the access could not be audited")]
    Audit(#[from] store::WriteError),
}

/// The email choices of `access`'s patient, for them alone (checked for
/// [`Purpose::ReadRecord`], their own). Audited as a read of their record, which holds the address.
pub async fn choices(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<EmailChoices, ChoicesError> {
    let access = own(access)?;
    let off = notifications::turned_off(db.state(), &access.patient_id).await?;
    let address = address_on(&access.patient);
    audit::record(db, &access.record, now).await?;
    Ok(EmailChoices {
        address,
        topics: Topic::ALL
            .into_iter()
            .map(|topic| (topic, !off.iter().any(|code| code == topic.code())))
            .collect(),
    })
}

/// Records which topics `access`'s patient wants (every other is off), withdrawing what is
/// waiting of those turned off.
pub async fn choose(
    db: &Db,
    access: Access,
    wanted: &[Topic],
    now: Timestamp,
) -> Result<(), ChoicesError> {
    let access = own(access)?;
    let off: Vec<Topic> = Topic::ALL
        .into_iter()
        .filter(|topic| !wanted.contains(topic))
        .collect();
    let off_codes: Vec<&str> = off.iter().map(|topic| topic.code()).collect();
    let withdrawn: Vec<&str> = Kind::ALL
        .into_iter()
        .filter(|kind| off.contains(&kind.topic()))
        .map(Kind::code)
        .collect();
    notifications::choose(db.state(), &access.patient_id, &off_codes, &withdrawn, now).await?;
    audit::record(db, &access.record, now).await?;
    Ok(())
}

/// `access` if it is to the person's own record for reading.
fn own(access: Access) -> Result<Access, ChoicesError> {
    if access.purpose == Purpose::ReadRecord && access.basis == Basis::Own {
        Ok(access)
    } else {
        Err(ChoicesError::NotTheirOwn)
    }
}
