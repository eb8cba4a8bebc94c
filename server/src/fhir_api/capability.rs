//! `GET /fhir/metadata`: the CapabilityStatement, listing exactly the interactions and search
//! parameters implemented, derived from the same definitions the server runs on.

use fhir::{
    ResourceType,
    search::{ParamKind, params_of},
};
use serde_json::{Value, json};

pub fn capability_statement(base_url: &str, open_in_demo_mode: bool) -> Value {
    let interactions = json!([
        { "code": "read" },
        { "code": "vread" },
        { "code": "update" },
        { "code": "delete" },
        { "code": "history-instance" },
        { "code": "create" },
        { "code": "history-type" },
        { "code": "search-type" },
    ]);
    let resources: Vec<Value> = ResourceType::ALL
        .iter()
        .map(|&t| {
            let mut search_params = vec![
                json!({ "name": "_id", "type": "token" }),
                json!({ "name": "_lastUpdated", "type": "date" }),
            ];
            search_params.extend(
                params_of(t)
                    .iter()
                    .map(|p| json!({ "name": p.name, "type": kind_name(p.kind) })),
            );
            let includes: Vec<String> = params_of(t)
                .iter()
                .filter(|p| p.kind == ParamKind::Reference)
                .map(|p| format!("{t}:{}", p.name))
                .collect();
            let revincludes: Vec<String> = ResourceType::ALL
                .iter()
                .flat_map(|&source| {
                    params_of(source)
                        .iter()
                        .filter(move |p| {
                            p.kind == ParamKind::Reference
                                && p.target.is_none_or(|target| target == t.as_str())
                        })
                        .map(move |p| format!("{source}:{}", p.name))
                })
                .collect();
            json!({
                "type": t.as_str(),
                "interaction": interactions,
                "versioning": "versioned",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalUpdate": false,
                "conditionalDelete": "not-supported",
                "searchInclude": includes,
                "searchRevInclude": revincludes,
                "searchParam": search_params,
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
            "interaction": [{ "code": "transaction" }, { "code": "batch" }],
            "searchParam": [
                { "name": "_count", "type": "number" },
                { "name": "_offset", "type": "number" },
                { "name": "_sort", "type": "string" },
                { "name": "_summary", "type": "token" },
            ],
        }],
    })
}

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "string",
        ParamKind::Token => "token",
        ParamKind::Reference => "reference",
        ParamKind::Date => "date",
    }
}
