//! Liveness and readiness probes for load balancers and orchestrators.

use axum::{extract::State, http::StatusCode};
use backend::Db;

/// The process is up and serving HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can do real work: its database answers.
pub async fn readyz(State(db): State<Db>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
