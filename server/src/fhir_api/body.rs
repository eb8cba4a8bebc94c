//! A request's body, read for the handlers that take one: refused as an OperationOutcome when it
//! cannot be read. axum's own refusal of a body over its limit (2 MB) is plain text, which a FHIR
//! client cannot read.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::StatusCode,
};
use fhir::operation_outcome::Issue;

use super::error::FhirApiError;

/// The body, as bytes.
pub struct FhirBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for FhirBody {
    type Rejection = FhirApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state)
            .await
            .map(FhirBody)
            .map_err(|refused| {
                if refused.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    FhirApiError::TooLarge
                } else {
                    FhirApiError::BadRequest(vec![Issue::new(
                        "structure",
                        "The body could not be read",
                    )])
                }
            })
    }
}
