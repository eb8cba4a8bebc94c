//! Browser-security headers on every response. Pages get a Content-Security-Policy whose only
//! inline script is Leptos' hydration script, admitted by a per-response nonce; everything else
//! (the FHIR API, static files, probes) gets a policy that allows nothing at all.

use std::task::{Context, Poll};

use axum::{
    http::{HeaderName, HeaderValue, Request, header},
    middleware::Next,
    response::Response,
};
use futures_util::{TryFutureExt as _, future::MapOk};
use leptos::prelude::{provide_context, use_context};
use tower::{Layer, Service};

/// The policy of an HTML page rendered with `nonce`. `'wasm-unsafe-eval'` lets the page compile
/// its WebAssembly (and nothing else: no `eval`); no inline script runs without the nonce.
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// For responses that are not pages: nothing may load, nothing may frame them.
const NOTHING_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The nonce of one response, chosen before the page renders.
#[derive(Debug, Clone)]
struct PageNonce(String);

/// Middleware for everything that may render a page: picks the response's nonce, and gives an
/// HTML response the page policy carrying it. Chosen here rather than read back from the render,
/// so the header and the page's scripts cannot disagree.
pub async fn page_policy_layer(mut request: axum::extract::Request, next: Next) -> Response {
    let nonce = backend::auth::secret::random_token();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html && let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Called in the Leptos render context of every page and server function: the render's script
/// nonce becomes the one [`page_policy_layer`] chose for this response.
pub fn use_page_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// The headers every response gets, whatever it is.
const FIXED: [(HeaderName, &str); 6] = [
    // Browsers ignore it over plain http (localhost); behind TLS it pins HTTPS for a year.
    (
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // Health pages' URLs can say what a person looks at: never tell another site. This site gets
    // it, which is how a form posted without JavaScript is sent back to its page.
    (header::REFERRER_POLICY, "same-origin"),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Adds the fixed headers, and the no-content policy where a page set none.
fn add_fixed_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in FIXED {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOTHING_POLICY));
    response
}

/// The layer that adds the fixed headers to every response: one layer with nothing in it but
/// the service it wraps, rather than one per header (axum clones a route's layers for every
/// request; measured under read load, seven header layers cost 2 % of the server's CPU).
#[derive(Debug, Clone, Copy)]
pub struct FixedHeadersLayer;

impl<S> Layer<S> for FixedHeadersLayer {
    type Service = FixedHeaders<S>;

    fn layer(&self, inner: S) -> FixedHeaders<S> {
        FixedHeaders(inner)
    }
}

/// See [`FixedHeadersLayer`].
#[derive(Debug, Clone)]
pub struct FixedHeaders<S>(S);

impl<S, B> Service<Request<B>> for FixedHeaders<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = MapOk<S::Future, fn(Response) -> Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.0.call(request).map_ok(add_fixed_headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_admits_only_its_own_nonce_and_no_inline_or_framing() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
