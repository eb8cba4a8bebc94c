//! Start-up: open and migrate the database, seed demo data, build the Router, bind, serve, and
//! stop gracefully on SIGTERM or Ctrl-C.

use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::Context as _;
use app::{App, shell};
use axum::{Router, extract::FromRef, http::Request, middleware, routing::get};
use backend::{
    Db,
    auth::{Scopes, api_clients},
    seed,
};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower::ServiceExt as _;
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{
    Config, client_address,
    config::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET},
    fhir_api,
    identity::{self, CookiePolicy, Identity, IdentityState, OidcProvider},
    oauth, probes,
    rate_limit::RateLimiter,
    security_headers, static_files,
};

/// The app's page routes, listed once per process. While Leptos lists them it tells every
/// resource in the process not to load, and a resource that starts meanwhile never does
/// (leptos-rs/leptos#4773): a page of a server already running in the process (every API test
/// starts one) would wait for it forever. Other threads asking meanwhile wait for the list.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Token requests allowed per client address per minute: ample for a backend system (a token
/// lasts five minutes), far too few to guess a 256-bit secret.
const TOKEN_REQUESTS_PER_MINUTE: u32 = 30;

/// Sign-ins started (or personas chosen) per client address per minute. A practice's staff share
/// one address behind their network's NAT, and all sign in at 8 o'clock: generous for them, yet
/// a cap on anyone filling the sign-in attempts table.
pub const SIGN_IN_ATTEMPTS_PER_MINUTE: u32 = 60;

/// The name the build gives the bundle (`xtask/src/site.rs`, `[[workspace.metadata.leptos]] name`).
const BUNDLE_NAME: &str = "health";

/// What every handler can reach: the Leptos options and the one database pool.
///
/// axum clones the state for every request, whichever part the handler takes, so the options
/// (a dozen strings) are behind an `Arc`: cloned per request they cost 2.6 % of the server's
/// time under `GET Patient/{id}` load (measured with perf).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Db,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// A bound, ready-to-serve instance of the service.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Opens the database, seeds it in demo mode, builds the Router and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        config.check()?;
        let listener = TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("could not listen on {}", config.bind_addr))?;
        Self::build_on(config, listener).await
    }

    /// As [`Application::build`], on a listener bound already: tests bind first so that the
    /// identity provider they start knows the app's address.
    pub async fn build_with_listener(
        config: Config,
        listener: std::net::TcpListener,
    ) -> anyhow::Result<Self> {
        config.check()?;
        listener.set_nonblocking(true)?;
        Self::build_on(config, TcpListener::from_std(listener)?).await
    }

    async fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let db = open_database(&config).await?;
        if config.demo_mode {
            seed_demo_data(&db).await?;
            register_demo_client(&db).await?;
        }
        if let Some(mail) = &config.mail {
            crate::mailer::spawn(db.clone(), mail, config.public_url.clone())?;
        }
        crate::freed_times::spawn(db.clone());
        let identity = identity_providers(&config, &db)?;
        let router = router(&config, listener.local_addr()?, db, identity);
        Ok(Self { listener, router })
    }

    /// Logs the address, serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // The peer address feeds rate limits and the audit trail (see `client_address`).
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Listen for the signals before the first request: axum polls the shutdown future on
        // a task of its own, so a handler registered there could come after the first answer,
        // and a SIGTERM sent in between would kill the process without draining requests.
        let stop = shutdown_signal()?;
        // Logged only now, so that whoever waits for this line may stop the process at once.
        tracing::info!(address = %self.listener.local_addr()?, "listening");
        axum::serve(self.listener, service)
            .with_graceful_shutdown(stop)
            .await
    }
}

/// The `seed` command: fill an empty database with demo data, and nothing else.
pub async fn seed_command(config: &Config) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    seed_demo_data(&db).await
}

/// Checks the audit ledger's hash chain from its first row to its last: `Ok` with the number of
/// rows when it holds, an error naming the first row that does not follow otherwise.
pub async fn verify_audit_command(config: &Config) -> anyhow::Result<i64> {
    let db = open_database(config).await?;
    let verification = db.ledger().verify().await?;
    match verification.broken {
        None => Ok(verification.rows),
        Some((0, why)) => anyhow::bail!("the audit ledger does not verify: {why}"),
        Some((seq, why)) => anyhow::bail!(
            "the audit ledger does not verify from row {seq} (AuditEvent/{seq}): {why}; \
             the {} rows before it hold",
            seq - 1
        ),
    }
}

async fn open_database(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("could not create data dir {}", config.data_dir.display()))?;
    let db = backend::open_database(&config.database_url)
        .await
        .context("could not open the database")?;
    db.migrate()
        .await
        .context("could not migrate the database")?;
    Ok(db)
}

/// Registers the README's demo API client with every scope, once.
async fn register_demo_client(db: &Db) -> anyhow::Result<()> {
    if !api_clients::is_registered(db, DEMO_CLIENT_ID).await? {
        let scopes: Scopes = "system/*.cruds".parse()?;
        api_clients::register(
            db,
            DEMO_CLIENT_ID,
            "Demo client (synthetic data only)",
            DEMO_CLIENT_SECRET,
            &scopes,
            jiff::Timestamp::now(),
        )
        .await?;
        tracing::info!(client_id = DEMO_CLIENT_ID, "demo API client registered");
    }
    Ok(())
}

/// The `register-client` command: registers a backend system for the FHIR API (or replaces the
/// secret and scopes of one) and returns the new secret, to be shown once.
pub async fn register_client_command(
    config: &Config,
    client_id: &str,
    scope: &str,
) -> anyhow::Result<String> {
    if !api_clients::is_valid_client_id(client_id) {
        anyhow::bail!("a client id is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    let scopes: Scopes = scope.parse()?;
    if scopes.is_empty() {
        anyhow::bail!("give at least one scope, such as system/Patient.rs");
    }
    let db = open_database(config).await?;
    let secret = api_clients::new_secret();
    api_clients::register(
        &db,
        client_id,
        client_id,
        &secret,
        &scopes,
        jiff::Timestamp::now(),
    )
    .await?;
    Ok(secret)
}

async fn seed_demo_data(db: &Db) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now().in_tz("Europe/London")?;
    match seed::seed_if_empty(db, &now).await? {
        seed::SeedOutcome::Seeded { resources } => {
            tracing::info!(resources, "demo data seeded");
        }
        seed::SeedOutcome::AlreadySeeded => tracing::info!("demo data already present"),
    }
    Ok(())
}

/// The identity providers configured, with their keys parsed now so that a bad one stops the
/// start rather than a sign-in.
fn identity_providers(config: &Config, db: &Db) -> anyhow::Result<Identity> {
    let provider = |name: &str, provider: &Option<crate::config::OidcProviderConfig>| {
        provider
            .clone()
            .map(|provider| OidcProvider::new(name, provider, &config.public_url))
            .transpose()
    };
    Ok(Identity {
        patient: provider("patient", &config.patient_login)?,
        staff: provider("staff", &config.staff_login)?,
        demo_mode: config.demo_mode,
        cookies: CookiePolicy {
            secure: config.secure_cookies(),
        },
        limiter: RateLimiter::new(
            db.state().clone(),
            "sign-in",
            SIGN_IN_ATTEMPTS_PER_MINUTE,
            Duration::from_secs(60),
        ),
    })
}

fn router(config: &Config, address: SocketAddr, db: Db, identity: Identity) -> Router {
    // The site build writes hash.txt beside the server binary it built; its presence means this
    // binary's pages reference hashed bundle names, which only this build's pkg/ files carry.
    let hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false);
    let leptos_options = LeptosOptions::builder()
        .output_name(BUNDLE_NAME)
        .site_root(config.site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(address)
        .hash_files(hash_files)
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build();
    let state = AppState {
        leptos_options: Arc::new(leptos_options.clone()),
        db: db.clone(),
    };
    let sign_in_methods = backend::auth::SignInMethods {
        patient_provider: identity.patient.is_some(),
        staff_provider: identity.staff.is_some(),
        demo_personas: identity.demo_mode,
    };
    let provide_db = move || {
        provide_context(db.clone());
        provide_context(sign_in_methods);
        security_headers::use_page_nonce();
    };
    let identity = IdentityState {
        identity: Arc::new(identity),
        db: state.db.clone(),
    };

    // What browsers use: pages, server functions, sign-in. Sessions (cookies) live here, so CSRF
    // protection does too. The APIs below take no cookies, only tokens and client credentials.
    let browser = Router::new()
        .nest("/auth", identity::router(identity.clone()))
        .route(
            "/appointments/{id}/calendar.ics",
            get(crate::calendar::appointment_ics),
        )
        .route("/clinic/events", get(crate::clinic_events::clinic_events))
        .leptos_routes_with_context(&state, page_routes(), provide_db.clone(), {
            let leptos_options = leptos_options.clone();
            move || shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_db, shell))
        .layer(middleware::from_fn_with_state(
            identity.clone(),
            crate::kept_input::keep_and_return,
        ))
        .layer(middleware::from_fn_with_state(
            identity,
            identity::resume_session,
        ))
        .layer(middleware::from_fn(identity::csrf::refuse_cross_site))
        .layer(middleware::from_fn(security_headers::page_policy_layer));

    let router = Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .nest("/fhir", fhir_api::router(state.db.clone()))
        // The base with a trailing slash, where fhirpy and fhir-kit-client post batches: `nest`
        // matches `/fhir` alone.
        .route_service(
            "/fhir/",
            fhir_api::router::<()>(state.db.clone()).map_request(at_the_base),
        )
        .nest(
            "/oauth2",
            oauth::router(
                state.db.clone(),
                RateLimiter::new(
                    state.db.state().clone(),
                    "token",
                    TOKEN_REQUESTS_PER_MINUTE,
                    Duration::from_secs(60),
                ),
            ),
        )
        .nest_service(
            "/pkg",
            static_files::pkg_service(&config.site_root, hash_files),
        )
        .merge(browser)
        .with_state(state)
        .layer(middleware::from_fn(crate::nul_guard::refuse_nul))
        .layer(middleware::from_fn({
            let behind_proxy = config.behind_proxy;
            move |request, next| client_address::resolve(behind_proxy, request, next)
        }))
        .layer(middleware::from_fn({
            let timeout = config.request_timeout;
            move |request, next| crate::deadline::answer_within(timeout, request, next)
        }));
    router
        .layer(security_headers::FixedHeadersLayer)
        // Pages and API answers are compressed as they are sent, so at a level made for that:
        // left at its default, brotli compresses at its slowest, highest level (11), which costs
        // more time than it saves on the wire. The bundle under /pkg is compressed once, at build
        // time, at the highest levels (`static_files`).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|id| id.to_str().ok())
                        .unwrap_or("-");
                    // The path only: query strings can carry what a person typed.
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = request.uri().path(),
                        request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(
            crate::request_id::ProcessCounter,
        ))
}

/// A request to `/fhir/` as the FHIR router sees one to `/fhir`: at its root, the query kept.
fn at_the_base<B>(mut request: Request<B>) -> Request<B> {
    let root = match request.uri().query() {
        Some(query) => format!("/?{query}"),
        None => "/".to_owned(),
    };
    if let Ok(uri) = root.parse() {
        *request.uri_mut() = uri;
    }
    request
}

/// Resolves on SIGTERM (how an orchestrator stops a process) or SIGINT (Ctrl-C); both are
/// registered when this returns, not when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
