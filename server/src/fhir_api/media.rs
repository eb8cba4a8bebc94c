//! The FHIR JSON media type and a response body of it: what every answer of the API, an error
//! too, is sent as.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde_json::Value;

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A JSON body with the FHIR media type.
pub fn fhir_json(body: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response()
}
