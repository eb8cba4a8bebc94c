//! Keeping the practice's diaries: a template opens exactly the times it describes and never
//! doubles a diary; time off closes free times and lists, never removes, booked appointments.

use backend::{
    Db, FhirRepository,
    appointments::clinic::{self, Whose},
    auth::{policy::Refusal, sessions::Session},
    demo_data,
    diaries::{self, DiaryError},
    seed,
};
use domain::{
    OdsCode,
    availability::{Template, weekday},
    identity::{Actor, StaffRole, StaffUser},
};
use fhir::{ResourceType, search::parse_query};
use jiff::{Zoned, civil};

use crate::empty_db;

/// Monday 23 November 2026, 8am in London: the seed's slots run four weeks from today.
fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

async fn seeded() -> (Db, test_support::TestDatabase) {
    let (db, database) = empty_db().await;
    seed::seed_if_empty(&db, &seeded_at()).await.unwrap();
    (db, database)
}

fn staff(user_id: &str, role: StaffRole) -> Session {
    Session {
        key: format!("session-{user_id}"),
        actor: Actor::Staff(StaffUser {
            user_id: user_id.into(),
            display_name: "Staff".into(),
            role,
            organisation: OdsCode::parse(demo_data::PRACTICE_ODS_CODE).unwrap(),
        }),
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

fn manager() -> Session {
    staff("555000000010", StaffRole::Administrator)
}

/// Mondays to Fridays, 9am to 12pm, 10-minute times, for `weeks` weeks from `first_day`.
fn mornings(first_day: civil::Date, weeks: i64) -> Template {
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .filter_map(|d| weekday(d))
        .collect();
    Template::new(
        days,
        Some(civil::time(9, 0, 0, 0)),
        Some(civil::time(12, 0, 0, 0)),
        10,
        first_day,
        weeks,
        seeded_at().date(),
    )
    .unwrap()
}

async fn slot_count(db: &Db) -> usize {
    let query = parse_query(ResourceType::Slot, &[("_summary".into(), "count".into())]).unwrap();
    let total = db.search(ResourceType::Slot, &query).await.unwrap().total;
    usize::try_from(total.expect("_summary=count counts")).unwrap()
}

#[tokio::test]
async fn a_template_opens_the_times_it_describes_and_never_doubles_a_diary() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let choices = diaries::choices(&db, &manager(), now).await.unwrap();
    let okafor = choices
        .clinicians
        .iter()
        .find(|c| c.name == "Dr Amara Okafor")
        .unwrap()
        .role
        .clone();
    let place = choices.places[0].0.clone();
    assert_eq!(choices.services.len(), 3);

    // Six weeks starting after the seeded four: an empty diary, so every time is new.
    let first_day = civil::date(2026, 12, 21);
    let before = slot_count(&db).await;
    let opened = diaries::open_from_template(
        &db,
        &manager(),
        &okafor,
        "gp",
        &place,
        &mornings(first_day, 6),
        now,
    )
    .await
    .unwrap();
    assert_eq!((opened.created, opened.skipped), (540, 0));
    assert_eq!(slot_count(&db).await, before + 540);

    // Bookable: free GP times on the first day, and nobody else's diary runs that far.
    let query = parse_query(
        ResourceType::Slot,
        &[
            (
                "service-type".into(),
                format!("{}|gp", fhir::SERVICE_KIND_SYSTEM),
            ),
            ("status".into(), "free".into()),
            ("start".into(), "ge2026-12-21T00:00:00Z".into()),
            ("start".into(), "lt2026-12-22T00:00:00Z".into()),
            ("_summary".into(), "count".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        db.search(ResourceType::Slot, &query).await.unwrap().total,
        Some(18)
    );

    // The same template again, overlapping the seeded weeks too: nothing is doubled.
    let again = diaries::open_from_template(
        &db,
        &manager(),
        &okafor,
        "gp",
        &place,
        &mornings(civil::date(2026, 12, 14), 2),
        now,
    )
    .await
    .unwrap();
    // The week of 14 December already has her seeded 9am–12pm times; the week after is the
    // one opened above.
    assert_eq!(again.created, 0);
    assert_eq!(again.skipped, 180);
}

#[tokio::test]
async fn time_off_closes_free_times_and_lists_the_booked_appointments_in_the_way() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let tuesday = civil::date(2026, 11, 24);
    let day = clinic::clinic_day(&db, &manager(), tuesday, Whose::Everyones, None, now)
        .await
        .unwrap();
    // A clinician with a booked appointment on Tuesday morning.
    let booked = day
        .appointments
        .iter()
        .find(|a| {
            a.start
                .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap())
                .hour()
                < 12
        })
        .unwrap()
        .clone();
    let role = day
        .clinicians
        .iter()
        .find(|c| c.name == booked.clinician)
        .unwrap()
        .role
        .clone();
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let from = tuesday
        .at(8, 0, 0, 0)
        .to_zoned(london.clone())
        .unwrap()
        .timestamp();
    let until = tuesday
        .at(13, 0, 0, 0)
        .to_zoned(london)
        .unwrap()
        .timestamp();

    let blocked = diaries::block_time(&db, &manager(), &role, (from, until), "Training", None, now)
        .await
        .unwrap();
    assert!(blocked.closed > 0);
    assert!(blocked.in_the_way.iter().any(|a| a.id == booked.id));
    // Still booked: the appointment is the patient's until someone rearranges it.
    let store::Found::Current(still) = db
        .read(ResourceType::Appointment, &booked.id)
        .await
        .unwrap()
    else {
        panic!("the appointment is there");
    };
    assert_eq!(still.resource["status"], "booked");

    // None of the closed times is offered to patients any more.
    let service = backend::appointments::services(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == booked.service)
        .unwrap();
    let offered = backend::appointments::free_times(&db, &service, tuesday, "nobody", now)
        .await
        .unwrap();
    assert!(
        !offered
            .iter()
            .any(|t| t.clinician == booked.clinician && t.start >= from && t.start < until)
    );
    let week = diaries::week_use(&db, &manager(), tuesday.yesterday().unwrap(), now)
        .await
        .unwrap();
    let theirs = week
        .iter()
        .find(|u| u.clinician == booked.clinician)
        .unwrap();
    assert_eq!(theirs.blocked, blocked.closed);
    assert!(theirs.booked >= blocked.in_the_way.len());
    assert!(theirs.total >= theirs.booked + theirs.blocked);
}

#[tokio::test]
async fn a_clinician_keeps_only_their_own_diary_and_patients_none() {
    let (db, _database) = seeded().await;
    let now = seeded_at().timestamp();
    let okafor = staff("555000000000", StaffRole::Clinician);
    let choices = diaries::choices(&db, &okafor, now).await.unwrap();
    assert_eq!(choices.clinicians.len(), 1, "only her own");
    let all = diaries::choices(&db, &manager(), now)
        .await
        .unwrap()
        .clinicians;
    let colleague = all
        .iter()
        .find(|c| c.name != "Dr Amara Okafor")
        .unwrap()
        .role
        .clone();
    let wednesday = civil::date(2026, 11, 25);
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let from = wednesday.to_zoned(london.clone()).unwrap().timestamp();
    let until = from + jiff::SignedDuration::from_hours(4);
    assert!(matches!(
        diaries::block_time(&db, &okafor, &colleague, (from, until), "Leave", None, now).await,
        Err(DiaryError::Refused(Refusal::NotTheirs))
    ));
    let patient = Session {
        key: "patient".into(),
        actor: Actor::Patient(domain::identity::PatientUser {
            subject: "p".into(),
            display_name: "P".into(),
            proofing: domain::identity::ProofingLevel::P9,
            nhs_number: None,
            patient_id: None,
        }),
        started_at: now,
        acting_for: None,
    };
    assert!(matches!(
        diaries::choices(&db, &patient, now).await,
        Err(DiaryError::Refused(_))
    ));
}
