//! Repeat prescriptions: a request is a draft order of the repeat, waiting for the practice (of
//! many sent at once, one is written); of many clinicians deciding it at once exactly one decides
//! it, and every other is told it was decided meanwhile; what the patient reads is what the one
//! who won decided.

use backend::{
    Db,
    auth::{
        access::{self, Access},
        policy::Purpose,
        sessions::Session,
        sign_in,
    },
    demo_data,
    prescriptions::{self, PrescriptionsError},
    seed,
};
use domain::{
    OdsCode,
    identity::{Actor, PatientUser, ProofingLevel, StaffRole, StaffUser},
    prescriptions::{Decision, RefusalReason, RequestState},
};
use jiff::{Timestamp, Zoned};

use crate::empty_db;

fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

fn now() -> Timestamp {
    "2026-11-23T10:15:00Z".parse().unwrap()
}

async fn checked(db: &Db, session: &Session, patient_id: &str) -> Access {
    access::check(db, session, patient_id, Purpose::Prescriptions, None, now())
        .await
        .expect("allowed")
}

fn session(actor: Actor) -> Session {
    Session {
        key: "session".into(),
        actor,
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

fn gp(n: usize) -> Session {
    session(Actor::Staff(StaffUser {
        user_id: format!("55500000000{n}"),
        display_name: format!("Dr Number {n}"),
        role: StaffRole::Clinician,
        organisation: OdsCode::parse(demo_data::PRACTICE_ODS_CODE).unwrap(),
    }))
}

#[tokio::test]
async fn of_many_clinicians_deciding_one_request_at_once_exactly_one_does() {
    let (db, _database) = empty_db().await;
    let (patient, patient_id, inhaler, pharmacy) = patient_with_a_repeat(&db).await;
    let requested = prescriptions::request(
        &db,
        checked(&db, &patient, &patient_id).await,
        (std::slice::from_ref(&inhaler), &pharmacy),
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(requested, 1);
    let repeats = prescriptions::repeats(&db, checked(&db, &patient, &patient_id).await, now())
        .await
        .unwrap();
    let request = repeats.requests[0].id.clone();

    // Eight clinicians at once, half approving, half refusing.
    let deciding: Vec<_> = (0..8)
        .map(|n| {
            let (db, patient_id, request) = (db.clone(), patient_id.clone(), request.clone());
            tokio::spawn(async move {
                let clinician = gp(n);
                let decision = if n % 2 == 0 {
                    Decision::Approve
                } else {
                    Decision::Refuse(RefusalReason::parse("Please book a review").unwrap())
                };
                let access = checked(&db, &clinician, &patient_id).await;
                let decided = prescriptions::decide(&db, access, &request, &decision, now()).await;
                (decision, decided)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for handle in deciding {
        match handle.await.unwrap() {
            (decision, Ok(())) => winners.push(decision),
            (_, Err(PrescriptionsError::Decided)) => {}
            (_, Err(error)) => panic!("neither decided nor told it was: {error}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one decides");
    let repeats = prescriptions::repeats(&db, checked(&db, &patient, &patient_id).await, now())
        .await
        .unwrap();
    let state = &repeats.requests[0].state;
    match &winners[0] {
        Decision::Approve => assert!(matches!(state, RequestState::Approved { .. }), "{state:?}"),
        Decision::Refuse(_) => assert_eq!(
            *state,
            RequestState::Refused {
                reason: "Please book a review".into()
            }
        ),
    }
}

/// The first demo patient signed in, their id, a repeat of theirs they can ask for, and a
/// pharmacy.
async fn patient_with_a_repeat(db: &Db) -> (Session, String, String, String) {
    seed::seed_if_empty(db, &seeded_at()).await.unwrap();
    // The first patient has a repeat inhaler they can ask for.
    let nhs_number = demo_data::first_patient_nhs_numbers().next().unwrap();
    let (patient_id, _) = sign_in::patient_record(db, &nhs_number)
        .await
        .unwrap()
        .unwrap();
    let patient = session(Actor::Patient(PatientUser {
        subject: "subject".into(),
        display_name: "Oliver Evans".into(),
        proofing: ProofingLevel::P9,
        nhs_number: Some(nhs_number),
        patient_id: Some(patient_id.clone()),
    }));
    let repeats = prescriptions::repeats(db, checked(db, &patient, &patient_id).await, now())
        .await
        .unwrap();
    let inhaler = repeats
        .medicines
        .iter()
        .find(|medicine| !medicine.review_due)
        .expect("a repeat to ask for")
        .id
        .clone();
    let pharmacy = repeats.pharmacies[0].id.clone();
    (patient, patient_id, inhaler, pharmacy)
}

/// A patient sending one request from several devices at once (or a double-click without
/// JavaScript): one request is written, and every other is told it is waiting already.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_requests_for_one_repeat_at_once_exactly_one_is_written() {
    let (db, _database) = empty_db().await;
    let (patient, patient_id, inhaler, pharmacy) = patient_with_a_repeat(&db).await;
    let requesting: Vec<_> = (0..8)
        .map(|_| {
            let (db, patient, patient_id) = (db.clone(), patient.clone(), patient_id.clone());
            let (inhaler, pharmacy) = (inhaler.clone(), pharmacy.clone());
            tokio::spawn(async move {
                let access = checked(&db, &patient, &patient_id).await;
                let ids = [inhaler];
                prescriptions::request(&db, access, (&ids, &pharmacy), None, now()).await
            })
        })
        .collect();
    let mut written = 0;
    for handle in requesting {
        match handle.await.unwrap() {
            Ok(1) => written += 1,
            Err(PrescriptionsError::AlreadyRequested) => {}
            other => panic!("neither written nor told it is waiting: {other:?}"),
        }
    }
    assert_eq!(written, 1, "exactly one is written");
    let repeats = prescriptions::repeats(&db, checked(&db, &patient, &patient_id).await, now())
        .await
        .unwrap();
    assert_eq!(repeats.requests.len(), 1, "{:?}", repeats.requests);
}
