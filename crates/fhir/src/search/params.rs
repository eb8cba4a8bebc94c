//! The search parameters each resource type supports, with the elements they index.

use crate::ResourceType::{self, *};

/// Bump whenever a definition below changes, or what `index_entries` derives from them: the store
/// rebuilds its index when it sees a new one (unless a migration brought it up to date: 3 added
/// the patients' name pairs, which migrations derive from the family and given rows).
pub const INDEX_VERSION: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    String,
    Token,
    Reference,
    Date,
}

/// One search parameter: its name, kind, the element paths it reads (`a.b` walks into arrays;
/// `x[x]` is a choice element such as `effective[x]`), and for references the target type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamKind,
    pub paths: &'static [&'static str],
    pub target: Option<&'static str>,
    /// Date parameters only: every element read is a FHIR `instant`, which always gives the
    /// second, so every well-formed value indexes as a range of one second, not up to a day as
    /// a date's does. A search can then expect matching values to start at most a second before
    /// the time it asks about, instead of a day (see `widest_unrecorded`).
    pub instants: bool,
}

impl ParamDef {
    /// The widest range a value of this parameter indexes as without the store having to note
    /// it: a second for instants, a day (a date) otherwise. Wider
    /// ones (a month, a year, a period; any value not of the element's type) are recorded as
    /// they are written, so that date searches still find them.
    pub fn widest_unrecorded(&self) -> i64 {
        if self.instants { 1 } else { 86_400 }
    }
}

const fn p(name: &'static str, kind: ParamKind, paths: &'static [&'static str]) -> ParamDef {
    ParamDef {
        name,
        kind,
        paths,
        target: None,
        instants: false,
    }
}

/// A date parameter over `instant` elements only.
const fn instant(name: &'static str, paths: &'static [&'static str]) -> ParamDef {
    ParamDef {
        name,
        kind: ParamKind::Date,
        paths,
        target: None,
        instants: true,
    }
}

const fn r(
    name: &'static str,
    paths: &'static [&'static str],
    target: Option<&'static str>,
) -> ParamDef {
    ParamDef {
        name,
        kind: ParamKind::Reference,
        paths,
        target,
        instants: false,
    }
}

use ParamKind::{Date, String as Str, Token};

const PATIENT: &[ParamDef] = &[
    p("identifier", Token, &["identifier"]),
    p("family", Str, &["name.family"]),
    p("given", Str, &["name.given"]),
    p(
        "name",
        Str,
        &[
            "name.family",
            "name.given",
            "name.prefix",
            "name.suffix",
            "name.text",
        ],
    ),
    p("birthdate", Date, &["birthDate"]),
    p("gender", Token, &["gender"]),
    p("address-postalcode", Str, &["address.postalCode"]),
    r("general-practitioner", &["generalPractitioner"], None),
];
const SLOT: &[ParamDef] = &[
    r("schedule", &["schedule"], Some("Schedule")),
    instant("start", &["start"]),
    p("status", Token, &["status"]),
    p("service-type", Token, &["serviceType"]),
];
const SCHEDULE: &[ParamDef] = &[
    r("actor", &["actor"], None),
    p("active", Token, &["active"]),
    p("service-type", Token, &["serviceType"]),
    p("date", Date, &["planningHorizon"]),
];
const APPOINTMENT: &[ParamDef] = &[
    r("patient", &["participant.actor"], Some("Patient")),
    r("actor", &["participant.actor"], None),
    r("practitioner", &["participant.actor"], Some("Practitioner")),
    r("location", &["participant.actor"], Some("Location")),
    r("slot", &["slot"], Some("Slot")),
    instant("date", &["start"]),
    p("status", Token, &["status"]),
    p("service-type", Token, &["serviceType"]),
];
const OBSERVATION: &[ParamDef] = &[
    r("patient", &["subject"], Some("Patient")),
    p("code", Token, &["code"]),
    p("category", Token, &["category"]),
    p("date", Date, &["effective[x]"]),
    p("status", Token, &["status"]),
];
const CONDITION: &[ParamDef] = &[
    r("patient", &["subject"], Some("Patient")),
    p("code", Token, &["code"]),
    p("category", Token, &["category"]),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("date", Date, &["recordedDate"]),
];
const ALLERGY: &[ParamDef] = &[
    r("patient", &["patient"], Some("Patient")),
    p("code", Token, &["code"]),
    p("category", Token, &["category"]),
    p("clinical-status", Token, &["clinicalStatus"]),
    p("date", Date, &["recordedDate"]),
];
const MEDICATION_REQUEST: &[ParamDef] = &[
    r("patient", &["subject"], Some("Patient")),
    p("code", Token, &["medicationCodeableConcept"]),
    p("category", Token, &["category"]),
    p("status", Token, &["status"]),
    p("date", Date, &["authoredOn"]),
];
const MEDICATION_STATEMENT: &[ParamDef] = &[
    r("patient", &["subject"], Some("Patient")),
    p("code", Token, &["medicationCodeableConcept"]),
    p("category", Token, &["category"]),
    p("status", Token, &["status"]),
    p("date", Date, &["effective[x]"]),
];
const IMMUNIZATION: &[ParamDef] = &[
    r("patient", &["patient"], Some("Patient")),
    p("code", Token, &["vaccineCode"]),
    p("status", Token, &["status"]),
    p("date", Date, &["occurrence[x]"]),
];
const AUDIT_EVENT: &[ParamDef] = &[
    r("patient", &["entity.what"], Some("Patient")),
    r("agent", &["agent.who"], None),
    p("date", Date, &["recorded"]),
    p("type", Token, &["type"]),
];
const SUBJECT_ONLY: &[ParamDef] = &[r("patient", &["subject"], Some("Patient"))];
const PATIENT_ONLY: &[ParamDef] = &[r("patient", &["patient"], Some("Patient"))];
/// `identifier` finds the proxy grants a person holds (they are named by NHS number).
const RELATED_PERSON: &[ParamDef] = &[
    r("patient", &["patient"], Some("Patient")),
    p("identifier", Token, &["identifier"]),
];
const ORGANIZATION: &[ParamDef] = &[
    p("identifier", Token, &["identifier"]),
    p("name", Str, &["name"]),
];
const PRACTITIONER: &[ParamDef] = &[
    p("identifier", Token, &["identifier"]),
    p("family", Str, &["name.family"]),
    p("name", Str, &["name.family", "name.given"]),
];
const PRACTITIONER_ROLE: &[ParamDef] = &[
    r("practitioner", &["practitioner"], Some("Practitioner")),
    r("organization", &["organization"], Some("Organization")),
    r("location", &["location"], Some("Location")),
];
const HEALTHCARE_SERVICE: &[ParamDef] = &[
    r("organization", &["providedBy"], Some("Organization")),
    r("location", &["location"], Some("Location")),
    p("service-type", Token, &["type"]),
    p("active", Token, &["active"]),
];
const LOCATION: &[ParamDef] = &[
    p("name", Str, &["name"]),
    r(
        "organization",
        &["managingOrganization"],
        Some("Organization"),
    ),
];
const NONE: &[ParamDef] = &[];

/// The type's own search parameters (the common `_id` and `_lastUpdated` are handled apart).
pub fn params_of(resource_type: ResourceType) -> &'static [ParamDef] {
    match resource_type {
        Patient => PATIENT,
        Slot => SLOT,
        Schedule => SCHEDULE,
        Appointment => APPOINTMENT,
        Observation => OBSERVATION,
        Condition => CONDITION,
        AllergyIntolerance => ALLERGY,
        MedicationRequest => MEDICATION_REQUEST,
        MedicationStatement => MEDICATION_STATEMENT,
        Immunization => IMMUNIZATION,
        AuditEvent => AUDIT_EVENT,
        Encounter | DiagnosticReport | DocumentReference | Communication => SUBJECT_ONLY,
        RelatedPerson => RELATED_PERSON,
        Consent => PATIENT_ONLY,
        Organization => ORGANIZATION,
        Practitioner => PRACTITIONER,
        PractitionerRole => PRACTITIONER_ROLE,
        HealthcareService => HEALTHCARE_SERVICE,
        Location => LOCATION,
        Provenance => NONE,
    }
}

/// A reference parameter of a type, for `_include` and `_revinclude`.
pub fn reference_param(resource_type: ResourceType, name: &str) -> Option<&'static ParamDef> {
    params_of(resource_type)
        .iter()
        .find(|p| p.name == name && p.kind == ParamKind::Reference)
}
