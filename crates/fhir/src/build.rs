//! Builds FHIR R4 resources from typed values. Each function returns the full resource JSON,
//! with `resourceType` and `id`; `meta` is the store's to set.

use domain::{NhsNumber, OdsCode};
use jiff::Zoned;
use serde_json::{Value, json};

use crate::{
    NHS_NUMBER_SYSTEM, ODS_ORGANIZATION_SYSTEM, SDS_USER_ID_SYSTEM, SERVICE_KIND_SYSTEM, reference,
};

/// A postal address in the UK shape: lines, town and postcode.
#[derive(Debug, Clone)]
pub struct Address {
    pub lines: Vec<String>,
    pub city: String,
    pub postcode: String,
}

impl Address {
    fn to_json(&self) -> Value {
        json!({
            "use": "work",
            "line": self.lines,
            "city": self.city,
            "postalCode": self.postcode,
            "country": "GB",
        })
    }
}

pub fn organization(id: &str, ods: &OdsCode, name: &str, address: &Address, phone: &str) -> Value {
    json!({
        "resourceType": "Organization",
        "id": id,
        "identifier": [{ "system": ODS_ORGANIZATION_SYSTEM, "value": ods.as_str() }],
        "active": true,
        "type": [{
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                "code": "prov",
                "display": "Healthcare Provider",
            }],
            "text": "GP practice",
        }],
        "name": name,
        "telecom": [{ "system": "phone", "value": phone, "use": "work" }],
        "address": [address.to_json()],
    })
}

pub fn location(
    id: &str,
    organization_id: &str,
    name: &str,
    address: &Address,
    phone: &str,
) -> Value {
    json!({
        "resourceType": "Location",
        "id": id,
        "status": "active",
        "name": name,
        "mode": "instance",
        "telecom": [{ "system": "phone", "value": phone, "use": "work" }],
        "address": address.to_json(),
        "managingOrganization": { "reference": reference("Organization", organization_id) },
    })
}

/// A kind of appointment the practice offers (GP, practice nurse, blood test).
#[derive(Debug, Clone, Copy)]
pub struct ServiceKind {
    pub code: &'static str,
    pub display: &'static str,
}

impl ServiceKind {
    pub fn to_json(self) -> Value {
        json!({
            "coding": [{ "system": SERVICE_KIND_SYSTEM, "code": self.code, "display": self.display }],
            "text": self.display,
        })
    }
}

pub fn healthcare_service(
    id: &str,
    organization_id: &str,
    location_id: &str,
    kind: ServiceKind,
    comment: &str,
) -> Value {
    json!({
        "resourceType": "HealthcareService",
        "id": id,
        "active": true,
        "providedBy": { "reference": reference("Organization", organization_id) },
        "type": [kind.to_json()],
        "location": [{ "reference": reference("Location", location_id) }],
        "name": kind.display,
        "comment": comment,
        "appointmentRequired": true,
    })
}

/// Whether a member of staff is a doctor or a nurse, as FHIR's practitioner-role codes say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffRole {
    Doctor,
    Nurse,
}

impl StaffRole {
    fn code(self) -> (&'static str, &'static str) {
        match self {
            StaffRole::Doctor => ("doctor", "Doctor"),
            StaffRole::Nurse => ("nurse", "Nurse"),
        }
    }
}

/// A person's name as UK Core carries it.
#[derive(Debug, Clone)]
pub struct HumanName {
    pub prefix: Option<String>,
    pub given: Vec<String>,
    pub family: String,
}

impl HumanName {
    fn to_json(&self) -> Value {
        let mut name = json!({ "use": "official", "family": self.family, "given": self.given });
        if let Some(prefix) = &self.prefix {
            name["prefix"] = json!([prefix]);
        }
        name
    }
}

pub fn practitioner(id: &str, sds_user_id: &str, name: &HumanName, gender: &str) -> Value {
    json!({
        "resourceType": "Practitioner",
        "id": id,
        "identifier": [{ "system": SDS_USER_ID_SYSTEM, "value": sds_user_id }],
        "active": true,
        "name": [name.to_json()],
        "gender": gender,
    })
}

pub fn practitioner_role(
    id: &str,
    practitioner_id: &str,
    organization_id: &str,
    location_id: &str,
    role: StaffRole,
) -> Value {
    let (code, display) = role.code();
    json!({
        "resourceType": "PractitionerRole",
        "id": id,
        "active": true,
        "practitioner": { "reference": reference("Practitioner", practitioner_id) },
        "organization": { "reference": reference("Organization", organization_id) },
        "code": [{
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/practitioner-role",
                "code": code,
                "display": display,
            }],
        }],
        "location": [{ "reference": reference("Location", location_id) }],
    })
}

/// What the service knows of a registered patient.
#[derive(Debug, Clone)]
pub struct PatientDetails {
    pub nhs_number: NhsNumber,
    pub name: HumanName,
    pub gender: &'static str,
    pub birth_date: jiff::civil::Date,
    pub address: Address,
    pub mobile: String,
    pub email: Option<String>,
    pub registered_with: String,
}

pub fn patient(id: &str, details: &PatientDetails) -> Value {
    let mut telecom = vec![json!({ "system": "phone", "value": details.mobile, "use": "mobile" })];
    if let Some(email) = &details.email {
        telecom.push(json!({ "system": "email", "value": email, "use": "home" }));
    }
    let mut address = details.address.to_json();
    address["use"] = json!("home");
    json!({
        "resourceType": "Patient",
        "id": id,
        "identifier": [{
            "extension": [{
                "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
                "valueCodeableConcept": {
                    "coding": [{
                        "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
                        "code": "01",
                        "display": "Number present and verified",
                    }],
                },
            }],
            "system": NHS_NUMBER_SYSTEM,
            "value": details.nhs_number.digits(),
        }],
        "active": true,
        "name": [details.name.to_json()],
        "telecom": telecom,
        "gender": details.gender,
        "birthDate": details.birth_date.to_string(),
        "address": [address],
        "generalPractitioner": [{ "reference": reference("Organization", &details.registered_with) }],
    })
}

/// A clinician's diary for one kind of appointment at one place.
pub fn schedule(
    id: &str,
    practitioner_role_id: &str,
    location_id: &str,
    kind: ServiceKind,
    horizon: (&Zoned, &Zoned),
) -> Value {
    json!({
        "resourceType": "Schedule",
        "id": id,
        "active": true,
        "serviceType": [kind.to_json()],
        "actor": [
            { "reference": reference("PractitionerRole", practitioner_role_id) },
            { "reference": reference("Location", location_id) },
        ],
        "planningHorizon": { "start": instant(horizon.0), "end": instant(horizon.1) },
    })
}

/// Whether a slot can still be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotStatus {
    Free,
    Busy,
}

pub fn slot(
    id: &str,
    schedule_id: &str,
    kind: ServiceKind,
    status: SlotStatus,
    start: &Zoned,
    end: &Zoned,
) -> Value {
    json!({
        "resourceType": "Slot",
        "id": id,
        "serviceType": [kind.to_json()],
        "schedule": { "reference": reference("Schedule", schedule_id) },
        "status": match status { SlotStatus::Free => "free", SlotStatus::Busy => "busy" },
        "start": instant(start),
        "end": instant(end),
    })
}

/// Who an appointment brings together, by resource id.
#[derive(Debug, Clone, Copy)]
pub struct AppointmentParties<'a> {
    pub slot_id: &'a str,
    pub patient_id: &'a str,
    pub practitioner_role_id: &'a str,
    pub location_id: &'a str,
}

pub fn booked_appointment(
    id: &str,
    parties: AppointmentParties<'_>,
    kind: ServiceKind,
    (start, end): (&Zoned, &Zoned),
    created: &Zoned,
) -> Value {
    let accepted = |actor: String| json!({ "actor": { "reference": actor }, "status": "accepted" });
    json!({
        "resourceType": "Appointment",
        "id": id,
        "status": "booked",
        "serviceType": [kind.to_json()],
        "slot": [{ "reference": reference("Slot", parties.slot_id) }],
        "start": instant(start),
        "end": instant(end),
        "created": created.date().to_string(),
        "participant": [
            accepted(reference("Patient", parties.patient_id)),
            accepted(reference("PractitionerRole", parties.practitioner_role_id)),
            accepted(reference("Location", parties.location_id)),
        ],
    })
}

/// A FHIR `instant`: seconds precision with the local UTC offset, so London times read as such.
pub fn instant(at: &Zoned) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
