//! The practice's services (the kinds of appointment patients choose from) and places (where
//! they are seen), as its administrators keep them: HealthcareService and Location resources
//! of the administrator's own organisation.
//!
//! Only a practice administrator changes them. An edit is based on the version the form showed
//! and is refused if someone changed the record since (nothing is overwritten unseen), keeps
//! whatever else the resource carries (another system's extensions, codings), and comes with a
//! Provenance saying who changed it and when, in the same transaction.

use domain::{
    identity::{Actor, StaffRole, StaffUser},
    practice_setup::{PlaceDetails, ServiceDetails, service_code},
};
use fhir::{ResourceType, read, search::parse_query};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::{
    Db, FhirRepository, StoreError,
    appointments::{availability, clinic},
    auth::{policy::Refusal, sessions::Session},
    record_writes,
};
use store::{Found, WriteError};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No such service or place at this practice (or no practice for this person).
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// Someone saved a change to it after the form was shown.
    #[error("changed since the form was shown")]
    ChangedMeanwhile,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the write failed")]
    Write(WriteError),
}

impl From<WriteError> for SetupError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::VersionMismatch { .. } | WriteError::Conflict => Self::ChangedMeanwhile,
            error => Self::Write(error),
        }
    }
}

/// A service as its form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSetup {
    pub id: String,
    /// The version the form is based on.
    pub version: i64,
    /// The service-kind code (fixed once made: slots and booking addresses carry it).
    pub code: String,
    pub name: String,
    pub description: String,
    pub cancellation_cutoff_hours: i64,
    pub offered: bool,
    /// `Location/…` references.
    pub places: Vec<String>,
}

/// A place as its form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceSetup {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub address_lines: Vec<String>,
    pub town: String,
    pub postcode: String,
    pub phone: String,
    pub directions: String,
    pub open: bool,
}

/// Everything the administrator keeps, services and places each by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeSetup {
    pub services: Vec<ServiceSetup>,
    pub places: Vec<PlaceSetup>,
}

/// An edit of a record the form showed at `version`; `None` to add a new one.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub id: &'a str,
    pub version: i64,
}

/// The practice's services and places, for its administrator.
pub async fn setup(db: &Db, session: &Session) -> Result<PracticeSetup, SetupError> {
    let (_, organisation) = administrator(db, session).await?;
    let mut services: Vec<ServiceSetup> =
        of_organisation(db, ResourceType::HealthcareService, &organisation)
            .await?
            .into_iter()
            .filter_map(|found| service_setup(&found.resource, found.version_id))
            .collect();
    services.sort_by_key(|s| s.name.to_lowercase());
    let mut places: Vec<PlaceSetup> = of_organisation(db, ResourceType::Location, &organisation)
        .await?
        .into_iter()
        .map(|found| place_setup(&found.resource, found.version_id))
        .collect();
    places.sort_by_key(|p| p.name.to_lowercase());
    Ok(PracticeSetup { services, places })
}

/// Adds a service, or changes the one `edit` names; answers with its id.
pub async fn save_service(
    db: &Db,
    session: &Session,
    edit: Option<Edit<'_>>,
    details: &ServiceDetails,
    now: Timestamp,
) -> Result<String, SetupError> {
    let (staff, organisation) = administrator(db, session).await?;
    let places = of_organisation(db, ResourceType::Location, &organisation).await?;
    let known = |reference: &String| {
        places.iter().any(|p| {
            Some(reference.as_str())
                == p.resource["id"]
                    .as_str()
                    .map(|id| format!("Location/{id}"))
                    .as_deref()
        })
    };
    if !details.places.iter().all(known) {
        return Err(SetupError::NotFound);
    }
    let mut service = match edit {
        Some(edit) => {
            let current = current(db, ResourceType::HealthcareService, edit, &organisation).await?;
            current.resource
        }
        None => {
            let services =
                of_organisation(db, ResourceType::HealthcareService, &organisation).await?;
            let taken: Vec<&str> = services
                .iter()
                .filter_map(|found| availability::service_kind(&found.resource["type"]))
                .collect();
            let code = service_code(&details.name, &taken);
            json!({
                "resourceType": "HealthcareService",
                "providedBy": { "reference": format!("Organization/{organisation}") },
                "type": [{
                    "coding": [{ "system": fhir::SERVICE_KIND_SYSTEM, "code": code, "display": details.name }],
                }],
                "appointmentRequired": true,
            })
        }
    };
    service["active"] = json!(details.offered);
    service["name"] = json!(details.name);
    service["comment"] = json!(details.description);
    service["type"][0]["text"] = json!(details.name);
    service["location"] = details
        .places
        .iter()
        .map(|reference| json!({ "reference": reference }))
        .collect();
    let mut extensions: Vec<Value> = service["extension"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["url"].as_str() != Some(fhir::CANCELLATION_CUTOFF_URL))
        .collect();
    extensions.push(json!({
        "url": fhir::CANCELLATION_CUTOFF_URL,
        "valueDuration": {
            "value": details.cancellation_cutoff_hours,
            "unit": "hours",
            "system": "http://unitsofmeasure.org",
            "code": "h",
        },
    }));
    service["extension"] = json!(extensions);
    save(
        db,
        staff,
        ResourceType::HealthcareService,
        edit,
        service,
        now,
    )
    .await
}

/// Adds a place, or changes the one `edit` names; answers with its id.
pub async fn save_place(
    db: &Db,
    session: &Session,
    edit: Option<Edit<'_>>,
    details: &PlaceDetails,
    now: Timestamp,
) -> Result<String, SetupError> {
    let (staff, organisation) = administrator(db, session).await?;
    let mut place = match edit {
        Some(edit) => {
            current(db, ResourceType::Location, edit, &organisation)
                .await?
                .resource
        }
        None => json!({
            "resourceType": "Location",
            "mode": "instance",
            "managingOrganization": { "reference": format!("Organization/{organisation}") },
        }),
    };
    place["status"] = json!(if details.open { "active" } else { "inactive" });
    place["name"] = json!(details.name);
    place["address"] = json!({
        "use": "work",
        "line": details.address_lines,
        "city": details.town,
        "postalCode": details.postcode.as_str(),
        "country": "GB",
    });
    let mut telecom: Vec<Value> = place["telecom"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t["system"].as_str() != Some("phone"))
        .collect();
    telecom.insert(
        0,
        json!({ "system": "phone", "value": details.phone.as_str(), "use": "work" }),
    );
    place["telecom"] = json!(telecom);
    match details.directions.as_str() {
        "" => {
            if let Some(place) = place.as_object_mut() {
                place.remove("description");
            }
        }
        directions => place["description"] = json!(directions),
    }
    save(db, staff, ResourceType::Location, edit, place, now).await
}

/// `session`'s person, if a practice administrator, and their organisation's resource id.
async fn administrator<'s>(
    db: &Db,
    session: &'s Session,
) -> Result<(&'s StaffUser, String), SetupError> {
    let staff = match &session.actor {
        Actor::Staff(staff) if staff.role == StaffRole::Administrator => staff,
        Actor::Staff(_) => return Err(SetupError::Refused(Refusal::NotClinical)),
        Actor::Patient(_) => return Err(SetupError::Refused(Refusal::NotTheirs)),
    };
    let organisation = clinic::organisation_id(db, &staff.organisation)
        .await?
        .ok_or(SetupError::NotFound)?;
    Ok((staff, organisation))
}

/// Every `resource_type` (services or places) of the organisation.
async fn of_organisation(
    db: &Db,
    resource_type: ResourceType,
    organisation: &str,
) -> Result<Vec<store::Versioned>, StoreError> {
    let query = parse_query(
        resource_type,
        &[
            (
                "organization".to_owned(),
                format!("Organization/{organisation}"),
            ),
            ("_count".to_owned(), "200".to_owned()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    Ok(db.search(resource_type, &query).await?.matches)
}

/// The current version of the record `edit` names, if it is the organisation's and still at
/// the version the form showed.
async fn current(
    db: &Db,
    resource_type: ResourceType,
    edit: Edit<'_>,
    organisation: &str,
) -> Result<store::Versioned, SetupError> {
    let Found::Current(found) = db.read(resource_type, edit.id).await? else {
        return Err(SetupError::NotFound);
    };
    let owner = match resource_type {
        ResourceType::HealthcareService => &found.resource["providedBy"]["reference"],
        _ => &found.resource["managingOrganization"]["reference"],
    };
    if owner.as_str() != Some(&format!("Organization/{organisation}")) {
        // Another practice's: as good as not there.
        return Err(SetupError::NotFound);
    }
    if found.version_id != edit.version {
        return Err(SetupError::ChangedMeanwhile);
    }
    Ok(found)
}

/// Writes `resource` (new, or a new version on top of the one the form showed) and a
/// Provenance for it, in one transaction.
async fn save(
    db: &Db,
    staff: &StaffUser,
    resource_type: ResourceType,
    edit: Option<Edit<'_>>,
    resource: Value,
    now: Timestamp,
) -> Result<String, SetupError> {
    let author = record_writes::author(db, staff).await?;
    let mut tx = store::begin(db).await?;
    let (written, activity) = match edit {
        Some(edit) => {
            let (written, _) = store::update_in(
                &mut tx,
                resource_type,
                edit.id,
                resource,
                Some(edit.version),
                now,
            )
            .await?;
            (written, ("UPDATE", "revise"))
        }
        None => (
            store::create_in(&mut tx, resource_type, resource, now).await?,
            ("CREATE", "create"),
        ),
    };
    let id = written.resource["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let provenance = record_writes::provenance(
        &[format!(
            "{}/{id}/_history/{}",
            resource_type.as_str(),
            written.version_id
        )],
        activity,
        &author,
        now,
    );
    store::create_in(&mut tx, ResourceType::Provenance, provenance, now).await?;
    tx.commit().await?;
    Ok(id)
}

fn service_setup(service: &Value, version: i64) -> Option<ServiceSetup> {
    let code = availability::service_kind(&service["type"])?;
    Some(ServiceSetup {
        id: service["id"].as_str().unwrap_or_default().to_owned(),
        version,
        code: code.to_owned(),
        name: service["name"].as_str().unwrap_or(code).to_owned(),
        description: service["comment"].as_str().unwrap_or_default().to_owned(),
        cancellation_cutoff_hours: availability::cancellation_cutoff(service)
            .unwrap_or(domain::booking::DEFAULT_CANCELLATION_CUTOFF)
            .as_hours(),
        // FHIR's default for a service that does not say.
        offered: service["active"].as_bool().unwrap_or(true),
        places: service["location"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["reference"].as_str().map(str::to_owned))
            .collect(),
    })
}

fn place_setup(place: &Value, version: i64) -> PlaceSetup {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let address = &place["address"];
    PlaceSetup {
        id: text(&place["id"]),
        version,
        name: text(&place["name"]),
        address_lines: address["line"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect(),
        town: text(&address["city"]),
        postcode: text(&address["postalCode"]),
        phone: read::phone(place).unwrap_or_default().to_owned(),
        directions: text(&place["description"]),
        open: place["status"].as_str() != Some("inactive"),
    }
}
