//! What anyone may know about the practice: its name, address, phone and the appointments it offers.
//! This is public information, so no actor is needed to read it.

use fhir::read;

use crate::{Db, StoreError, store};

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

/// The first practice in the store, or `None` before any is set up.
pub async fn summary(db: &Db) -> Result<Option<PracticeSummary>, StoreError> {
    let Some(org) = store::list(db, "Organization").await?.into_iter().next() else {
        return Ok(None);
    };
    let mut services: Vec<ServiceSummary> = store::list(db, "HealthcareService")
        .await?
        .iter()
        .filter(|s| s["active"] != false)
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
