//! The FHIR JSON media type and a response body of it: what every answer of the API, an error
//! too, is sent as. The JSON stays with the response ([`SentJson`]), so that the audit layer
//! reads which records and patients it names without parsing the body again; a body sent on as
//! stored text comes with those names instead ([`SentRecords`]).

use std::{collections::BTreeSet, sync::Arc};

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde_json::Value;

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// The JSON a response's body was written from, in the response's extensions.
#[derive(Clone, Debug)]
pub struct SentJson(pub Arc<Value>);

/// The records a response sent as text names, and the patients whose they are, told by the
/// handler that sent it.
#[derive(Clone, Debug, Default)]
pub struct SentRecords {
    pub records: BTreeSet<String>,
    pub patients: BTreeSet<String>,
}

/// A body of FHIR JSON text, sent as it is, and what it names.
pub fn fhir_json_text(json: String, sent: SentRecords) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        json,
    )
        .into_response();
    response.extensions_mut().insert(sent);
    response
}

/// A JSON body with the FHIR media type.
pub fn fhir_json(body: Value) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response();
    response.extensions_mut().insert(SentJson(Arc::new(body)));
    response
}
