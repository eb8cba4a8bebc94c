//! Every way a FHIR request can fail, each with its HTTP status and an OperationOutcome body.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use fhir::operation_outcome::{self, Issue};
use serde_json::Value;

use super::media::fhir_json;

#[derive(Debug)]
pub enum FhirApiError {
    /// No bearer token: 401.
    Unauthenticated,
    /// A bearer token that is unknown or expired: 401, with `error="invalid_token"`.
    InvalidToken,
    /// The token's scopes do not cover the request: 403.
    Forbidden(String),
    /// AuditEvents are never changed or removed: 405.
    AppendOnly,
    UnknownType(String),
    NotFound,
    Gone,
    /// The client's body or headers are malformed: 400.
    BadRequest(Vec<Issue>),
    /// Well formed, but breaks a rule this server enforces (a wrong NHS number): 422.
    Unprocessable(Vec<Issue>),
    NotAcceptable,
    UnsupportedMediaType,
    /// A body over the limit every request has (axum's, 2 MB): 413.
    TooLarge,
    PreconditionFailed {
        current: i64,
    },
    Conflict,
    /// GP Connect's DUPLICATE_REJECTED: the slot already has an active appointment.
    SlotTaken,
    NotImplemented(&'static str),
    /// The URL exists but not with this HTTP method: 405.
    MethodNotAllowed,
    /// A conditional interaction's criteria match more than one resource: 412.
    MultipleMatches,
    /// A PATCH body in a format other than JSON Patch: 415.
    NotJsonPatch,
    /// A transaction failed at this entry; nothing of it was stored.
    InEntry(usize, Box<FhirApiError>),
    /// The database does not answer just now (restarting, unreachable, full): 503, with a
    /// time to try again.
    Unavailable,
    /// Our fault. The cause is logged here, once, and never sent.
    Internal(String),
}

impl IntoResponse for FhirApiError {
    fn into_response(self) -> Response {
        let invalid_token = matches!(self, FhirApiError::InvalidToken);
        let (status, outcome) = self.into_parts();
        let mut response = (status, fhir_json(outcome)).into_response();
        // RFC 6750 section 3: say which scheme, and whether the token itself was the trouble.
        let challenge = match status {
            StatusCode::UNAUTHORIZED if invalid_token => Some("Bearer error=\"invalid_token\""),
            StatusCode::UNAUTHORIZED => Some("Bearer"),
            StatusCode::FORBIDDEN => Some("Bearer error=\"insufficient_scope\""),
            _ => None,
        };
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        }
        response
    }
}

impl FhirApiError {
    /// The HTTP status and the OperationOutcome, for a response or a Bundle entry's `response`.
    pub fn into_parts(self) -> (StatusCode, Value) {
        let (status, issues) = match self {
            FhirApiError::SlotTaken => return (StatusCode::CONFLICT, slot_taken()),
            FhirApiError::InEntry(index, inner) => {
                let (status, mut outcome) = inner.into_parts();
                for issue in outcome["issue"].as_array_mut().into_iter().flatten() {
                    let text = issue["diagnostics"].as_str().unwrap_or_default();
                    issue["diagnostics"] = format!("Bundle.entry[{index}]: {text}").into();
                }
                return (status, outcome);
            }
            FhirApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                vec![Issue::new(
                    "not-supported",
                    "That HTTP method is not supported at this URL",
                )],
            ),
            FhirApiError::MultipleMatches => (
                StatusCode::PRECONDITION_FAILED,
                vec![Issue::new(
                    "multiple-matches",
                    "The criteria match more than one resource: make them narrower",
                )],
            ),
            FhirApiError::NotJsonPatch => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                vec![Issue::new(
                    "not-supported",
                    "Send a PATCH body as a JSON Patch (application/json-patch+json)",
                )],
            ),
            FhirApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                vec![Issue::new(
                    "login",
                    "This API needs a bearer token: get one from /oauth2/token",
                )],
            ),
            FhirApiError::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                vec![Issue::new(
                    "expired",
                    "The bearer token is unknown or has expired: get a new one from /oauth2/token",
                )],
            ),
            FhirApiError::Forbidden(what) => (
                StatusCode::FORBIDDEN,
                vec![Issue::new(
                    "forbidden",
                    format!("The token's scopes do not allow {what}"),
                )],
            ),
            FhirApiError::AppendOnly => (
                StatusCode::METHOD_NOT_ALLOWED,
                vec![Issue::new(
                    "not-supported",
                    "AuditEvents are append-only: they cannot be changed or deleted",
                )],
            ),
            FhirApiError::UnknownType(name) => (
                StatusCode::NOT_FOUND,
                vec![Issue::new(
                    "not-supported",
                    format!("{name} is not a resource type this server supports"),
                )],
            ),
            FhirApiError::NotFound => (
                StatusCode::NOT_FOUND,
                vec![Issue::new("not-found", "No resource has that id")],
            ),
            FhirApiError::Gone => (
                StatusCode::GONE,
                vec![Issue::new("deleted", "The resource has been deleted")],
            ),
            FhirApiError::BadRequest(issues) => (StatusCode::BAD_REQUEST, issues),
            FhirApiError::Unprocessable(issues) => (StatusCode::UNPROCESSABLE_ENTITY, issues),
            FhirApiError::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                vec![Issue::new(
                    "not-supported",
                    "This server answers in application/fhir+json only",
                )],
            ),
            FhirApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                vec![Issue::new(
                    "not-supported",
                    "Send the resource as application/fhir+json",
                )],
            ),
            FhirApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                vec![Issue::new(
                    "too-long",
                    "The body is larger than this server accepts (2 MB): send large bundles in parts",
                )],
            ),
            FhirApiError::PreconditionFailed { current } => (
                StatusCode::PRECONDITION_FAILED,
                vec![Issue::new(
                    "conflict",
                    format!(
                        "The resource is at version {current}; read it again and reapply your change"
                    ),
                )],
            ),
            FhirApiError::Conflict => (
                StatusCode::CONFLICT,
                vec![Issue::new(
                    "conflict",
                    "Another client changed this resource at the same moment; try again",
                )],
            ),
            FhirApiError::NotImplemented(what) => (
                StatusCode::NOT_IMPLEMENTED,
                vec![Issue::new(
                    "not-supported",
                    format!("{what} is not supported yet"),
                )],
            ),
            FhirApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                vec![Issue::new(
                    "transient",
                    "The service is unavailable just now; try again in a few seconds",
                )],
            ),
            FhirApiError::Internal(cause) => {
                tracing::error!(cause, "FHIR API failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    vec![Issue::new(
                        "exception",
                        "The server could not complete the request; try again later",
                    )],
                )
            }
        };
        (status, operation_outcome::errors(&issues))
    }
}

impl From<backend::StoreError> for FhirApiError {
    fn from(error: backend::StoreError) -> Self {
        match error {
            backend::StoreError::NotSupported(diagnostics) => {
                return FhirApiError::BadRequest(vec![fhir::operation_outcome::Issue::new(
                    "not-supported",
                    diagnostics,
                )]);
            }
            backend::StoreError::TooCostly(diagnostics) => {
                return FhirApiError::BadRequest(vec![fhir::operation_outcome::Issue::new(
                    "too-costly",
                    diagnostics,
                )]);
            }
            error if error.is_unavailable() => {
                tracing::warn!(%error, source = ?std::error::Error::source(&error), "the database is unavailable");
                return FhirApiError::Unavailable;
            }
            _ => {}
        }
        FhirApiError::Internal(format!("{error}: {:?}", std::error::Error::source(&error)))
    }
}

impl From<store::WriteError> for FhirApiError {
    fn from(error: store::WriteError) -> Self {
        use store::WriteError;
        match error {
            WriteError::NotFound => FhirApiError::NotFound,
            WriteError::VersionMismatch { current } => FhirApiError::PreconditionFailed { current },
            WriteError::Conflict => FhirApiError::Conflict,
            WriteError::Taken => FhirApiError::SlotTaken,
            WriteError::Rule(issue) => FhirApiError::Unprocessable(vec![issue]),
            WriteError::Store(error) => error.into(),
        }
    }
}

/// A write's error when the version it expected was the server's own choice (the version just
/// read), not the client's `If-Match`: someone else's change in between is a conflict to retry.
pub fn from_our_expectation(error: store::WriteError) -> FhirApiError {
    match error {
        store::WriteError::VersionMismatch { .. } => FhirApiError::Conflict,
        other => other.into(),
    }
}

/// 409 with the GP Connect error code a booking client looks for.
fn slot_taken() -> Value {
    serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{
            "severity": "error",
            "code": "duplicate",
            "details": {
                "coding": [{
                    "system": "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1",
                    "code": "DUPLICATE_REJECTED",
                    "display": "Create would lead to creation of a duplicate resource",
                }],
            },
            "diagnostics": "The slot is already booked; choose another slot",
            "expression": ["Appointment.slot"],
        }],
    })
}
