//! Cross-site request forgery protection for every state-changing request a browser can make:
//! plain form posts (which work without JavaScript) and server function calls alike.
//!
//! Browsers say where a request comes from: every evergreen browser sends `Sec-Fetch-Site`, and
//! all send `Origin` on a POST. A request another site made is refused on that word, whatever
//! cookies it carries; a request with neither header did not come from a browser, so no
//! browser's cookies can be abused by it. This is the check Go's `net/http` adopted as
//! `CrossOriginProtection` (Go 1.25), and it needs no token in every form. `SameSite=Lax` session
//! cookies are the second wall.

use axum::{
    extract::Request,
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

/// Refuses state-changing requests another site sent.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_cross_site(request.method(), request.headers()) {
        tracing::warn!("cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            Html(
                "<!DOCTYPE html><html lang=\"en\"><head><title>Request refused</title></head><body>\
                 <main><h1>This request was refused</h1><p>It was sent from another website. \
                 Go back to the service and try again from there.</p><p><a href=\"/\">Go to the \
                 home page</a></p></main></body></html>",
            ),
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        // `none`: the person typed the address or used a bookmark.
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    // `Origin: null` (sandboxed frames, some redirects) never matches a host.
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    origin_host.is_none() || origin_host != host
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(method: Method, headers: &[(&'static str, &'static str)], cross_site: bool) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        assert_eq!(
            is_cross_site(&method, &map),
            cross_site,
            "{method} {headers:?}"
        );
    }

    #[test]
    fn reads_are_never_refused() {
        check(Method::GET, &[("sec-fetch-site", "cross-site")], false);
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        check(Method::POST, &[("sec-fetch-site", "same-origin")], false);
        check(Method::POST, &[("sec-fetch-site", "none")], false);
        check(Method::POST, &[("sec-fetch-site", "same-site")], true);
        check(
            Method::POST,
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://a.test"),
                ("host", "a.test"),
            ],
            true,
        );
    }

    #[test]
    fn otherwise_the_origin_must_be_this_host() {
        check(
            Method::POST,
            &[("origin", "https://a.test"), ("host", "a.test")],
            false,
        );
        check(
            Method::POST,
            &[("origin", "https://evil.test"), ("host", "a.test")],
            true,
        );
        check(
            Method::DELETE,
            &[("origin", "null"), ("host", "a.test")],
            true,
        );
    }

    #[test]
    fn requests_no_browser_sent_pass() {
        check(Method::POST, &[("host", "a.test")], false);
    }
}
