//! The service's use cases and the rules about who may do what.
//!
//! `app`'s server functions and `server`'s routes call into this crate; the clinical record is
//! kept by the `store` crate beneath it, opened with the service's own rule
//! ([`open_database`]). It never renders HTML and never reads the environment.

pub mod appointments;
pub mod auth;
pub mod booking;
pub mod demo_data;
pub mod diaries;
pub mod kept_forms;
pub mod messages;
pub mod notifications;
pub mod patient_record;
pub mod patient_search;
pub mod practice;
pub mod practice_setup;
pub mod prescriptions;
pub mod record_access;
pub mod record_writes;
pub mod seed;
pub mod time;

pub use store::{Db, FhirRepository, StoreError};

/// Opens the database at `url` (see [`Db::connect`]) with the service's rule kept inside every
/// write: an active appointment holds its slots ([`booking::RULE`]).
pub async fn open_database(url: &str) -> Result<Db, StoreError> {
    Db::connect(url, Some(&booking::RULE)).await
}
