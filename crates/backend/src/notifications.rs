//! Telling a patient by email what has happened to their appointments, when they asked to be
//! contacted by email about one: a confirmation when they book, a reminder the day before. An
//! email can be read by anyone with the inbox, so it carries the time and a link to sign in,
//! never what the appointment is for or with whom.
//!
//! Queued in the working state (`store::state::notifications`) once the booking is committed and
//! sent by the server's mailer, which words each one ([`compose`]) as it sends it. A failure to
//! queue never undoes the booking: it is logged, and the booking stands.

use domain::{booking::ContactPreference, notifications::EmailAddress};
use fhir::ResourceType;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use store::{
    Found,
    state::notifications::{self, NewNotification},
};

use crate::{Db, FhirRepository, StoreError, time};

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AppointmentBooked,
    AppointmentReminder,
}

impl Kind {
    pub const ALL: [Self; 2] = [Self::AppointmentBooked, Self::AppointmentReminder];

    pub fn code(self) -> &'static str {
        match self {
            Self::AppointmentBooked => "appointment-booked",
            Self::AppointmentReminder => "appointment-reminder",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// How long before an appointment its reminder goes.
pub const REMIND_BEFORE: SignedDuration = SignedDuration::from_hours(24);

/// An email as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// Words a queued notification: `details` as it was queued, `service_url` the address people
/// reach the service at. `None` for a kind or details this version does not know.
pub fn compose(kind: &str, details: &str, service_url: &str) -> Option<Email> {
    let details: Value = serde_json::from_str(details).ok()?;
    let start: Timestamp = details["start"].as_str()?.parse().ok()?;
    let when = time::appointment_time(start);
    let link = format!("{}/appointments", service_url.trim_end_matches('/'));
    let (subject, opening) = match Kind::parse(kind)? {
        Kind::AppointmentBooked => (
            "Your appointment is booked".to_owned(),
            format!("Your appointment is booked for {when}."),
        ),
        Kind::AppointmentReminder => (
            "Reminder: you have an appointment tomorrow".to_owned(),
            format!("This is a reminder that you have an appointment on {when}."),
        ),
    };
    Some(Email {
        subject,
        body: format!(
            "{opening}\n\n\
             To see the details, or to change or cancel it, sign in:\n{link}\n\n\
             If you need medical help urgently, call 111. In an emergency, call 999.\n\n\
             You get this email because you asked to be contacted by email about this \
             appointment. Replies to it are not read.\n"
        ),
    })
}

/// Queues what a new booking brings when the patient asked to be contacted by email and their
/// record has an address: its confirmation now, and its reminder [`REMIND_BEFORE`] it starts
/// (none when that time has passed already).
pub async fn appointment_booked(
    db: &Db,
    patient_id: &str,
    appointment_id: &str,
    start: Timestamp,
    contact: ContactPreference,
    now: Timestamp,
) {
    if contact != ContactPreference::Email {
        return;
    }
    let queued = async {
        let Some(address) = email_address(db, patient_id).await? else {
            return Ok(());
        };
        let regarding = format!("Appointment/{appointment_id}");
        let details = json!({ "start": start.to_string() }).to_string();
        let remind_at = start - REMIND_BEFORE;
        let reminder = (remind_at > now).then_some((Kind::AppointmentReminder, remind_at));
        for (kind, due_at) in [(Kind::AppointmentBooked, now)].into_iter().chain(reminder) {
            let notification = NewNotification {
                kind: kind.code().to_owned(),
                regarding: regarding.clone(),
                recipient: address.as_str().to_owned(),
                details: details.clone(),
                due_at,
            };
            notifications::insert(db.state(), &notification, now).await?;
        }
        Ok::<_, StoreError>(())
    };
    if let Err(error) = queued.await {
        tracing::warn!(%error, "the booking's emails could not be queued");
    }
}

/// Withdraws the reminder of an appointment that has been cancelled or moved.
pub async fn appointment_cancelled(db: &Db, appointment_id: &str) {
    let regarding = format!("Appointment/{appointment_id}");
    let kind = Kind::AppointmentReminder.code();
    if let Err(error) = notifications::withdraw(db.state(), kind, &regarding).await {
        tracing::warn!(%error, "a cancelled appointment's reminder could not be withdrawn");
    }
}

/// The email address on the patient's record, if it has one that can be used.
async fn email_address(db: &Db, patient_id: &str) -> Result<Option<EmailAddress>, StoreError> {
    let Found::Current(patient) = db.read(ResourceType::Patient, patient_id).await? else {
        return Ok(None);
    };
    Ok(patient.resource["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|telecom| telecom["system"] == "email")
        .find_map(|telecom| EmailAddress::parse(telecom["value"].as_str()?).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_says_when_and_where_to_sign_in_and_nothing_clinical() {
        let details = json!({ "start": "2026-12-08T09:30:00Z" }).to_string();
        let booked = compose("appointment-booked", &details, "https://gp.example/").unwrap();
        assert_eq!(booked.subject, "Your appointment is booked");
        assert!(
            booked
                .body
                .starts_with("Your appointment is booked for Tuesday 8 December 2026, 9:30am.")
        );
        assert!(booked.body.contains("https://gp.example/appointments\n"));
        let reminder = compose("appointment-reminder", &details, "https://gp.example").unwrap();
        assert_eq!(
            reminder.subject,
            "Reminder: you have an appointment tomorrow"
        );
        assert!(
            reminder
                .body
                .contains("on Tuesday 8 December 2026, 9:30am.")
        );
        assert_eq!(compose("a-kind-from-the-future", &details, "x"), None);
        assert_eq!(compose("appointment-booked", "{}", "x"), None);
    }
}
