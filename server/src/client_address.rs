//! The address a request came from, worked out once per request for rate limits and the audit
//! trail: the TCP peer, or behind a load balancer the address it appended to `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};

/// The client's address, in every request's extensions (a `backend` type, so that server
/// functions in `app` can read it for the audit trail too).
pub use backend::auth::ClientAddress;

/// Middleware that puts a [`ClientAddress`] into the request. With `behind_proxy`, the last
/// `X-Forwarded-For` entry is taken: the one the trusted proxy appended (entries before it are
/// whatever the client chose to send).
pub async fn resolve(behind_proxy: bool, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let forwarded = behind_proxy
        .then(|| last_forwarded_for(request.headers()))
        .flatten();
    if let Some(address) = forwarded.or(peer) {
        request.extensions_mut().insert(ClientAddress(address));
    }
    next.run(request).await
}

fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .next_back()
        .and_then(|entry| entry.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_the_proxy_appended_wins_over_what_the_client_sent() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.1".parse().unwrap(),
        );
        headers.append("x-forwarded-for", "192.0.2.44".parse().unwrap());
        assert_eq!(
            last_forwarded_for(&headers),
            Some("192.0.2.44".parse().unwrap())
        );
        assert_eq!(last_forwarded_for(&HeaderMap::new()), None);
    }
}
