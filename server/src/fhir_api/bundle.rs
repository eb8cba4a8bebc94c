//! `POST /fhir` with a batch or transaction Bundle. A transaction is all or nothing: its writes
//! share one database transaction, and the first failure rolls back every entry.

use std::collections::HashMap;

use axum::http::StatusCode;
use backend::{
    Db,
    auth::{ApiClient, Interaction},
};
use fhir::{ResourceType, operation_outcome::Issue};
use serde_json::{Value, json};
use store::{Found, Versioned};

use super::{
    access::{permit, readable_includes, refuse_if_append_only},
    checked_resource, conditional_match,
    error::FhirApiError,
    http::resource_type,
};

/// One entry's request, parsed and checked before anything is written.
enum Request {
    Create {
        resource_type: ResourceType,
        resource: Value,
        if_none_exist: Option<String>,
    },
    Update {
        resource_type: ResourceType,
        id: String,
        resource: Value,
        if_match: Option<i64>,
    },
    Delete {
        resource_type: ResourceType,
        id: String,
    },
    /// `PUT Type?criteria`: becomes an `Update` of the match (or a create) once resolved.
    ConditionalUpdate {
        resource_type: ResourceType,
        criteria: String,
        resource: Value,
    },
    /// `DELETE Type?criteria`: becomes a `Delete` of the match, or `Nothing`.
    ConditionalDelete {
        resource_type: ResourceType,
        criteria: String,
    },
    /// A conditional delete that matched nothing: 204, nothing written.
    Nothing,
    Read {
        resource_type: ResourceType,
        id: String,
    },
    Search {
        resource_type: ResourceType,
        query: String,
    },
}

/// The `response` (and resource) of one entry.
struct Outcome {
    status: StatusCode,
    written: Option<Versioned>,
    body: Option<Value>,
}

impl Outcome {
    fn written(status: StatusCode, written: Versioned) -> Self {
        Self {
            status,
            written: Some(written),
            body: None,
        }
    }

    /// An update's outcome: 201 when it created the resource, else 200.
    fn updated(written: Versioned, created: bool) -> Self {
        Self::written(
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            written,
        )
    }
}

impl Request {
    /// What the caller's scopes must allow for this entry; AuditEvents are never changed.
    fn authorize(&self, client: &ApiClient) -> Result<(), FhirApiError> {
        match self {
            Request::Create {
                resource_type,
                if_none_exist,
                ..
            } => {
                permit(client, *resource_type, Interaction::Create)?;
                if if_none_exist.is_some() {
                    permit(client, *resource_type, Interaction::Search)?;
                }
                Ok(())
            }
            Request::Update { resource_type, .. } => {
                refuse_if_append_only(*resource_type)?;
                permit(client, *resource_type, Interaction::Update)
            }
            Request::Delete { resource_type, .. } => {
                refuse_if_append_only(*resource_type)?;
                permit(client, *resource_type, Interaction::Delete)
            }
            Request::ConditionalUpdate { resource_type, .. } => {
                refuse_if_append_only(*resource_type)?;
                permit(client, *resource_type, Interaction::Update)?;
                permit(client, *resource_type, Interaction::Search)
            }
            Request::ConditionalDelete { resource_type, .. } => {
                refuse_if_append_only(*resource_type)?;
                permit(client, *resource_type, Interaction::Delete)?;
                permit(client, *resource_type, Interaction::Search)
            }
            Request::Nothing => Ok(()),
            Request::Read { resource_type, .. } => {
                permit(client, *resource_type, Interaction::Read)
            }
            Request::Search { resource_type, .. } => {
                permit(client, *resource_type, Interaction::Search)
            }
        }
    }
}

/// An entry's request, parsed and allowed for `client`.
fn authorized(entry: &Value, client: &ApiClient) -> Result<Request, FhirApiError> {
    let request = parse(entry)?;
    request.authorize(client)?;
    Ok(request)
}

/// A conditional update or delete as the plain request its criteria resolve to (the match is
/// written from the version found); any other request as it is.
async fn resolved(db: &Db, client: &ApiClient, request: Request) -> Result<Request, FhirApiError> {
    match request {
        Request::ConditionalUpdate {
            resource_type,
            criteria,
            resource,
        } => {
            let body_id = resource["id"].as_str().map(str::to_owned);
            let (id, if_match) = match conditional_match(db, client, resource_type, &criteria)
                .await?
            {
                Some(existing) => {
                    let id = existing.resource["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if body_id.is_some_and(|body_id| body_id != id) {
                        return Err(FhirApiError::BadRequest(vec![Issue::new(
                            "invalid",
                            "The id in the resource is not the id of the resource the criteria match",
                        )]));
                    }
                    (id, Some(existing.version_id))
                }
                None => match body_id {
                    Some(id) => (id, None),
                    None => {
                        permit(client, resource_type, Interaction::Create)?;
                        (store::new_id(), None)
                    }
                },
            };
            Ok(Request::Update {
                resource_type,
                id,
                resource,
                if_match,
            })
        }
        Request::ConditionalDelete {
            resource_type,
            criteria,
        } => Ok(
            match conditional_match(db, client, resource_type, &criteria).await? {
                Some(existing) => Request::Delete {
                    resource_type,
                    id: existing.resource["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                },
                None => Request::Nothing,
            },
        ),
        other => Ok(other),
    }
}

pub async fn process(
    db: &Db,
    client: &ApiClient,
    base: &str,
    bundle: Value,
) -> Result<Value, FhirApiError> {
    if bundle["resourceType"] != "Bundle" {
        return Err(FhirApiError::BadRequest(vec![Issue::new(
            "invalid",
            "POST to the base takes a Bundle",
        )]));
    }
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    match bundle["type"].as_str() {
        Some("transaction") => transaction(db, client, base, entries).await,
        Some("batch") => Ok(batch(db, client, base, entries).await),
        _ => Err(FhirApiError::BadRequest(vec![
            Issue::new("value", "Bundle.type must be batch or transaction").at("Bundle.type"),
        ])),
    }
}

async fn batch(db: &Db, client: &ApiClient, base: &str, entries: Vec<Value>) -> Value {
    let mut responses = Vec::new();
    for entry in &entries {
        let outcome = match authorized(entry, client) {
            Ok(request) => match resolved(db, client, request).await {
                Ok(request) => run_alone(db, client, base, request).await,
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        };
        responses.push(response_entry(base, outcome));
    }
    answer("batch-response", responses)
}

async fn transaction(
    db: &Db,
    client: &ApiClient,
    base: &str,
    entries: Vec<Value>,
) -> Result<Value, FhirApiError> {
    let mut requests = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        requests.push(
            authorized(entry, client).map_err(|e| FhirApiError::InEntry(index, Box::new(e)))?,
        );
    }
    // Conditional entries resolve to the resources they mean before anything is written; a
    // conditional update's fullUrl then names its match, so other entries can refer to it.
    let mut plain = Vec::with_capacity(requests.len());
    for (index, request) in requests.into_iter().enumerate() {
        let request = resolved(db, client, request)
            .await
            .map_err(|e| FhirApiError::InEntry(index, Box::new(e)))?;
        plain.push(request);
    }
    let mut requests = plain;

    // Creates get their ids up front, so that entries can refer to each other by fullUrl.
    let mut outcomes: Vec<Option<Outcome>> = requests.iter().map(|_| None).collect();
    let mut new_ids: HashMap<String, String> = HashMap::new();
    let mut assigned: Vec<Option<String>> = vec![None; requests.len()];
    for (index, request) in requests.iter().enumerate() {
        if let Request::Create {
            resource_type,
            if_none_exist,
            ..
        } = request
        {
            let target = match if_none_exist {
                Some(criteria) => conditional_match(db, client, *resource_type, criteria)
                    .await
                    .map_err(|e| FhirApiError::InEntry(index, Box::new(e)))?,
                None => None,
            };
            let id = match target {
                Some(existing) => {
                    let id = existing.resource["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    outcomes[index] = Some(Outcome::written(StatusCode::OK, existing));
                    id
                }
                None => {
                    let id = store::new_id();
                    assigned[index] = Some(id.clone());
                    id
                }
            };
            if let Some(full_url) = entries[index]["fullUrl"].as_str() {
                new_ids.insert(full_url.to_owned(), format!("{resource_type}/{id}"));
            }
        }
        if let Request::Update {
            resource_type, id, ..
        } = request
            && let Some(full_url) = entries[index]["fullUrl"].as_str()
            && full_url.starts_with("urn:")
        {
            new_ids.insert(full_url.to_owned(), format!("{resource_type}/{id}"));
        }
    }
    for request in &mut requests {
        if let Request::Create { resource, .. } | Request::Update { resource, .. } = request {
            rewrite_references(resource, &new_ids);
        }
    }

    // FHIR's order: deletes, creates, updates, then reads (after the commit, so they see it all).
    let now = jiff::Timestamp::now();
    let mut tx = store::begin(db).await?;
    for pass in 0..3 {
        for (index, request) in requests.iter().enumerate() {
            let at = |e: FhirApiError| FhirApiError::InEntry(index, Box::new(e));
            let outcome = match (pass, request) {
                (0, Request::Delete { resource_type, id }) => {
                    store::delete_in(&mut tx, *resource_type, id, now)
                        .await
                        .map_err(|e| at(e.into()))?;
                    Outcome {
                        status: StatusCode::NO_CONTENT,
                        written: None,
                        body: None,
                    }
                }
                (
                    1,
                    Request::Create {
                        resource_type,
                        resource,
                        ..
                    },
                ) => {
                    let Some(id) = &assigned[index] else { continue };
                    let mut resource = resource.clone();
                    resource["resourceType"] = json!(resource_type.as_str());
                    resource["id"] = json!(id);
                    let written = store::insert_new(&mut tx, resource, now)
                        .await
                        .map_err(|e| at(e.into()))?;
                    Outcome::written(StatusCode::CREATED, written)
                }
                (
                    2,
                    Request::Update {
                        resource_type,
                        id,
                        resource,
                        if_match,
                    },
                ) => {
                    let (written, created) = store::update_in(
                        &mut tx,
                        *resource_type,
                        id,
                        resource.clone(),
                        *if_match,
                        now,
                    )
                    .await
                    .map_err(|e| at(e.into()))?;
                    Outcome::updated(written, created)
                }
                _ => continue,
            };
            outcomes[index] = Some(outcome);
        }
    }
    tx.commit()
        .await
        .map_err(|e| FhirApiError::Internal(e.to_string()))?;

    let mut responses = Vec::new();
    for (index, request) in requests.into_iter().enumerate() {
        let outcome = match outcomes[index].take() {
            Some(outcome) => Ok(outcome),
            None => run_alone(db, client, base, request).await,
        };
        responses.push(response_entry(base, outcome));
    }
    Ok(answer("transaction-response", responses))
}

/// One request on its own (a batch entry, or a transaction's read after the commit).
async fn run_alone(
    db: &Db,
    client: &ApiClient,
    base: &str,
    request: Request,
) -> Result<Outcome, FhirApiError> {
    let now = jiff::Timestamp::now();
    Ok(match request {
        Request::Create {
            resource_type,
            resource,
            if_none_exist,
        } => {
            if let Some(criteria) = if_none_exist
                && let Some(existing) =
                    conditional_match(db, client, resource_type, &criteria).await?
            {
                return Ok(Outcome::written(StatusCode::OK, existing));
            }
            let written = store::create(db, resource_type, resource, now).await?;
            Outcome::written(StatusCode::CREATED, written)
        }
        Request::Update {
            resource_type,
            id,
            resource,
            if_match,
        } => {
            let (written, created) =
                store::update(db, resource_type, &id, resource, if_match, now).await?;
            Outcome::updated(written, created)
        }
        Request::Delete { resource_type, id } => {
            store::delete(db, resource_type, &id, now).await?;
            Outcome {
                status: StatusCode::NO_CONTENT,
                written: None,
                body: None,
            }
        }
        Request::Nothing => Outcome {
            status: StatusCode::NO_CONTENT,
            written: None,
            body: None,
        },
        Request::ConditionalUpdate { .. } | Request::ConditionalDelete { .. } => {
            return Err(FhirApiError::Internal(
                "a conditional entry reached run_alone unresolved".to_owned(),
            ));
        }
        Request::Read { resource_type, id } => match store::read(db, resource_type, &id).await? {
            Found::Current(v) => Outcome::written(StatusCode::OK, v),
            Found::Deleted { .. } => return Err(FhirApiError::Gone),
            Found::Missing => return Err(FhirApiError::NotFound),
        },
        Request::Search {
            resource_type,
            query,
        } => {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let parsed = super::parsed_search(client, resource_type, &pairs)?;
            let page = readable_includes(
                client,
                store::search::search(db, resource_type, &parsed).await?,
            );
            let bundle = super::searchset::bundle(base, resource_type, &pairs, &parsed, page, &[]);
            Outcome {
                status: StatusCode::OK,
                written: None,
                body: Some(bundle),
            }
        }
    })
}

/// The response Bundle; with no entries when there were none (FHIR has no empty lists).
fn answer(bundle_type: &str, responses: Vec<Value>) -> Value {
    let mut bundle = json!({ "resourceType": "Bundle", "type": bundle_type });
    if !responses.is_empty() {
        bundle["entry"] = Value::Array(responses);
    }
    bundle
}

fn parse(entry: &Value) -> Result<Request, FhirApiError> {
    let bad = |text: &str| {
        FhirApiError::BadRequest(vec![Issue::new("invalid", text).at("Bundle.entry.request")])
    };
    // As in a request's own URL (`crate::nul_guard`): no database can search for a NUL.
    let holds_nul = entry["request"]
        .as_object()
        .into_iter()
        .flat_map(|request| request.values())
        .filter_map(Value::as_str)
        .any(|text| text.contains('\0') || text.contains("%00"));
    if holds_nul {
        return Err(bad("request holds a NUL character, which is never valid"));
    }
    let method = entry["request"]["method"]
        .as_str()
        .ok_or_else(|| bad("request.method is missing"))?;
    let url = entry["request"]["url"]
        .as_str()
        .ok_or_else(|| bad("request.url is missing"))?;
    let url = url.trim_start_matches('/');
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let segments: Vec<&str> = path.split('/').collect();
    let typed = |name: &str| resource_type(name);
    match (method, segments.as_slice()) {
        ("POST", [name]) => {
            let resource_type = typed(name)?;
            let resource = checked_resource(entry["resource"].clone(), resource_type)?;
            let if_none_exist = entry["request"]["ifNoneExist"].as_str().map(String::from);
            Ok(Request::Create {
                resource_type,
                resource,
                if_none_exist,
            })
        }
        ("PUT", [name, id]) => {
            let resource_type = typed(name)?;
            let resource = checked_resource(entry["resource"].clone(), resource_type)?;
            if resource.get("id").is_some_and(|body_id| body_id != id) {
                return Err(bad("the resource's id must match request.url"));
            }
            let if_match = match entry["request"]["ifMatch"].as_str() {
                Some(etag) => Some(
                    etag.trim_start_matches("W/")
                        .trim_matches('"')
                        .parse::<i64>()
                        .map_err(|_| bad("ifMatch must be a version ETag such as W/\"3\""))?,
                ),
                None => None,
            };
            Ok(Request::Update {
                resource_type,
                id: (*id).to_owned(),
                resource,
                if_match,
            })
        }
        ("PUT", [name]) if !query.is_empty() => {
            let resource_type = typed(name)?;
            Ok(Request::ConditionalUpdate {
                resource_type,
                criteria: query.to_owned(),
                resource: checked_resource(entry["resource"].clone(), resource_type)?,
            })
        }
        ("DELETE", [name]) if !query.is_empty() => Ok(Request::ConditionalDelete {
            resource_type: typed(name)?,
            criteria: query.to_owned(),
        }),
        ("DELETE", [name, id]) => Ok(Request::Delete {
            resource_type: typed(name)?,
            id: (*id).to_owned(),
        }),
        ("GET", [name, id]) => Ok(Request::Read {
            resource_type: typed(name)?,
            id: (*id).to_owned(),
        }),
        ("GET", [name]) => Ok(Request::Search {
            resource_type: typed(name)?,
            query: query.to_owned(),
        }),
        _ => Err(FhirApiError::NotImplemented("That Bundle entry request")),
    }
}

/// Replaces `reference` values that name another entry's fullUrl with its new `Type/id`.
fn rewrite_references(value: &mut Value, new_ids: &HashMap<String, String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "reference"
                    && let Some(target) = child.as_str().and_then(|r| new_ids.get(r))
                {
                    *child = json!(target);
                } else {
                    rewrite_references(child, new_ids);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_references(item, new_ids)),
        _ => {}
    }
}

fn response_entry(base: &str, outcome: Result<Outcome, FhirApiError>) -> Value {
    match outcome {
        Ok(Outcome {
            status,
            written: Some(v),
            ..
        }) => {
            let kind = v.resource["resourceType"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let id = v.resource["id"].as_str().unwrap_or_default().to_owned();
            json!({
                "fullUrl": format!("{base}/{kind}/{id}"),
                "resource": v.resource,
                "response": {
                    "status": status_line(status),
                    "location": format!("{kind}/{id}/_history/{}", v.version_id),
                    "etag": format!("W/\"{}\"", v.version_id),
                    "lastModified": v.last_updated,
                },
            })
        }
        Ok(Outcome {
            status,
            body: Some(body),
            ..
        }) => {
            json!({ "resource": body, "response": { "status": status_line(status) } })
        }
        Ok(Outcome { status, .. }) => json!({ "response": { "status": status_line(status) } }),
        Err(error) => {
            let (status, outcome) = error.into_parts();
            json!({ "response": { "status": status_line(status), "outcome": outcome } })
        }
    }
}

fn status_line(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default()
    )
}
