//! What anyone may know about the practice: its name, address, phone and the appointments it offers.
//! This is public information, so no actor is needed to read it.

use fhir::read;
use serde_json::Value;

use fhir::{
    ResourceType,
    search::{Condition, SearchQuery, Test},
};

use crate::{FhirRepository, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeSummary {
    pub name: String,
    pub ods_code: String,
    pub address_lines: Vec<String>,
    pub phone: Option<String>,
    pub services: Vec<ServiceSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub name: String,
    pub description: String,
}

/// The practice the service runs for (the first Organization), or `None` before any is set up.
pub async fn summary(records: &impl FhirRepository) -> Result<Option<PracticeSummary>, StoreError> {
    // The first organisation by id that is not a pharmacy: the one the service was set up for.
    let first = records
        .search(ResourceType::Organization, &SearchQuery::all(100))
        .await?;
    let Some(org) = first
        .matches
        .into_iter()
        .map(|v| v.resource)
        .find(|org| !is_pharmacy(org))
    else {
        return Ok(None);
    };
    let mut services_query = SearchQuery::all(100);
    services_query.conditions.push(Condition {
        param: "active",
        any_of: vec![Test::Token {
            system: None,
            code: Some("true".to_owned()),
        }],
    });
    let mut services: Vec<ServiceSummary> = records
        .search(ResourceType::HealthcareService, &services_query)
        .await?
        .matches
        .iter()
        .map(|v| &v.resource)
        .map(|s| ServiceSummary {
            name: s["name"].as_str().unwrap_or_default().to_owned(),
            description: s["comment"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    // Ids are random, so their order means nothing; people scan a list in alphabetical order.
    services.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(PracticeSummary {
        name: org["name"].as_str().unwrap_or_default().to_owned(),
        ods_code: read::identifier(&org, fhir::ODS_ORGANIZATION_SYSTEM)
            .unwrap_or_default()
            .to_owned(),
        address_lines: read::address_lines(&org["address"][0]),
        phone: read::phone(&org).map(String::from),
        services,
    }))
}

/// Whether `organisation` is a pharmacy (ODS role), which prescriptions go to.
pub fn is_pharmacy(organisation: &Value) -> bool {
    organisation["type"].as_array().is_some_and(|types| {
        types.iter().any(|kind| {
            kind["coding"].as_array().is_some_and(|codings| {
                codings.iter().any(|coding| {
                    coding["system"] == fhir::ORGANISATION_ROLE_SYSTEM
                        && coding["code"] == fhir::PHARMACY_ROLE
                })
            })
        })
    })
}
