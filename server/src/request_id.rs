//! The id of a request that came without one (one a load balancer set is kept), so that its log
//! lines and its audit row can be matched.
//!
//! A random prefix chosen once per process, so that the ids of several server processes do not
//! collide, then a counter: unique without asking the kernel for randomness on every request (a
//! random UUID each time was a `getrandom` system call, 0.5 % of the server's CPU under read load).

use std::sync::{
    OnceLock,
    atomic::{AtomicU64, Ordering},
};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Makes ids shaped as UUIDs (what log tooling expects): the process's 64 bits, then the
/// counter's.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessCounter;

static PROCESS: OnceLock<u64> = OnceLock::new();
static NEXT: AtomicU64 = AtomicU64::new(0);

impl MakeRequestId for ProcessCounter {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let process = PROCESS.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let id = uuid::Uuid::from_u64_pair(*process, number).hyphenated();
        HeaderValue::from_str(id.encode_lower(&mut uuid::Uuid::encode_buffer()))
            .ok()
            .map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_from_one_request_to_the_next_and_share_the_process_prefix() {
        let request = Request::new(());
        let mut make = ProcessCounter;
        let first = make.make_request_id(&request).unwrap();
        let second = make.make_request_id(&request).unwrap();
        let (first, second) = (
            first.header_value().to_str().unwrap().to_owned(),
            second.header_value().to_str().unwrap().to_owned(),
        );
        assert_ne!(first, second);
        assert_eq!(first.len(), 36);
        assert_eq!(first[..19], second[..19]);
    }
}
