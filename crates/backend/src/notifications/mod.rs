//! Telling a patient by email what has happened: about an appointment, when they asked to be
//! contacted by email about it, its confirmation when they book, a reminder the day before and a
//! notice if the practice cancels it; and, whenever a clinician outside their practice breaks the
//! glass to open their record, that it happened; that the practice wrote to them; that a
//! clinician decided on a repeat prescription they asked for. An email can be read by anyone
//! with the inbox, so it carries a time and a link to sign in, never what an appointment is for,
//! with whom, why a record was opened or an appointment cancelled, or what was prescribed.
//!
//! The patient chooses the topics they want ([`choices`], [`choose`]); all are on until they turn
//! one off, which also withdraws what is waiting. Queued in the working state
//! (`store::state::notifications`) once what it tells is committed, and sent by the server's
//! mailer, which words each one ([`compose`]) as it sends it. A failure to queue never undoes
//! what happened: it is logged, and the booking or cancellation stands. The practice's office
//! sees those the mail server kept refusing ([`failing`]) and can send one again ([`try_again`]).

mod choices;
mod failing;

pub use choices::{ChoicesError, EmailChoices, choices, choose};
pub use failing::{FailingEmail, FailingError, failing, try_again};

use domain::{
    booking::ContactPreference,
    notifications::{EmailAddress, Topic},
};
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
    AppointmentCancelledByThePractice,
    RecordOpenedInAnEmergency,
    MessageFromThePractice,
    PrescriptionDecided,
    EarlierTimeOffered,
}

impl Kind {
    pub const ALL: [Self; 7] = [
        Self::AppointmentBooked,
        Self::AppointmentReminder,
        Self::AppointmentCancelledByThePractice,
        Self::RecordOpenedInAnEmergency,
        Self::MessageFromThePractice,
        Self::PrescriptionDecided,
        Self::EarlierTimeOffered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AppointmentBooked => "appointment-booked",
            Self::AppointmentReminder => "appointment-reminder",
            Self::AppointmentCancelledByThePractice => "appointment-cancelled-by-the-practice",
            Self::RecordOpenedInAnEmergency => "record-opened-in-an-emergency",
            Self::MessageFromThePractice => "message-from-the-practice",
            Self::PrescriptionDecided => "prescription-decided",
            Self::EarlierTimeOffered => "earlier-time-offered",
        }
    }

    /// The topic a patient turns it on or off with.
    pub fn topic(self) -> Topic {
        match self {
            Self::AppointmentBooked
            | Self::AppointmentReminder
            | Self::AppointmentCancelledByThePractice
            | Self::EarlierTimeOffered => Topic::Appointments,
            Self::RecordOpenedInAnEmergency => Topic::EmergencyAccess,
            Self::MessageFromThePractice => Topic::Messages,
            Self::PrescriptionDecided => Topic::Prescriptions,
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
    const ABOUT_AN_APPOINTMENT: &str =
        "You get this email because you asked to be contacted by email about this appointment.";
    let details: Value = serde_json::from_str(details).ok()?;
    let at = |field: &str| details[field].as_str()?.parse::<Timestamp>().ok();
    let (subject, opening, invitation, path, why) = match Kind::parse(kind)? {
        Kind::AppointmentBooked => (
            "Your appointment is booked",
            format!(
                "Your appointment is booked for {}.",
                time::appointment_time(at("start")?)
            ),
            "To see the details, or to change or cancel it, sign in:",
            "/appointments",
            ABOUT_AN_APPOINTMENT,
        ),
        Kind::AppointmentReminder => (
            "Reminder: you have an appointment tomorrow",
            format!(
                "This is a reminder that you have an appointment on {}.",
                time::appointment_time(at("start")?)
            ),
            "To see the details, or to change or cancel it, sign in:",
            "/appointments",
            ABOUT_AN_APPOINTMENT,
        ),
        Kind::AppointmentCancelledByThePractice => (
            "Your appointment has been cancelled",
            format!(
                "Your GP practice has cancelled your appointment on {}. We are sorry.",
                time::appointment_time(at("start")?)
            ),
            "To see why, and to book another time, sign in:",
            "/appointments",
            ABOUT_AN_APPOINTMENT,
        ),
        Kind::MessageFromThePractice => (
            "You have a message from your GP practice",
            format!(
                "Your GP practice wrote to you on {}.",
                time::spoken(at("at")?)
            ),
            "To read it and reply, sign in:",
            "/messages",
            "You get this email because you have a conversation with your GP practice.",
        ),
        Kind::EarlierTimeOffered => (
            "An earlier appointment is free",
            format!(
                "An earlier time is free: {}. The first person to take it gets it.",
                time::appointment_time(at("start")?)
            ),
            "To take it instead of your appointment, sign in:",
            "/",
            "You get this email because you asked to be told of an earlier appointment.",
        ),
        Kind::PrescriptionDecided => (
            "Your GP practice has looked at your prescription request",
            format!(
                "Your GP practice decided on your request for a repeat prescription on {}.",
                time::spoken(at("at")?)
            ),
            "To see what they decided, sign in:",
            "/prescriptions",
            "You get this email because you asked for a repeat prescription.",
        ),
        Kind::RecordOpenedInAnEmergency => (
            "Your GP record was opened in an emergency",
            format!(
                "A clinician outside your GP practice opened your record on {}, and said why.\n\n\
                 If you do not think this should have happened, contact your GP practice.",
                time::spoken(at("at")?)
            ),
            "To see who opened it and why, sign in:",
            "/your-record/who-has-looked",
            "You get this email because whoever opens your record outside your practice must say \
             why, and you are told.",
        ),
    };
    Some(Email {
        subject: subject.to_owned(),
        body: format!(
            "{opening}\n\n{invitation}\n{}{path}\n\n\
             If you need medical help urgently, call 111. In an emergency, call 999.\n\n\
             {why} Replies to it are not read.\n",
            service_url.trim_end_matches('/')
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
        let Some(address) = address_if_wanted(db, patient_id, Topic::Appointments).await? else {
            return Ok(());
        };
        let regarding = format!("Appointment/{appointment_id}");
        let details = json!({ "start": start.to_string() }).to_string();
        let remind_at = start - REMIND_BEFORE;
        let reminder = (remind_at > now).then_some((Kind::AppointmentReminder, remind_at));
        for (kind, due_at) in [(Kind::AppointmentBooked, now)].into_iter().chain(reminder) {
            let notification = NewNotification {
                kind: kind.code().to_owned(),
                patient_id: patient_id.to_owned(),
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

/// Queues the notice that a clinician outside the patient's practice broke the glass to open
/// their record at `now`, to the address on their record. One still waiting is replaced, so a
/// form sent twice makes one email.
pub async fn record_opened_in_an_emergency(db: &Db, patient_id: &str, now: Timestamp) {
    let regarding = format!("Patient/{patient_id}");
    let queued = replacing_any_waiting(
        db,
        patient_id,
        Kind::RecordOpenedInAnEmergency,
        regarding,
        now,
    );
    if let Err(error) = queued.await {
        tracing::warn!(%error, "the notice of an emergency opening could not be queued");
    }
}

/// Queues the email telling the patient that the practice wrote in conversation
/// `conversation_id` at `now`, if they want such emails. One still waiting for that
/// conversation is replaced, so several replies in a row make one email.
pub async fn message_from_the_practice(
    db: &Db,
    patient_id: &str,
    conversation_id: &str,
    now: Timestamp,
) {
    let regarding = format!("Communication/{conversation_id}");
    let queued =
        replacing_any_waiting(db, patient_id, Kind::MessageFromThePractice, regarding, now);
    if let Err(error) = queued.await {
        tracing::warn!(%error, "the email about a message could not be queued");
    }
}

/// Offers the patient waiting with appointment `appointment_id` an earlier time at `start`, in
/// place of an offer for it still waiting to be sent: one email however many times came free.
pub async fn earlier_time_offered(
    db: &Db,
    patient_id: &str,
    appointment_id: &str,
    start: Timestamp,
    now: Timestamp,
) {
    let kind = Kind::EarlierTimeOffered;
    let regarding = format!("Appointment/{appointment_id}");
    let queued = async {
        notifications::withdraw(db.state(), kind.code(), &regarding).await?;
        about_an_appointment(db, (patient_id, kind), (appointment_id, start), now).await
    };
    if let Err(error) = queued.await {
        tracing::warn!(%error, "the email offering an earlier time could not be queued");
    }
}

/// Tells the patient that a clinician decided their prescription request `request_id`.
pub async fn prescription_decided(db: &Db, patient_id: &str, request_id: &str, now: Timestamp) {
    let regarding = format!("MedicationRequest/{request_id}");
    let queued = replacing_any_waiting(db, patient_id, Kind::PrescriptionDecided, regarding, now);
    if let Err(error) = queued.await {
        tracing::warn!(%error, "the email about a prescription could not be queued");
    }
}

/// Queues a `kind` notification about `regarding` that happened `at` now, to the patient's
/// address if they want its topic, in place of one of the same still waiting.
async fn replacing_any_waiting(
    db: &Db,
    patient_id: &str,
    kind: Kind,
    regarding: String,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(address) = address_if_wanted(db, patient_id, kind.topic()).await? else {
        return Ok(());
    };
    notifications::withdraw(db.state(), kind.code(), &regarding).await?;
    let notification = NewNotification {
        kind: kind.code().to_owned(),
        patient_id: patient_id.to_owned(),
        regarding,
        recipient: address.as_str().to_owned(),
        details: json!({ "at": now.to_string() }).to_string(),
        due_at: now,
    };
    notifications::insert(db.state(), &notification, now).await?;
    Ok(())
}

/// Withdraws the reminder of an appointment that has been cancelled or moved.
pub async fn appointment_cancelled(db: &Db, appointment_id: &str) {
    let regarding = format!("Appointment/{appointment_id}");
    let kind = Kind::AppointmentReminder.code();
    if let Err(error) = notifications::withdraw(db.state(), kind, &regarding).await {
        tracing::warn!(%error, "a cancelled appointment's reminder could not be withdrawn");
    }
}

/// Withdraws the reminder of an appointment the practice has cancelled and, when the patient
/// asked to be contacted by email about it and wants appointment emails, queues the notice.
/// Answers whether it did.
pub async fn appointment_cancelled_by_the_practice(
    db: &Db,
    patient_id: &str,
    appointment_id: &str,
    start: Timestamp,
    contact: Option<ContactPreference>,
    now: Timestamp,
) -> bool {
    appointment_cancelled(db, appointment_id).await;
    if contact != Some(ContactPreference::Email) {
        return false;
    }
    let queued = about_an_appointment(
        db,
        (patient_id, Kind::AppointmentCancelledByThePractice),
        (appointment_id, start),
        now,
    );
    queued.await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the notice of a cancellation could not be queued");
        false
    })
}

/// Queues a `kind` notification (of the appointments topic) about appointment `appointment_id`
/// starting at `start`, beside any of the same waiting, if the patient wants such emails and has
/// an address: whether one was queued.
async fn about_an_appointment(
    db: &Db,
    (patient_id, kind): (&str, Kind),
    (appointment_id, start): (&str, Timestamp),
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(address) = address_if_wanted(db, patient_id, kind.topic()).await? else {
        return Ok(false);
    };
    let notification = NewNotification {
        kind: kind.code().to_owned(),
        patient_id: patient_id.to_owned(),
        regarding: format!("Appointment/{appointment_id}"),
        recipient: address.as_str().to_owned(),
        details: json!({ "start": start.to_string() }).to_string(),
        due_at: now,
    };
    notifications::insert(db.state(), &notification, now).await?;
    Ok(true)
}

/// The address on the patient's record, if they want emails about `topic` and it has one.
async fn address_if_wanted(
    db: &Db,
    patient_id: &str,
    topic: Topic,
) -> Result<Option<EmailAddress>, StoreError> {
    let off = notifications::turned_off(db.state(), patient_id).await?;
    if off.iter().any(|code| code == topic.code()) {
        return Ok(None);
    }
    let Found::Current(patient) = db.read(ResourceType::Patient, patient_id).await? else {
        return Ok(None);
    };
    Ok(address_on(&patient.resource))
}

/// The first usable email address of a Patient resource.
fn address_on(patient: &Value) -> Option<EmailAddress> {
    patient["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|telecom| telecom["system"] == "email")
        .find_map(|telecom| EmailAddress::parse(telecom["value"].as_str()?).ok())
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
        let at = json!({ "at": "2026-12-08T14:05:00Z" }).to_string();
        let opened = compose("record-opened-in-an-emergency", &at, "https://gp.example").unwrap();
        assert_eq!(opened.subject, "Your GP record was opened in an emergency");
        assert!(
            opened
                .body
                .contains("on 8 December 2026 at 2:05pm, and said why.")
        );
        assert!(
            opened
                .body
                .contains("https://gp.example/your-record/who-has-looked\n")
        );
        let cancelled = compose(
            "appointment-cancelled-by-the-practice",
            &details,
            "https://gp.example",
        )
        .unwrap();
        assert_eq!(cancelled.subject, "Your appointment has been cancelled");
        assert!(cancelled.body.starts_with(
            "Your GP practice has cancelled your appointment on Tuesday 8 December 2026, 9:30am."
        ));
        assert!(cancelled.body.contains("https://gp.example/appointments\n"));
        assert_eq!(compose("a-kind-from-the-future", &details, "x"), None);
        assert_eq!(compose("appointment-booked", "{}", "x"), None);
    }
}
