//! Structured logs with `tracing`. Log lines carry ids and outcomes, never names, NHS numbers or
//! anything clinical.

use std::io::IsTerminal as _;

use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber; later calls (as in tests that start several apps) are no-ops.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal; log collectors get plain text.
    let _ = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}
