//! Clinicians writing vital signs: proper FHIR Observations with their author and a Provenance,
//! all or nothing, read back at once in the record, and nobody else may write.

use backend::{
    Db, FhirRepository,
    auth::{policy::Refusal, sessions::Session, sign_in},
    demo_data,
    record_writes::{self, RecordWriteError},
    seed,
};
use domain::{
    OdsCode,
    identity::{Actor, PatientUser, ProofingLevel, StaffRole, StaffUser},
    vitals::{Vital, VitalSigns},
};
use fhir::{ResourceType, search::parse_query};
use jiff::{Timestamp, Zoned};

use crate::empty_db;

/// The use cases as the server functions call them: the policy's check at the edge first, then
/// the use case with the access it gave.
mod edge {
    use backend::{
        Db,
        auth::{
            access::{self, Access},
            policy::Purpose,
            sessions::Session,
        },
        patient_record::{self, OpenRecordError, PatientRecord},
        record_writes::{self, NewAllergy, RecordWriteError, RecordedVitals},
    };
    use domain::{terminology::Concept, vitals::VitalSigns};
    use jiff::{Timestamp, civil};

    async fn writing(
        db: &Db,
        session: &Session,
        patient_id: &str,
        now: Timestamp,
    ) -> Result<Access, RecordWriteError> {
        Ok(access::check(db, session, patient_id, Purpose::WriteRecord, None, now).await?)
    }

    pub async fn record_vital_signs(
        db: &Db,
        session: &Session,
        patient_id: &str,
        signs: &VitalSigns,
        now: Timestamp,
    ) -> Result<RecordedVitals, RecordWriteError> {
        let access = writing(db, session, patient_id, now).await?;
        record_writes::record_vital_signs(db, access, signs, now).await
    }

    pub async fn record_allergy(
        db: &Db,
        session: &Session,
        patient_id: &str,
        allergy: NewAllergy,
        now: Timestamp,
    ) -> Result<String, RecordWriteError> {
        let access = writing(db, session, patient_id, now).await?;
        record_writes::record_allergy(db, access, allergy, now).await
    }

    pub async fn record_problem(
        db: &Db,
        session: &Session,
        patient_id: &str,
        problem: Concept,
        onset: Option<civil::Date>,
        now: Timestamp,
    ) -> Result<String, RecordWriteError> {
        let access = writing(db, session, patient_id, now).await?;
        record_writes::record_problem(db, access, problem, onset, now).await
    }

    pub async fn record_immunisation(
        db: &Db,
        session: &Session,
        patient_id: &str,
        vaccine: &str,
        given: civil::Date,
        now: Timestamp,
    ) -> Result<String, RecordWriteError> {
        let access = writing(db, session, patient_id, now).await?;
        record_writes::record_immunisation(db, access, vaccine, given, now).await
    }

    pub async fn open(
        db: &Db,
        session: &Session,
        patient_id: &str,
        now: Timestamp,
    ) -> Result<PatientRecord, OpenRecordError> {
        match access::check(db, session, patient_id, Purpose::ReadRecord, None, now).await {
            Ok(access) => patient_record::open(db, access, now).await,
            Err(error) => Err(patient_record::refusal(error, now)),
        }
    }
}

fn seeded_at() -> Zoned {
    "2026-11-23T08:00:00+00:00[Europe/London]".parse().unwrap()
}

async fn seeded() -> (Db, test_support::TestDatabase, String) {
    let (db, database) = empty_db().await;
    seed::seed_if_empty(&db, &seeded_at()).await.unwrap();
    let nhs_number = demo_data::first_patient_nhs_numbers().nth(2).unwrap();
    let (patient_id, _) = sign_in::patient_record(&db, &nhs_number)
        .await
        .unwrap()
        .unwrap();
    (db, database, patient_id)
}

fn staff(user_id: &str, role: StaffRole) -> Session {
    Session {
        key: format!("session-{user_id}"),
        actor: Actor::Staff(StaffUser {
            user_id: user_id.into(),
            display_name: "Dr Amara Okafor".into(),
            role,
            organisation: OdsCode::parse(demo_data::PRACTICE_ODS_CODE).unwrap(),
        }),
        started_at: seeded_at().timestamp(),
        acting_for: None,
    }
}

fn signs() -> VitalSigns {
    VitalSigns::parse(|vital| match vital {
        Vital::Systolic => "128",
        Vital::Diastolic => "82",
        Vital::Weight => "70.5",
        Vital::Height => "172",
        Vital::Pulse | Vital::Temperature => "",
    })
    .unwrap()
}

#[tokio::test]
async fn a_clinicians_vital_signs_are_observations_with_their_author_and_a_provenance() {
    let (db, _database, patient_id) = seeded().await;
    let now: Timestamp = "2026-11-23T10:15:00Z".parse().unwrap();
    let gp = staff("555000000000", StaffRole::Clinician);
    let recorded = edge::record_vital_signs(&db, &gp, &patient_id, &signs(), now)
        .await
        .unwrap();
    // Blood pressure, weight, height and the BMI worked out from them.
    assert_eq!(recorded.observations.len(), 4);
    assert_eq!(recorded.bmi, Some(23.8));

    let (_, id) = recorded.observations[0].split_once('/').unwrap();
    let store::Found::Current(bp) = db.read(ResourceType::Observation, id).await.unwrap() else {
        panic!("the blood pressure is stored");
    };
    let bp = bp.resource;
    assert_eq!(bp["code"]["coding"][0]["code"], "85354-9");
    assert_eq!(bp["component"][0]["valueQuantity"]["value"], 128);
    let at = |value: &serde_json::Value| value.as_str().unwrap().parse::<Timestamp>().unwrap();
    assert_eq!(at(&bp["effectiveDateTime"]), now);
    assert!(
        bp["performer"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("Practitioner/"),
        "the author is her Practitioner record"
    );

    let query = parse_query(ResourceType::Provenance, &[("_count".into(), "100".into())]).unwrap();
    let provenances = db.search(ResourceType::Provenance, &query).await.unwrap();
    let provenance = provenances
        .matches
        .iter()
        .map(|p| &p.resource)
        .find(|p| p["target"][0]["reference"] == recorded.observations[0].as_str())
        .expect("a Provenance names what was written");
    assert_eq!(provenance["target"].as_array().unwrap().len(), 4);
    assert_eq!(provenance["agent"][0]["who"]["display"], "Dr Amara Okafor");
    assert_eq!(at(&provenance["recorded"]), now);

    // At once in the record, the way the patient reads it.
    let record = edge::open(&db, &gp, &patient_id, now).await.unwrap();
    let bp = record
        .vital_signs
        .iter()
        .find(|r| r.name == "Blood pressure")
        .unwrap();
    assert_eq!(bp.measurements[0].value, "128/82");
    assert_eq!(bp.unit, "mmHg");
    let bmi = record
        .vital_signs
        .iter()
        .find(|r| r.name == "Body mass index (BMI)")
        .unwrap();
    assert_eq!(bmi.measurements[0].value, "23.8");
}

#[tokio::test]
async fn patients_and_administrators_do_not_write_to_the_clinical_record() {
    let (db, _database, patient_id) = seeded().await;
    let now = seeded_at().timestamp();
    let before = store::count(&db, "Observation").await.unwrap();

    let manager = staff("555000000010", StaffRole::Administrator);
    assert!(matches!(
        edge::record_vital_signs(&db, &manager, &patient_id, &signs(), now).await,
        Err(RecordWriteError::Refused(Refusal::NotClinical))
    ));
    let nhs_number = demo_data::first_patient_nhs_numbers().nth(2).unwrap();
    let own = Session {
        key: "patient".into(),
        actor: Actor::Patient(PatientUser {
            subject: "patient".into(),
            display_name: "Patient".into(),
            proofing: ProofingLevel::P9,
            nhs_number: Some(nhs_number),
            patient_id: Some(patient_id.clone()),
        }),
        started_at: now,
        acting_for: None,
    };
    assert!(matches!(
        edge::record_vital_signs(&db, &own, &patient_id, &signs(), now).await,
        Err(RecordWriteError::Refused(_))
    ));
    assert_eq!(
        store::count(&db, "Observation").await.unwrap(),
        before,
        "nothing was written"
    );
}

#[tokio::test]
async fn an_allergy_problem_and_vaccination_are_coded_and_read_back_in_the_record() {
    use domain::terminology::{ALLERGENS, AllergyRisk, PROBLEMS, REACTIONS, find};

    let (db, _database, patient_id) = seeded().await;
    let now: Timestamp = "2026-11-23T11:00:00Z".parse().unwrap();
    let gp = staff("555000000000", StaffRole::Clinician);
    let latex = find(ALLERGENS, "111088007").unwrap();
    let allergy = edge::record_allergy(
        &db,
        &gp,
        &patient_id,
        record_writes::NewAllergy {
            substance: latex,
            reaction: find(REACTIONS, "126485001"),
            risk: AllergyRisk::High,
        },
        now,
    )
    .await
    .unwrap();
    let (_, id) = allergy.split_once('/').unwrap();
    let store::Found::Current(stored) =
        db.read(ResourceType::AllergyIntolerance, id).await.unwrap()
    else {
        panic!("the allergy is stored");
    };
    let coding = &stored.resource["code"]["coding"][0];
    assert_eq!(coding["system"], "http://snomed.info/sct");
    assert_eq!(coding["code"], "111088007");
    assert_eq!(stored.resource["recorder"]["display"], "Dr Amara Okafor");

    let migraine = find(PROBLEMS, "37796009").unwrap();
    edge::record_problem(
        &db,
        &gp,
        &patient_id,
        migraine,
        Some(jiff::civil::date(2019, 5, 1)),
        now,
    )
    .await
    .unwrap();
    edge::record_immunisation(
        &db,
        &gp,
        &patient_id,
        "Shingles vaccine",
        jiff::civil::date(2026, 10, 5),
        now,
    )
    .await
    .unwrap();

    let record = edge::open(&db, &gp, &patient_id, now).await.unwrap();
    let latex = record
        .allergies
        .iter()
        .find(|a| a.text == "Latex")
        .expect("the allergy is in the record");
    assert_eq!(
        latex.detail.as_deref(),
        Some("High risk. Reaction: Urticaria")
    );
    assert!(
        record
            .problems
            .iter()
            .any(|p| p.text == "Migraine" && p.detail.as_deref() == Some("Since 1 May 2019"))
    );
    assert!(record.immunisations.iter().any(|i| {
        i.text == "Shingles vaccine" && i.detail.as_deref() == Some("Given on 5 October 2026")
    }));
}
