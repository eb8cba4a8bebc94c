//! axum's `Path` and `Query` extractors, refusing what they cannot read with an OperationOutcome
//! (axum's own answer is plain text, which no FHIR client can read): a URL segment that is not
//! UTF-8 once decoded, a `_count` that is no number.

use axum::{
    extract::{FromRequestParts, rejection::QueryRejection},
    http::request::Parts,
};
use fhir::operation_outcome::Issue;
use serde::de::DeserializeOwned;

use super::error::FhirApiError;

pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = FhirApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(FhirApiError::BadRequest(vec![Issue::new(
                "invalid",
                "The URL has a part this server cannot read (it is not UTF-8 once decoded)",
            )])),
        }
    }
}

pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = FhirApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                // serde's reason names the parameter and what it wanted ("_count: invalid
                // digit found in string"), never the value sent.
                Err(FhirApiError::BadRequest(vec![Issue::new(
                    "invalid",
                    format!("A parameter's value cannot be read: {}", e.body_text()),
                )]))
            }
            Err(_) => Err(FhirApiError::BadRequest(vec![Issue::new(
                "invalid",
                "The query string cannot be read",
            )])),
        }
    }
}
