//! The service's configuration, read once from the environment (see `.env.example`).

use std::{fmt, net::SocketAddr, path::PathBuf};

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
    /// folder the site build wrote this binary's bundle into (debug and release builds use
    /// different ones, so each binary serves its own bundle).
    pub site_root: PathBuf,
    /// The address people reach the service at, e.g. `https://health.example.nhs.uk`: sign-in
    /// redirect URIs are built from it, and cookies are `Secure` when it is HTTPS. Plain HTTP is
    /// accepted only for a loopback address.
    pub public_url: String,
    /// A deployment that serves real patients. Refuses to start in demo mode or over plain HTTP.
    pub production: bool,
    /// The patient identity provider (NHS login, or one shaped like it), if configured.
    pub patient_login: Option<OidcProviderConfig>,
    /// The staff identity provider (NHS CIS2, or one shaped like it), if configured.
    pub staff_login: Option<OidcProviderConfig>,
    /// How long a request may take before it is answered 503 (`crate::deadline`).
    pub request_timeout: std::time::Duration,
    /// Where notifications are sent by email from, if anywhere (`crate::mailer`).
    pub mail: Option<MailConfig>,
}

/// The SMTP server notifications go through.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:587?tls=required`, `smtps://user:password@host:465`, or plain
    /// `smtp://127.0.0.1:2525` on loopback (lettre's URL form).
    pub url: Secret,
    /// The sender, e.g. `Hillside Surgery <no-reply@hillside.example>`.
    pub from: String,
}

/// One OpenID Connect provider the service signs people in with.
#[derive(Debug, Clone)]
pub struct OidcProviderConfig {
    /// The issuer; its metadata is at `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_auth: ClientAuth,
    pub scopes: Vec<String>,
    /// NHS login's vector-of-trust request (`["P9.Cp.Cd", …]`), sent as the `vtr` parameter.
    pub vtr: Option<String>,
}

/// How the service proves to a provider's token endpoint that it is the registered client.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// `client_secret_basic`.
    ClientSecret(Secret),
    /// `private_key_jwt`: an assertion signed with this RSA key (PEM), as NHS login requires.
    PrivateKeyJwt { private_key_pem: Secret },
}

/// A secret from the configuration: usable, never printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// How long a request may take by default: ample for a page or a 2 MB transaction Bundle, short
/// enough that a stalled database does not hold requests (and their memory) for long.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// What NHS login is asked for by default: a fully checked identity (P9) if the person has one,
/// else P5 or P0, which the service accepts and explains (see `domain::identity::ProofingLevel`).
pub const DEFAULT_VTR: &str = r#"["P9.Cp.Cd","P9.Cp.Ck","P9.Cm","P5.Cp.Cd","P5.Cp.Ck","P5.Cm","P0.Cp.Cd","P0.Cp.Ck","P0.Cm"]"#;

/// The API client demo mode registers, documented in the README so that a newcomer can call the
/// FHIR API with curl at once. Its secret is public: demo mode holds synthetic data only.
pub const DEMO_CLIENT_ID: &str = "demo-client";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret-synthetic-data-only";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{0}")]
    Unsafe(&'static str),
}

impl Config {
    /// Reads `HEALTH_*` variables, falling back to what the README's run command needs.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind_addr = var("HEALTH_BIND_ADDR")
            // cargo-leptos (and `cargo xtask run`) pass the address this way.
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
        let production = flag("HEALTH_PRODUCTION")?;
        let public_url = var("HEALTH_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let patient_login = oidc_provider(
            &var,
            "PATIENT",
            Some(DEFAULT_VTR),
            &["openid", "profile", "nhs_number"],
        )?;
        let staff_login = oidc_provider(
            &var,
            "STAFF",
            None,
            &["openid", "profile", "nationalrbacaccess"],
        )?;
        let request_timeout = match var("HEALTH_REQUEST_TIMEOUT_SECONDS") {
            None => DEFAULT_REQUEST_TIMEOUT,
            Some(seconds) => match seconds.parse::<u64>() {
                Ok(seconds @ 1..=600) => std::time::Duration::from_secs(seconds),
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "HEALTH_REQUEST_TIMEOUT_SECONDS",
                        reason: format!("expected whole seconds from 1 to 600, got {seconds:?}"),
                    });
                }
            },
        };
        let mail = match (var("HEALTH_SMTP_URL"), var("HEALTH_MAIL_FROM")) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(ConfigError::Invalid {
                    name: "HEALTH_MAIL_FROM",
                    reason: "required when HEALTH_SMTP_URL is set".into(),
                });
            }
            (Some(url), Some(from)) => Some(MailConfig {
                url: Secret::new(url),
                from,
            }),
        };
        let config = Self {
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
            public_url,
            production,
            patient_login,
            staff_login,
            request_timeout,
            mail,
        };
        config.check()?;
        Ok(config)
    }

    /// Refuses combinations that would be unsafe with real patients. `Application::build` checks
    /// again, so a `Config` built in code gets the same refusals.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.production && self.demo_mode {
            return Err(ConfigError::Unsafe(
                "HEALTH_DEMO_MODE cannot be switched on with HEALTH_PRODUCTION: demo mode seeds \
                 synthetic people and publishes a demo API secret",
            ));
        }
        let Some((scheme, rest)) = self.public_url.split_once("://") else {
            return Err(ConfigError::Invalid {
                name: "HEALTH_PUBLIC_URL",
                reason: "expected a URL such as https://health.example.nhs.uk".into(),
            });
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(host, _port)| host);
        match scheme {
            "https" => Ok(()),
            "http" if self.production => Err(ConfigError::Unsafe(
                "HEALTH_PUBLIC_URL must be https with HEALTH_PRODUCTION: session cookies are only \
                 safe over HTTPS",
            )),
            "http" if is_loopback(host) => Ok(()),
            "http" => Err(ConfigError::Unsafe(
                "HEALTH_PUBLIC_URL must be https unless it is a loopback address: session cookies \
                 are only safe over HTTPS",
            )),
            _ => Err(ConfigError::Invalid {
                name: "HEALTH_PUBLIC_URL",
                reason: format!("{scheme} is not http or https"),
            }),
        }
    }

    /// Cookies carry `Secure` (and the `__Host-` prefix) whenever people reach the service over
    /// HTTPS; `check` allows plain HTTP only on loopback.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `HEALTH_{KIND}_OIDC_*`: the provider is configured when its issuer is set, and then its client
/// id and one way of authenticating are required.
fn oidc_provider(
    var: &impl Fn(&str) -> Option<String>,
    kind: &'static str,
    default_vtr: Option<&str>,
    scopes: &[&str],
) -> Result<Option<OidcProviderConfig>, ConfigError> {
    let name = |suffix: &str| format!("HEALTH_{kind}_OIDC_{suffix}");
    let Some(issuer) = var(&name("ISSUER")) else {
        return Ok(None);
    };
    let missing = |variable: &'static str| ConfigError::Invalid {
        name: variable,
        reason: format!("required when HEALTH_{kind}_OIDC_ISSUER is set"),
    };
    let (client_id_name, key_name, secret_name) = match kind {
        "PATIENT" => (
            "HEALTH_PATIENT_OIDC_CLIENT_ID",
            "HEALTH_PATIENT_OIDC_PRIVATE_KEY_FILE",
            "HEALTH_PATIENT_OIDC_CLIENT_SECRET",
        ),
        _ => (
            "HEALTH_STAFF_OIDC_CLIENT_ID",
            "HEALTH_STAFF_OIDC_PRIVATE_KEY_FILE",
            "HEALTH_STAFF_OIDC_CLIENT_SECRET",
        ),
    };
    let client_id = var(client_id_name).ok_or_else(|| missing(client_id_name))?;
    let client_auth = match (var(key_name), var(secret_name)) {
        (Some(path), _) => ClientAuth::PrivateKeyJwt {
            private_key_pem: Secret::new(std::fs::read_to_string(&path).map_err(|e| {
                ConfigError::Invalid {
                    name: key_name,
                    reason: format!("could not read {path}: {e}"),
                }
            })?),
        },
        (None, Some(secret)) => ClientAuth::ClientSecret(Secret::new(secret)),
        (None, None) => return Err(missing(key_name)),
    };
    Ok(Some(OidcProviderConfig {
        issuer,
        client_id,
        client_auth,
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        vtr: var(&name("VTR")).or(default_vtr.map(str::to_owned)),
    }))
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

    #[test]
    fn demo_mode_and_production_together_are_refused() {
        let error = config(&[
            ("HEALTH_DEMO_MODE", "true"),
            ("HEALTH_PRODUCTION", "true"),
            ("HEALTH_PUBLIC_URL", "https://health.example"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().contains("cannot be switched on"),
            "{error}"
        );
    }

    #[test]
    fn plain_http_is_allowed_on_loopback_only_and_never_in_production() {
        let check = |url: &str, production: &str, ok: bool| {
            let result = config(&[
                ("HEALTH_PUBLIC_URL", url),
                ("HEALTH_PRODUCTION", production),
            ]);
            assert_eq!(result.is_ok(), ok, "{url} production={production}");
        };
        check("http://127.0.0.1:3000", "false", true);
        check("http://localhost:3000/", "false", true);
        check("http://[::1]:3000", "false", true);
        check("http://health.example", "false", false);
        check("http://127.0.0.1:3000", "true", false);
        check("https://health.example", "true", true);
        check("ftp://health.example", "false", false);
        let secure = config(&[("HEALTH_PUBLIC_URL", "https://health.example")]).unwrap();
        assert!(secure.secure_cookies());
        assert!(!config(&[]).unwrap().secure_cookies());
    }

    #[test]
    fn a_provider_needs_a_client_id_and_a_way_to_authenticate_and_never_prints_it() {
        let error = config(&[("HEALTH_STAFF_OIDC_ISSUER", "https://idp.example")]).unwrap_err();
        assert!(
            error.to_string().contains("HEALTH_STAFF_OIDC_CLIENT_ID"),
            "{error}"
        );
        let config = config(&[
            ("HEALTH_STAFF_OIDC_ISSUER", "https://idp.example"),
            ("HEALTH_STAFF_OIDC_CLIENT_ID", "health"),
            ("HEALTH_STAFF_OIDC_CLIENT_SECRET", "very-secret"),
        ])
        .unwrap();
        let staff = config.staff_login.as_ref().unwrap();
        assert!(
            matches!(&staff.client_auth, ClientAuth::ClientSecret(s) if s.expose() == "very-secret")
        );
        assert!(staff.vtr.is_none(), "vtr is NHS login's, not CIS2's");
        assert!(!format!("{config:?}").contains("very-secret"));
        assert!(config.patient_login.is_none());
    }
}
