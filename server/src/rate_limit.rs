//! A per-address limit on how often sensitive endpoints (the token endpoint, sign-in) may be
//! called, against password guessing and token-endpoint floods.
//!
//! Counted per process: behind a load balancer with N processes an address gets up to N times the
//! limit, which still bounds guessing; a shared counter would cost a database write per attempt.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// At most `limit` attempts per address in any fixed window of `window`.
#[derive(Clone)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

/// Over the limit; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Arc::default(),
        }
    }

    /// Counts one attempt from `address` at `now`.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget finished windows now and then, so the map holds only recent callers.
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let (start, count) = windows.entry(address).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        if *count >= self.limit {
            return Err(RetryAfter(self.window - now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_held_to_the_limit_until_its_window_ends() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(a, start).is_ok());
        }
        let refused = limiter.check(a, start + Duration::from_secs(20));
        assert_eq!(refused, Err(RetryAfter(Duration::from_secs(40))));
        assert!(
            limiter.check(b, start).is_ok(),
            "other addresses are not affected"
        );
        assert!(limiter.check(a, start + Duration::from_secs(60)).is_ok());
    }
}
