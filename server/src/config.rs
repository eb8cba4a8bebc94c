//! The service's configuration, read once from the environment (see `.env.example`).

use std::{net::SocketAddr, path::PathBuf};

/// Everything the server needs to start. Tests build one directly (port 0, a fresh data dir).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen, e.g. `127.0.0.1:3000`; port 0 picks a free one.
    pub bind_addr: SocketAddr,
    /// Folder for the embedded database and other local state; created if missing.
    pub data_dir: PathBuf,
    /// The database; defaults to SQLite in `data_dir`.
    pub database_url: String,
    /// A `tracing` filter such as `info` or `server=debug,info`.
    pub log_filter: String,
    /// Demo mode seeds synthetic data on first start, and the documented demo API client
    /// ([`DEMO_CLIENT_ID`]). Never for real patients.
    pub demo_mode: bool,
    /// Behind a load balancer or reverse proxy: the client's address is the last
    /// `X-Forwarded-For` entry (the one the proxy appended), not the TCP peer.
    pub behind_proxy: bool,
    /// Folder holding `pkg/` (the WASM, JS and CSS bundle) and public assets. Defaults to the
    /// folder cargo-leptos built this binary's bundle into (debug and release builds use different
    /// ones, so each binary serves its own bundle).
    pub site_root: PathBuf,
}

/// The API client demo mode registers, documented in the README so that a newcomer can call the
/// FHIR API with curl at once. Its secret is public: demo mode holds synthetic data only.
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret-synthetic-data-only";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads `HEALTH_*` variables, falling back to what the README's run command needs.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind_addr = var("HEALTH_BIND_ADDR")
            // cargo-leptos passes the address from Cargo.toml this way.
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind_addr =
            bind_addr
                .parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                    name: "HEALTH_BIND_ADDR",
                    reason: e.to_string(),
                })?;
        let data_dir = PathBuf::from(var("HEALTH_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("health.db").display()));
        let flag = |name: &'static str| match var(name).as_deref() {
            None | Some("" | "false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(other) => Err(ConfigError::Invalid {
                name,
                reason: format!("expected true or false, got {other:?}"),
            }),
        };
        let demo_mode = flag("HEALTH_DEMO_MODE")?;
        let behind_proxy = flag("HEALTH_BEHIND_PROXY")?;
        Ok(Self {
            bind_addr,
            data_dir,
            database_url,
            log_filter: var("HEALTH_LOG").unwrap_or_else(|| "info".into()),
            demo_mode,
            behind_proxy,
            site_root: PathBuf::from(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| {
                option_env!("LEPTOS_SITE_ROOT")
                    .unwrap_or("target/site")
                    .into()
            })),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_in_data_on_port_3000() {
        let config = config(&[]).unwrap();
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url, "sqlite://data/health.db");
        assert!(!config.demo_mode);
    }

    #[test]
    fn data_dir_moves_the_default_database_with_it() {
        let config = config(&[("HEALTH_DATA_DIR", "/var/lib/health")]).unwrap();
        assert_eq!(config.database_url, "sqlite:///var/lib/health/health.db");
    }

    #[test]
    fn malformed_values_are_refused_with_the_variable_named() {
        let error = config(&[("HEALTH_DEMO_MODE", "yes please")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("HEALTH_DEMO_MODE is not valid"),
            "{error}"
        );
        let error = config(&[("HEALTH_BIND_ADDR", "localhost")]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("HEALTH_BIND_ADDR is not valid"),
            "{error}"
        );
    }
}
