//! Repeat prescriptions, kept as FHIR. A repeat medicine is a `MedicationRequest` with
//! `courseOfTherapyType` continuous (the prescriber's authorisation, valid until its
//! `dispenseRequest.validityPeriod` ends, after which it is due for review). A patient's request
//! for it is a new `MedicationRequest`: `intent` order, `basedOn` the repeat, status `draft`
//! until a clinician of the practice acts, `dispenseRequest.performer` the pharmacy they chose
//! (an `Organization` with the ODS pharmacy role). The clinician approves it (status `active`,
//! sent to that pharmacy) or refuses it with a reason the patient reads (status `cancelled`,
//! `statusReason`), with a Provenance naming them, and the patient is emailed that there is
//! news, nothing more.
//!
//! Every use case takes an `Access` checked for `Purpose::Prescriptions` (the patient, a proxy
//! whose grant covers it, the clinicians of their practice; never by breaking the glass, never
//! the practice's office) and is audited. A decision is written over the version read, so two
//! clinicians deciding at once never both win: the second is told it was decided meanwhile.

use std::collections::BTreeSet;

use domain::{
    NhsNumber,
    identity::Actor,
    prescriptions::{Decision, RequestNote, RequestState, review_due},
};
use fhir::ResourceType;
use jiff::{Timestamp, civil::Date};
use serde_json::{Value, json};
use store::{Found, WriteError, repository::every_match};

use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        access::{Access, AccessError},
        audit::{self, AccessRecord, Action},
        policy::{self, Basis, Purpose, Refusal},
        sessions::Session,
    },
    messages::whose,
    notifications, record_writes, time,
};

/// A repeat medicine, as the patient chooses from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatMedicine {
    /// The repeat's MedicationRequest id.
    pub id: String,
    pub name: String,
    pub dosage: Option<String>,
    /// Its authorisation has run out: it cannot be requested online.
    pub review_due: bool,
    /// A request for it is waiting for a clinician.
    pub requested: bool,
}

/// A pharmacy a prescription can be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pharmacy {
    pub id: String,
    /// As people know it: "Boots, High Street".
    pub name: String,
}

/// One request for a repeat medicine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionRequest {
    pub id: String,
    pub patient_id: String,
    pub medicine: String,
    pub dosage: Option<String>,
    pub requested_at: Timestamp,
    pub pharmacy: String,
    pub note: Option<String>,
    pub state: RequestState,
    /// The repeat it asks for (its MedicationRequest id).
    pub repeat_id: String,
}

/// What the patient's repeat prescriptions page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatPrescriptions {
    pub medicines: Vec<RepeatMedicine>,
    pub pharmacies: Vec<Pharmacy>,
    /// The pharmacy of their latest request: the one to offer first.
    pub usual_pharmacy: Option<String>,
    /// Their requests, newest first.
    pub requests: Vec<PrescriptionRequest>,
}

/// A request waiting for the practice, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRequest {
    pub request: PrescriptionRequest,
    pub patient_name: String,
    pub nhs_number: Option<NhsNumber>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrescriptionsError {
    /// No such request or medicine (or not one this person can know of).
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// A chosen medicine is due for review: it cannot be requested online.
    #[error("a medicine is due for review")]
    ReviewDue,
    /// A chosen medicine has a request waiting already.
    #[error("already requested")]
    AlreadyRequested,
    #[error("no such pharmacy")]
    NoSuchPharmacy,
    /// Someone else decided it first.
    #[error("decided meanwhile")]
    Decided,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write or its audit record failed")]
    Write(#[from] WriteError),
}

impl From<AccessError> for PrescriptionsError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotFound => Self::NotFound,
            AccessError::Refused { refusal, .. } => Self::Refused(refusal),
            AccessError::Store(error) => error.into(),
            AccessError::Audit(error) => error.into(),
        }
    }
}

/// The repeat medicines of `access`'s patient (theirs, or a proxy's for them), what they asked
/// for and what became of it, and the pharmacies to choose from. Audited as a read.
pub async fn repeats(
    db: &Db,
    access: Access,
    now: Timestamp,
) -> Result<RepeatPrescriptions, PrescriptionsError> {
    let (patient_id, mut record) = patients_own(access)?;
    let today = time::uk_date(now);
    let (repeats, requests) = medication_requests(db, &patient_id).await?;
    let listed: Vec<PrescriptionRequest> = requests.iter().filter_map(request_of).collect();
    let medicines = repeats
        .iter()
        .filter_map(|repeat| {
            let id = repeat["id"].as_str()?;
            Some(RepeatMedicine {
                id: id.to_owned(),
                name: medicine_name(repeat),
                dosage: dosage(repeat),
                review_due: review_due(valid_until(repeat), today),
                requested: listed.iter().any(|request| {
                    request.repeat_id == id && request.state == RequestState::Requested
                }),
            })
        })
        .collect();
    let usual_pharmacy = requests.first().and_then(|latest| {
        latest["dispenseRequest"]["performer"]["reference"]
            .as_str()?
            .strip_prefix("Organization/")
            .map(str::to_owned)
    });
    record
        .records
        .extend(references(repeats.iter().chain(&requests)));
    record.interaction = "search-type";
    audit::record(db, &record, now).await?;
    Ok(RepeatPrescriptions {
        medicines,
        pharmacies: pharmacies(db).await?,
        usual_pharmacy,
        requests: listed,
    })
}

/// `access`'s patient (or their proxy) asks for the repeats `repeat_ids` to be sent to the
/// pharmacy `pharmacy_id`, with `note`: a draft order for each, in one transaction, audited.
/// None is written if any is unknown, due for review or already waiting.
pub async fn request(
    db: &Db,
    access: Access,
    (repeat_ids, pharmacy_id): (&[String], &str),
    note: Option<&RequestNote>,
    now: Timestamp,
) -> Result<usize, PrescriptionsError> {
    let requester = requester(&access);
    let (patient_id, mut record) = patients_own(access)?;
    let today = time::uk_date(now);
    let pharmacy = pharmacy(db, pharmacy_id).await?;
    let asked_for: BTreeSet<&String> = repeat_ids.iter().collect();
    let mut tx = store::begin(db).await?;
    // Each repeat asked for is locked until the commit (in order, so two requests never wait on
    // each other), and what is waiting is read only then: of two requests for one medicine at
    // once, the second sees the first.
    for id in &asked_for {
        store::lock_in(&mut tx, ResourceType::MedicationRequest, id).await?;
    }
    let (repeats, requests) = medication_requests(db, &patient_id).await?;
    let waiting: Vec<PrescriptionRequest> = requests
        .iter()
        .filter_map(request_of)
        .filter(|request| request.state == RequestState::Requested)
        .collect();
    let mut orders = Vec::new();
    for id in asked_for {
        let repeat = repeats
            .iter()
            .find(|repeat| repeat["id"] == id.as_str())
            .ok_or(PrescriptionsError::NotFound)?;
        if review_due(valid_until(repeat), today) {
            return Err(PrescriptionsError::ReviewDue);
        }
        if waiting.iter().any(|request| &request.repeat_id == id) {
            return Err(PrescriptionsError::AlreadyRequested);
        }
        let mut order = json!({
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "order",
            "courseOfTherapyType": repeat["courseOfTherapyType"],
            "medicationCodeableConcept": repeat["medicationCodeableConcept"],
            "subject": { "reference": format!("Patient/{patient_id}") },
            "authoredOn": store::instant(now),
            "requester": requester,
            "basedOn": [{ "reference": format!("MedicationRequest/{id}") }],
            "dispenseRequest": { "performer": {
                "reference": format!("Organization/{}", pharmacy.id),
                "display": pharmacy.name,
            }},
        });
        if !repeat["dosageInstruction"].is_null() {
            order["dosageInstruction"] = repeat["dosageInstruction"].clone();
        }
        if let Some(note) = note {
            order["note"] = json!([{ "text": note.as_str(), "time": store::instant(now) }]);
        }
        orders.push(order);
    }
    if orders.is_empty() {
        return Err(PrescriptionsError::NotFound);
    }
    let requested = orders.len();
    for order in orders {
        let written =
            store::create_in(&mut tx, ResourceType::MedicationRequest, order, now).await?;
        record.records.extend(references([&written.resource]));
    }
    tx.commit().await?;
    record.interaction = "create";
    record.action = Action::Create;
    audit::record(db, &record, now).await?;
    Ok(requested)
}

/// Whose repeat medicine `id` is: the patient whose record the edge checks access to before
/// they (or a proxy) ask for it.
pub async fn patient_of_repeat(db: &Db, id: &str) -> Result<String, PrescriptionsError> {
    let Found::Current(found) = db.read(ResourceType::MedicationRequest, id).await? else {
        return Err(PrescriptionsError::NotFound);
    };
    if repeat_of(&found.resource).is_some() || !is_repeat(&found.resource) {
        return Err(PrescriptionsError::NotFound);
    }
    subject_id(&found.resource).ok_or(PrescriptionsError::NotFound)
}

/// Whose request `id` is: the patient whose record the edge checks access to first.
pub async fn patient_of(db: &Db, id: &str) -> Result<String, PrescriptionsError> {
    let (order, _) = order(db, id).await?;
    subject_id(&order).ok_or(PrescriptionsError::NotFound)
}

/// The requests waiting for a decision from the practice of `session`'s clinician, oldest first,
/// of the patients registered with it. Audited as a listing of those patients.
pub async fn waiting(
    db: &Db,
    session: &Session,
    address: Option<String>,
    now: Timestamp,
) -> Result<Vec<WaitingRequest>, PrescriptionsError> {
    let Actor::Staff(staff) = &session.actor else {
        return Err(PrescriptionsError::Refused(Refusal::NotTheirs));
    };
    if staff.role != domain::identity::StaffRole::Clinician {
        return Err(PrescriptionsError::Refused(Refusal::NotClinical));
    }
    let drafts = every_match(
        db,
        ResourceType::MedicationRequest,
        &[
            ("status", "draft".to_owned()),
            ("intent", "order".to_owned()),
            ("_sort", "authoredon".to_owned()),
        ],
    )
    .await?;
    let mut listed = Vec::new();
    for draft in &drafts {
        let Some(request) = request_of(draft) else {
            continue;
        };
        let Found::Current(patient) = db.read(ResourceType::Patient, &request.patient_id).await?
        else {
            continue;
        };
        if policy::registered_practice(db, &patient.resource)
            .await?
            .as_ref()
            != Some(&staff.organisation)
        {
            continue;
        }
        let (patient_name, nhs_number) = whose(&patient.resource);
        listed.push(WaitingRequest {
            request,
            patient_name,
            nhs_number,
        });
    }
    let mut record = AccessRecord::staff_listing(&session.actor, &staff.organisation, address);
    record.records = listed
        .iter()
        .map(|waiting| format!("MedicationRequest/{}", waiting.request.id))
        .collect();
    record.patients = listed
        .iter()
        .map(|waiting| format!("Patient/{}", waiting.request.patient_id))
        .collect();
    audit::record(db, &record, now).await?;
    Ok(listed)
}

/// Request `id` of `access`'s patient, for a clinician of their practice to decide. Audited.
pub async fn to_decide(
    db: &Db,
    access: Access,
    id: &str,
    now: Timestamp,
) -> Result<WaitingRequest, PrescriptionsError> {
    let (patient_name, nhs_number) = whose(&access.patient);
    let (patient_id, mut record) = care_teams(access)?;
    let (order, _) = order(db, id).await?;
    let request = request_of(&order)
        .filter(|request| request.patient_id == patient_id)
        .ok_or(PrescriptionsError::NotFound)?;
    record.records.insert(format!("MedicationRequest/{id}"));
    audit::record(db, &record, now).await?;
    Ok(WaitingRequest {
        request,
        patient_name,
        nhs_number,
    })
}

/// A clinician of the practice of `access`'s patient decides request `id`: approved (sent to
/// the pharmacy chosen) or refused with a reason, with a Provenance naming them, over the
/// version read; then the patient is emailed that there is news, if they want that.
pub async fn decide(
    db: &Db,
    access: Access,
    id: &str,
    decision: &Decision,
    now: Timestamp,
) -> Result<(), PrescriptionsError> {
    let Actor::Staff(staff) = access.actor.clone() else {
        return Err(PrescriptionsError::Refused(Refusal::NotTheirs));
    };
    let (patient_id, mut record) = care_teams(access)?;
    let (mut order, version) = order(db, id).await?;
    let request = request_of(&order)
        .filter(|request| request.patient_id == patient_id)
        .ok_or(PrescriptionsError::NotFound)?;
    if request.state != RequestState::Requested {
        return Err(PrescriptionsError::Decided);
    }
    match decision {
        Decision::Approve => order["status"] = json!("active"),
        Decision::Refuse(reason) => {
            order["status"] = json!("cancelled");
            order["statusReason"] = json!({ "text": reason.as_str() });
        }
    }
    let author = record_writes::author(db, &staff).await?;
    let target = format!("MedicationRequest/{id}");
    let provenance = record_writes::provenance(
        std::slice::from_ref(&target),
        ("UPDATE", "revise"),
        &author,
        now,
    );
    let mut tx = store::begin(db).await?;
    let updated = store::update_in(
        &mut tx,
        ResourceType::MedicationRequest,
        id,
        order,
        Some(version),
        now,
    )
    .await;
    match updated {
        Err(WriteError::VersionMismatch { .. } | WriteError::Conflict) => {
            return Err(PrescriptionsError::Decided);
        }
        other => drop(other?),
    }
    let provenance = store::create_in(&mut tx, ResourceType::Provenance, provenance, now).await?;
    tx.commit().await?;
    record.interaction = "update";
    record.action = Action::Update;
    record.records.insert(target);
    record.records.extend(references([&provenance.resource]));
    audit::record(db, &record, now).await?;
    notifications::prescription_decided(db, &patient_id, id, now).await;
    Ok(())
}

/// The audit record to complete, if `access` is the patient's own or their proxy's, checked for
/// prescriptions.
fn patients_own(access: Access) -> Result<(String, AccessRecord), PrescriptionsError> {
    if !matches!(access.basis, Basis::Own | Basis::Proxy) {
        return Err(PrescriptionsError::Refused(Refusal::NotTheirs));
    }
    checked(access)
}

/// The audit record to complete, if `access` is a clinician's of the patient's own practice.
fn care_teams(access: Access) -> Result<(String, AccessRecord), PrescriptionsError> {
    if access.basis != Basis::CareTeam {
        return Err(PrescriptionsError::Refused(Refusal::NotClinical));
    }
    checked(access)
}

fn checked(access: Access) -> Result<(String, AccessRecord), PrescriptionsError> {
    if access.purpose != Purpose::Prescriptions {
        return Err(PrescriptionsError::NotFound);
    }
    let mut record = access.record;
    record.basis = Some(access.basis);
    Ok((access.patient_id, record))
}

/// Who asks, as the order's `requester`: the patient, or the proxy asking for them (by their own
/// Patient record and name).
fn requester(access: &Access) -> Value {
    match &access.actor {
        Actor::Patient(patient) => match &patient.patient_id {
            Some(id) => json!({
                "reference": format!("Patient/{id}"),
                "display": patient.display_name,
            }),
            None => json!({ "display": patient.display_name }),
        },
        Actor::Staff(staff) => json!({
            "identifier": { "system": fhir::SDS_USER_ID_SYSTEM, "value": staff.user_id },
            "display": staff.display_name,
        }),
    }
}

/// The patient's repeats (active, continuous, themselves asked for by nobody) and their requests
/// for them, newest first.
async fn medication_requests(
    db: &Db,
    patient_id: &str,
) -> Result<(Vec<Value>, Vec<Value>), StoreError> {
    let all = every_match(
        db,
        ResourceType::MedicationRequest,
        &[
            ("patient", format!("Patient/{patient_id}")),
            ("_sort", "-authoredon".to_owned()),
        ],
    )
    .await?;
    let (requests, others): (Vec<Value>, Vec<Value>) = all
        .into_iter()
        .partition(|found| repeat_of(found).is_some());
    let repeats = others
        .into_iter()
        .filter(|found| found["status"] == "active" && is_repeat(found))
        .collect();
    Ok((repeats, requests))
}

fn is_repeat(medicine: &Value) -> bool {
    medicine["courseOfTherapyType"]["coding"]
        .as_array()
        .is_some_and(|codings| {
            codings.iter().any(|coding| {
                coding["system"] == fhir::COURSE_OF_THERAPY_SYSTEM && coding["code"] == "continuous"
            })
        })
}

/// The repeat a request asks for: the id of the MedicationRequest it is `basedOn`.
fn repeat_of(order: &Value) -> Option<&str> {
    order["basedOn"].as_array()?.iter().find_map(|based| {
        based["reference"]
            .as_str()?
            .strip_prefix("MedicationRequest/")
    })
}

fn request_of(order: &Value) -> Option<PrescriptionRequest> {
    let pharmacy = order["dispenseRequest"]["performer"]["display"]
        .as_str()
        .unwrap_or("the pharmacy you chose")
        .to_owned();
    let state = match order["status"].as_str()? {
        "draft" => RequestState::Requested,
        "active" | "completed" => RequestState::Approved {
            pharmacy: pharmacy.clone(),
        },
        "cancelled" | "stopped" => RequestState::Refused {
            reason: fhir::read::concept_text(&order["statusReason"])
                .unwrap_or("contact your GP practice")
                .to_owned(),
        },
        _ => return None,
    };
    Some(PrescriptionRequest {
        id: order["id"].as_str()?.to_owned(),
        patient_id: subject_id(order)?,
        medicine: medicine_name(order),
        dosage: dosage(order),
        requested_at: order["authoredOn"].as_str()?.parse().ok()?,
        pharmacy,
        note: order["note"][0]["text"].as_str().map(str::to_owned),
        state,
        repeat_id: repeat_of(order)?.to_owned(),
    })
}

fn medicine_name(medicine: &Value) -> String {
    fhir::read::concept_text(&medicine["medicationCodeableConcept"])
        .unwrap_or("Unnamed medicine")
        .to_owned()
}

fn dosage(medicine: &Value) -> Option<String> {
    medicine["dosageInstruction"][0]["text"]
        .as_str()
        .map(str::to_owned)
}

/// The last day a repeat's authorisation covers.
fn valid_until(repeat: &Value) -> Option<Date> {
    let end = repeat["dispenseRequest"]["validityPeriod"]["end"].as_str()?;
    end.get(..10)?.parse().ok()
}

fn subject_id(order: &Value) -> Option<String> {
    order["subject"]["reference"]
        .as_str()?
        .strip_prefix("Patient/")
        .map(str::to_owned)
}

fn references<'a>(resources: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    resources
        .into_iter()
        .filter_map(|resource| {
            Some(format!(
                "{}/{}",
                resource["resourceType"].as_str()?,
                resource["id"].as_str()?
            ))
        })
        .collect()
}

/// Request `id`, and its version.
async fn order(db: &Db, id: &str) -> Result<(Value, i64), PrescriptionsError> {
    let Found::Current(found) = db.read(ResourceType::MedicationRequest, id).await? else {
        return Err(PrescriptionsError::NotFound);
    };
    if repeat_of(&found.resource).is_none() {
        return Err(PrescriptionsError::NotFound);
    }
    Ok((found.resource, found.version_id))
}

/// The pharmacies the service knows, by name.
async fn pharmacies(db: &Db) -> Result<Vec<Pharmacy>, StoreError> {
    let found = every_match(
        db,
        ResourceType::Organization,
        &[(
            "type",
            format!("{}|{}", fhir::ORGANISATION_ROLE_SYSTEM, fhir::PHARMACY_ROLE),
        )],
    )
    .await?;
    let mut pharmacies: Vec<Pharmacy> = found
        .iter()
        .filter(|organisation| organisation["active"] != false)
        .filter_map(|organisation| {
            Some(Pharmacy {
                id: organisation["id"].as_str()?.to_owned(),
                name: organisation["name"].as_str()?.to_owned(),
            })
        })
        .collect();
    pharmacies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(pharmacies)
}

/// Pharmacy `id`, if it is one.
async fn pharmacy(db: &Db, id: &str) -> Result<Pharmacy, PrescriptionsError> {
    pharmacies(db)
        .await?
        .into_iter()
        .find(|pharmacy| pharmacy.id == id)
        .ok_or(PrescriptionsError::NoSuchPharmacy)
}
