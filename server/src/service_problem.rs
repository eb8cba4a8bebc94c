//! What a browser gets when the service cannot serve it before any page is chosen (the database
//! that holds its session does not answer): the NHS.UK "problem with the service" content, as the
//! pages show it, with status 503 and a time to try again, never the error itself.

use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

/// Seconds after which a browser or a client may try again.
const RETRY_AFTER_SECONDS: &str = "10";

pub fn page() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
        Html(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Sorry, there is a problem with the service</title></head><body><main>\
             <h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>\
             <p>If you need medical help urgently, call 111. In an emergency, call 999.</p>\
             </main></body></html>",
        ),
    )
        .into_response()
}
