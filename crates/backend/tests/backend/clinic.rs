//! The practice's clinic list on the seeded practice: whose appointments it lists, marking where
//! patients are on the day, and that nobody outside the practice sees or changes any of it.

use backend::{
    Db, FhirRepository,
    appointments::{
        AppointmentsError,
        clinic::{self, ClinicAppointment, MarkError, Whose},
    },
    auth::{policy::Refusal, sessions::Session, sign_in},
    demo_data, seed,
};
use domain::{
    OdsCode,
    clinic::{Attendance, AttendanceError},
    identity::{Actor, PatientUser, ProofingLevel, StaffRole, StaffUser},
};
use fhir::{ResourceType, search::parse_query};
use jiff::{SignedDuration, Zoned, civil};
use serde_json::json;

use crate::empty_db;

/// Monday 23 November 2026, 8am in London: the seed's slots start today, and every booked
/// appointment is still to come.
fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

const MONDAY: civil::Date = civil::date(2026, 11, 23);

async fn seeded() -> (Db, test_support::TestDatabase) {
    let (db, database) = empty_db().await;
    seed::seed_if_empty(&db, &seeded_at()).await.unwrap();
    (db, database)
}

/// A member of staff: `user_id` as the seeded Practitioner records carry it.
fn staff(user_id: &str, role: StaffRole, ods: &str) -> Session {
    Session {
        key: format!("session-of-{user_id}"),
        actor: Actor::Staff(StaffUser {
            user_id: user_id.into(),
            display_name: format!("Staff {user_id}"),
            role,
            organisation: OdsCode::parse(ods).unwrap(),
        }),
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

/// Dr Amara Okafor, the practice's first GP (demo persona "clinician").
fn okafor() -> Session {
    staff(
        "555000000000",
        StaffRole::Clinician,
        demo_data::PRACTICE_ODS_CODE,
    )
}

/// The practice manager, who runs reception and has no diary.
fn manager() -> Session {
    staff(
        "555000000010",
        StaffRole::Administrator,
        demo_data::PRACTICE_ODS_CODE,
    )
}

async fn day(db: &Db, session: &Session, date: civil::Date, whose: Whose<'_>) -> clinic::ClinicDay {
    clinic::clinic_day(db, session, date, whose, None, seeded_at().timestamp())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_clinicians_list_is_their_own_days_appointments_in_time_order() {
    let (db, _database) = seeded().await;
    let mine = day(&db, &okafor(), MONDAY, Whose::Mine).await;
    assert_eq!(
        mine.chosen.as_ref().map(|c| c.name.as_str()),
        Some("Dr Amara Okafor")
    );
    assert!(
        !mine.appointments.is_empty(),
        "a third of her day is booked"
    );
    assert!(
        mine.appointments
            .iter()
            .all(|a| a.clinician == "Dr Amara Okafor")
    );
    assert!(mine.appointments.is_sorted_by_key(|a| a.start));
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    assert!(
        mine.appointments
            .iter()
            .all(|a| a.start.to_zoned(london.clone()).date() == MONDAY)
    );
    assert!(
        mine.appointments
            .iter()
            .all(|a| a.attendance == Attendance::Booked)
    );

    // The manager has no diary: everyone's list, every clinician there is to choose from.
    let everyone = day(&db, &manager(), MONDAY, Whose::Mine).await;
    assert_eq!(everyone.chosen, None);
    assert_eq!(everyone.clinicians.len(), 4);
    assert!(everyone.appointments.len() > mine.appointments.len());
    let hers = everyone
        .appointments
        .iter()
        .filter(|a| a.clinician == "Dr Amara Okafor")
        .count();
    assert_eq!(hers, mine.appointments.len());
}

#[tokio::test]
async fn reception_marks_arrival_on_the_day_and_did_not_attend_only_once_it_has_started() {
    let (db, _database) = seeded().await;
    let first = day(&db, &manager(), MONDAY, Whose::Everyones)
        .await
        .appointments
        .remove(0);
    let before = first.start - SignedDuration::from_mins(20);
    let manager = manager();
    let mark = |to, now| clinic::mark(&db, &manager, &first.id, to, None, now);

    let arrived = mark(Attendance::Arrived, before).await.unwrap();
    assert_eq!(arrived.attendance, Attendance::Arrived);
    assert!(matches!(
        mark(Attendance::DidNotAttend, before).await,
        Err(MarkError::NotNow(AttendanceError::NotStartedYet))
    ));
    let after = first.start + SignedDuration::from_mins(5);
    let missed = mark(Attendance::DidNotAttend, after).await.unwrap();
    assert_eq!(missed.attendance, Attendance::DidNotAttend);

    // The mark is the appointment's FHIR status, for any other system to read.
    let stored = db.read(ResourceType::Appointment, &first.id).await.unwrap();
    let store::Found::Current(stored) = stored else {
        panic!("the appointment is there");
    };
    assert_eq!(stored.resource["status"], "noshow");
    // And each mark is in the patient's audit trail, as a change by the manager.
    let query = parse_query(
        ResourceType::AuditEvent,
        &[("patient".into(), format!("Patient/{}", first.patient_id))],
    )
    .unwrap();
    let trail = db.search(ResourceType::AuditEvent, &query).await.unwrap();
    let changes = trail
        .matches
        .iter()
        .filter(|e| e.resource["action"] == "U" && e.resource["outcome"] == "0")
        .count();
    assert_eq!(changes, 2, "arrived, then did not attend");

    // Tomorrow's patients cannot arrive today.
    let tomorrow = day(&db, &manager, MONDAY.tomorrow().unwrap(), Whose::Everyones)
        .await
        .appointments
        .remove(0);
    assert!(matches!(
        clinic::mark(
            &db,
            &manager,
            &tomorrow.id,
            Attendance::Arrived,
            None,
            before
        )
        .await,
        Err(MarkError::NotNow(AttendanceError::NotTheDayYet))
    ));
}

#[tokio::test]
async fn nobody_outside_the_practice_sees_or_marks_its_clinics() {
    let (db, _database) = seeded().await;
    let first: ClinicAppointment = day(&db, &okafor(), MONDAY, Whose::Mine)
        .await
        .appointments
        .remove(0);
    let now = seeded_at().timestamp();

    let elsewhere = staff("555000000011", StaffRole::Clinician, "Y90002");
    let theirs = day(&db, &elsewhere, MONDAY, Whose::Everyones).await;
    assert!(theirs.appointments.is_empty() && theirs.clinicians.is_empty());
    assert!(matches!(
        clinic::mark(&db, &elsewhere, &first.id, Attendance::Arrived, None, now).await,
        Err(MarkError::Appointments(AppointmentsError::Refused(_)))
    ));

    let nhs_number = demo_data::first_patient_nhs_numbers().next().unwrap();
    let (patient_id, name) = sign_in::patient_record(&db, &nhs_number)
        .await
        .unwrap()
        .unwrap();
    let patient = Session {
        key: "a-patient".into(),
        actor: Actor::Patient(PatientUser {
            subject: "patient".into(),
            display_name: name,
            proofing: ProofingLevel::P9,
            nhs_number: Some(nhs_number),
            patient_id: Some(patient_id),
        }),
        started_at: now,
        acting_for: None,
    };
    assert!(matches!(
        clinic::clinic_day(&db, &patient, MONDAY, Whose::Everyones, None, now).await,
        Err(AppointmentsError::Refused(Refusal::NotTheirs))
    ));
    assert!(matches!(
        clinic::mark(&db, &patient, &first.id, Attendance::Arrived, None, now).await,
        Err(MarkError::Appointments(AppointmentsError::Refused(_)))
    ));
}

#[tokio::test]
async fn an_appointment_booked_elsewhere_with_only_a_slot_is_on_its_diarys_list() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let before = day(&db, &okafor(), MONDAY, Whose::Mine).await;
    let role = before.chosen.clone().unwrap().role;
    // A free slot in her diary today, booked by another system naming only patient and slot.
    let schedules = db
        .search(
            ResourceType::Schedule,
            &parse_query(ResourceType::Schedule, &[("actor".into(), role)]).unwrap(),
        )
        .await
        .unwrap();
    let schedule = schedules.matches[0].resource["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let slots = db
        .search(
            ResourceType::Slot,
            &parse_query(
                ResourceType::Slot,
                &[
                    ("schedule".into(), format!("Schedule/{schedule}")),
                    ("status".into(), "free".into()),
                    ("start".into(), "ge2026-11-23T09:00:00Z".into()),
                    ("start".into(), "lt2026-11-24T00:00:00Z".into()),
                ],
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let slot = &slots.matches[0].resource;
    let patient = demo_data::first_patient_nhs_numbers().nth(1).unwrap();
    let (patient_id, _) = sign_in::patient_record(&db, &patient)
        .await
        .unwrap()
        .unwrap();
    let created = db
        .create(
            ResourceType::Appointment,
            json!({
                "resourceType": "Appointment",
                "status": "booked",
                "slot": [{ "reference": format!("Slot/{}", slot["id"].as_str().unwrap()) }],
                "start": slot["start"],
                "end": slot["end"],
                "participant": [{
                    "actor": { "reference": format!("Patient/{patient_id}") },
                    "status": "accepted",
                }],
            }),
            now,
        )
        .await
        .unwrap();
    let after = day(&db, &okafor(), MONDAY, Whose::Mine).await;
    assert_eq!(after.appointments.len(), before.appointments.len() + 1);
    let listed = after
        .appointments
        .iter()
        .find(|a| Some(a.id.as_str()) == created.resource["id"].as_str())
        .expect("the slot-only booking is on her list");
    assert_eq!(listed.clinician, "Dr Amara Okafor");
    assert!(after.appointments.is_sorted_by_key(|a| a.start));
}
