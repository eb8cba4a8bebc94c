//! `PATCH [base]/[type]/[id]` and `PATCH [base]/[type]?criteria` with a JSON Patch body: change
//! a few elements without sending the whole resource back.
//!
//! The patch is applied to the current version and the result checked as any write is; it is
//! stored only on top of that same version, so two patches in flight never lose each other's
//! change (the later one is told to retry).

use axum::{
    Extension,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode, header},
};
use backend::{
    Db, FhirRepository,
    auth::{ApiClient, Interaction},
};
use fhir::{ResourceType, operation_outcome::Issue};
use serde_json::Value;
use store::{Found, Versioned};

use super::{
    FhirResult, FormatQuery,
    access::{permit, refuse_if_append_only},
    body::FhirBody,
    checked_resource, conditional_match,
    error::{FhirApiError, from_our_expectation},
    extract::{Path, Query},
    http::{if_match, location, negotiate, prefer_return, resource_type, written_response},
};

pub async fn patch(
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
    let operations = json_patch(&headers, &body)?;
    let current = match db.read(resource_type, &id).await? {
        Found::Current(current) => current,
        Found::Deleted { .. } => return Err(FhirApiError::Gone),
        Found::Missing => return Err(FhirApiError::NotFound),
    };
    apply_and_store(&db, resource_type, current, &operations, &headers).await
}

/// `PATCH [base]/[type]?criteria`: patches the one resource the criteria match.
pub async fn conditional_patch(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    RawQuery(criteria): RawQuery,
    headers: HeaderMap,
    FhirBody(body): FhirBody,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    refuse_if_append_only(resource_type)?;
    permit(&client, resource_type, Interaction::Update)?;
    permit(&client, resource_type, Interaction::Search)?;
    negotiate(&headers, None)?;
    let operations = json_patch(&headers, &body)?;
    let matched = conditional_match(
        &db,
        &client,
        resource_type,
        criteria.as_deref().unwrap_or_default(),
    );
    let current = matched.await?.ok_or(FhirApiError::NotFound)?;
    apply_and_store(&db, resource_type, current, &operations, &headers).await
}

/// The body as JSON Patch operations; FHIRPath Patch (a Parameters resource) is not taken.
fn json_patch(headers: &HeaderMap, body: &[u8]) -> Result<Value, FhirApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if media != Some("application/json-patch+json") {
        return Err(FhirApiError::NotJsonPatch);
    }
    serde_json::from_slice(body).map_err(|error| {
        FhirApiError::BadRequest(vec![Issue::new(
            "structure",
            format!(
                "The body is not valid JSON (line {}, column {})",
                error.line(),
                error.column()
            ),
        )])
    })
}

async fn apply_and_store(
    db: &Db,
    resource_type: ResourceType,
    current: Versioned,
    operations: &Value,
    headers: &HeaderMap,
) -> FhirResult {
    if if_match(headers)?.is_some_and(|version| version != current.version_id) {
        return Err(FhirApiError::PreconditionFailed {
            current: current.version_id,
        });
    }
    let unprocessable =
        |text: String| FhirApiError::Unprocessable(vec![Issue::new("processing", text)]);
    let patched = fhir::patch::apply(&current.resource, operations)
        .map_err(|error| unprocessable(format!("The patch could not be applied: {error}")))?;
    if patched["resourceType"] != current.resource["resourceType"]
        || patched["id"] != current.resource["id"]
    {
        return Err(unprocessable(
            "A patch cannot change a resource's type or id".to_owned(),
        ));
    }
    // The request was well formed; a resource it would leave invalid is unprocessable (422).
    let patched = checked_resource(patched, resource_type).map_err(|error| match error {
        FhirApiError::BadRequest(issues) => FhirApiError::Unprocessable(issues),
        other => other,
    })?;
    let id = current.resource["id"].as_str().unwrap_or_default();
    let (written, _) = db
        .update(
            resource_type,
            id,
            patched,
            Some(current.version_id),
            jiff::Timestamp::now(),
        )
        .await
        .map_err(from_our_expectation)?;
    tracing::info!(resource_type = %resource_type, id, version = written.version_id, "patched");
    let location = location(&written);
    Ok(written_response(
        StatusCode::OK,
        written,
        Some(location),
        prefer_return(headers),
    ))
}
