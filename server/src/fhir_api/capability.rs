//! `GET /fhir/metadata`: the CapabilityStatement, listing exactly the interactions and search
//! parameters implemented, derived from the same definitions the server runs on.

use std::sync::OnceLock;

use fhir::{
    ResourceType,
    search::{ParamKind, params_of},
};
use serde_json::{Value, json};

/// The type-level interactions every supported type has.
const INTERACTIONS: [&str; 9] = [
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history-instance",
    "create",
    "history-type",
    "search-type",
];

pub fn capability_statement(base_url: &str) -> Value {
    // The same for every request: worked out once (146 types, each listing the reference
    // parameters of every other type that may point to it).
    static RESOURCES: OnceLock<Value> = OnceLock::new();
    let resources = RESOURCES.get_or_init(resources).clone();
    statement(base_url, resources)
}

fn resources() -> Value {
    let resources: Vec<Value> = ResourceType::ALL
        .iter()
        .map(|&t| {
            let mut search_params = vec![
                json!({ "name": "_id", "type": "token" }),
                json!({ "name": "_lastUpdated", "type": "date" }),
            ];
            search_params.extend(params_of(t).iter().map(|p| {
                json!({
                    "name": p.name,
                    "definition": p.definition,
                    "type": p.kind.as_str(),
                })
            }));
            // The audit ledger is searched on its own: no includes from or of AuditEvents.
            let ledger = |t: ResourceType| t == ResourceType::AuditEvent;
            let includes: Vec<String> = params_of(t)
                .iter()
                .filter(|p| p.kind == ParamKind::Reference && !p.embeds && !ledger(t))
                .map(|p| format!("{t}:{}", p.name))
                .collect();
            let revincludes: Vec<String> = ResourceType::ALL
                .iter()
                .filter(|source| !ledger(**source))
                .flat_map(|&source| {
                    params_of(source)
                        .iter()
                        .filter(move |p| {
                            p.kind == ParamKind::Reference
                                && !p.embeds
                                && (p.targets.is_empty() || p.targets.contains(&t.as_str()))
                        })
                        .map(move |p| format!("{source}:{}", p.name))
                })
                .collect();
            // The audit trail is append-only: no update or delete of an AuditEvent.
            let interaction: Vec<Value> = INTERACTIONS
                .iter()
                .filter(|&&code| {
                    t != ResourceType::AuditEvent || !matches!(code, "update" | "patch" | "delete")
                })
                .map(|code| json!({ "code": code }))
                .collect();
            let changeable = t != ResourceType::AuditEvent;
            let mut resource = json!({
                "type": t.as_str(),
                "interaction": interaction,
                "versioning": "versioned",
                "readHistory": true,
                "updateCreate": true,
                "conditionalCreate": true,
                "conditionalUpdate": changeable,
                "conditionalDelete": if changeable { "single" } else { "not-supported" },
                "searchInclude": includes,
                "searchRevInclude": revincludes,
                "searchParam": search_params,
                "operation": [{
                    "name": "validate",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
                }],
            });
            // FHIR has no empty arrays: a type nothing refers to lists no revincludes at all.
            if let Some(fields) = resource.as_object_mut() {
                fields.retain(|_, value| value.as_array().is_none_or(|a| !a.is_empty()));
            }
            resource
        })
        .collect();
    Value::Array(resources)
}

fn statement(base_url: &str, resources: Value) -> Value {
    let server = base_url.trim_end_matches("/fhir");
    let security = json!({
        "service": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "SMART-on-FHIR",
        }]}],
        "extension": [{
            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
            "extension": [{ "url": "token", "valueUri": format!("{server}/oauth2/token") }],
        }],
        "description": "Every interaction but this one needs a bearer token from the token \
            endpoint (OAuth2 client credentials, SMART v2 system scopes such as system/Patient.rs). \
            Every access to patient data is recorded as an AuditEvent; AuditEvents are append-only. \
            AuditEvent searches use the audit ledger's indexes for patient, agent, date, type, \
            _id and _lastUpdated; its other parameters, :missing and :not filter what those \
            select, up to 10 000 records (beyond that the search is refused as too costly: \
            narrow it by patient, agent or date). \
            Searches take chained parameters (subject:Patient.identifier=…), _has, :missing, \
            :not and :of-type (tokens), :exact and :contains (strings), :Type (references), \
            :below and :above (URIs), every prefix (eq ne gt lt ge le sa eb \
            ap) on dates, numbers and quantities, composites (code$value, within one element), \
            Bundle's composition and message (the Bundle's first resource, a document's \
            Composition or a message's MessageHeader, searched by its own parameters: \
            composition.subject=Patient/1, message.event=…), \
            Location's near (latitude|longitude|distance|units, units km, m or [mi_i]; \
            within 5 km when no distance is given), phonetic (one name, by American Soundex), \
            _include:iterate and _revinclude:iterate; a chain or _has needs the \
            search scope of every type it consults. Number and quantity values match to the \
            precision they are written with (100 is 99.5 to 100.5); units are compared as \
            written, without UCUM conversion. \
            PATCH takes JSON Patch (application/json-patch+json). Writes honour \
            Prefer: return=minimal|representation|OperationOutcome; searches honour \
            Prefer: handling=lenient (unknown parameters ignored and listed in an OperationOutcome \
            entry) and handling=strict (the default: unknown parameters refused). \
            An OpenAPI document of this API, for API tooling, is at /fhir/openapi.json.",
    });
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
            "security": security,
            "resource": resources,
            "interaction": [{ "code": "transaction" }, { "code": "batch" }],
            "searchParam": [
                { "name": "_count", "type": "number" },
                { "name": "_offset", "type": "number" },
                { "name": "_sort", "type": "string" },
                { "name": "_summary", "type": "token" },
                { "name": "_elements", "type": "string" },
                { "name": "_total", "type": "token" },
            ],
        }],
    })
}
