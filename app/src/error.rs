//! The error a server function may return to the browser: a stable code and nothing internal;
//! and, on the server, the response status that goes with it.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// One problem with one field: the field's `id` and what to do about it. A server function
/// returns these (in [`AppError::Invalid`]) for what only the server can check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    pub field_id: String,
    pub message: String,
}

/// What went wrong, as far as the person using the service needs to know. Internal causes are
/// logged on the server with the request id and never serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum AppError {
    /// Something failed on our side; the person can only try again later.
    #[error("Sorry, there is a problem with the service. Try again later.")]
    ServiceUnavailable,
    /// The request never got a proper answer (network down).
    #[error("Sorry, we could not reach the service. Check your connection and try again.")]
    Unreachable,
    /// The request was not one the service's own pages send (its form's fields missing or
    /// malformed): a stale page, or a hand-made request.
    #[error("Sorry, we could not understand that request. Go back, reload the page and try again.")]
    Malformed,
    /// Nobody is signed in, or their session has ended.
    #[error("You need to sign in to do this.")]
    SignInRequired,
    /// Signed in, but this is not theirs to see or do.
    #[error("You do not have permission to do this.")]
    NotAllowed,
    /// A carer acting for someone: they hold no access from that person, or not for this (it
    /// lets them book, say, but not read the record). The page explains.
    #[error("You have not been given access to do this for them.")]
    NotGranted,
    /// What was asked for is not there (or not for this person to know of).
    #[error("We could not find what you asked for.")]
    NotFound,
    /// It changed since the page was shown (someone else acted first); look again.
    #[error("This changed while you were looking at it. Check it and try again.")]
    Conflict,
    /// What was entered cannot be used; each problem names its field, for the error summary.
    /// (An error, not a normal answer, so that it survives the redirect back to the form when
    /// the form was posted without JavaScript.)
    #[error("There is a problem with what you entered.")]
    Invalid { problems: Vec<FieldError> },
}

impl AppError {
    /// The HTTP status code that goes with it.
    pub fn status(&self) -> u16 {
        match self {
            Self::ServiceUnavailable => 500,
            Self::Unreachable => 503,
            Self::Malformed => 400,
            Self::SignInRequired => 401,
            Self::NotAllowed | Self::NotGranted => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::Invalid { .. } => 422,
        }
    }

    /// One problem with one field.
    pub fn invalid(field_id: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            problems: vec![FieldError {
                field_id: field_id.to_owned(),
                message: message.into(),
            }],
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// An internal failure: logged once here, where the cause is still known, with the request id
    /// so that a support call can find it; the browser gets only the code. Server functions run
    /// in tasks of their own, outside the request's span, so the id is read from the request.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let request_id = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| Some(parts.headers.get("x-request-id")?.to_str().ok()?.to_owned()))
            .unwrap_or_default();
        tracing::error!(
            request_id,
            error = %error,
            source = ?error.source(),
            "server function failed"
        );
        AppError::ServiceUnavailable
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unreachable,
            // On the server: the request's body or method is not what the function takes, which
            // is the asker's mistake (400), not ours (the 500 the framework would send).
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => malformed(),
            _ => AppError::ServiceUnavailable,
        }
    }
}

/// [`AppError::Malformed`], with its status on the response the server is making.
fn malformed() -> AppError {
    #[cfg(feature = "ssr")]
    return fail(AppError::Malformed);
    #[cfg(not(feature = "ssr"))]
    AppError::Malformed
}

/// `error`, with the response's status set to match (401, 403, 422, …): for a call from the
/// browser's code, the status tells it that an error follows; for a page, crawlers and monitoring
/// see the truth.
///
/// Except for a form posted without JavaScript: that is answered with a redirect back to the
/// form's page (the error in its URL), and any other status would leave the browser on a blank
/// response instead of following it.
#[cfg(feature = "ssr")]
pub(crate) fn fail(error: AppError) -> AppError {
    let plain_form_post = request_parts().is_some_and(|parts| {
        is_server_function_call(&parts)
            && parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    });
    if !plain_form_post && let Ok(status) = http::StatusCode::from_u16(error.status()) {
        set_response_status(status);
    }
    error
}

/// Sets the status of the page being rendered, for an answer that is not an error to the code
/// asking (a page that explains a refusal, say). A server function call keeps its 200: the
/// browser's code reads any other status as an error and would not show the explanation.
#[cfg(feature = "ssr")]
pub(crate) fn set_page_status(status: http::StatusCode) {
    if !request_parts().is_some_and(|parts| is_server_function_call(&parts)) {
        set_response_status(status);
    }
}

#[cfg(feature = "ssr")]
fn request_parts() -> Option<http::request::Parts> {
    leptos::prelude::use_context::<http::request::Parts>()
}

#[cfg(feature = "ssr")]
fn is_server_function_call(parts: &http::request::Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

#[cfg(feature = "ssr")]
fn set_response_status(status: http::StatusCode) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

#[cfg(feature = "ssr")]
impl From<backend::StoreError> for AppError {
    fn from(error: backend::StoreError) -> Self {
        Self::internal(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_a_stable_code_only() {
        let bytes = AppError::ServiceUnavailable.ser();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"code":"service_unavailable"}"#
        );
        assert_eq!(AppError::de(bytes), AppError::ServiceUnavailable);
    }

    #[test]
    fn transport_failures_read_as_unreachable() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Request("timeout".into()));
        assert_eq!(error, AppError::Unreachable);
        let error = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("db".into()));
        assert_eq!(error, AppError::ServiceUnavailable);
    }
}
