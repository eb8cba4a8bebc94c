//! Who is calling and what they may do: registered API clients and their bearer tokens, SMART
//! scopes, and the audit trail every access to patient data leaves.

pub mod api_clients;
pub mod audit;
pub mod scope;

pub use api_clients::ApiClient;
pub use scope::{Interaction, Scopes};
