//! The FHIR API's front door: every request but `/metadata` needs a bearer token from the token
//! endpoint, each handler checks the token's scopes for what it does, and every call that got past
//! the door leaves an AuditEvent naming the client, the records and the patients whose they are.
//!
//! Auditing is fail-closed: if the AuditEvent cannot be stored, the caller gets a 500, not the data.

use std::{collections::BTreeSet, sync::Arc};

use axum::{
    body::{Body, to_bytes},
    extract::{MatchedPath, Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use backend::{
    Db, FhirRepository,
    auth::{
        ApiClient, Interaction, api_clients,
        audit::{self, AccessRecord, Action, Agent, Outcome},
    },
};
use fhir::ResourceType;
use serde_json::Value;
use store::{HistoryEntry, search::SearchPage};

use super::{
    error::FhirApiError,
    media::{SentJson, SentRecords},
};
use crate::client_address::ClientAddress;

/// Refuses with 403 unless the caller's scopes allow `interaction` on `resource_type`.
pub fn permit(
    client: &ApiClient,
    resource_type: ResourceType,
    interaction: Interaction,
) -> Result<(), FhirApiError> {
    if client.scopes.permits(resource_type, interaction) {
        Ok(())
    } else {
        let what = match interaction {
            Interaction::Create => "create",
            Interaction::Read => "read",
            Interaction::Update => "update",
            Interaction::Delete => "delete",
            Interaction::Search => "search",
        };
        Err(FhirApiError::Forbidden(format!(
            "{what} on {resource_type}"
        )))
    }
}

/// AuditEvents are the audit trail: nobody changes or removes one, whatever their scopes.
pub fn refuse_if_append_only(resource_type: ResourceType) -> Result<(), FhirApiError> {
    if resource_type == ResourceType::AuditEvent {
        Err(FhirApiError::AppendOnly)
    } else {
        Ok(())
    }
}

/// A search's page without the included resources the caller may not read: `_include` and
/// `_revinclude` must not reach types the token does not cover.
pub fn readable_includes(client: &ApiClient, mut page: SearchPage) -> SearchPage {
    page.included.retain(|included| {
        included.resource["resourceType"]
            .as_str()
            .and_then(|name| name.parse::<ResourceType>().ok())
            .is_some_and(|t| client.scopes.permits(t, Interaction::Read))
    });
    page
}

/// What the front door needs: the database, and the tokens this process checked lately.
#[derive(Clone)]
pub struct Door {
    pub db: Db,
    pub tokens: Arc<api_clients::BearerCache>,
}

/// Middleware on every FHIR route but `/metadata`: authenticate, run the handler, audit.
pub async fn authenticate_and_audit(
    State(Door { db, tokens }): State<Door>,
    mut request: Request,
    next: Next,
) -> Result<Response, FhirApiError> {
    let token = bearer_token(&request).ok_or(FhirApiError::Unauthenticated)?;
    let client = api_clients::authenticate_bearer(&db, &tokens, token, jiff::Timestamp::now())
        .await
        .map_err(|error| match error {
            api_clients::BearerError::Rejected => FhirApiError::InvalidToken,
            api_clients::BearerError::Store(error) => error.into(),
        })?;

    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().trim_start_matches("/fhir").to_owned())
        .unwrap_or_default();
    let path = request.uri().path().to_owned();
    let address = request
        .extensions()
        .get::<ClientAddress>()
        .map(|ClientAddress(a)| a.to_string());
    // Set by the request-id layer before any route runs.
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned);
    let mut query = request.uri().query().map(str::to_owned);
    if route.ends_with("/_search") {
        // A POSTed search keeps its parameters in the body: read them for the audit record.
        let (parts, body) = request.into_parts();
        let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
            FhirApiError::BadRequest(vec![fhir::operation_outcome::Issue::new(
                "too-costly",
                "The request body is too large",
            )])
        })?;
        let form = String::from_utf8_lossy(&bytes).into_owned();
        query = Some(match query {
            Some(url_query) if !url_query.is_empty() => format!("{url_query}&{form}"),
            _ => form,
        });
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(client.clone());

    let response = next.run(request).await;

    // What the handler sent: the records it names, when it sent stored text on (a read), or the
    // JSON it wrote the body from (every other answer of the API is written by `fhir_json`); a
    // body from anywhere else is read back.
    let (mut parts, mut body) = response.into_parts();
    let named = parts.extensions.remove::<SentRecords>();
    let returned = match parts.extensions.remove::<SentJson>() {
        Some(SentJson(sent)) => sent,
        None if named.is_some() => Arc::new(Value::Null),
        None => {
            let bytes = to_bytes(body, usize::MAX).await.map_err(|error| {
                FhirApiError::Internal(format!("reading a response body: {error}"))
            })?;
            let is_json = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|c| c.to_str().ok())
                .is_some_and(|c| c.contains("json"));
            let read = is_json
                .then(|| serde_json::from_slice(&bytes).ok())
                .flatten()
                .unwrap_or(Value::Null);
            body = Body::from(bytes);
            Arc::new(read)
        }
    };
    let (interaction, action) = interaction_of(&method, &route, &returned);
    let answered = named.is_some();
    let (records, mut patients) = match named {
        Some(SentRecords { records, patients }) => (records, patients),
        None => touched(&path, &returned),
    };
    if let Some((resource_type, id)) = instance_named(&path)
        && !answered
        && returned["id"].as_str() != Some(id)
    {
        // Refused, failed or deleted: the body does not say whose record it was, its last
        // stored version does. The patient sees attempts on their record, not only successes.
        patients.extend(patients_of_stored(&db, resource_type, id).await?);
    }
    let access = AccessRecord {
        agent: Agent::ApiClient {
            client_id: client.client_id,
            name: client.name,
        },
        interaction,
        action,
        outcome: match parts.status.as_u16() {
            ..400 => Outcome::Success,
            400..500 => Outcome::MinorFailure,
            _ => Outcome::SeriousFailure,
        },
        address,
        records,
        patients,
        query: query.filter(|q| !q.is_empty()),
        basis: None,
        request_id,
    };
    if let Err(error) = audit::record(&db, &access, jiff::Timestamp::now()).await {
        // Withheld either way. A ledger that cannot take the entry just now (its disk full, its
        // database down) is the service being unavailable, as for any write: 503, try again.
        return Err(match error {
            store::WriteError::Store(error) if error.is_unavailable() => error.into(),
            error => FhirApiError::Internal(format!(
                "the access could not be audited, so its result was withheld: {error}"
            )),
        });
    }
    Ok(Response::from_parts(parts, body).into_response())
}

/// Request bodies the API reads whole are capped at this many bytes.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

fn bearer_token(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The http://hl7.org/fhir/restful-interaction code and AuditEvent action of a routed request.
fn interaction_of(method: &Method, route: &str, returned: &Value) -> (&'static str, Action) {
    match (method.as_str(), route) {
        ("GET", "/{resource_type}") | ("POST", "/{resource_type}/_search") => {
            ("search-type", Action::Execute)
        }
        ("GET", "/{resource_type}/_history") => ("history-type", Action::Execute),
        ("GET", "/{resource_type}/{id}/_history") => ("history-instance", Action::Read),
        ("GET", "/{resource_type}/{id}/_history/{version_id}") => ("vread", Action::Read),
        ("GET", _) => ("read", Action::Read),
        ("POST", "/{resource_type}/$validate") => ("operation", Action::Execute),
        ("POST", "/" | "") => match returned["type"].as_str() {
            Some("transaction-response") => ("transaction", Action::Execute),
            _ => ("batch", Action::Execute),
        },
        ("POST", _) => ("create", Action::Create),
        ("PUT", _) => ("update", Action::Update),
        ("PATCH", _) => ("patch", Action::Update),
        ("DELETE", _) => ("delete", Action::Delete),
        _ => ("operation", Action::Execute),
    }
}

/// `(type, id)` when the URL names one resource (`/Type/id`, `/Type/id/_history/…`).
fn instance_named(path: &str) -> Option<(ResourceType, &str)> {
    let mut segments = path.trim_start_matches('/').split('/');
    let resource_type = segments.next()?.parse::<ResourceType>().ok()?;
    let id = segments
        .next()
        .filter(|id| !id.is_empty() && !id.starts_with('_') && !id.starts_with('$'))?;
    Some((resource_type, id))
}

/// The patients of the newest stored version of a resource, deleted or not.
async fn patients_of_stored(
    db: &Db,
    resource_type: ResourceType,
    id: &str,
) -> Result<BTreeSet<String>, FhirApiError> {
    let history = db.history(resource_type, id).await?;
    Ok(history
        .into_iter()
        .find_map(|entry| match entry {
            HistoryEntry::Written(version) => {
                Some(fhir::compartment::patients_of(&version.resource))
            }
            HistoryEntry::Deleted { .. } => None,
        })
        .unwrap_or_default())
}

/// The records a call touched (from its URL and what it returned) and the patients they belong to.
fn touched(path: &str, returned: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut records = BTreeSet::new();
    let mut patients = BTreeSet::new();
    // `/Type/id/...`: the record the URL names, even when the call was refused or failed.
    if let Some((resource_type, id)) = instance_named(path) {
        let reference = fhir::reference(resource_type.as_str(), id);
        if resource_type == ResourceType::Patient {
            patients.insert(reference.clone());
        }
        records.insert(reference);
    }
    let mut note = |resource: &Value| {
        if let (Some(resource_type), Some(id)) =
            (resource["resourceType"].as_str(), resource["id"].as_str())
            && resource_type != "OperationOutcome"
        {
            records.insert(fhir::reference(resource_type, id));
            patients.extend(fhir::compartment::patients_of(resource));
        }
    };
    if returned["resourceType"] == "Bundle" {
        for entry in returned["entry"].as_array().into_iter().flatten() {
            note(&entry["resource"]);
        }
    } else {
        note(returned);
    }
    (records, patients)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_route_is_audited_as_its_fhir_interaction() {
        let none = Value::Null;
        let cases = [
            (Method::GET, "/{resource_type}", "search-type"),
            (Method::POST, "/{resource_type}/_search", "search-type"),
            (Method::GET, "/{resource_type}/_history", "history-type"),
            (Method::GET, "/{resource_type}/{id}", "read"),
            (
                Method::GET,
                "/{resource_type}/{id}/_history",
                "history-instance",
            ),
            (
                Method::GET,
                "/{resource_type}/{id}/_history/{version_id}",
                "vread",
            ),
            (Method::POST, "/{resource_type}", "create"),
            (Method::PUT, "/{resource_type}/{id}", "update"),
            (Method::DELETE, "/{resource_type}/{id}", "delete"),
            (Method::PATCH, "/{resource_type}/{id}", "patch"),
            (Method::PUT, "/{resource_type}", "update"),
            (Method::DELETE, "/{resource_type}", "delete"),
            (Method::POST, "/", "batch"),
        ];
        for (method, route, expected) in cases {
            assert_eq!(
                interaction_of(&method, route, &none).0,
                expected,
                "{method} {route}"
            );
        }
        let transaction = json!({ "resourceType": "Bundle", "type": "transaction-response" });
        assert_eq!(
            interaction_of(&Method::POST, "/", &transaction).0,
            "transaction"
        );
    }

    #[test]
    fn a_searchset_names_every_record_and_every_patient_in_it() {
        let searchset = json!({ "resourceType": "Bundle", "entry": [
            { "resource": { "resourceType": "Patient", "id": "a" } },
            { "resource": { "resourceType": "Observation", "id": "o", "status": "final",
                "code": { "text": "x" }, "subject": { "reference": "Patient/b" } } },
            { "resource": { "resourceType": "OperationOutcome", "id": "w" } },
        ]});
        let (records, patients) = touched("/Observation", &searchset);
        assert_eq!(
            records,
            BTreeSet::from(["Patient/a".into(), "Observation/o".into()])
        );
        assert_eq!(
            patients,
            BTreeSet::from(["Patient/a".into(), "Patient/b".into()])
        );
    }

    #[test]
    fn a_refused_read_still_names_the_patient_it_asked_for() {
        let (records, patients) = touched(
            "/Patient/p1",
            &json!({ "resourceType": "OperationOutcome" }),
        );
        assert_eq!(records, BTreeSet::from(["Patient/p1".into()]));
        assert_eq!(patients, records);
    }
}
