//! `POST [base]/[type]/$validate`: the checks a create or update makes, without storing. Any JSON
//! object is checked, and the answer is an OperationOutcome with status 200 either way: its issues
//! say whether the resource would be accepted, and where it would not. A body that is not a JSON
//! object cannot be checked at all, so it is refused (400) as a body that is not JSON is.

use axum::{Extension, http::HeaderMap};
use backend::auth::{ApiClient, Interaction};
use fhir::{ResourceType, operation_outcome, operation_outcome::Issue};
use serde_json::Value;

use super::{
    FhirApiError, FhirResult, FormatQuery,
    access::permit,
    body::FhirBody,
    extract::{Path, Query},
    http::{json_body, negotiate, resource_type},
    media::fhir_json,
};

pub(super) async fn validate(
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    Query(query): Query<FormatQuery>,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    // Whoever may write the type may ask whether a resource of it would be accepted.
    permit(&client, resource_type, Interaction::Create)
        .or_else(|_| permit(&client, resource_type, Interaction::Update))?;
    negotiate(&headers, query.format.as_deref())?;
    let body = json_body(&headers, &body)?;
    if !body.is_object() {
        return Err(FhirApiError::BadRequest(vec![Issue::new(
            "structure",
            "The body must be a JSON object (a FHIR resource, or Parameters holding one)",
        )]));
    }
    let resource = resource_of(body, resource_type);
    let issues = fhir::validate::check(&resource, resource_type);
    Ok(fhir_json(if issues.is_empty() {
        operation_outcome::information("No problems found: the resource would be accepted.")
    } else {
        operation_outcome::errors(&issues)
    }))
}

/// The resource to check: the body itself, or the `resource` parameter of a Parameters body
/// (the operation's other form).
fn resource_of(body: Value, resource_type: ResourceType) -> Value {
    if body["resourceType"] != "Parameters" || resource_type == ResourceType::Parameters {
        return body;
    }
    body["parameter"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "resource")
        .map(|p| p["resource"].clone())
        .unwrap_or(body)
}
