//! The practice's clinic list: a day's appointments for its clinicians, with where each patient
//! is (arrived, in consultation, …), which reception and clinicians mark as the day goes on.
//!
//! The list is the practice's working tool, not the clinical record: every member of staff of
//! the practice sees it (reception must, to greet people), nobody else does. Viewing it is still
//! patient data, so every listing is audited, with the patients on it; every mark is audited as
//! a change to that patient's appointment.

use domain::{
    OdsCode,
    clinic::{Attendance, AttendanceError, may_mark},
    identity::{Actor, StaffUser},
};
use fhir::{ResourceType, search::parse_query};
use jiff::{Timestamp, civil, tz::TimeZone};
use serde_json::{Value, json};

use super::{AppointmentsError, Directory, instant};
use crate::{
    Db, FhirRepository, StoreError,
    auth::{
        audit::{self, AccessRecord, Action, Outcome},
        policy::Refusal,
        sessions::Session,
    },
    booking,
};
use store::{Found, WriteError, repository::first_match};

/// The most appointments one day's list reads (a large practice runs a few hundred).
const DAY_LIMIT: usize = 1000;

/// A clinician of the practice, as the list can be narrowed to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clinician {
    /// `PractitionerRole/…`.
    pub role: String,
    pub name: String,
}

/// One line of the clinic list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicAppointment {
    pub id: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub patient_id: String,
    pub patient_name: String,
    pub nhs_number: Option<domain::NhsNumber>,
    pub birth_date: Option<civil::Date>,
    pub service: String,
    pub clinician: String,
    pub place: String,
    pub attendance: Attendance,
}

/// A day's clinic: who could be chosen, who is, and their appointments in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicDay {
    pub date: civil::Date,
    pub clinicians: Vec<Clinician>,
    /// `None`: every clinician of the practice.
    pub chosen: Option<Clinician>,
    pub appointments: Vec<ClinicAppointment>,
}

/// What the staff member's clinic list starts on when they have not chosen: their own
/// appointments if they are a clinician with a diary here, else everyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    Mine,
    Everyones,
    /// One PractitionerRole (`PractitionerRole/…`) of the practice.
    Clinicians(&'a str),
}

/// The clinic list of `date` (a UK day) for `whose` appointments.
pub async fn clinic_day(
    db: &Db,
    session: &Session,
    date: civil::Date,
    whose: Whose<'_>,
    address: Option<String>,
    now: Timestamp,
) -> Result<ClinicDay, AppointmentsError> {
    let staff = practice_staff(db, session, address.clone(), now).await?;
    let clinicians = clinicians(db, &staff.organisation).await?;
    let chosen = match whose {
        Whose::Everyones => None,
        Whose::Clinicians(role) => Some(
            clinicians
                .iter()
                .find(|c| c.role == role)
                .cloned()
                .ok_or(AppointmentsError::NotFound)?,
        ),
        Whose::Mine => own_role(db, staff, &clinicians).await?,
    };
    let roles: Vec<&str> = match &chosen {
        Some(clinician) => vec![clinician.role.as_str()],
        None => clinicians.iter().map(|c| c.role.as_str()).collect(),
    };
    // A day jiff cannot place (the year 9999's last) has no appointments to list.
    let (day_start, day_end) = day_bounds(date).ok_or(AppointmentsError::NotFound)?;
    let mut appointments = Vec::new();
    if !roles.is_empty() {
        let query = parse_query(
            ResourceType::Appointment,
            &[
                ("actor".to_owned(), roles.join(",")),
                ("date".to_owned(), format!("ge{day_start}")),
                ("date".to_owned(), format!("lt{day_end}")),
                ("_sort".to_owned(), "date".to_owned()),
                ("_count".to_owned(), DAY_LIMIT.to_string()),
            ],
        )
        .map_err(|_| StoreError::InvalidQuery)?;
        let mut found: Vec<Value> = db
            .search(ResourceType::Appointment, &query)
            .await?
            .matches
            .into_iter()
            .map(|found| found.resource)
            .collect();
        found.extend(booked_by_slot(db, &roles, &found, (day_start, day_end)).await?);
        let mut directory = Directory::new(db);
        for appointment in &found {
            if let Some(line) = line(&mut directory, appointment).await? {
                appointments.push(line);
            }
        }
        appointments.sort_by_key(|a| a.start);
    }
    let mut access = AccessRecord::staff_listing(&session.actor, &staff.organisation, address);
    for appointment in &appointments {
        access
            .records
            .insert(format!("Appointment/{}", appointment.id));
        access
            .patients
            .insert(format!("Patient/{}", appointment.patient_id));
    }
    audit::record(db, &access, now).await?;
    Ok(ClinicDay {
        date,
        clinicians,
        chosen,
        appointments,
    })
}

/// Why a mark was not made.
#[derive(Debug, thiserror::Error)]
pub enum MarkError {
    #[error(transparent)]
    Appointments(#[from] AppointmentsError),
    /// The mark makes no sense now (the page says why).
    #[error("{0}")]
    NotNow(AttendanceError),
    /// Cancelled (or otherwise off the list): there is no one to mark.
    #[error("the appointment is not on the clinic list")]
    NotOnTheList,
}

impl From<StoreError> for MarkError {
    fn from(error: StoreError) -> Self {
        Self::Appointments(error.into())
    }
}

impl From<WriteError> for MarkError {
    fn from(error: WriteError) -> Self {
        Self::Appointments(error.into())
    }
}

/// Marks appointment `appointment_id` as `to`, for a member of staff of its practice. Answers
/// with the appointment's line as it now is.
pub async fn mark(
    db: &Db,
    session: &Session,
    appointment_id: &str,
    to: Attendance,
    address: Option<String>,
    now: Timestamp,
) -> Result<ClinicAppointment, MarkError> {
    let staff = practice_staff(db, session, address.clone(), now).await?;
    let Found::Current(current) = db.read(ResourceType::Appointment, appointment_id).await? else {
        return Err(AppointmentsError::NotFound.into());
    };
    let appointment = current.resource;
    // Only the practice's own appointments: one of its clinicians is on it.
    let practice_roles = clinicians(db, &staff.organisation).await?;
    let ours = with_whom(&mut Directory::new(db), &appointment)
        .await?
        .iter()
        .any(|actor| practice_roles.iter().any(|c| &c.role == actor));
    let patient_id = booking::patient_id(&appointment)
        .ok_or(AppointmentsError::NotFound)?
        .to_owned();
    let mut access =
        AccessRecord::person_reading(&session.actor, format!("Patient/{patient_id}"), address);
    access.interaction = "update";
    access.action = Action::Update;
    if !ours {
        // Another practice's patient: refused, and the attempt is in that patient's trail.
        access.outcome = Outcome::MinorFailure;
        audit::record(db, &access, now).await?;
        return Err(AppointmentsError::Refused(Refusal::NotTheirs).into());
    }
    let Some(_) = appointment["status"]
        .as_str()
        .and_then(Attendance::from_fhir_status)
    else {
        return Err(MarkError::NotOnTheList);
    };
    let start = instant(&appointment["start"]).ok_or(AppointmentsError::NotFound)?;
    let london = london();
    let today = now.to_zoned(london.clone()).date();
    let day = start.to_zoned(london).date();
    if let Err(why) = may_mark(to, day, start, today, now) {
        access.outcome = Outcome::MinorFailure;
        audit::record(db, &access, now).await?;
        return Err(MarkError::NotNow(why));
    }
    let mut marked = appointment;
    marked["status"] = json!(to.fhir_status());
    let written = db
        .update(
            ResourceType::Appointment,
            appointment_id,
            marked,
            Some(current.version_id),
            now,
        )
        .await;
    let written = match written {
        Ok((written, _)) => written,
        Err(WriteError::VersionMismatch { .. } | WriteError::Conflict) => {
            return Err(AppointmentsError::Changed.into());
        }
        Err(error) => return Err(error.into()),
    };
    access
        .records
        .insert(format!("Appointment/{appointment_id}"));
    audit::record(db, &access, now).await?;
    let mut directory = Directory::new(db);
    line(&mut directory, &written.resource)
        .await?
        .ok_or(MarkError::NotOnTheList)
}

/// The staff member `session` is, if they work at a practice; anyone else is refused (audited).
pub(crate) async fn practice_staff<'s>(
    db: &Db,
    session: &'s Session,
    address: Option<String>,
    now: Timestamp,
) -> Result<&'s StaffUser, AppointmentsError> {
    match &session.actor {
        Actor::Staff(staff) => Ok(staff),
        Actor::Patient(_) => {
            let mut refused =
                AccessRecord::person_reading(&session.actor, "Appointment".to_owned(), address);
            refused.outcome = Outcome::MinorFailure;
            refused.interaction = "search-type";
            refused.action = Action::Execute;
            audit::record(db, &refused, now).await?;
            Err(AppointmentsError::Refused(Refusal::NotTheirs))
        }
    }
}

/// The clinicians of the practice with ODS code `ods` (its PractitionerRoles: staff who only
/// run the office have none), by name.
pub async fn clinicians(db: &Db, ods: &OdsCode) -> Result<Vec<Clinician>, StoreError> {
    let Some(org_id) = organisation_id(db, ods).await? else {
        return Ok(Vec::new());
    };
    let roles = parse_query(
        ResourceType::PractitionerRole,
        &[
            ("organization".to_owned(), format!("Organization/{org_id}")),
            ("_count".to_owned(), "500".to_owned()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let found = db.search(ResourceType::PractitionerRole, &roles).await?;
    let mut directory = Directory::new(db);
    let mut clinicians = Vec::new();
    for role in found.matches.iter().map(|found| &found.resource) {
        let reference = format!(
            "PractitionerRole/{}",
            role["id"].as_str().unwrap_or_default()
        );
        let name = directory.clinician(&reference).await?;
        clinicians.push(Clinician {
            role: reference,
            name,
        });
    }
    clinicians.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(clinicians)
}

/// The id of the Organization with ODS code `ods`, if the service holds it.
pub(crate) async fn organisation_id(db: &Db, ods: &OdsCode) -> Result<Option<String>, StoreError> {
    let organisation = first_match(
        db,
        ResourceType::Organization,
        &[(
            "identifier",
            format!("{}|{ods}", fhir::ODS_ORGANIZATION_SYSTEM),
        )],
    )
    .await?;
    Ok(organisation.and_then(|org| org["id"].as_str().map(str::to_owned)))
}

/// The signed-in clinician's own PractitionerRole at the practice, by their SDS user id on
/// the Practitioner record; `None` for someone without a diary here.
pub(crate) async fn own_role(
    db: &Db,
    staff: &StaffUser,
    clinicians: &[Clinician],
) -> Result<Option<Clinician>, StoreError> {
    let Some(person) = first_match(
        db,
        ResourceType::Practitioner,
        &[(
            "identifier",
            format!("{}|{}", fhir::SDS_USER_ID_SYSTEM, staff.user_id),
        )],
    )
    .await?
    else {
        return Ok(None);
    };
    let person = format!("Practitioner/{}", person["id"].as_str().unwrap_or_default());
    let roles = parse_query(
        ResourceType::PractitionerRole,
        &[("practitioner".to_owned(), person)],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let found = db.search(ResourceType::PractitionerRole, &roles).await?;
    Ok(found.matches.iter().find_map(|role| {
        let reference = format!(
            "PractitionerRole/{}",
            role.resource["id"].as_str().unwrap_or_default()
        );
        clinicians.iter().find(|c| c.role == reference).cloned()
    }))
}

/// Appointments in the diaries of `roles` between `day` that name no clinician themselves (booked
/// by another system with only the patient and the slot) and so are not in `found` already.
async fn booked_by_slot(
    db: &Db,
    roles: &[&str],
    found: &[Value],
    day: (Timestamp, Timestamp),
) -> Result<Vec<Value>, StoreError> {
    let query = |resource_type, pairs: &[(&str, String)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        parse_query(resource_type, &pairs).map_err(|_| StoreError::InvalidQuery)
    };
    let schedules: Vec<String> = db
        .search(
            ResourceType::Schedule,
            &query(
                ResourceType::Schedule,
                &[("actor", roles.join(",")), ("_count", "500".to_owned())],
            )?,
        )
        .await?
        .matches
        .iter()
        .filter_map(|s| Some(format!("Schedule/{}", s.resource["id"].as_str()?)))
        .collect();
    if schedules.is_empty() {
        return Ok(Vec::new());
    }
    let slots: Vec<String> = db
        .search(
            ResourceType::Slot,
            &query(
                ResourceType::Slot,
                &[
                    ("schedule", schedules.join(",")),
                    ("status", "busy".to_owned()),
                    ("start", format!("ge{}", day.0)),
                    ("start", format!("lt{}", day.1)),
                    ("_count", DAY_LIMIT.to_string()),
                ],
            )?,
        )
        .await?
        .matches
        .iter()
        .filter_map(|s| Some(format!("Slot/{}", s.resource["id"].as_str()?)))
        .collect();
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<&str> = found.iter().filter_map(|a| a["id"].as_str()).collect();
    Ok(db
        .search(
            ResourceType::Appointment,
            &query(
                ResourceType::Appointment,
                &[("slot", slots.join(",")), ("_count", DAY_LIMIT.to_string())],
            )?,
        )
        .await?
        .matches
        .into_iter()
        .map(|found| found.resource)
        .filter(|a| !a["id"].as_str().is_some_and(|id| known.contains(&id)))
        .collect())
}

/// The practice's clinicians and places an appointment is with: its own participants, or else
/// those of its slot's diary.
async fn with_whom(
    directory: &mut Directory<'_, Db>,
    appointment: &Value,
) -> Result<Vec<String>, StoreError> {
    let own = actors(appointment);
    if own.iter().any(|a| a.starts_with("PractitionerRole/")) {
        return Ok(own);
    }
    let Some(slot) = appointment["slot"][0]["reference"].as_str() else {
        return Ok(own);
    };
    let schedule = match directory.get(slot).await? {
        Some(slot) => slot["schedule"]["reference"].as_str().map(str::to_owned),
        None => None,
    };
    Ok(match schedule {
        Some(schedule) => match directory.get(&schedule).await? {
            Some(schedule) => super::references(&schedule["actor"]),
            None => own,
        },
        None => own,
    })
}

/// The `reference`s of an Appointment's participants.
fn actors(appointment: &Value) -> Vec<String> {
    appointment["participant"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["actor"]["reference"].as_str().map(str::to_owned))
        .collect()
}

/// The patient an Appointment is for.
/// One appointment as the clinic list shows it; `None` for one off the list (cancelled, …).
async fn line(
    directory: &mut Directory<'_, Db>,
    appointment: &Value,
) -> Result<Option<ClinicAppointment>, StoreError> {
    let Some(attendance) = appointment["status"]
        .as_str()
        .and_then(Attendance::from_fhir_status)
    else {
        return Ok(None);
    };
    let (Some(id), Some(start), Some(end), Some(patient_id)) = (
        appointment["id"].as_str(),
        instant(&appointment["start"]),
        instant(&appointment["end"]),
        booking::patient_id(appointment).map(str::to_owned),
    ) else {
        return Ok(None);
    };
    let mut clinician = String::new();
    let mut place = String::new();
    for actor in &with_whom(directory, appointment).await? {
        if actor.starts_with("PractitionerRole/") {
            clinician = directory.clinician(actor).await?;
        } else if actor.starts_with("Location/") {
            place = directory.place(actor).await?.0;
        }
    }
    let patient = directory
        .get(&format!("Patient/{patient_id}"))
        .await?
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Some(ClinicAppointment {
        id: id.to_owned(),
        start,
        end,
        patient_name: fhir::read::person_name(&patient),
        nhs_number: fhir::read::identifier(&patient, fhir::NHS_NUMBER_SYSTEM)
            .and_then(|digits| domain::NhsNumber::parse(digits).ok()),
        birth_date: patient["birthDate"].as_str().and_then(|d| d.parse().ok()),
        patient_id,
        service: fhir::read::concept_text(&appointment["serviceType"][0])
            .unwrap_or("Appointment")
            .to_owned(),
        clinician,
        place,
        attendance,
    }))
}

/// The first instant of UK day `date`, and of the day after.
fn day_bounds(date: civil::Date) -> Option<(Timestamp, Timestamp)> {
    let london = london();
    let start = date.to_zoned(london.clone()).ok()?.timestamp();
    let end = date.tomorrow().ok()?.to_zoned(london).ok()?.timestamp();
    Some((start, end))
}

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}
