//! HTTP details of the FHIR REST API: media types, negotiation, version headers.

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use fhir::{ResourceType, operation_outcome::Issue};
use serde_json::Value;
use store::{Versioned, VersionedJson};

use super::{
    error::FhirApiError,
    media::{SentRecords, fhir_json, fhir_json_text},
};

/// A resource with its version headers: `ETag: W/"n"` and `Last-Modified`.
pub fn versioned_response(
    status: StatusCode,
    written: Versioned,
    location: Option<String>,
) -> Response {
    let response = (status, fhir_json(written.resource)).into_response();
    with_version_headers(
        response,
        written.version_id,
        &written.last_updated,
        location,
    )
}

/// What a client asked a write to answer with (`Prefer: return=…`): the resource (the default),
/// nothing but the headers, or an OperationOutcome saying what happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Return {
    #[default]
    Representation,
    Minimal,
    OperationOutcome,
}

/// The `Prefer` header's preferences (RFC 7240), any number of them in one or several headers.
fn preferences(headers: &HeaderMap) -> impl Iterator<Item = (String, String)> + '_ {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|preference| {
            let (name, value) = preference.split(';').next()?.split_once('=')?;
            Some((
                name.trim().to_ascii_lowercase(),
                value.trim().trim_matches('"').to_ascii_lowercase(),
            ))
        })
}

/// `Prefer: return=minimal|representation|OperationOutcome`; anything else is the default.
pub fn prefer_return(headers: &HeaderMap) -> Return {
    preferences(headers)
        .find(|(name, _)| name == "return")
        .map_or(Return::Representation, |(_, value)| match value.as_str() {
            "minimal" => Return::Minimal,
            "operationoutcome" => Return::OperationOutcome,
            _ => Return::Representation,
        })
}

/// `Prefer: handling=lenient`: a search ignores parameters it does not know, and says so.
pub fn prefer_lenient(headers: &HeaderMap) -> bool {
    preferences(headers).any(|(name, value)| name == "handling" && value == "lenient")
}

/// A write's answer in the form the client preferred, with its version headers. However little
/// the body says, the response names the record written and whose it is, for the audit.
pub fn written_response(
    status: StatusCode,
    written: Versioned,
    location: Option<String>,
    preferred: Return,
) -> Response {
    let kind = written.resource["resourceType"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = written.resource["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sent = SentRecords {
        records: [fhir::reference(&kind, &id)].into(),
        patients: fhir::compartment::patients_of(&written.resource),
    };
    let mut response = match preferred {
        Return::Representation => return versioned_response(status, written, location),
        Return::Minimal => (status, Body::empty()).into_response(),
        Return::OperationOutcome => {
            let what = if status == StatusCode::CREATED {
                "Created"
            } else {
                "Stored"
            };
            let text = format!("{what} {kind}/{id} at version {}", written.version_id);
            (
                status,
                fhir_json(fhir::operation_outcome::information(&text)),
            )
                .into_response()
        }
    };
    response.extensions_mut().insert(sent);
    with_version_headers(
        response,
        written.version_id,
        &written.last_updated,
        location,
    )
}

/// A resource read as stored text, with its version headers, naming what `sent` names.
pub fn versioned_text_response(read: VersionedJson, sent: SentRecords) -> Response {
    let response = fhir_json_text(read.json, sent);
    with_version_headers(response, read.version_id, &read.last_updated, None)
}

fn with_version_headers(
    mut response: Response,
    version_id: i64,
    last_updated: &str,
    location: Option<String>,
) -> Response {
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("W/\"{version_id}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(date) = http_date(last_updated)
        && let Ok(value) = HeaderValue::from_str(&date)
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// Where a written version lives, for `Location`.
pub fn location(written: &Versioned) -> String {
    format!(
        "/fhir/{}/{}/_history/{}",
        written.resource["resourceType"]
            .as_str()
            .unwrap_or_default(),
        written.resource["id"].as_str().unwrap_or_default(),
        written.version_id
    )
}

pub fn no_content() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::empty())
        .unwrap_or_default()
}

/// The absolute base of the FHIR API as the client addressed it (for `fullUrl` and links): the
/// `Host` header, with https when a proxy says it terminated TLS.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|p| p.to_str().ok())
        == Some("https");
    format!("{}://{host}/fhir", if https { "https" } else { "http" })
}

/// The type in the URL, or 404 when this server does not support it.
pub fn resource_type(name: &str) -> Result<ResourceType, FhirApiError> {
    name.parse()
        .map_err(|_| FhirApiError::UnknownType(name.chars().take(64).collect()))
}

/// Refuses requests that want something other than FHIR JSON (`Accept`, or `_format`).
pub fn negotiate(headers: &HeaderMap, format: Option<&str>) -> Result<(), FhirApiError> {
    if let Some(format) = format {
        return match format {
            "json" | "application/json" | "application/fhir+json" => Ok(()),
            _ => Err(FhirApiError::NotAcceptable),
        };
    }
    let Some(accept) = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()) else {
        return Ok(());
    };
    let acceptable = accept.split(',').any(|range| {
        let media = range.split(';').next().unwrap_or_default().trim();
        matches!(
            media,
            "*/*" | "application/*" | "application/json" | "application/fhir+json" | ""
        )
    });
    if acceptable {
        Ok(())
    } else {
        Err(FhirApiError::NotAcceptable)
    }
}

/// Parses a request body as JSON sent with a FHIR or JSON media type.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, FhirApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if !matches!(media, Some("application/fhir+json" | "application/json")) {
        return Err(FhirApiError::UnsupportedMediaType);
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

/// `If-Match: W/"3"` (or `"3"`) → 3. Absent → `None`; malformed → 400.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, FhirApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .map(Some)
        .ok_or_else(|| {
            FhirApiError::BadRequest(vec![Issue::new(
                "value",
                "If-Match must be a version ETag such as W/\"3\"",
            )])
        })
}

/// An RFC 7231 date for `Last-Modified`, from the stored instant.
fn http_date(instant: &str) -> Option<String> {
    let timestamp: jiff::Timestamp = instant.parse().ok()?;
    Some(timestamp.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    #[test]
    fn negotiation_accepts_json_kinds_and_wildcards_only() {
        assert!(negotiate(&headers(&[]), None).is_ok());
        assert!(negotiate(&headers(&[(header::ACCEPT, "application/fhir+json")]), None).is_ok());
        assert!(negotiate(&headers(&[(header::ACCEPT, "text/html, */*;q=0.1")]), None).is_ok());
        assert!(negotiate(&headers(&[(header::ACCEPT, "application/fhir+xml")]), None).is_err());
        assert!(negotiate(&headers(&[]), Some("xml")).is_err());
        assert!(
            negotiate(
                &headers(&[(header::ACCEPT, "application/fhir+xml")]),
                Some("json")
            )
            .is_ok()
        );
    }

    #[test]
    fn if_match_reads_weak_and_strong_etags() {
        assert_eq!(if_match(&headers(&[])).unwrap(), None);
        assert_eq!(
            if_match(&headers(&[(header::IF_MATCH, "W/\"3\"")])).unwrap(),
            Some(3)
        );
        assert_eq!(
            if_match(&headers(&[(header::IF_MATCH, "\"12\"")])).unwrap(),
            Some(12)
        );
        assert!(if_match(&headers(&[(header::IF_MATCH, "W/\"x\"")])).is_err());
        assert!(if_match(&headers(&[(header::IF_MATCH, "\"0\"")])).is_err());
    }

    #[test]
    fn last_modified_is_an_http_date() {
        assert_eq!(
            http_date("2026-11-21T14:05:09Z").as_deref(),
            Some("Sat, 21 Nov 2026 14:05:09 GMT")
        );
    }
}
