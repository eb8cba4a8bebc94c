//! A patient's appointments on the seeded practice: choosing, holding, booking (once, however
//! often submitted), listing and cancelling, with the holds and cut-offs patients rely on.

use backend::{
    Db, FhirRepository,
    appointments::{self, AppointmentsError, BookingDetails, Gone},
    auth::{policy::Refusal, sessions::Session, sign_in},
    demo_data, seed,
};
use domain::{
    booking::{CancelRefusal, ContactPreference, HOLD},
    identity::{Actor, PatientUser, ProofingLevel},
};
use fhir::ResourceType;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde_json::json;

use crate::empty_db;

/// The use cases as the server functions call them: the policy's check at the edge first, then
/// the use case with the access it gave.
mod edge {
    use backend::{
        Db,
        appointments::{self, Appointment, AppointmentsError, Booked, BookingDetails, Held},
        auth::{access, acting, policy::Purpose, sessions::Session},
    };
    use domain::booking::AppointmentReason;
    use jiff::Timestamp;

    async fn access_to(
        db: &Db,
        session: &Session,
        patient_id: &str,
        now: Timestamp,
    ) -> Result<access::Access, AppointmentsError> {
        Ok(access::check(db, session, patient_id, Purpose::Appointments, None, now).await?)
    }

    /// To the appointments of the patient the session's pages are about.
    async fn booking(
        db: &Db,
        session: &Session,
        now: Timestamp,
    ) -> Result<access::Access, AppointmentsError> {
        let patient_id = acting::whose_record(session).map_err(AppointmentsError::Refused)?;
        access_to(db, session, patient_id, now).await
    }

    pub async fn hold(
        db: &Db,
        session: &Session,
        slot_id: &str,
        now: Timestamp,
    ) -> Result<Held, AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::hold(db, &access, slot_id, now).await
    }

    pub async fn held(
        db: &Db,
        session: &Session,
        slot_id: &str,
        now: Timestamp,
    ) -> Result<Held, AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::held(db, &access, slot_id, now).await
    }

    pub async fn book(
        db: &Db,
        session: &Session,
        slot_id: &str,
        details: &BookingDetails,
        now: Timestamp,
    ) -> Result<Booked, AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::book(db, access, slot_id, details, now).await
    }

    pub async fn reschedule(
        db: &Db,
        session: &Session,
        appointment_id: &str,
        slot_id: &str,
        now: Timestamp,
    ) -> Result<Booked, AppointmentsError> {
        let owner = appointments::patient_of(db, appointment_id).await?;
        let access = access_to(db, session, &owner, now).await?;
        appointments::reschedule(db, access, appointment_id, slot_id, now).await
    }

    pub async fn cancel(
        db: &Db,
        session: &Session,
        appointment_id: &str,
        reason: Option<&AppointmentReason>,
        now: Timestamp,
    ) -> Result<Appointment, AppointmentsError> {
        let owner = appointments::patient_of(db, appointment_id).await?;
        let access = access_to(db, session, &owner, now).await?;
        appointments::cancel(db, access, appointment_id, reason, now).await
    }

    pub async fn appointments(
        db: &Db,
        session: &Session,
        now: Timestamp,
    ) -> Result<(Vec<Appointment>, Vec<Appointment>), AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::appointments(db, access, now).await
    }

    pub async fn ask_for_earlier(
        db: &Db,
        session: &Session,
        appointment_id: &str,
        now: Timestamp,
    ) -> Result<(), AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::earlier::ask(db, access, appointment_id, now).await
    }

    pub async fn earlier(
        db: &Db,
        session: &Session,
        now: Timestamp,
    ) -> Result<appointments::earlier::EarlierTimes, AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::earlier::waiting(db, &access, now).await
    }

    pub async fn take_earlier(
        db: &Db,
        session: &Session,
        appointment_id: &str,
        slot_id: &str,
        now: Timestamp,
    ) -> Result<Booked, AppointmentsError> {
        let access = booking(db, session, now).await?;
        appointments::earlier::take(db, access, appointment_id, slot_id, now).await
    }

    pub async fn appointment(
        db: &Db,
        session: &Session,
        appointment_id: &str,
        now: Timestamp,
    ) -> Result<Appointment, AppointmentsError> {
        let owner = appointments::patient_of(db, appointment_id).await?;
        let access = access_to(db, session, &owner, now).await?;
        appointments::appointment(db, access, appointment_id, now).await
    }
}

/// Monday 23 November 2026, 8am in London: the seed's slots start today.
fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

async fn seeded() -> (Db, test_support::TestDatabase) {
    let (db, database) = empty_db().await;
    seed::seed_if_empty(&db, &seeded_at()).await.unwrap();
    (db, database)
}

/// The session of the `n`th seeded patient, signed in at `proofing`.
async fn patient(db: &Db, n: usize, proofing: ProofingLevel) -> Session {
    let nhs_number = demo_data::first_patient_nhs_numbers().nth(n).unwrap();
    let (id, name) = sign_in::patient_record(db, &nhs_number)
        .await
        .unwrap()
        .unwrap();
    Session {
        key: format!("session-of-patient-{n}"),
        actor: Actor::Patient(PatientUser {
            subject: format!("subject-{n}"),
            display_name: name,
            proofing,
            nhs_number: Some(nhs_number),
            patient_id: Some(id),
        }),
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

fn details() -> BookingDetails {
    BookingDetails {
        reason: domain::booking::AppointmentReason::parse("Cough for three weeks").unwrap(),
        contact: ContactPreference::TextMessage,
    }
}

fn later(now: Timestamp, minutes: i64) -> Timestamp {
    now + SignedDuration::from_mins(minutes)
}

/// The first free GP time on the `day`th day with any.
async fn free_gp_time(
    db: &Db,
    session: &Session,
    day: usize,
    now: Timestamp,
) -> appointments::FreeTime {
    let gp = appointments::service(db, "gp").await.unwrap().unwrap();
    let days = appointments::free_days(db, &gp, now).await.unwrap();
    let patient_id = patient_id(session);
    appointments::free_times(db, &gp, days[day].date, &patient_id, now)
        .await
        .unwrap()
        .remove(0)
}

fn patient_id(session: &Session) -> String {
    match &session.actor {
        Actor::Patient(p) => p.patient_id.clone().unwrap(),
        Actor::Staff(_) => unreachable!(),
    }
}

#[tokio::test]
async fn a_patient_chooses_a_day_and_time_holds_it_and_books_it_once() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let b = patient(&db, 1, ProofingLevel::P9).await;

    let services = appointments::services(&db).await.unwrap();
    let names: Vec<_> = services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Blood test", "GP appointment", "Practice nurse appointment"]
    );
    let gp = appointments::service(&db, "gp").await.unwrap().unwrap();
    assert_eq!(gp.cancellation_cutoff, SignedDuration::from_hours(2));

    // Weekdays only, earliest first, within four weeks, each with free times.
    let days = appointments::free_days(&db, &gp, now).await.unwrap();
    assert!(days.len() >= 15, "{} days", days.len());
    assert_eq!(days[0].date, seeded_at().date());
    assert!(days.windows(2).all(|w| w[0].date < w[1].date));
    assert!(
        days.iter()
            .all(|d| d.free > 0 && d.date.weekday().to_monday_one_offset() <= 5)
    );

    let times = appointments::free_times(&db, &gp, days[0].date, &patient_id(&a), now)
        .await
        .unwrap();
    assert_eq!(times.len() as i64, days[0].free);
    assert!(times.windows(2).all(|w| w[0].start <= w[1].start));
    assert!(times.iter().all(|t| t.start > now));
    let wanted = times[0].clone();
    assert!(wanted.clinician.starts_with("Dr "), "{}", wanted.clinician);
    assert_eq!(wanted.place, "Riverside Medical Practice, main surgery");

    // A holds it: B is no longer offered it, and cannot hold it; B is offered others instead.
    let held = edge::hold(&db, &a, &wanted.slot_id, now).await.unwrap();
    assert_eq!(held.time, wanted);
    assert_eq!(held.held_until, now + HOLD);
    let for_b = appointments::free_times(&db, &gp, days[0].date, &patient_id(&b), now)
        .await
        .unwrap();
    assert!(!for_b.iter().any(|t| t.slot_id == wanted.slot_id));
    match edge::hold(&db, &b, &wanted.slot_id, later(now, 1)).await {
        Err(AppointmentsError::Unavailable(unavailable)) => {
            assert_eq!(unavailable.why, Gone::Taken);
            assert_eq!(unavailable.alternatives.len(), 5);
            assert!(
                !unavailable
                    .alternatives
                    .iter()
                    .any(|t| t.slot_id == wanted.slot_id)
            );
        }
        other => panic!("B held A's time: {other:?}"),
    }

    // A books it; submitting again answers with the same appointment.
    let at = later(now, 2);
    let booked = edge::book(&db, &a, &wanted.slot_id, &details(), at)
        .await
        .unwrap();
    let again = edge::book(&db, &a, &wanted.slot_id, &details(), at)
        .await
        .unwrap();
    assert_eq!(again, booked);

    let (upcoming, _past) = edge::appointments(&db, &a, at).await.unwrap();
    let mine = upcoming
        .iter()
        .find(|ap| ap.id == booked.appointment_id)
        .expect("the booking is listed");
    assert_eq!(mine.start, wanted.start);
    assert_eq!(mine.status, "booked");
    assert_eq!(mine.clinician, wanted.clinician);
    assert_eq!(mine.reason.as_deref(), Some("Cough for three weeks"));
    assert_eq!(mine.contact, Some(ContactPreference::TextMessage));
    assert_eq!(mine.address, ["1 Mill Lane", "Leeds", "LS6 2AB"]);
    assert!(mine.directions.as_deref().unwrap().contains("step-free"));
    assert_eq!(mine.reference.len(), 9, "{}", mine.reference);
    assert!(upcoming.windows(2).all(|w| w[0].start <= w[1].start));

    // B can neither book A's time nor read A's appointment.
    assert!(matches!(
        edge::book(&db, &b, &wanted.slot_id, &details(), at).await,
        Err(AppointmentsError::Unavailable(u)) if u.why == Gone::Taken
    ));
    assert!(matches!(
        edge::appointment(&db, &b, &booked.appointment_id, at).await,
        Err(AppointmentsError::Refused(Refusal::NotTheirs))
    ));
}

#[tokio::test]
async fn a_hold_runs_out_after_five_minutes_and_the_time_goes_back() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let b = patient(&db, 1, ProofingLevel::P9).await;
    let wanted = free_gp_time(&db, &a, 0, now).await;
    edge::hold(&db, &a, &wanted.slot_id, now).await.unwrap();
    assert!(
        edge::held(&db, &a, &wanted.slot_id, later(now, 4))
            .await
            .is_ok()
    );

    let too_late = later(now, 6);
    match edge::held(&db, &a, &wanted.slot_id, too_late).await {
        Err(AppointmentsError::Unavailable(u)) => {
            assert_eq!(u.why, Gone::HoldExpired);
            // Still free, so it is among the times offered again.
            assert!(u.alternatives.iter().any(|t| t.slot_id == wanted.slot_id));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        edge::book(&db, &a, &wanted.slot_id, &details(), too_late).await,
        Err(AppointmentsError::Unavailable(u)) if u.why == Gone::HoldExpired
    ));
    // Now B may have it.
    edge::hold(&db, &b, &wanted.slot_id, too_late)
        .await
        .unwrap();
    edge::book(&db, &b, &wanted.slot_id, &details(), later(too_late, 1))
        .await
        .unwrap();
}

#[tokio::test]
async fn choosing_another_time_lets_the_first_go() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let b = patient(&db, 1, ProofingLevel::P9).await;
    let gp = appointments::service(&db, "gp").await.unwrap().unwrap();
    let day = appointments::free_days(&db, &gp, now).await.unwrap()[0].date;
    let times = appointments::free_times(&db, &gp, day, &patient_id(&a), now)
        .await
        .unwrap();
    edge::hold(&db, &a, &times[0].slot_id, now).await.unwrap();
    edge::hold(&db, &a, &times[1].slot_id, now).await.unwrap();
    edge::hold(&db, &b, &times[0].slot_id, now).await.unwrap();
}

#[tokio::test]
async fn cancelling_frees_the_time_but_not_inside_the_cutoff() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let b = patient(&db, 1, ProofingLevel::P9).await;
    // Tomorrow: well outside the cut-off now.
    let wanted = free_gp_time(&db, &a, 1, now).await;
    edge::hold(&db, &a, &wanted.slot_id, now).await.unwrap();
    let booked = edge::book(&db, &a, &wanted.slot_id, &details(), now)
        .await
        .unwrap();

    // Someone else's appointment: refused, and nothing changes.
    assert!(matches!(
        edge::cancel(&db, &b, &booked.appointment_id, None, now).await,
        Err(AppointmentsError::Refused(Refusal::NotTheirs))
    ));
    // Inside the GP service's two hours: the practice has to do it.
    let inside = wanted.start - SignedDuration::from_mins(90);
    assert!(matches!(
        edge::cancel(&db, &a, &booked.appointment_id, None, inside).await,
        Err(AppointmentsError::CannotCancel(CancelRefusal::TooLate {
            cutoff_minutes: 120
        }))
    ));
    let reason = domain::booking::AppointmentReason::parse("Feeling better").unwrap();
    let cancelled = edge::cancel(&db, &a, &booked.appointment_id, reason.as_ref(), now)
        .await
        .unwrap();
    assert_eq!(cancelled.status, "cancelled");
    assert_eq!(
        cancelled.cancellation_reason.as_deref(),
        Some("Feeling better")
    );
    assert_eq!(cancelled.cancellable, Err(CancelRefusal::AlreadyCancelled));
    // The time is free again: B can hold and book it.
    edge::hold(&db, &b, &wanted.slot_id, now).await.unwrap();
    edge::book(&db, &b, &wanted.slot_id, &details(), now)
        .await
        .unwrap();
    let (upcoming, past) = edge::appointments(&db, &a, now).await.unwrap();
    assert!(!upcoming.iter().any(|ap| ap.id == booked.appointment_id));
    assert_eq!(
        past[0].id, booked.appointment_id,
        "cancelled ones come first among the past"
    );
}

#[tokio::test]
async fn patients_checked_below_p9_cannot_book_or_see_appointments() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let p5 = patient(&db, 2, ProofingLevel::P5).await;
    assert!(matches!(
        edge::appointments(&db, &p5, now).await,
        Err(AppointmentsError::Refused(Refusal::ProofingTooLow))
    ));
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let wanted = free_gp_time(&db, &a, 0, now).await;
    assert!(matches!(
        edge::hold(&db, &p5, &wanted.slot_id, now).await,
        Err(AppointmentsError::Refused(Refusal::ProofingTooLow))
    ));
}

#[tokio::test]
async fn of_many_patients_holding_one_time_at_once_exactly_one_gets_it() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let first = patient(&db, 0, ProofingLevel::P9).await;
    let wanted = free_gp_time(&db, &first, 0, now).await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let db = db.clone();
        let slot = wanted.slot_id.clone();
        let session = patient(&db, n, ProofingLevel::P9).await;
        tasks.push(tokio::spawn(async move {
            edge::hold(&db, &session, &slot, now).await.is_ok()
        }));
    }
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn rescheduling_books_the_new_time_and_frees_the_old_one_together() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let b = patient(&db, 1, ProofingLevel::P9).await;
    let gp = appointments::service(&db, "gp").await.unwrap().unwrap();
    let day = appointments::free_days(&db, &gp, now).await.unwrap()[1].date;
    let times = appointments::free_times(&db, &gp, day, &patient_id(&a), now)
        .await
        .unwrap();
    let (first, second) = (&times[0], &times[1]);
    edge::hold(&db, &a, &first.slot_id, now).await.unwrap();
    let old = edge::book(&db, &a, &first.slot_id, &details(), now)
        .await
        .unwrap();

    // Without holding the new time, nothing changes.
    assert!(matches!(
        edge::reschedule(&db, &a, &old.appointment_id, &second.slot_id, now).await,
        Err(AppointmentsError::Unavailable(_))
    ));
    edge::hold(&db, &a, &second.slot_id, now).await.unwrap();
    // Nobody else can move A's appointment, even holding a time.
    edge::hold(&db, &b, &times[2].slot_id, now).await.unwrap();
    assert!(matches!(
        edge::reschedule(&db, &b, &old.appointment_id, &times[2].slot_id, now).await,
        Err(AppointmentsError::Refused(Refusal::NotTheirs))
    ));

    let new = edge::reschedule(&db, &a, &old.appointment_id, &second.slot_id, now)
        .await
        .unwrap();
    let moved = edge::appointment(&db, &a, &new.appointment_id, now)
        .await
        .unwrap();
    assert_eq!(moved.start, second.start);
    assert_eq!(
        moved.reason.as_deref(),
        Some("Cough for three weeks"),
        "carried over"
    );
    let before = edge::appointment(&db, &a, &old.appointment_id, now)
        .await
        .unwrap();
    assert_eq!(before.status, "cancelled");
    // The old time is free again.
    edge::hold(&db, &b, &first.slot_id, now).await.unwrap();
}

/// A reference a patient can read out on the phone: `K7P2-QX9M`, without 0/O or 1/I/L.
fn quotable(reference: &str) -> bool {
    let (first, second) = reference.split_once('-').unwrap_or_default();
    [first, second].iter().all(|group| {
        group.len() == 4
            && group
                .bytes()
                .all(|b| b"ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(&b))
    })
}

#[tokio::test]
async fn an_appointment_not_booked_online_has_a_short_reference_to_quote_too() {
    // Made by the practice's staff or sent by another system through the FHIR API: no
    // reference is stored with it, and the patient must still have one to quote (until now they
    // were shown the appointment's 36-character id).
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let a = patient(&db, 0, ProofingLevel::P9).await;
    let time = free_gp_time(&db, &a, 1, now).await;
    let created = db
        .create(
            ResourceType::Appointment,
            json!({
                "resourceType": "Appointment",
                "status": "booked",
                "slot": [{ "reference": format!("Slot/{}", time.slot_id) }],
                "start": time.start.to_string(),
                "end": time.end.to_string(),
                "participant": [{
                    "actor": { "reference": format!("Patient/{}", patient_id(&a)) },
                    "status": "accepted",
                }],
            }),
            now,
        )
        .await
        .unwrap();
    let id = created.resource["id"].as_str().unwrap().to_owned();

    let reference_shown = || async {
        let (upcoming, _past) = edge::appointments(&db, &a, now).await.unwrap();
        upcoming
            .into_iter()
            .find(|appointment| appointment.id == id)
            .expect("the appointment is listed")
            .reference
    };
    let first = reference_shown().await;
    assert!(quotable(&first), "{first}");
    assert_eq!(
        reference_shown().await,
        first,
        "the same each time it is shown"
    );
    let one = edge::appointment(&db, &a, &id, now).await.unwrap();
    assert_eq!(
        one.reference, first,
        "the same on the appointment's own page"
    );
}

/// Patients waiting for an earlier GP time than theirs are all offered one that frees up; of all
/// of them taking it at once exactly one gets it (their old appointment cancelled in the same
/// write), and the others keep theirs and are told it has gone.
#[tokio::test]
async fn of_many_patients_taking_a_freed_earlier_time_at_once_exactly_one_gets_it() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let canceller = patient(&db, 9, ProofingLevel::P9).await;
    let freed = free_gp_time(&db, &canceller, 1, now).await;
    edge::hold(&db, &canceller, &freed.slot_id, now)
        .await
        .unwrap();
    let cancelled = edge::book(&db, &canceller, &freed.slot_id, &details(), now)
        .await
        .unwrap();
    // Six patients with a GP appointment two weeks on, each asking a minute later for an
    // earlier one (the times free before they asked are theirs to see, not to be offered).
    let asked = now + SignedDuration::from_mins(1);
    let mut waiting = Vec::new();
    for n in 1..=6 {
        let session = patient(&db, n, ProofingLevel::P9).await;
        let time = free_gp_time(&db, &session, 10, now).await;
        edge::hold(&db, &session, &time.slot_id, now).await.unwrap();
        let booked = edge::book(&db, &session, &time.slot_id, &details(), now)
            .await
            .unwrap();
        edge::ask_for_earlier(&db, &session, &booked.appointment_id, asked)
            .await
            .unwrap();
        waiting.push((session, booked.appointment_id));
    }
    // A minute on, the first patient cancels: their time is offered to all six.
    let now = asked + SignedDuration::from_mins(1);
    edge::cancel(&db, &canceller, &cancelled.appointment_id, None, now)
        .await
        .unwrap();
    for (session, appointment) in &waiting {
        let offers = edge::earlier(&db, session, now).await.unwrap().offers;
        assert!(
            offers.iter().any(|offer| offer.slot_id == freed.slot_id
                && offer.instead_of == *appointment
                && !offer.gone),
            "offered: {offers:?}"
        );
    }

    let takers: Vec<_> = waiting
        .iter()
        .cloned()
        .map(|(session, appointment)| {
            let (db, slot) = (db.clone(), freed.slot_id.clone());
            tokio::spawn(async move {
                edge::take_earlier(&db, &session, &appointment, &slot, now).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (n, taker) in takers.into_iter().enumerate() {
        match taker.await.unwrap() {
            Ok(_) => winners.push(n),
            Err(AppointmentsError::Unavailable(_)) => {}
            Err(error) => panic!("neither took it nor told it had gone: {error}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one takes it");
    for (n, (session, appointment)) in waiting.iter().enumerate() {
        let old = edge::appointment(&db, session, appointment, now)
            .await
            .unwrap();
        if n == winners[0] {
            assert_eq!(old.status, "cancelled", "moved, not doubled");
            let (upcoming, _) = edge::appointments(&db, session, now).await.unwrap();
            assert!(
                upcoming
                    .iter()
                    .any(|a| a.start == freed.start && a.status == "booked"),
                "{upcoming:?}"
            );
        } else {
            assert_eq!(old.status, "booked", "kept their own");
            let offers = edge::earlier(&db, session, now).await.unwrap().offers;
            assert!(
                offers
                    .iter()
                    .any(|offer| offer.slot_id == freed.slot_id && offer.gone),
                "told it has gone: {offers:?}"
            );
        }
    }
}
