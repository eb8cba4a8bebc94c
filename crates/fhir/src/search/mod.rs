//! FHIR search: which parameters each type supports, the index values a resource yields for them,
//! and what a search URL asks for. Pure: the store turns these into SQL.

mod amount;
mod comparator;
mod expression;
mod index;
mod meets;
mod params;
mod phonetic;
mod query;

pub use amount::{Amount, UNBOUNDED};
pub use expression::{Expression, Node};
pub use index::{IndexEntry, NAME_PAIR_SEPARATOR, NAME_PAIRS, date_range, index_entries};
pub use meets::meets;
pub use params::{INDEX_VERSION, ParamDef, ParamKind, params_of, reference_param};
pub use query::{
    Comparator, Condition, DEFAULT_COUNT, Include, MAX_COUNT, SearchQuery, Sort, Test, Total,
    parse_query, supported_pairs,
};
