//! Building blocks every page shares, following the NHS.UK design system's patterns.

mod booking;
mod earlier_times;
mod error_summary;
mod form_field;
mod frame;
mod island_scripts;
mod kept_input;
mod live_updates;
mod patient_banner;
mod record_entries;
mod scrolling_table;
mod service_problem;
mod status;
mod test_results;

pub use booking::{
    AppointmentSummary, DayQuestion, Narrowing, NotGrantedForThem, PatientPageRefusal,
    ProveWhoYouAre, Question, RadioItem, ServiceQuestion, TimeQuestion, TimeUnavailable,
    patient_page,
};
pub use earlier_times::{EarlierOffers, EarlierTimeWanted};
pub use error_summary::{ErrorSummary, FailureSummary, failure};
pub use form_field::{FormField, YesNoQuestion, described_by, error_prefix, form_outcome};
pub use frame::{BackLink, Footer, Header, SkipLink};
pub use island_scripts::IslandScripts;
pub use kept_input::{KeptInput, kept, kept_or};
pub use live_updates::LiveUpdates;
pub use patient_banner::PatientBanner;
pub use record_entries::RecordEntries;
pub use scrolling_table::{Heading, ScrollingTable};
pub use service_problem::{ServiceProblem, StaffPageRefusal};
pub use status::set_http_status;
pub use test_results::TestResults;
