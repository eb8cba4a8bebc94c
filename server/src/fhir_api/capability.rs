//! `GET /fhir/metadata`: the CapabilityStatement, listing exactly the interactions implemented.

use fhir::ResourceType;
use serde_json::{Value, json};

/// Built once from the supported types; every type offers the same instance-level interactions.
pub fn capability_statement(base_url: &str, open_in_demo_mode: bool) -> Value {
    let interactions = json!([
        { "code": "read" },
        { "code": "vread" },
        { "code": "update" },
        { "code": "delete" },
        { "code": "history-instance" },
        { "code": "create" },
    ]);
    let resources: Vec<Value> = ResourceType::ALL
        .iter()
        .map(|t| {
            json!({
                "type": t.as_str(),
                "interaction": interactions,
                "versioning": "versioned",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": false,
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
            })
        })
        .collect();
    let security = if open_in_demo_mode {
        "Demo mode: open to any client, with synthetic data only."
    } else {
        "Closed: bearer-token access is not yet available, so every interaction but this one is refused."
    };
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-21",
        "publisher": "Open Health",
        "kind": "instance",
        "software": { "name": "Open Health", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "Open Health FHIR R4 server", "url": base_url },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": { "description": security },
            "resource": resources,
        }],
    })
}
