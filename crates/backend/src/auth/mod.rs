//! Who is calling and what they may do: people signed in through a browser session, registered
//! API clients and their bearer tokens, SMART scopes, and the audit trail every access to patient
//! data leaves.

pub mod access;
pub mod acting;
pub mod api_clients;
pub mod audit;
pub mod break_glass;
pub mod policy;
pub mod scope;
pub mod secret;
pub mod sessions;
pub mod sign_in;

pub use api_clients::ApiClient;
pub use scope::{Interaction, Scopes};

/// The address a request came from, as the server worked it out (the TCP peer, or the address a
/// trusted proxy appended): for rate limits and the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The ways to sign in this server offers; the sign-in page lists them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInMethods {
    pub patient_provider: bool,
    pub staff_provider: bool,
    /// Demo mode: synthetic personas, no provider needed.
    pub demo_personas: bool,
}
