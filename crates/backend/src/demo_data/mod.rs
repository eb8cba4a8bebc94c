//! Synthetic, realistic demo data: one GP practice, its staff, 200 patients with their allergies,
//! problems, medicines, test results and vaccinations, and four weeks of appointment slots, some
//! already booked.
//!
//! Pure and deterministic: the same `now` gives the same data, so tests can rely on it. Every NHS
//! number is from the 999 test range and passes the modulus-11 check; no real person is described.

mod repeats;
mod tests_and_vaccines;

use domain::{NhsNumber, OdsCode};
use fhir::build::{
    self, Address, AppointmentParties, HumanName, PatientDetails, ServiceKind, SlotStatus,
    StaffRole,
};
use jiff::{Span, Zoned, civil, tz::TimeZone};
use serde_json::Value;

pub const PRACTICE_NAME: &str = "Riverside Medical Practice";
/// A Y-code: the ODS range for organisations outside the main registers, so it names no real practice.
pub const PRACTICE_ODS_CODE: &str = "Y90001";
pub const PATIENT_COUNT: usize = 200;
pub const WEEKS_OF_SLOTS: i64 = 4;

pub const GP_APPOINTMENT: ServiceKind = ServiceKind {
    code: "gp",
    display: "GP appointment",
};
pub const NURSE_APPOINTMENT: ServiceKind = ServiceKind {
    code: "practice-nurse",
    display: "Practice nurse appointment",
};
pub const BLOOD_TEST: ServiceKind = ServiceKind {
    code: "blood-test",
    display: "Blood test",
};

/// The resources to store, in an order where everything referenced comes first.
#[derive(Debug)]
pub struct DemoData {
    pub resources: Vec<Value>,
}

/// Why demo data could not be made: only a broken build (time-zone database, constants) causes it.
#[derive(Debug, thiserror::Error)]
pub enum DemoDataError {
    #[error("could not work out demo appointment times")]
    Time(#[from] jiff::Error),
    #[error("the demo practice's ODS code is malformed")]
    OdsCode(#[from] domain::OdsCodeError),
}

/// Daily sessions a diary runs on weekdays: (start hour, start minute, end hour, end minute).
type Sessions = &'static [(i8, i8, i8, i8)];

struct Diary {
    staff: usize,
    kind: ServiceKind,
    minutes: i64,
    sessions: Sessions,
}

struct StaffMember {
    name: (&'static str, &'static str, &'static str),
    gender: &'static str,
    role: StaffRole,
}

const STAFF: [StaffMember; 4] = [
    StaffMember {
        name: ("Dr", "Amara", "Okafor"),
        gender: "female",
        role: StaffRole::Doctor,
    },
    StaffMember {
        name: ("Dr", "James", "Whitfield"),
        gender: "male",
        role: StaffRole::Doctor,
    },
    StaffMember {
        name: ("Dr", "Priya", "Raman"),
        gender: "female",
        role: StaffRole::Doctor,
    },
    StaffMember {
        name: ("Nurse", "Sarah", "Collins"),
        gender: "female",
        role: StaffRole::Nurse,
    },
];

const DIARIES: [Diary; 5] = [
    Diary {
        staff: 0,
        kind: GP_APPOINTMENT,
        minutes: 10,
        sessions: &[(9, 0, 12, 0), (14, 0, 17, 0)],
    },
    Diary {
        staff: 1,
        kind: GP_APPOINTMENT,
        minutes: 10,
        sessions: &[(9, 0, 12, 0), (14, 0, 17, 0)],
    },
    Diary {
        staff: 2,
        kind: GP_APPOINTMENT,
        minutes: 10,
        sessions: &[(9, 0, 12, 0), (14, 0, 17, 0)],
    },
    Diary {
        staff: 3,
        kind: NURSE_APPOINTMENT,
        minutes: 15,
        sessions: &[(9, 0, 12, 0), (14, 0, 16, 0)],
    },
    Diary {
        staff: 3,
        kind: BLOOD_TEST,
        minutes: 10,
        sessions: &[(8, 0, 9, 0)],
    },
];

const GIVEN_FEMALE: [&str; 20] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Aisha", "Zara", "Sophie", "Emily",
    "Hannah", "Fatima", "Chloe", "Ruth", "Margaret", "Joan", "Priya", "Niamh", "Eleanor",
];
const GIVEN_MALE: [&str; 20] = [
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Jack", "Thomas",
    "Daniel", "Kwame", "Rhys", "Callum", "David", "Peter", "Arjun", "Connor", "Stanley", "Brian",
];
const FAMILY: [&str; 30] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Wright", "Robinson", "Thompson", "Evans", "Walker", "Khan", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Begum", "Hughes", "Edwards", "Murphy", "Okonkwo", "Nowak", "Ali",
    "Campbell", "Lewis",
];
const STREETS: [&str; 12] = [
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Victoria Road",
    "Park Avenue",
    "Riverside Walk",
    "Queens Road",
    "Orchard Close",
    "Canal Street",
    "Hillside Crescent",
    "Elm Grove",
    "Market Place",
];

/// The NHS numbers of the first seeded patients, in order: demo personas and tests sign in as them.
pub fn first_patient_nhs_numbers() -> impl Iterator<Item = NhsNumber> {
    (FIRST_PATIENT_STEM..).filter_map(NhsNumber::from_stem)
}

/// Which seeded patient (by position) holds proxy access for the first one.
pub const PROXY_PATIENT: usize = 3;

/// Patients' NHS numbers count up from here (999 000 001, …), skipping stems with no check digit.
const FIRST_PATIENT_STEM: u32 = 999_000_001;

/// Generates the demo data with slots from the day of `now` for [`WEEKS_OF_SLOTS`] weeks.
pub fn generate(now: &Zoned) -> Result<DemoData, DemoDataError> {
    let london = TimeZone::get("Europe/London")?;
    let mut rng = SplitMix64(0x5eed_0f0e_4ea1_7400);
    let mut resources = Vec::new();

    let org_id = rng.uuid();
    let location_id = rng.uuid();
    let practice_address = Address {
        lines: vec!["1 Mill Lane".into()],
        city: "Leeds".into(),
        postcode: "LS6 2AB".into(),
    };
    let practice_phone = "0113 496 0000"; // Ofcom's drama range: never a real line.
    let ods = OdsCode::parse(PRACTICE_ODS_CODE)?;
    resources.push(build::organization(
        &org_id,
        &ods,
        PRACTICE_NAME,
        &practice_address,
        practice_phone,
    ));
    let mut location = build::location(
        &location_id,
        &org_id,
        &format!("{PRACTICE_NAME}, main surgery"),
        &practice_address,
        practice_phone,
    );
    location["description"] = serde_json::json!(
        "The entrance is on Mill Lane, with step-free access. Buses 19 and 28 stop outside; \
         there are 4 disabled parking spaces behind the building."
    );
    resources.push(location);
    for (kind, comment, cutoff_hours) in [
        (
            GP_APPOINTMENT,
            "A 10-minute appointment with a GP, in person or by phone.",
            2,
        ),
        (
            NURSE_APPOINTMENT,
            "Dressings, vaccinations, contraception and long-term condition reviews.",
            2,
        ),
        (
            BLOOD_TEST,
            "Early-morning blood tests. Your GP or nurse will tell you if you need to fast.",
            // Samples go to the lab in one run: a gap can still be filled the day before.
            12,
        ),
    ] {
        let id = rng.uuid();
        let mut service = build::healthcare_service(&id, &org_id, &location_id, kind, comment);
        service["extension"] = serde_json::json!([{
            "url": fhir::CANCELLATION_CUTOFF_URL,
            "valueDuration": {
                "value": cutoff_hours,
                "unit": "hours",
                "system": "http://unitsofmeasure.org",
                "code": "h",
            },
        }]);
        resources.push(service);
    }

    let mut role_ids = Vec::new();
    for (n, member) in STAFF.iter().enumerate() {
        let (prefix, given, family) = member.name;
        let practitioner_id = rng.uuid();
        let role_id = rng.uuid();
        let name = HumanName {
            prefix: Some(prefix.into()),
            given: vec![given.into()],
            family: family.into(),
        };
        let sds_user_id = format!("5550000000{n:02}");
        resources.push(build::practitioner(
            &practitioner_id,
            &sds_user_id,
            &name,
            member.gender,
        ));
        resources.push(build::practitioner_role(
            &role_id,
            &practitioner_id,
            &org_id,
            &location_id,
            member.role,
        ));
        role_ids.push(role_id);
    }

    let mut patient_ids = Vec::with_capacity(PATIENT_COUNT);
    let mut proxy = None;
    for (n, nhs_number) in first_patient_nhs_numbers().take(PATIENT_COUNT).enumerate() {
        let id = rng.uuid();
        let details = synthetic_patient(&mut rng, nhs_number, &org_id)?;
        let patient = build::patient(&id, &details);
        if n == PROXY_PATIENT {
            proxy = Some((nhs_number, patient["name"][0].clone()));
        }
        resources.push(patient);
        patient_ids.push(id);
    }

    let first_day = now.date();
    let last_day = first_day.checked_add(Span::new().weeks(WEEKS_OF_SLOTS))?;
    let horizon = (
        first_day.to_zoned(london.clone())?,
        last_day.to_zoned(london.clone())?,
    );
    for diary in &DIARIES {
        let schedule_id = rng.uuid();
        let role_id = &role_ids[diary.staff];
        resources.push(build::schedule(
            &schedule_id,
            role_id,
            &location_id,
            diary.kind,
            (&horizon.0, &horizon.1),
        ));
        let mut day = first_day;
        while day < last_day {
            if day.weekday().to_monday_one_offset() <= 5 {
                for &(start_hour, start_minute, end_hour, end_minute) in diary.sessions {
                    let mut start = day
                        .at(start_hour, start_minute, 0, 0)
                        .to_zoned(london.clone())?;
                    let session_end = day
                        .at(end_hour, end_minute, 0, 0)
                        .to_zoned(london.clone())?;
                    while start < session_end {
                        let end = start.checked_add(Span::new().minutes(diary.minutes))?;
                        // About a third of future slots are already taken, as in a real practice.
                        let booked = start > *now && rng.below(100) < 35;
                        let slot_id = rng.uuid();
                        // Every slot starts free; storing its appointment (which comes next) is
                        // what marks it busy, by the same booking rules as any other booking.
                        resources.push(build::slot(
                            &slot_id,
                            &schedule_id,
                            diary.kind,
                            SlotStatus::Free,
                            &start,
                            &end,
                        ));
                        if booked {
                            let patient_id = &patient_ids[rng.below(PATIENT_COUNT as u64) as usize];
                            let parties = AppointmentParties {
                                slot_id: &slot_id,
                                patient_id,
                                practitioner_role_id: role_id,
                                location_id: &location_id,
                            };
                            resources.push(build::booked_appointment(
                                &rng.uuid(),
                                parties,
                                diary.kind,
                                (&start, &end),
                                now,
                            ));
                        }
                        start = end;
                    }
                }
            }
            day = day.tomorrow()?;
        }
    }
    // The fourth patient may act for the first (demo persona "proxy"). Made last, so that the
    // ids above stay what they were before it existed.
    if let (Some((nhs_number, name)), Some(patient_id)) = (proxy, patient_ids.first()) {
        resources.push(serde_json::json!({
            "resourceType": "RelatedPerson",
            "id": rng.uuid(),
            "active": true,
            "patient": { "reference": format!("Patient/{patient_id}") },
            "identifier": [{ "system": fhir::NHS_NUMBER_SYSTEM, "value": nhs_number.digits() }],
            "relationship": [{ "text": "Carer with proxy access" }],
            "name": [name],
        }));
    }
    // Clinical records come last for the same reason.
    for (n, patient_id) in patient_ids.iter().enumerate() {
        resources.extend(clinical_records(&mut rng, n, patient_id, first_day)?);
    }
    // Test results and vaccinations draw from a generator of their own, so that everything above
    // stays what it was before they existed.
    let mut results_rng = SplitMix64(0x7e57_0f0e_4ea1_7401);
    for (n, patient_id) in patient_ids.iter().enumerate() {
        resources.extend(tests_and_vaccines::records(
            &mut results_rng,
            n,
            patient_id,
            now,
        )?);
    }
    // Pharmacies and a repeat due for review, likewise.
    let mut repeats_rng = SplitMix64(0x7e57_0f0e_4ea1_7402);
    resources.extend(repeats::pharmacies(&mut repeats_rng));
    if let Some(first) = patient_ids.first() {
        resources.push(repeats::due_for_review(&mut repeats_rng, first, first_day)?);
    }
    Ok(DemoData { resources })
}

/// What a synthetic allergy, problem or medicine is: display text (coded lists arrive with the
/// clinicians' pages) and, for allergies, the reaction and its risk.
struct Allergy {
    substance: &'static str,
    reaction: &'static str,
    criticality: &'static str,
}

const ALLERGIES: [Allergy; 4] = [
    Allergy {
        substance: "Penicillin",
        reaction: "Anaphylaxis",
        criticality: "high",
    },
    Allergy {
        substance: "Peanut",
        reaction: "Swelling of the lips and tongue",
        criticality: "high",
    },
    Allergy {
        substance: "Elastoplast (sticking plaster)",
        reaction: "Itchy rash",
        criticality: "low",
    },
    Allergy {
        substance: "Ibuprofen",
        reaction: "Wheezing",
        criticality: "low",
    },
];

/// Problems, with the medicine usually prescribed for each.
const PROBLEMS: [(&str, &str, &str); 4] = [
    (
        "Asthma",
        "Salbutamol 100micrograms/dose inhaler",
        "Two puffs when needed for breathlessness",
    ),
    (
        "Essential hypertension",
        "Ramipril 5mg capsules",
        "One capsule each morning",
    ),
    (
        "Type 2 diabetes mellitus",
        "Metformin 500mg tablets",
        "One tablet twice a day with meals",
    ),
    (
        "Hypothyroidism",
        "Levothyroxine 50microgram tablets",
        "One tablet each morning before breakfast",
    ),
];

/// A patient's allergies, problems and medicines. The first patient (demo persona "patient-p9")
/// always has a serious allergy and asthma, so that every record page has something to show;
/// about a third of the others have an allergy and half a long-term problem.
fn clinical_records(
    rng: &mut SplitMix64,
    n: usize,
    patient_id: &str,
    today: civil::Date,
) -> Result<Vec<Value>, DemoDataError> {
    let subject = serde_json::json!({ "reference": format!("Patient/{patient_id}") });
    let mut records = Vec::new();
    let allergy = match n {
        0 => Some(&ALLERGIES[0]),
        _ if rng.below(3) == 0 => Some(&ALLERGIES[rng.below(ALLERGIES.len() as u64) as usize]),
        _ => None,
    };
    if let Some(allergy) = allergy {
        records.push(serde_json::json!({
            "resourceType": "AllergyIntolerance",
            "id": rng.uuid(),
            "clinicalStatus": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "code": "active",
            }]},
            "verificationStatus": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                "code": "confirmed",
            }]},
            "criticality": allergy.criticality,
            "code": { "text": allergy.substance },
            "patient": subject,
            "reaction": [{ "manifestation": [{ "text": allergy.reaction }] }],
        }));
    }
    let problem = match n {
        0 => Some(&PROBLEMS[0]),
        _ if rng.below(2) == 0 => Some(&PROBLEMS[rng.below(PROBLEMS.len() as u64) as usize]),
        _ => None,
    };
    if let Some((condition, medicine, dosage)) = problem {
        let onset = 1990 + rng.below(35);
        records.push(serde_json::json!({
            "resourceType": "Condition",
            "id": rng.uuid(),
            "clinicalStatus": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active",
            }]},
            "category": [{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item",
                "display": "Problem List Item",
            }]}],
            "code": { "text": condition },
            "subject": subject,
            "onsetDateTime": format!("{onset}-0{}-1{}", 1 + rng.below(9), rng.below(10)),
        }));
        let mut repeat = serde_json::json!({
            "resourceType": "MedicationRequest",
            "id": rng.uuid(),
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": { "text": medicine },
            "subject": subject,
            "dosageInstruction": [{ "text": dosage }],
        });
        // Every one a repeat, authorised three months ago for a year.
        repeats::repeat_fields(&mut repeat, today.checked_sub(Span::new().months(3))?)?;
        records.push(repeat);
    }
    Ok(records)
}

fn synthetic_patient(
    rng: &mut SplitMix64,
    nhs_number: NhsNumber,
    org_id: &str,
) -> Result<PatientDetails, jiff::Error> {
    let female = rng.below(2) == 0;
    let given = if female { GIVEN_FEMALE } else { GIVEN_MALE };
    let first = given[rng.below(given.len() as u64) as usize];
    let family = FAMILY[rng.below(FAMILY.len() as u64) as usize];
    let year = 1936 + rng.below(88) as i16;
    let birth_date = civil::Date::new(year, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8)?;
    let house = 1 + rng.below(180);
    let street = STREETS[rng.below(STREETS.len() as u64) as usize];
    let district = 1 + rng.below(17);
    let sector = rng.below(10);
    let unit: String = (0..2)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect();
    let mobile = format!("07700 900{:03}", rng.below(1000)); // Ofcom's drama range for mobiles.
    let email = (rng.below(3) > 0).then(|| {
        format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            family.to_lowercase()
        )
    });
    Ok(PatientDetails {
        nhs_number,
        name: HumanName {
            prefix: None,
            given: vec![first.into()],
            family: family.into(),
        },
        gender: if female { "female" } else { "male" },
        birth_date,
        address: Address {
            lines: vec![format!("{house} {street}")],
            city: "Leeds".into(),
            postcode: format!("LS{district} {sector}{unit}"),
        },
        mobile,
        email,
        registered_with: org_id.into(),
    })
}

/// A small, fast, seedable generator: demo data must be reproducible, not unpredictable.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn uuid(&mut self) -> String {
        let bytes = (u128::from(self.next()) << 64 | u128::from(self.next())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fhir::ResourceType;

    fn demo() -> DemoData {
        // A Friday morning in British Summer Time, so both offsets and a weekend are crossed.
        let now: Zoned = "2026-10-02T08:30:00+01:00[Europe/London]".parse().unwrap();
        generate(&now).unwrap()
    }

    fn of_type<'a>(data: &'a DemoData, resource_type: &str) -> Vec<&'a Value> {
        data.resources
            .iter()
            .filter(|r| r["resourceType"] == resource_type)
            .collect()
    }

    #[test]
    fn has_one_practice_with_its_ods_code_and_four_staff() {
        let data = demo();
        let orgs: Vec<_> = of_type(&data, "Organization")
            .into_iter()
            .filter(|org| !crate::practice::is_pharmacy(org))
            .collect();
        assert_eq!(orgs.len(), 1, "and the rest are pharmacies");
        assert_eq!(
            fhir::read::identifier(orgs[0], fhir::ODS_ORGANIZATION_SYSTEM),
            Some(PRACTICE_ODS_CODE)
        );
        let roles = of_type(&data, "PractitionerRole");
        let codes: Vec<_> = roles
            .iter()
            .map(|r| r["code"][0]["coding"][0]["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["doctor", "doctor", "doctor", "nurse"]);
    }

    #[test]
    fn has_200_patients_with_distinct_valid_test_range_nhs_numbers() {
        let data = demo();
        let numbers: std::collections::BTreeSet<_> = of_type(&data, "Patient")
            .iter()
            .map(|p| {
                fhir::read::identifier(p, fhir::NHS_NUMBER_SYSTEM)
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(numbers.len(), PATIENT_COUNT);
        for number in numbers {
            let parsed = NhsNumber::parse(&number).unwrap();
            assert!(parsed.is_test_number(), "{number} is outside the 999 range");
        }
    }

    #[test]
    fn slots_cover_four_weeks_of_weekdays_in_london_time() {
        let data = demo();
        let slots = of_type(&data, "Slot");
        // 20 weekdays × (3 GPs × 36 + nurse 20 + bloods 6) = 2680.
        assert_eq!(slots.len(), 2680);
        let starts: Vec<&str> = slots.iter().map(|s| s["start"].as_str().unwrap()).collect();
        assert!(
            starts.contains(&"2026-10-02T09:00:00+01:00"),
            "summer time before the clocks change"
        );
        assert!(
            starts.contains(&"2026-10-26T09:00:00+00:00"),
            "GMT after 25 October"
        );
        assert!(
            !starts.iter().any(|s| s.starts_with("2026-10-03")),
            "no Saturday surgery"
        );
        assert!(
            !starts.iter().any(|s| s.starts_with("2026-10-30")),
            "four weeks, not more"
        );
    }

    #[test]
    fn each_appointment_follows_its_own_free_slot() {
        let data = demo();
        let mut seen = std::collections::HashSet::new();
        let mut appointments = 0;
        for (n, resource) in data.resources.iter().enumerate() {
            if resource["resourceType"] != "Appointment" {
                continue;
            }
            appointments += 1;
            let slot = &data.resources[n - 1];
            assert_eq!(
                slot["resourceType"], "Slot",
                "the slot is stored just before"
            );
            assert_eq!(
                slot["status"], "free",
                "storing the appointment is what makes it busy"
            );
            let reference = format!("Slot/{}", slot["id"].as_str().unwrap());
            assert_eq!(resource["slot"][0]["reference"], reference.as_str());
            assert!(seen.insert(reference), "one appointment per slot");
        }
        // About a third of the 2,680 slots, all in the future.
        assert!(
            (700..1100).contains(&appointments),
            "{appointments} appointments"
        );
    }

    #[test]
    fn the_first_patient_has_a_serious_allergy_and_every_clinical_record_is_someones() {
        let data = demo();
        let patients: Vec<String> = of_type(&data, "Patient")
            .iter()
            .map(|p| format!("Patient/{}", p["id"].as_str().unwrap()))
            .collect();
        let allergies = of_type(&data, "AllergyIntolerance");
        assert_eq!(allergies[0]["patient"]["reference"], patients[0].as_str());
        assert_eq!(allergies[0]["code"]["text"], "Penicillin");
        assert_eq!(allergies[0]["criticality"], "high");
        for kind in ["AllergyIntolerance", "Condition", "MedicationRequest"] {
            let records = of_type(&data, kind);
            assert!(records.len() > 20, "{kind}: {}", records.len());
            let resource_type: ResourceType = kind.parse().unwrap();
            for record in records {
                let whose = record["patient"]["reference"]
                    .as_str()
                    .or(record["subject"]["reference"].as_str())
                    .unwrap();
                assert!(patients.iter().any(|p| p == whose), "{kind} of {whose}");
                assert!(
                    fhir::validate::check(record, resource_type).is_empty(),
                    "{record}"
                );
            }
        }
    }

    #[test]
    fn the_first_patient_has_a_result_to_chart_and_one_outside_its_range() {
        let data = demo();
        let first = format!(
            "Patient/{}",
            of_type(&data, "Patient")[0]["id"].as_str().unwrap()
        );
        let results: Vec<&Value> = of_type(&data, "Observation")
            .into_iter()
            .filter(|o| o["subject"]["reference"] == first.as_str())
            .collect();
        let cholesterol = results
            .iter()
            .filter(|o| o["code"]["text"] == "Total cholesterol")
            .count();
        assert_eq!(cholesterol, 3, "measured often enough for a trend");
        assert!(
            results
                .iter()
                .any(|o| o["interpretation"][0]["coding"][0]["code"] == "L"),
            "one result below its range"
        );
        for kind in ["Observation", "Immunization"] {
            let records = of_type(&data, kind);
            assert!(records.len() > 50, "{kind}: {}", records.len());
            let resource_type: ResourceType = kind.parse().unwrap();
            for record in records {
                assert!(
                    fhir::validate::check(record, resource_type).is_empty(),
                    "{record}"
                );
                let when = record["effectiveDateTime"]
                    .as_str()
                    .or(record["occurrenceDateTime"].as_str())
                    .unwrap();
                assert!(when < "2026-10-02", "{when} is in the past");
            }
        }
    }

    #[test]
    fn same_moment_gives_the_same_data() {
        assert_eq!(demo().resources, demo().resources);
    }
}
