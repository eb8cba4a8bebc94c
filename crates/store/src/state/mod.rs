//! The service's own working state, apart from the clinical record: browser sessions and
//! sign-in attempts, API clients and their tokens, break-glass rows, forms kept for a moment,
//! attempts counted against rate limits, notifications waiting to go out.
//! Reached through [`WorkingState`] (from [`Db::state`](crate::Db::state)), never through the
//! record's interface, so that the record can live elsewhere while this stays with the service.
//!
//! It keeps rows and decides nothing: when a session or a token has run out, and what a stored
//! actor or scope means, are the callers' rules; they pass the times that follow from them.

pub mod api_clients;
pub mod break_glass;
pub mod earlier_times;
pub mod kept_forms;
pub mod notifications;
pub mod rate_windows;
pub mod sessions;

use sqlx::AnyPool;

use crate::database::Backend;

/// A handle to the working state's tables; cheap to clone.
#[derive(Clone, Debug)]
pub struct WorkingState {
    pool: AnyPool,
    backend: Backend,
}

impl WorkingState {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    fn pool(&self) -> &AnyPool {
        &self.pool
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}
