//! The clinical record's storage: FHIR resources with every version kept, the search index that
//! answers FHIR searches, and transactions for changes that must land together, on SQLite or
//! PostgreSQL through one pool ([`Db`]).
//!
//! It knows FHIR and SQL and nothing of bookings, sessions or policies. A rule of the service that
//! must hold atomically with a write (an active Appointment holds its Slots) is given to it from
//! above as data ([`ExclusiveHold`]) when the database is opened; Cargo then refuses any import from
//! here back up into the use cases.

pub mod backup;
pub mod changes;
mod database;
pub mod db;
pub mod disk;
pub mod error;
mod exclusive;
mod gathered_reads;
mod index;
mod inline_reads;
pub mod ledger;
mod open;
mod reads_by_id;
pub mod repository;
pub mod reservations;
mod resources;
mod rule;
pub mod search;
mod sql;
pub mod state;
mod stored;
mod transaction;
mod versions;
mod wal;

pub use changes::Change;
pub use db::Db;
pub use error::{StoreError, WriteError};
pub use ledger::Ledger;
pub use repository::FhirRepository;
pub use resources::*;
pub use rule::ExclusiveHold;
pub use state::WorkingState;
pub use stored::{Found, HistoryEntry, Versioned, VersionedJson, instant, new_id};
pub use transaction::Transaction;
