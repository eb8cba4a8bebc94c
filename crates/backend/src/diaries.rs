//! The practice's diaries, as its administrators (and each clinician, for their own) keep them:
//! opening appointment times from a weekly template, blocking time off, and a week's use.
//!
//! Times already in a clinician's diary are never doubled: a template fills only the times that
//! are free of any slot of theirs. Blocking time off closes the free times in it and lists the
//! booked appointments in the way; it never cancels or moves anyone's appointment, which is for
//! a person to arrange with the patient.

use std::collections::BTreeMap;

use domain::{
    availability::{Template, overlaps},
    identity::{StaffRole, StaffUser},
};
use fhir::{ResourceType, search::parse_query};
use jiff::{Timestamp, civil, tz::TimeZone};
use serde_json::{Value, json};

use crate::{
    Db, FhirRepository, StoreError,
    appointments::{
        AppointmentsError,
        clinic::{self, ClinicAppointment, Clinician},
    },
    auth::{policy::Refusal, sessions::Session},
};
use store::{Found, WriteError, repository::first_match};

#[derive(Debug, thiserror::Error)]
pub enum DiaryError {
    /// No such clinician, service or place at this practice.
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write failed")]
    Write(#[from] WriteError),
}

impl From<AppointmentsError> for DiaryError {
    fn from(error: AppointmentsError) -> Self {
        match error {
            AppointmentsError::Refused(refusal) => Self::Refused(refusal),
            AppointmentsError::Store(error) => Self::Store(error),
            AppointmentsError::Write(error) => Self::Write(error),
            _ => Self::NotFound,
        }
    }
}

impl From<jiff::Error> for DiaryError {
    fn from(_: jiff::Error) -> Self {
        // Only a date at the end of jiff's range fails to convert: nothing is there to find.
        Self::NotFound
    }
}

/// What a diary can be opened for: the practice's clinicians (only themselves, for a
/// clinician), its services and its places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryChoices {
    pub clinicians: Vec<Clinician>,
    /// (service-kind code, name).
    pub services: Vec<(String, String)>,
    /// (`Location/…`, name).
    pub places: Vec<(String, String)>,
}

/// Times opened from a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub clinician: String,
    /// New appointment times.
    pub created: usize,
    /// Times the template makes that were already in the diary, or already past.
    pub skipped: usize,
}

/// Time blocked off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub clinician: String,
    /// Free times closed.
    pub closed: usize,
    /// Booked appointments in the time off: still booked, for someone to rearrange.
    pub in_the_way: Vec<ClinicAppointment>,
}

/// One clinician's week: how many times there are, and how many of them are booked or blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub clinician: String,
    pub total: usize,
    pub booked: usize,
    pub blocked: usize,
}

/// What `session`'s person may set up diaries for.
pub async fn choices(
    db: &Db,
    session: &Session,
    now: Timestamp,
) -> Result<DiaryChoices, DiaryError> {
    let staff = clinic::practice_staff(db, session, None, now).await?;
    let clinicians = diary_keepers(db, staff).await?;
    let services = crate::appointments::services(db)
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    let mut places = Vec::new();
    if let Some(org) = clinic::organisation_id(db, &staff.organisation).await? {
        let query = parse_query(
            ResourceType::Location,
            &[
                ("organization".to_owned(), format!("Organization/{org}")),
                ("_count".to_owned(), "100".to_owned()),
            ],
        )
        .map_err(|_| StoreError::InvalidQuery)?;
        for place in db.search(ResourceType::Location, &query).await?.matches {
            let place = place.resource;
            places.push((
                format!("Location/{}", place["id"].as_str().unwrap_or_default()),
                place["name"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    Ok(DiaryChoices {
        clinicians,
        services,
        places,
    })
}

/// The clinicians whose diaries `staff` may change: all of the practice's for an
/// administrator, only their own for a clinician.
async fn diary_keepers(db: &Db, staff: &StaffUser) -> Result<Vec<Clinician>, StoreError> {
    let all = clinic::clinicians(db, &staff.organisation).await?;
    Ok(match staff.role {
        StaffRole::Administrator => all,
        StaffRole::Clinician => clinic::own_role(db, staff, &all)
            .await?
            .into_iter()
            .collect(),
    })
}

/// `role`, if `session`'s person may change its diary.
async fn keeper(
    db: &Db,
    session: &Session,
    role: &str,
    now: Timestamp,
) -> Result<Clinician, DiaryError> {
    let staff = clinic::practice_staff(db, session, None, now).await?;
    let keepers = diary_keepers(db, staff).await?;
    // Another clinician's diary, or another practice's: refused alike.
    keepers
        .into_iter()
        .find(|c| c.role == role)
        .ok_or(DiaryError::Refused(Refusal::NotTheirs))
}

/// Opens the appointment times `template` makes in `role`'s diary for `service` at `place`,
/// skipping any already in their diary (for any service) or already started.
pub async fn open_from_template(
    db: &Db,
    session: &Session,
    role: &str,
    service: &str,
    place: &str,
    template: &Template,
    now: Timestamp,
) -> Result<Opened, DiaryError> {
    let clinician = keeper(db, session, role, now).await?;
    let choices = choices(db, session, now).await?;
    if !choices.places.iter().any(|(p, _)| p == place) {
        return Err(DiaryError::NotFound);
    }
    let service_type = service_type(db, service)
        .await?
        .ok_or(DiaryError::NotFound)?;
    let london = london();
    let wanted: Vec<(Timestamp, Timestamp)> = template
        .times()
        .into_iter()
        .filter_map(|(start, end)| {
            Some((
                start.to_zoned(london.clone()).ok()?.timestamp(),
                end.to_zoned(london.clone()).ok()?.timestamp(),
            ))
        })
        .collect();
    let first = template.first_day().to_zoned(london.clone())?;
    let after_last = template.last_day().tomorrow()?.to_zoned(london.clone())?;
    let existing = slots_of(db, role, (first.timestamp(), after_last.timestamp())).await?;
    let new: Vec<&(Timestamp, Timestamp)> = wanted
        .iter()
        .filter(|(start, end)| {
            *start > now
                && !existing
                    .iter()
                    .any(|slot| overlaps(*start, *end, slot.start, slot.end))
        })
        .collect();
    let mut tx = store::begin(db).await?;
    let schedule = match schedule_for(db, role, &service_type).await? {
        Some(schedule) => schedule,
        None => {
            let created = store::create_in(
                &mut tx,
                ResourceType::Schedule,
                json!({
                    "resourceType": "Schedule",
                    "active": true,
                    "serviceType": [service_type],
                    "actor": [{ "reference": role }, { "reference": place }],
                    "planningHorizon": {
                        "start": store::instant(first.timestamp()),
                        "end": store::instant(after_last.timestamp()),
                    },
                }),
                now,
            )
            .await?;
            format!(
                "Schedule/{}",
                created.resource["id"].as_str().unwrap_or_default()
            )
        }
    };
    for (start, end) in &new {
        let slot = json!({
            "resourceType": "Slot",
            "serviceType": [service_type],
            "schedule": { "reference": schedule },
            "status": "free",
            "start": store::instant(*start),
            "end": store::instant(*end),
        });
        store::create_in(&mut tx, ResourceType::Slot, slot, now).await?;
    }
    tx.commit().await?;
    // Offered at once to the patients waiting for an earlier time, so that their next page
    // shows it; the opening stands either way.
    if let Err(error) = crate::appointments::offer_freed_times(db, now).await {
        tracing::warn!(%error, "new times could not be offered to those waiting");
    }
    Ok(Opened {
        clinician: clinician.name,
        created: new.len(),
        skipped: wanted.len() - new.len(),
    })
}

/// Blocks `role`'s diary from `from` to `until` for `reason`: its free times in that span are
/// closed ("busy-unavailable", with the reason as the comment) and the booked appointments in
/// it are listed, still booked.
pub async fn block_time(
    db: &Db,
    session: &Session,
    role: &str,
    (from, until): (Timestamp, Timestamp),
    reason: &str,
    address: Option<String>,
    now: Timestamp,
) -> Result<Blocked, DiaryError> {
    let clinician = keeper(db, session, role, now).await?;
    let slots = slots_of(db, role, (from, until)).await?;
    let mut closed = 0;
    for slot in slots.iter().filter(|s| s.status == "free") {
        let Found::Current(current) = db.read(ResourceType::Slot, &slot.id).await? else {
            continue;
        };
        let mut blocked = current.resource;
        blocked["status"] = json!("busy-unavailable");
        blocked["comment"] = json!(reason);
        match db
            .update(
                ResourceType::Slot,
                &slot.id,
                blocked,
                Some(current.version_id),
                now,
            )
            .await
        {
            Ok(_) => closed += 1,
            // Booked (or held and booked) this very moment: it is in the way, listed below.
            Err(WriteError::VersionMismatch { .. } | WriteError::Conflict) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let in_the_way = booked_between(db, session, role, (from, until), address, now).await?;
    Ok(Blocked {
        clinician: clinician.name,
        closed,
        in_the_way,
    })
}

/// The booked appointments in `role`'s diary from `from` to `until` (the clinic list's lines,
/// audited as a listing).
pub async fn booked_between(
    db: &Db,
    session: &Session,
    role: &str,
    (from, until): (Timestamp, Timestamp),
    address: Option<String>,
    now: Timestamp,
) -> Result<Vec<ClinicAppointment>, DiaryError> {
    keeper(db, session, role, now).await?;
    let london = london();
    let mut day = from.to_zoned(london.clone()).date();
    let last = until.to_zoned(london).date();
    let mut booked = Vec::new();
    while day <= last {
        let listed = clinic::clinic_day(
            db,
            session,
            day,
            clinic::Whose::Clinicians(role),
            address.clone(),
            now,
        )
        .await?;
        booked.extend(
            listed
                .appointments
                .into_iter()
                .filter(|a| overlaps(a.start, a.end, from, until)),
        );
        day = day.tomorrow()?;
    }
    Ok(booked)
}

/// Each of the practice's clinicians' use of the week starting `monday`: times, booked, blocked.
pub async fn week_use(
    db: &Db,
    session: &Session,
    monday: civil::Date,
    now: Timestamp,
) -> Result<Vec<Use>, DiaryError> {
    let staff = clinic::practice_staff(db, session, None, now).await?;
    let london = london();
    let start = monday.to_zoned(london.clone())?.timestamp();
    let end = monday
        .checked_add(jiff::Span::new().days(7))?
        .to_zoned(london)?
        .timestamp();
    let mut uses = Vec::new();
    for clinician in clinic::clinicians(db, &staff.organisation).await? {
        let slots = slots_of(db, &clinician.role, (start, end)).await?;
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for slot in &slots {
            *count.entry(slot.status.as_str()).or_default() += 1;
        }
        uses.push(Use {
            clinician: clinician.name,
            total: slots.len(),
            booked: count.get("busy").copied().unwrap_or_default(),
            blocked: count.get("busy-unavailable").copied().unwrap_or_default(),
        });
    }
    Ok(uses)
}

/// A slot of a diary, as far as these use cases need it.
struct DiarySlot {
    id: String,
    start: Timestamp,
    end: Timestamp,
    status: String,
}

/// Every slot in `role`'s diaries (all its Schedules) overlapping `from` to `until`.
async fn slots_of(
    db: &Db,
    role: &str,
    (from, until): (Timestamp, Timestamp),
) -> Result<Vec<DiarySlot>, StoreError> {
    let schedules = parse_query(
        ResourceType::Schedule,
        &[
            ("actor".to_owned(), role.to_owned()),
            ("_count".to_owned(), "100".to_owned()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let schedules: Vec<String> = db
        .search(ResourceType::Schedule, &schedules)
        .await?
        .matches
        .iter()
        .filter_map(|s| Some(format!("Schedule/{}", s.resource["id"].as_str()?)))
        .collect();
    if schedules.is_empty() {
        return Ok(Vec::new());
    }
    // Slots start and end within a day: one that overlaps the span starts no earlier than a
    // day before it.
    let earliest = from - jiff::SignedDuration::from_hours(24);
    let mut query = parse_query(
        ResourceType::Slot,
        &[
            ("schedule".to_owned(), schedules.join(",")),
            ("start".to_owned(), format!("ge{earliest}")),
            ("start".to_owned(), format!("lt{until}")),
            ("_sort".to_owned(), "start".to_owned()),
            ("_count".to_owned(), fhir::search::MAX_COUNT.to_string()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let mut slots = Vec::new();
    loop {
        let page = db.search(ResourceType::Slot, &query).await?;
        let read = page.matches.len();
        slots.extend(page.matches.iter().filter_map(|found| {
            let slot = &found.resource;
            Some(DiarySlot {
                id: slot["id"].as_str()?.to_owned(),
                start: slot["start"].as_str()?.parse().ok()?,
                end: slot["end"].as_str()?.parse().ok()?,
                status: slot["status"].as_str()?.to_owned(),
            })
        }));
        if (read as i64) < query.count {
            break;
        }
        query.offset += query.count;
    }
    slots.retain(|slot| overlaps(slot.start, slot.end, from, until));
    Ok(slots)
}

/// The service type (a HealthcareService's `type`) of service-kind `code`.
async fn service_type(db: &Db, code: &str) -> Result<Option<Value>, StoreError> {
    let service = first_match(
        db,
        ResourceType::HealthcareService,
        &[(
            "service-type",
            format!("{}|{code}", fhir::SERVICE_KIND_SYSTEM),
        )],
    )
    .await?;
    Ok(service.map(|service| service["type"][0].clone()))
}

/// `role`'s Schedule for `service_type`, if it has one.
async fn schedule_for(
    db: &Db,
    role: &str,
    service_type: &Value,
) -> Result<Option<String>, StoreError> {
    let Some(code) = service_type["coding"][0]["code"].as_str() else {
        return Ok(None);
    };
    let schedule = first_match(
        db,
        ResourceType::Schedule,
        &[
            ("actor", role.to_owned()),
            (
                "service-type",
                format!("{}|{code}", fhir::SERVICE_KIND_SYSTEM),
            ),
        ],
    )
    .await?;
    Ok(schedule.and_then(|s| Some(format!("Schedule/{}", s["id"].as_str()?))))
}

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}
