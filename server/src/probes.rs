//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use axum::{extract::State, http::StatusCode};
use backend::Db;

/// The process is up and serving HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// How long the readiness check waits for the database: a load balancer's check gives up after
/// a second or two, and a database that slow is as good as down for the pages.
const READY_WITHIN: Duration = Duration::from_secs(1);

/// The process can do real work: its database answers, within [`READY_WITHIN`].
pub async fn readyz(State(db): State<Db>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(READY_WITHIN, db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness check failed: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
