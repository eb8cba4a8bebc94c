//! The service's use cases and the storage behind them.
//!
//! `app`'s server functions and `server`'s routes call into this crate and nothing deeper: it owns
//! the database (one pool, [`Db`]), the FHIR resource store, and the rules about who may do what.
//! It never renders HTML and never reads the environment.

pub mod appointments;
mod audit_writer;
pub mod auth;
mod booking;
pub mod db;
pub mod demo_data;
pub mod diaries;
pub mod error;
pub mod patient_record;
pub mod patient_search;
pub mod practice;
pub mod practice_setup;
pub mod record_access;
pub mod record_writes;
pub mod repository;
pub mod search;
pub mod seed;
pub mod store;
pub mod time;

pub use db::Db;
pub use error::StoreError;
pub use repository::FhirRepository;
