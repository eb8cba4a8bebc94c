//! Browser-security headers on every response. Pages get a Content-Security-Policy whose only
//! inline script is Leptos' hydration script, admitted by a per-response nonce; everything else
//! (the FHIR API, static files, probes) gets a policy that allows nothing at all.

use axum::http::{HeaderName, HeaderValue, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_http::set_header::SetResponseHeaderLayer;

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

/// Called in the Leptos render context of every page: sets the page's policy with the nonce
/// `leptos_axum` generated for this response (which the hydration script carries).
pub fn set_page_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The layers that add the fixed headers (and the no-content policy where a page set none).
pub fn layers() -> impl Iterator<Item = SetResponseHeaderLayer<HeaderValue>> {
    let fixed: [(HeaderName, &str); 6] = [
        // Browsers ignore it over plain http (localhost); behind TLS it pins HTTPS for a year.
        (
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Health pages' URLs can say what a person looks at: never tell another site.
        (header::REFERRER_POLICY, "no-referrer"),
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
    fixed
        .into_iter()
        .map(|(name, value)| {
            SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
        })
        .chain(std::iter::once(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NOTHING_POLICY),
        )))
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
