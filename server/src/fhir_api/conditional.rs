//! Conditional update and delete: `PUT` and `DELETE [base]/[type]?criteria`, for a client that
//! knows a record by what it says (an NHS number, a lab's order number) rather than by our id.
//!
//! The criteria are a search, so they need the search scope as well as the write's. A match is
//! written from the version the search found: a change by someone else in between is a conflict,
//! never a lost update.

use axum::{
    Extension,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
};
use backend::{
    Db, FhirRepository,
    auth::{ApiClient, Interaction},
};
use fhir::operation_outcome::Issue;
use store::Found;

use super::{
    FhirResult,
    access::{permit, refuse_if_append_only},
    body::FhirBody,
    checked_body, conditional_match,
    error::{FhirApiError, from_our_expectation},
    extract::Path,
    http::{
        if_match, location, negotiate, no_content, prefer_return, resource_type, written_response,
    },
    media::SentRecords,
};

/// `PUT [base]/[type]?criteria`: updates the one match; with none, creates (at the body's id if
/// it has one); with several, 412.
pub async fn conditional_update(
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
    let resource = checked_body(&headers, &body, resource_type)?;
    let body_id = resource["id"].as_str().map(str::to_owned);
    let expected = if_match(&headers)?;
    let now = jiff::Timestamp::now();
    let matched = conditional_match(
        &db,
        &client,
        resource_type,
        criteria.as_deref().unwrap_or_default(),
    );
    let (written, created) = match matched.await? {
        Some(existing) => {
            let id = existing.resource["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if body_id.as_ref().is_some_and(|body_id| *body_id != id) {
                return Err(FhirApiError::BadRequest(vec![
                    Issue::new(
                        "invalid",
                        "The id in the body is not the id of the resource the criteria match",
                    )
                    .at(format!("{resource_type}.id")),
                ]));
            }
            if expected.is_some_and(|version| version != existing.version_id) {
                return Err(FhirApiError::PreconditionFailed {
                    current: existing.version_id,
                });
            }
            db.update(resource_type, &id, resource, Some(existing.version_id), now)
                .await
                .map_err(from_our_expectation)?
        }
        None => match body_id {
            Some(id) => {
                // Nothing matches; a resource at this id that does not match is someone else's.
                if let Found::Current(_) = db.read(resource_type, &id).await? {
                    return Err(FhirApiError::BadRequest(vec![
                        Issue::new(
                            "invalid",
                            "A resource with the body's id exists but does not match the criteria",
                        )
                        .at(format!("{resource_type}.id")),
                    ]));
                }
                db.update(resource_type, &id, resource, expected, now)
                    .await?
            }
            None => {
                permit(&client, resource_type, Interaction::Create)?;
                (db.create(resource_type, resource, now).await?, true)
            }
        },
    };
    tracing::info!(resource_type = %resource_type, version = written.version_id, "conditionally updated");
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

/// `DELETE [base]/[type]?criteria`: deletes the one match; none is nothing to do (204); several
/// are 412, so that a loose criterion never deletes a crowd.
pub async fn conditional_delete(
    State(db): State<Db>,
    Extension(client): Extension<ApiClient>,
    Path(name): Path<String>,
    RawQuery(criteria): RawQuery,
) -> FhirResult {
    let resource_type = resource_type(&name)?;
    refuse_if_append_only(resource_type)?;
    permit(&client, resource_type, Interaction::Delete)?;
    permit(&client, resource_type, Interaction::Search)?;
    let matched = conditional_match(
        &db,
        &client,
        resource_type,
        criteria.as_deref().unwrap_or_default(),
    );
    let Some(existing) = matched.await? else {
        return Ok(no_content());
    };
    let id = existing.resource["id"].as_str().unwrap_or_default();
    db.delete(resource_type, id, jiff::Timestamp::now()).await?;
    tracing::info!(resource_type = %resource_type, id, "conditionally deleted");
    let mut response = no_content();
    response.extensions_mut().insert(SentRecords {
        records: [fhir::reference(resource_type.as_str(), id)].into(),
        patients: fhir::compartment::patients_of(&existing.resource),
    });
    Ok(response)
}
