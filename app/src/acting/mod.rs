//! Acting for someone you care for: a carer with proxy access chooses whose record the patient
//! pages are about (`/acting-for`), and every page then says so in a banner. What they may do
//! for that person is what the grant allows, checked on every access (`backend::auth::policy`).

mod act_for;
mod get_acting_choices;

pub use act_for::{ActFor, act_for};
pub use get_acting_choices::{GetActingChoices, get_acting_choices};
use serde::{Deserialize, Serialize};

use crate::account::ActingForDto;

/// Form field: the patient to act for, or [`THEMSELVES`].
pub const PERSON_FIELD: &str = "person";
/// The value of [`PERSON_FIELD`] for the signed-in patient's own record.
pub const THEMSELVES: &str = "themselves";

/// Whom a patient may act for, and whom they act for now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingChoicesDto {
    /// The signed-in patient's own name.
    pub own_name: String,
    pub choices: Vec<ActingForDto>,
    /// The patient id they act for now; `None`: themselves.
    pub acting_for: Option<String>,
}
