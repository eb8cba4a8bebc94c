//! The user interface of the service, rendered on the server; a few islands hydrate in the browser.
//!
//! Pages are complete HTML before any script runs (every route renders with `SsrMode::Async`, so
//! nothing waits for JavaScript), and every form is sent by the browser. Leptos' islands mode:
//! only the `#[island]` components are built into the WASM and made interactive, and only pages
//! that show one load it (`components::IslandScripts`).
//! Server functions here are thin public endpoints: check who is asking, parse, call one `backend`
//! use case, return a DTO.

pub mod account;
pub mod acting;
pub mod appointments;
pub mod clinic;
pub mod components;
pub mod diaries;
pub mod error;
pub mod health_record;
pub mod messages;
pub mod notifications;
pub mod pages;
pub mod patients;
pub mod practice;
pub mod practice_setup;
pub mod prescriptions;
pub mod record_access;
mod routes;
#[cfg(feature = "ssr")]
mod shell;

pub use components::KeptInput;
pub use routes::App;
#[cfg(feature = "ssr")]
pub use shell::shell;

/// The name people see in the header and in every page title.
pub const SERVICE_NAME: &str = "Open Health";
