//! The FHIR R4 REST API under `/fhir`: read, vread, create, update, patch, delete (the writes
//! conditional too), history, search, batch and transaction of every R4 type, JSON only, every
//! error an OperationOutcome.
//!
//! Every interaction but `/metadata` and the SMART configuration needs a bearer token from
//! `/oauth2/token`; each handler checks the token's scopes for what it does ([`access`]).

mod access;
mod body;
mod bundle;
mod capability;
mod conditional;
mod error;
mod extract;
mod http;
mod media;
mod openapi;
mod patch;
mod searchset;
mod validate;

pub(crate) use error::FhirApiError;
use std::collections::BTreeSet;

use axum::{
    Extension, Router,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    middleware,
    response::Response,
    routing::{get, post},
};
use backend::{
    Db, FhirRepository,
    auth::{ApiClient, Interaction},
};
use fhir::{ResourceType, operation_outcome::Issue, subset::Subset};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Found, HistoryEntry, VersionedJson};

use access::{permit, readable_includes, refuse_if_append_only};
use body::FhirBody;
use extract::{Path, Query};
use http::{
    base_url, if_match, json_body, location, negotiate, no_content, prefer_lenient, prefer_return,
    resource_type, versioned_response, versioned_text_response, written_response,
};
use media::{SentRecords, fhir_json};

/// The routes under `/fhir`.
pub fn router<S: Clone + Send + Sync + 'static>(db: Db) -> Router<S> {
    let metadata = |headers: HeaderMap, Query(query): Query<FormatQuery>| async move {
        negotiate(&headers, query.format.as_deref())?;
        Ok::<_, FhirApiError>(fhir_json(capability::capability_statement(&base_url(
            &headers,
        ))))
    };
    let smart_configuration = |headers: HeaderMap| async move {
        let base = base_url(&headers);
        let server = base.trim_end_matches("/fhir");
        axum::Json(crate::oauth::smart_configuration(server))
    };
    let openapi = |headers: HeaderMap| async move {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            openapi::document(&base_url(&headers)),
        )
    };
    Router::new()
        .route("/", post(batch_or_transaction))
        .route(
            "/{resource_type}",
            get(search)
                .post(create)
                .put(conditional::conditional_update)
                .delete(conditional::conditional_delete)
                .patch(patch::conditional_patch),
        )
        .route("/{resource_type}/_history", get(type_history))
        .route("/{resource_type}/_search", post(search_by_post))
        .route("/{resource_type}/$validate", post(validate::validate))
        .route(
            "/{resource_type}/{id}",
            get(read).put(update).delete(delete).patch(patch::patch),
        )
        .route("/{resource_type}/{id}/_history", get(history))
        .route("/{resource_type}/{id}/_history/{version_id}", get(vread))
        .route_layer(middleware::from_fn_with_state(
            access::Door {
                db: db.clone(),
                tokens: std::sync::Arc::default(),
            },
            access::authenticate_and_audit,
        ))
        .route("/metadata", get(metadata))
        .route("/openapi.json", get(openapi))
        .route("/.well-known/smart-configuration", get(smart_configuration))
        .fallback(|| async { FhirApiError::NotImplemented("That interaction") })
        .method_not_allowed_fallback(|| async { FhirApiError::MethodNotAllowed })
        .with_state(db)
}

#[derive(Debug, Deserialize)]
struct FormatQuery {
    #[serde(rename = "_format")]
    format: Option<String>,
}

/// A read's parameters: the format, and which part of the resource (`_summary`, `_elements`).
#[derive(Debug, Deserialize)]
struct ReadQuery {
    #[serde(rename = "_format")]
    format: Option<String>,
    #[serde(rename = "_summary")]
    summary: Option<String>,
    #[serde(rename = "_elements")]
    elements: Option<String>,
}

impl ReadQuery {
    fn subset(&self, resource_type: ResourceType) -> Result<Option<Subset>, FhirApiError> {
        let refused = |at: &str, text: String| {
            FhirApiError::BadRequest(vec![Issue::new("not-supported", text).at(at)])
        };
        match (&self.summary, &self.elements) {
            (Some(summary), None) => Subset::summary(summary).map_err(|e| refused("_summary", e)),
            (None, Some(elements)) => Subset::elements(resource_type.as_str(), elements)
                .map(Some)
                .map_err(|e| refused("_elements", e)),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(refused(
                "_elements",
                "use _summary or _elements, not both".to_owned(),
            )),
        }
    }
}

type FhirResult = Result<Response, FhirApiError>;

/// `GET [base]/[type]?…`: a searchset Bundle of one page of matches and their includes.
async fn search(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> FhirResult {
    let pairs = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    run_search(&db, &client, &name, pairs, &headers).await
}

/// `POST [base]/[type]/_search` with the parameters as a form body (keeps them out of URLs and logs).
async fn search_by_post(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(FhirApiError::UnsupportedMediaType);
    }
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    pairs.extend(form_urlencoded::parse(&body).into_owned());
    run_search(&db, &client, &name, pairs, &headers).await
}

async fn run_search(
    db: &Db,
    client: &ApiClient,
    name: &str,
    pairs: Vec<(String, String)>,
    headers: &HeaderMap,
) -> FhirResult {
    let resource_type = resource_type(name)?;
    permit(client, resource_type, Interaction::Search)?;
    let format = pairs
        .iter()
        .find(|(k, _)| k == "_format")
        .map(|(_, v)| v.as_str());
    negotiate(headers, format)?;
    let (pairs, ignored) = if prefer_lenient(headers) {
        fhir::search::supported_pairs(resource_type, &pairs)
    } else {
        (pairs, Vec::new())
    };
    let query = parsed_search(client, resource_type, &pairs)?;
    let page = readable_includes(client, db.search(resource_type, &query).await?);
    let base = base_url(headers);
    Ok(fhir_json(searchset::bundle(
        &base,
        resource_type,
        &pairs,
        &query,
        page,
        &ignored,
    )))
}

async fn create(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    permit(&client, resource_type, Interaction::Create)?;
    negotiate(&headers, query.format.as_deref())?;
    let resource = checked_body(&headers, &body, resource_type)?;
    if let Some(criteria) = headers.get("if-none-exist") {
        // The criteria are a search: they reveal what exists.
        permit(&client, resource_type, Interaction::Search)?;
        let criteria = criteria.to_str().map_err(|_| {
            FhirApiError::BadRequest(vec![Issue::new(
                "value",
                "If-None-Exist must be plain text",
            )])
        })?;
        if let Some(existing) = conditional_match(&db, &client, resource_type, criteria).await? {
            // Already there: nothing is created, and the client is shown what exists.
            return Ok(written_response(
                StatusCode::OK,
                existing,
                None,
                prefer_return(&headers),
            ));
        }
    }
    let written = db
        .create(resource_type, resource, jiff::Timestamp::now())
        .await?;
    let id = written.resource["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tracing::info!(resource_type = %resource_type, id, "created");
    let location = location(&written);
    Ok(written_response(
        StatusCode::CREATED,
        written,
        Some(location),
        prefer_return(&headers),
    ))
}

async fn read(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path((name, id)): Path<(String, String)>,
    Query(query): Query<ReadQuery>,
    headers: HeaderMap,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    permit(&client, resource_type, Interaction::Read)?;
    negotiate(&headers, query.format.as_deref())?;
    let subset = query.subset(resource_type)?;
    match db.read_json(resource_type, &id).await? {
        Found::Current(mut read) => {
            let sent = sent_by_read(resource_type, &id, &read)?;
            if let Some(subset) = subset {
                let mut resource: Value = serde_json::from_str(&read.json).map_err(|error| {
                    FhirApiError::Internal(format!("a stored resource: {error}"))
                })?;
                subset.apply(&mut resource);
                read.json = resource.to_string();
            }
            Ok(versioned_text_response(read, sent))
        }
        Found::Deleted { .. } => Err(FhirApiError::Gone),
        Found::Missing => Err(FhirApiError::NotFound),
    }
}

/// What a read sent, for its audit record: the record, and the patients it belongs to (a
/// Patient is its own; any other record says whose it is, so only its text is parsed).
fn sent_by_read(
    resource_type: ResourceType,
    id: &str,
    read: &VersionedJson,
) -> Result<SentRecords, FhirApiError> {
    let record = fhir::reference(resource_type.as_str(), id);
    let patients = if resource_type == ResourceType::Patient {
        BTreeSet::from([record.clone()])
    } else {
        let resource: Value = serde_json::from_str(&read.json)
            .map_err(|error| FhirApiError::Internal(format!("a stored resource: {error}")))?;
        fhir::compartment::patients_of(&resource)
    };
    Ok(SentRecords {
        records: BTreeSet::from([record]),
        patients,
    })
}

async fn vread(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path((name, id, version)): Path<(String, String, String)>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    permit(&client, resource_type, Interaction::Read)?;
    negotiate(&headers, query.format.as_deref())?;
    let Ok(version_id) = version.parse::<i64>() else {
        return Err(FhirApiError::NotFound);
    };
    found(db.read_version(resource_type, &id, version_id).await?)
}

async fn update(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path((name, id)): Path<(String, String)>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    refuse_if_append_only(resource_type)?;
    permit(&client, resource_type, Interaction::Update)?;
    negotiate(&headers, query.format.as_deref())?;
    let resource = checked_body(&headers, &body, resource_type)?;
    if !fhir::validate::is_valid_id(&id) {
        return Err(FhirApiError::BadRequest(vec![Issue::new(
            "value",
            "The id in the URL is not a valid FHIR id",
        )]));
    }
    if resource
        .get("id")
        .is_some_and(|body_id| body_id != &json!(id))
    {
        return Err(FhirApiError::BadRequest(vec![
            Issue::new("invalid", "The id in the body must match the id in the URL")
                .at(format!("{resource_type}.id")),
        ]));
    }
    let expected = if_match(&headers)?;
    let (written, created) = db
        .update(
            resource_type,
            &id,
            resource,
            expected,
            jiff::Timestamp::now(),
        )
        .await?;
    tracing::info!(resource_type = %resource_type, id, version = written.version_id, "updated");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = location(&written);
    Ok(written_response(
        status,
        written,
        Some(location),
        prefer_return(&headers),
    ))
}

async fn delete(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path((name, id)): Path<(String, String)>,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    refuse_if_append_only(resource_type)?;
    permit(&client, resource_type, Interaction::Delete)?;
    db.delete(resource_type, &id, jiff::Timestamp::now())
        .await?;
    tracing::info!(resource_type = %resource_type, id, "deleted");
    Ok(no_content())
}

async fn history(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path((name, id)): Path<(String, String)>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    permit(&client, resource_type, Interaction::Read)?;
    negotiate(&headers, query.format.as_deref())?;
    let entries = db.history(resource_type, &id).await?;
    if entries.is_empty() {
        return Err(FhirApiError::NotFound);
    }
    let base = base_url(&headers);
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|e| history_entry(&base, resource_type, &id, e))
        .collect();
    Ok(fhir_json(json!({
        "resourceType": "Bundle",
        "type": "history",
        "total": entry.len(),
        "entry": entry,
    })))
}

/// One version in a history Bundle: the resource as written, or the fact of its deletion.
fn history_entry(base: &str, resource_type: ResourceType, id: &str, entry: HistoryEntry) -> Value {
    let url = format!("{resource_type}/{id}");
    let full_url = format!("{base}/{url}");
    match entry {
        HistoryEntry::Written(v) => json!({
            "fullUrl": full_url,
            "resource": v.resource,
            "request": { "method": if v.version_id == 1 { "POST" } else { "PUT" }, "url": url },
            "response": { "status": "200", "etag": format!("W/\"{}\"", v.version_id), "lastModified": v.last_updated },
        }),
        HistoryEntry::Deleted {
            version_id,
            last_updated,
        } => json!({
            "fullUrl": full_url,
            "request": { "method": "DELETE", "url": url },
            "response": { "status": "204", "etag": format!("W/\"{version_id}\""), "lastModified": last_updated },
        }),
    }
}

/// `POST [base]` with a batch or transaction Bundle.
async fn batch_or_transaction(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    negotiate(&headers, None)?;
    let bundle = json_body(&headers, &body)?;
    let response = bundle::process(&db, &client, &base_url(&headers), bundle).await?;
    Ok(fhir_json(response))
}

/// `GET [base]/[type]/_history`: the latest versions of the type's resources, newest first.
async fn type_history(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    Query(query): Query<HistoryQuery>,
    headers: HeaderMap,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    permit(&client, resource_type, Interaction::Search)?;
    negotiate(&headers, query.format.as_deref())?;
    let count = query
        .count
        .map_or(fhir::search::DEFAULT_COUNT, i64::from)
        .clamp(1, fhir::search::MAX_COUNT);
    let entries = store::type_history(&db, resource_type, count).await?;
    let base = base_url(&headers);
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|(id, e)| history_entry(&base, resource_type, &id, e))
        .collect();
    Ok(fhir_json(
        json!({ "resourceType": "Bundle", "type": "history", "total": entry.len(), "entry": entry }),
    ))
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    #[serde(rename = "_format")]
    format: Option<String>,
    /// A whole number, so that a negative or repeated `_count` is refused, not guessed at.
    #[serde(rename = "_count")]
    count: Option<u32>,
}

/// The body as a resource of `expected` type that passes this server's own checks.
fn checked_body(
    headers: &HeaderMap,
    body: &[u8],
    expected: ResourceType,
) -> Result<Value, FhirApiError> {
    checked_resource(json_body(headers, body)?, expected)
}

/// `resource` if it is a resource of `expected` type that passes this server's own checks.
fn checked_resource(resource: Value, expected: ResourceType) -> Result<Value, FhirApiError> {
    let issues = fhir::validate::check(&resource, expected);
    if issues.is_empty() {
        Ok(resource)
    } else if issues.iter().all(|i| i.code == "value") {
        // The structure is right but a value breaks a rule (such as an NHS number's check digit).
        Err(FhirApiError::Unprocessable(issues))
    } else {
        Err(FhirApiError::BadRequest(issues))
    }
}

/// A search's parameters, parsed, once the client is known to be allowed to search every type
/// they consult (a chain's targets, `_has` sources): else the answer would tell what those hold.
fn parsed_search(
    client: &ApiClient,
    resource_type: ResourceType,
    pairs: &[(String, String)],
) -> Result<fhir::search::SearchQuery, FhirApiError> {
    let query =
        fhir::search::parse_query(resource_type, pairs).map_err(FhirApiError::BadRequest)?;
    for consulted in query.types_consulted() {
        permit(client, consulted, Interaction::Search)?;
    }
    Ok(query)
}

/// The one resource matching a conditional interaction's criteria (`identifier=…`, optionally
/// with a leading `Type?`), `None` when nothing matches, 412 when several do. Criteria that
/// filter nothing are refused: they would match every resource of the type.
async fn conditional_match(
    db: &Db,
    client: &ApiClient,
    resource_type: ResourceType,
    criteria: &str,
) -> Result<Option<store::Versioned>, FhirApiError> {
    let criteria = criteria
        .split_once('?')
        .map_or(criteria, |(_, query)| query);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(criteria.as_bytes())
        .into_owned()
        .collect();
    let mut query = parsed_search(client, resource_type, &pairs)?;
    if query.conditions.is_empty() {
        return Err(FhirApiError::BadRequest(vec![Issue::new(
            "required",
            "A conditional request needs search criteria that say which resource it means",
        )]));
    }
    // Two matches are as many as it takes to know: no need to count them all.
    query.count = 2;
    query.offset = 0;
    query.total = fhir::search::Total::None;
    let mut page = db.search(resource_type, &query).await?;
    match page.matches.len() {
        0 => Ok(None),
        1 => Ok(page.matches.pop()),
        _ => Err(FhirApiError::MultipleMatches),
    }
}

fn found(found: Found) -> FhirResult {
    match found {
        Found::Current(v) => Ok(versioned_response(StatusCode::OK, v, None)),
        Found::Deleted { .. } => Err(FhirApiError::Gone),
        Found::Missing => Err(FhirApiError::NotFound),
    }
}
