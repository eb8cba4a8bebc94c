//! Building blocks every page shares, following the NHS.UK design system's patterns.

mod error_summary;
mod frame;
mod status;

pub use error_summary::{ErrorSummary, FieldError};
pub use frame::{BackLink, Footer, Header, SkipLink};
pub use status::set_http_status;
