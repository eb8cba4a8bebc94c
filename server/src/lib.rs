//! The composition root of the health service: reads the configuration, opens the database,
//! builds the axum `Router` (pages, server functions, static files, probes) and serves it.
//!
//! It is the only crate that reads the environment; everything below it takes typed values.

pub mod backup;
mod calendar;
mod client_address;
mod clinic_events;
pub mod config;
mod deadline;
mod fhir_api;
mod freed_times;
mod identity;
mod kept_input;
mod mailer;
mod nul_guard;
mod oauth;
mod probes;
mod rate_limit;
mod request_id;
mod security_headers;
mod service_problem;
pub mod startup;
mod static_files;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
