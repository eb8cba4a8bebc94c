//! A form posted without JavaScript keeps what was typed when it comes back with an error.
//!
//! Such a post is answered with a redirect back to the form's page, the error in the address
//! (Leptos's `__err`), and the page is rendered afresh: without this, empty. So when a plain
//! form post's answer is that redirect, the form's fields are kept (`backend::kept_forms`)
//! under an id in a short-lived cookie; the page's request then takes them, once, and hands
//! them to the page as [`KeptInput`], which the form's fields show. Not after a conflict: then
//! the page shows what is stored now. A browser with scripts never comes here: its form stays on
//! the page.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{Method, StatusCode, Uri, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use jiff::Timestamp;

use app::{KeptInput, error::AppError};
use backend::kept_forms;
use base64::{Engine as _, engine::general_purpose::URL_SAFE};

use crate::identity::{IdentityState, cookies};

/// What the server takes in any request body (axum's default): far beyond the longest form (a
/// 10 000-character note is at most 120 KB encoded).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

pub async fn keep_and_return(
    State(state): State<IdentityState>,
    request: Request,
    next: Next,
) -> Response {
    if is_plain_form_post(&request) {
        keep(&state, request, next).await
    } else {
        give_back(&state, request, next).await
    }
}

/// A server function called by a form the browser posted itself: it wants a page back.
fn is_plain_form_post(request: &Request) -> bool {
    let header_has = |name: header::HeaderName, wanted: &str| {
        (request.headers().get(name))
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains(wanted))
    };
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// Runs the server function; if it sends the browser back to the form with an error, keeps the
/// form's fields for that page.
async fn keep(state: &IdentityState, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(fields) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let request = Request::from_parts(parts, Body::from(fields.clone()));
    let mut response = next.run(request).await;
    let Some(page) = page_of_error(&response) else {
        return response;
    };
    let Ok(fields) = std::str::from_utf8(&fields) else {
        return response;
    };
    match kept_forms::keep(&state.db, &page, fields, Timestamp::now()).await {
        Ok(id) => {
            let cookie = state.identity.cookies.set_kept_form(&id);
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        // The error still shows; only what was typed is lost, as it was before.
        Err(error) => tracing::warn!(%error, "a form's fields could not be kept"),
    }
    response
}

/// The path of the page a response sends the browser back to with a server function's error;
/// `None` for a conflict (someone else saved first), where the form must show what is stored
/// now, as it does with JavaScript (`app::pages::reload_on_conflict`), not what was typed over
/// the older version.
fn page_of_error(response: &Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let uri: Uri = location.parse().ok()?;
    let (_, error) =
        form_urlencoded::parse(uri.query()?.as_bytes()).find(|(key, _)| key == "__err")?;
    // Leptos's encoding of the error: URL-safe base64 of its JSON.
    let error = URL_SAFE.decode(error.as_bytes()).ok()?;
    let conflict =
        serde_json::from_slice::<AppError>(&error).is_ok_and(|e| e == AppError::Conflict);
    (!conflict).then(|| uri.path().to_owned())
}

/// A page shown again with a form's error: takes what was kept for it, if anything, and hands it
/// to the page.
async fn give_back(state: &IdentityState, mut request: Request, next: Next) -> Response {
    let policy = state.identity.cookies;
    let Some(id) = cookies::read(request.headers(), policy.kept_form_name()) else {
        return next.run(request).await;
    };
    let shows_an_error = request.method() == Method::GET
        && (request.uri().query())
            .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("__err=")));
    if !shows_an_error {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    match kept_forms::take(&state.db, &id, &path, Timestamp::now()).await {
        Ok(Some(fields)) => {
            let pairs = form_urlencoded::parse(fields.as_bytes())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
            request.extensions_mut().insert(KeptInput(pairs));
        }
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "a kept form could not be read"),
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .append(header::SET_COOKIE, policy.clear_kept_form());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(location: &str) -> Response {
        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
    }

    /// The address Leptos sends a form posted without JavaScript back to with `error`.
    fn back_with(page: &str, error: &AppError) -> String {
        let error = URL_SAFE.encode(serde_json::to_vec(error).unwrap_or_default());
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("__path", "/api/record_vital_signs")
            .append_pair("__err", &error)
            .finish();
        format!("http://127.0.0.1:3000{page}?{query}")
    }

    #[test]
    fn the_page_is_the_one_the_error_is_sent_back_to() {
        let page = "/patients/1/vital-signs";
        let invalid = AppError::invalid("systolic", "Enter a number");
        assert_eq!(
            page_of_error(&redirect(&back_with(page, &invalid))).as_deref(),
            Some(page)
        );
        assert_eq!(page_of_error(&redirect("/appointments/1/booked")), None);
        assert_eq!(page_of_error(&StatusCode::OK.into_response()), None);
    }

    #[test]
    fn a_conflict_shows_what_is_stored_now_not_what_was_typed() {
        let page = "/practice/services/1";
        assert_eq!(
            page_of_error(&redirect(&back_with(page, &AppError::Conflict))),
            None
        );
    }
}
