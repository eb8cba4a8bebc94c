//! Lets a page set the HTTP status of the server-rendered response (404, 500) so that browsers,
//! crawlers and monitoring see the truth, not a 200 with an error message in it.

/// Sets the response status while rendering on the server; does nothing in the browser.
pub fn set_http_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
