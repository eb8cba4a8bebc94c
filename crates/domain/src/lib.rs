//! Domain values and rules of the health service, shared by the server and the browser.
//!
//! Values here are parsed once at the edge (a form field, a FHIR identifier) and are valid for the
//! rest of their life. Nothing in this crate does I/O or reads a clock: rules take `now` as an
//! argument, so they are pure and can run in the browser (this crate builds for wasm32).

pub mod availability;
pub mod booking;
pub mod break_glass;
pub mod clinic;
pub mod identity;
pub mod messages;
pub mod nhs_number;
pub mod notifications;
pub mod ods_code;
pub mod practice_setup;
pub mod prescriptions;
pub mod terminology;
pub mod test_result;
pub mod vitals;

pub use nhs_number::{NhsNumber, NhsNumberError};
pub use ods_code::{OdsCode, OdsCodeError};
