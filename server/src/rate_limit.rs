//! A per-address limit on how often sensitive endpoints (the token endpoint, sign-in) may be
//! called, against password guessing and token-endpoint floods.
//!
//! Counted in the database (`store::state::rate_windows`), so that behind a load balancer an
//! address gets the limit once, however many processes serve it. That is a write per attempt,
//! on endpoints called once a session or once every few minutes per client, never per page.

use std::{net::IpAddr, time::Duration};

use jiff::Timestamp;
use store::WorkingState;

/// At most `limit` attempts per address in any fixed window of `window`.
#[derive(Clone)]
pub struct RateLimiter {
    state: WorkingState,
    /// Which endpoint's limit this is: its counts are kept apart from other limits'.
    endpoint: &'static str,
    limit: u32,
    window: Duration,
}

/// Over the limit; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RateLimiter {
    pub fn new(state: WorkingState, endpoint: &'static str, limit: u32, window: Duration) -> Self {
        Self {
            state,
            endpoint,
            limit,
            window,
        }
    }

    /// Counts one attempt from `address` at `now`. A database that cannot count lets the
    /// attempt through: the endpoints behind this limit need the database themselves, and say
    /// so more clearly than a refusal would.
    pub async fn check(&self, address: IpAddr, now: Timestamp) -> Result<(), RetryAfter> {
        let window =
            jiff::SignedDuration::try_from(self.window).unwrap_or(jiff::SignedDuration::MAX);
        let key = format!("{} {address}", self.endpoint);
        let counted = store::state::rate_windows::count_attempt(
            &self.state,
            &key,
            now,
            now.checked_sub(window).unwrap_or(Timestamp::UNIX_EPOCH),
        )
        .await;
        match counted {
            Ok((_, attempts)) if attempts <= u64::from(self.limit) => Ok(()),
            Ok((started_at, _)) => {
                let ends = started_at.checked_add(window).unwrap_or(Timestamp::MAX);
                let left = now.duration_until(ends).unsigned_abs();
                // Whole seconds for Retry-After, at least one.
                Err(RetryAfter(Duration::from_secs(left.as_secs().max(1))))
            }
            Err(error) => {
                tracing::warn!(%error, endpoint = self.endpoint, "attempts could not be counted");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test]
    async fn an_address_is_held_to_the_limit_until_its_window_ends() {
        let database = test_support::fresh_database().await;
        let db = store::Db::connect(&database.url, None).await.unwrap();
        db.migrate().await.unwrap();
        let sign_in = RateLimiter::new(db.state().clone(), "sign-in", 3, Duration::from_secs(60));
        // Another process on the same database: its own limiter, the same counts.
        let other_process =
            RateLimiter::new(db.state().clone(), "sign-in", 3, Duration::from_secs(60));
        let tokens = RateLimiter::new(db.state().clone(), "token", 3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let after = |seconds: i64| {
            start
                .checked_add(jiff::SignedDuration::from_secs(seconds))
                .unwrap()
        };
        assert!(sign_in.check(a, start).await.is_ok());
        assert!(other_process.check(a, after(1)).await.is_ok());
        assert!(sign_in.check(a, after(2)).await.is_ok());
        assert_eq!(
            other_process.check(a, after(20)).await,
            Err(RetryAfter(Duration::from_secs(40))),
            "the fourth attempt, through either process, is refused until the window ends"
        );
        assert!(
            sign_in.check(b, after(20)).await.is_ok(),
            "other addresses are not affected"
        );
        assert!(
            tokens.check(a, after(20)).await.is_ok(),
            "other limits are not affected"
        );
        assert!(sign_in.check(a, after(60)).await.is_ok(), "a new window");
    }
}
