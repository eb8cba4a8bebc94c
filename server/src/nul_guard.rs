//! Refuses any request that carries a NUL character (`%00`) in its URL or in a form it posts,
//! before anything reads it: PostgreSQL cannot hold one in text, so it would fail deep inside a
//! read or a search as a server error; SQLite can, so the two backends would answer differently.
//! No name, identifier, code or search value has a use for one. (A NUL in a FHIR JSON body is
//! refused by the validator, with the element named.)

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use fhir::operation_outcome::{Issue, errors};

/// Forms are small (sign-in, a booking, a search by POST): anything larger is refused here, as
/// axum's own limit would refuse it later.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let in_url = request
        .uri()
        .path_and_query()
        .is_some_and(|p| p.as_str().contains("%00"));
    let is_fhir = request.uri().path().starts_with("/fhir");
    if in_url {
        return refused(
            is_fhir,
            "The address holds a NUL character (%00), which is never valid",
        );
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large").into_response();
    };
    if bytes.windows(3).any(|w| w == b"%00") || bytes.contains(&0) {
        return refused(
            is_fhir,
            "The form holds a NUL character (%00), which is never valid",
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refused(is_fhir: bool, diagnostics: &'static str) -> Response {
    if is_fhir {
        let outcome = errors(&[Issue::new("invalid", diagnostics)]);
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/fhir+json")],
            outcome.to_string(),
        )
            .into_response();
    }
    (StatusCode::BAD_REQUEST, diagnostics).into_response()
}
