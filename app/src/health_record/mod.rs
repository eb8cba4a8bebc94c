//! The patient's own health record, as they read it on their phone.

mod get_my_record;

pub use get_my_record::{GetMyRecord, get_my_record};
