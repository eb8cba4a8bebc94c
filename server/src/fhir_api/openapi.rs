//! `GET /fhir/openapi.json`: the FHIR API as an OpenAPI 3.0 document, for API tooling (client
//! generators, schema-driven fuzzers). Generated from the same two sources the server runs on,
//! never written by hand: the CapabilityStatement (which types, interactions and search
//! parameters there are) and the R4 definitions (a JSON schema for every type, element by
//! element, as the validator checks it).
//!
//! The schemas say no more than the validator enforces, so a request they call invalid is one
//! the server refuses: every element with its JSON kind, cardinality (an array or one value) and
//! required elements; a primitive's format; no properties but the elements (and `_name` beside a
//! primitive). What JSON Schema cannot say simply (at most one type of a choice, required
//! bindings, invariants) the server checks all the same, and says so in an OperationOutcome.

use std::sync::OnceLock;

use fhir::definitions::{ElementDef, TypeDef, TypeKind, r4};
use serde_json::{Map, Value, json};

use super::capability;

/// Stands for the server's base URL in the cached document; replaced in each response.
const BASE: &str = "https://base.invalid/fhir";

/// The document, with `base_url` (the FHIR base the request came to) as its server.
pub fn document(base_url: &str) -> String {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let document = DOCUMENT.get_or_init(|| build().to_string());
    // The base comes from the request's Host header: escaped as JSON text, so it cannot
    // break out of the strings it lands in.
    let escaped = Value::from(base_url).to_string();
    document.replace(BASE, escaped.trim_matches('"'))
}

fn build() -> Value {
    let statement = capability::capability_statement(BASE);
    let rest = &statement["rest"][0];
    let mut paths = Map::new();
    paths.insert("/metadata".into(), metadata_path());
    paths.insert("/".into(), batch_path());
    let common: Vec<Value> = rest["searchParam"]
        .as_array()
        .into_iter()
        .flatten()
        .map(common_search_parameter)
        .collect();
    for resource in rest["resource"].as_array().into_iter().flatten() {
        type_paths(resource, &common, &mut paths);
    }
    let server = BASE.trim_end_matches("/fhir");
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Open Health FHIR R4 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "FHIR R4 (4.0.1), JSON only. Every error is an OperationOutcome. Every \
                 interaction but the CapabilityStatement and this document needs a bearer token \
                 from {server}/oauth2/token (OAuth2 client credentials, SMART v2 system scopes). \
                 The CapabilityStatement at /metadata is the authority on what is supported; \
                 this document is generated from it and from the R4 definitions."
            ),
        },
        "servers": [{ "url": BASE }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": format!(
                        "An access token from {server}/oauth2/token (client credentials)"
                    ),
                },
            },
            "schemas": schemas(),
        },
    })
}

fn metadata_path() -> Value {
    json!({ "get": {
        "operationId": "capabilities",
        "summary": "The CapabilityStatement: what this server supports",
        "tags": ["System"],
        "security": [],
        "responses": { "200": fhir_response("CapabilityStatement", "The CapabilityStatement") },
    }})
}

fn batch_path() -> Value {
    json!({ "post": {
        "operationId": "batch-or-transaction",
        "summary": "A batch (each entry on its own) or a transaction (all or nothing)",
        "tags": ["System"],
        "requestBody": fhir_body("Bundle"),
        "responses": {
            "200": fhir_response("Bundle", "The batch-response or transaction-response"),
            "4XX": outcome_response(),
        },
    }})
}

/// The paths of one type, from its CapabilityStatement entry: its interactions, its search
/// parameters with the common ones, `$validate`.
fn type_paths(resource: &Value, common: &[Value], paths: &mut Map<String, Value>) {
    let Some(name) = resource["type"].as_str() else {
        return;
    };
    let has = |code: &str| {
        resource["interaction"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|i| i["code"] == code)
    };
    let mut search_parameters: Vec<Value> = resource["searchParam"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| query_parameter(p["name"].as_str().unwrap_or_default(), p["type"].as_str()))
        .collect();
    search_parameters.extend(common.iter().cloned());
    for (parameter, allowed) in [
        ("_include", &resource["searchInclude"]),
        ("_revinclude", &resource["searchRevInclude"]),
    ] {
        if allowed.as_array().is_some_and(|a| !a.is_empty()) {
            search_parameters.push(json!({
                "name": parameter, "in": "query", "schema": { "type": "string" },
                "description": format!("One of {allowed}, optionally with :iterate"),
            }));
        }
    }
    let tags = json!([name]);
    let operation = |id: &str, summary: String| {
        let mut operation = Map::new();
        operation.insert("operationId".into(), json!(format!("{id}-{name}")));
        operation.insert("summary".into(), json!(summary));
        operation.insert("tags".into(), tags.clone());
        operation
    };

    let mut type_level = Map::new();
    if has("search-type") {
        let mut search = operation("search", format!("Search {name} resources"));
        search.insert("parameters".into(), json!(search_parameters));
        search.insert("responses".into(), bundle_responses("A searchset Bundle"));
        type_level.insert("get".into(), Value::Object(search));

        let mut by_post = operation("search-by-post", format!("Search {name} resources (POST)"));
        let form: Map<String, Value> = search_parameters
            .iter()
            .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p["schema"].clone())))
            .collect();
        by_post.insert(
            "requestBody".into(),
            json!({ "content": { "application/x-www-form-urlencoded": {
                "schema": { "type": "object", "properties": form },
            }}}),
        );
        by_post.insert("responses".into(), bundle_responses("A searchset Bundle"));
        paths.insert(
            format!("/{name}/_search"),
            json!({ "post": Value::Object(by_post) }),
        );
    }
    if has("create") {
        let mut create = operation(
            "create",
            format!("Create a {name}; the server gives its id"),
        );
        create.insert("requestBody".into(), fhir_body(name));
        create.insert(
            "responses".into(),
            json!({
                "201": fhir_response(name, "Created"),
                "200": fhir_response(name, "An existing match of If-None-Exist"),
                "4XX": outcome_response(),
            }),
        );
        type_level.insert("post".into(), Value::Object(create));
    }
    if resource["conditionalUpdate"] == true {
        let mut update = operation(
            "conditional-update",
            format!("Update the one {name} the search parameters find, or create it"),
        );
        update.insert("parameters".into(), json!(search_parameters));
        update.insert("requestBody".into(), fhir_body(name));
        update.insert("responses".into(), written_responses(name));
        type_level.insert("put".into(), Value::Object(update));
    }
    if resource["conditionalDelete"] == "single" {
        let mut delete = operation(
            "conditional-delete",
            format!("Delete the one {name} the search parameters find"),
        );
        delete.insert("parameters".into(), json!(search_parameters));
        delete.insert("responses".into(), deleted_responses());
        type_level.insert("delete".into(), Value::Object(delete));
    }
    paths.insert(format!("/{name}"), Value::Object(type_level));

    let id = json!({ "name": "id", "in": "path", "required": true,
        "schema": { "$ref": "#/components/schemas/id" } });
    let mut instance = Map::new();
    if has("read") {
        let mut read = operation("read", format!("Read a {name}"));
        read.insert("parameters".into(), json!([id]));
        read.insert(
            "responses".into(),
            json!({ "200": fhir_response(name, "The current version"), "4XX": outcome_response() }),
        );
        instance.insert("get".into(), Value::Object(read));
    }
    if has("update") {
        let mut update = operation(
            "update",
            format!("Update a {name}, or create it with this id"),
        );
        update.insert("parameters".into(), json!([id, if_match()]));
        update.insert("requestBody".into(), fhir_body(name));
        update.insert("responses".into(), written_responses(name));
        instance.insert("put".into(), Value::Object(update));
    }
    if has("patch") {
        let mut patch = operation("patch", format!("Change a {name} with a JSON Patch"));
        patch.insert("parameters".into(), json!([id, if_match()]));
        patch.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json-patch+json": {
                "schema": { "$ref": "#/components/schemas/JsonPatch" },
            }}}),
        );
        patch.insert(
            "responses".into(),
            json!({ "200": fhir_response(name, "The new version"), "4XX": outcome_response() }),
        );
        instance.insert("patch".into(), Value::Object(patch));
    }
    if has("delete") {
        let mut delete = operation("delete", format!("Delete a {name}"));
        delete.insert("parameters".into(), json!([id]));
        delete.insert("responses".into(), deleted_responses());
        instance.insert("delete".into(), Value::Object(delete));
    }
    paths.insert(format!("/{name}/{{id}}"), Value::Object(instance));

    if has("history-instance") {
        let mut history = operation("history", format!("Every version of a {name}"));
        history.insert("parameters".into(), json!([id]));
        history.insert("responses".into(), bundle_responses("A history Bundle"));
        paths.insert(
            format!("/{name}/{{id}}/_history"),
            json!({ "get": Value::Object(history) }),
        );
    }
    if has("vread") {
        let mut vread = operation("vread", format!("One version of a {name}"));
        let version = json!({ "name": "version_id", "in": "path", "required": true,
            "schema": { "type": "string", "pattern": "^[1-9][0-9]{0,17}$" } });
        vread.insert("parameters".into(), json!([id, version]));
        vread.insert(
            "responses".into(),
            json!({ "200": fhir_response(name, "That version"), "4XX": outcome_response() }),
        );
        paths.insert(
            format!("/{name}/{{id}}/_history/{{version_id}}"),
            json!({ "get": Value::Object(vread) }),
        );
    }
    if has("history-type") {
        let mut history = operation("history-type", format!("Every version of every {name}"));
        history.insert("parameters".into(), json!([count()]));
        history.insert("responses".into(), bundle_responses("A history Bundle"));
        paths.insert(
            format!("/{name}/_history"),
            json!({ "get": Value::Object(history) }),
        );
    }
    let mut validate = operation(
        "validate",
        format!("Check a {name} as a write would, without storing it"),
    );
    // Any JSON object: the point is to hear what is wrong with it (the resource itself, or a
    // Parameters resource holding it as `resource`).
    validate.insert(
        "requestBody".into(),
        json!({ "required": true, "content": { "application/fhir+json": {
            "schema": {
                "type": "object",
                "description": format!("A {name} to check, valid or not (or Parameters holding it as `resource`)"),
            },
        }}}),
    );
    validate.insert(
        "responses".into(),
        json!({
            "200": fhir_response("OperationOutcome", "What the check found"),
            "4XX": outcome_response(),
        }),
    );
    paths.insert(
        format!("/{name}/$validate"),
        json!({ "post": Value::Object(validate) }),
    );
}

/// A search parameter in the query. Values are strings: a parameter's syntax (prefixes,
/// modifiers in the name, `system|code`) is FHIR's, beyond what a schema says.
fn query_parameter(name: &str, kind: Option<&str>) -> Value {
    json!({
        "name": name,
        "in": "query",
        "schema": { "type": "string" },
        "description": format!("A FHIR {} search parameter", kind.unwrap_or("search")),
    })
}

/// The parameters every search takes (`_count`, `_summary`…).
fn common_search_parameter(parameter: &Value) -> Value {
    let name = parameter["name"].as_str().unwrap_or_default();
    match name {
        "_count" | "_offset" => json!({
            "name": name, "in": "query", "schema": { "type": "integer", "minimum": 0 },
        }),
        "_summary" => json!({
            "name": name, "in": "query",
            "schema": { "type": "string", "enum": ["true", "false", "count", "data", "text"] },
        }),
        "_total" => json!({
            "name": name, "in": "query",
            "schema": { "type": "string", "enum": ["none", "estimate", "accurate"] },
        }),
        _ => query_parameter(name, parameter["type"].as_str()),
    }
}

fn count() -> Value {
    json!({ "name": "_count", "in": "query", "schema": { "type": "integer", "minimum": 0 } })
}

fn if_match() -> Value {
    json!({
        "name": "If-Match", "in": "header",
        "description": "Only if the current version is this one (W/\"3\")",
        "schema": { "type": "string" },
    })
}

fn fhir_body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/fhir+json": {
        "schema": { "$ref": format!("#/components/schemas/{name}") },
    }}})
}

fn fhir_response(name: &str, description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/fhir+json": {
            "schema": { "$ref": format!("#/components/schemas/{name}") },
        }},
    })
}

fn outcome_response() -> Value {
    fhir_response("OperationOutcome", "What was wrong, as an OperationOutcome")
}

fn bundle_responses(description: &str) -> Value {
    json!({ "200": fhir_response("Bundle", description), "4XX": outcome_response() })
}

/// An update's answers: the new version, or the first when it created the resource; with
/// `Prefer: return=minimal` no body at all.
fn written_responses(name: &str) -> Value {
    json!({
        "200": fhir_response(name, "The new version"),
        "201": fhir_response(name, "Created"),
        "4XX": outcome_response(),
    })
}

fn deleted_responses() -> Value {
    json!({
        "204": { "description": "Deleted (or there was nothing to delete)" },
        "4XX": outcome_response(),
    })
}

/// A schema for every type in the definitions: primitives by their JSON kind and format, the
/// others element by element; `Resource` (a contained or bundled resource) names its type.
fn schemas() -> Map<String, Value> {
    let mut schemas: Map<String, Value> = r4()
        .types()
        .filter(|(_, def)| !(def.is_abstract && def.kind == TypeKind::Resource))
        .map(|(name, def)| {
            let schema = match def.kind {
                TypeKind::Primitive => primitive_schema(name, def),
                TypeKind::Resource => object_schema(def, Some(name)),
                TypeKind::Complex | TypeKind::Backbone => object_schema(def, None),
            };
            (name.to_owned(), schema)
        })
        .collect();
    schemas.insert(
        "Resource".into(),
        json!({
            "type": "object",
            "description": "Any resource: its resourceType says which",
            "required": ["resourceType"],
            "properties": { "resourceType": {
                "type": "string",
                "enum": r4().resource_types,
            }},
        }),
    );
    schemas.insert(
        "JsonPatch".into(),
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "required": ["op", "path"],
                "properties": {
                    "op": { "type": "string",
                        "enum": ["add", "remove", "replace", "move", "copy", "test"] },
                    "path": { "type": "string" },
                    "from": { "type": "string" },
                    "value": {},
                },
            },
        }),
    );
    schemas
}

/// A primitive's JSON kind, range and format (the format anchored: JSON Schema's patterns
/// match anywhere).
fn primitive_schema(name: &str, def: &TypeDef) -> Value {
    match name {
        "boolean" => json!({ "type": "boolean" }),
        "integer" => json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }),
        "unsignedInt" => json!({ "type": "integer", "minimum": 0, "maximum": i32::MAX }),
        "positiveInt" => json!({ "type": "integer", "minimum": 1, "maximum": i32::MAX }),
        "decimal" => json!({ "type": "number" }),
        _ => match &def.regex {
            Some(regex) => json!({ "type": "string", "pattern": format!("^(?:{regex})$") }),
            None => json!({ "type": "string" }),
        },
    }
}

/// An object of a complex type, backbone element or resource: exactly its elements.
fn object_schema(def: &TypeDef, resource: Option<&str>) -> Value {
    let is_extension = r4()
        .type_def("Extension")
        .is_some_and(|extension| std::ptr::eq(def, extension));
    let mut properties = Map::new();
    let mut required = Vec::new();
    if let Some(name) = resource {
        properties.insert(
            "resourceType".into(),
            json!({ "type": "string", "enum": [name] }),
        );
        required.push(json!("resourceType"));
    }
    for element in def.elements() {
        for type_name in &element.types {
            let key = if element.choice {
                choice_key(&element.name, type_name)
            } else {
                element.name.clone()
            };
            let is_primitive = r4()
                .type_def(type_name)
                .is_some_and(|t| t.kind == TypeKind::Primitive);
            let mut value = occurrences(element, type_name, is_primitive);
            if type_name == "code"
                && let Some(codes) = required_codes(element)
            {
                let one = if element.repeats() {
                    &mut value["items"]
                } else {
                    &mut value
                };
                *one = json!({ "type": "string", "enum": codes });
            }
            properties.insert(key.clone(), value);
            // An element's `id` and an extension's `url` are FHIRPath System types, not FHIR
            // primitives: they take no extensions.
            let is_system_typed = key == "id" || (key == "url" && is_extension);
            if is_primitive && !is_system_typed {
                properties.insert(format!("_{key}"), occurrences(element, "Element", true));
            }
        }
        if element.min >= 1 && !element.choice {
            required.push(json!(element.name));
        }
    }
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if resource.is_none() {
        // FHIR has no empty elements: `{}` is refused.
        schema["minProperties"] = json!(1);
    }
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

/// The codes a `code` element's required binding allows, when its value set lists them.
fn required_codes(element: &ElementDef) -> Option<Vec<&str>> {
    let value_set = r4().value_set(element.required_value_set.as_deref()?)?;
    let mut codes: Vec<&str> = value_set.values().flatten().map(String::as_str).collect();
    codes.sort_unstable();
    codes.dedup();
    Some(codes)
}

/// An element's value as JSON holds it: an array if it repeats (whose items may be null beside
/// a primitive's `_name`), else one value.
fn occurrences(element: &ElementDef, type_name: &str, nullable_items: bool) -> Value {
    let one = json!({ "$ref": format!("#/components/schemas/{type_name}") });
    if !element.repeats() {
        return one;
    }
    let items = if nullable_items {
        json!({ "allOf": [one], "nullable": true })
    } else {
        one
    };
    let mut array = json!({ "type": "array", "items": items, "minItems": 1 });
    if let Some(max) = element.max {
        array["maxItems"] = json!(max);
    }
    array
}

/// `valueQuantity` for `value[x]` as a `Quantity`.
fn choice_key(stem: &str, type_name: &str) -> String {
    let mut chars = type_name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!(
        "{stem}{}{}",
        first.map(String::from).unwrap_or_default(),
        chars.as_str()
    )
}
