//! A deadline for every answer: a database that has become very slow, or stalled mid-way, must
//! not hold requests (and the memory and connections they pin) without end, nor leave people
//! watching a page that never comes. Past `Config::request_timeout` the work is dropped, which
//! rolls back any transaction it had open, and the request is answered 503 with a time to try
//! again: an OperationOutcome on the FHIR API, the "problem with the service" page elsewhere.
//!
//! The deadline covers the making of the response, not the sending of its body: pages render
//! whole before they are sent (`SsrMode::Async`), and the clinic list's events stream for as
//! long as the list is open.

use std::time::Duration;

use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::fhir_api::FhirApiError;

pub async fn answer_within(timeout: Duration, request: Request, next: Next) -> Response {
    let is_fhir = request.uri().path().starts_with("/fhir");
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_elapsed) => {
            tracing::warn!(?timeout, "a request was not answered in time");
            if is_fhir {
                FhirApiError::Unavailable.into_response()
            } else {
                crate::service_problem::page()
            }
        }
    }
}
