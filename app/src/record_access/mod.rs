//! "Who has looked at my record": the patient's view of the audit trail of their record.

mod get_record_access;

pub use get_record_access::{GetRecordAccess, get_record_access};
use serde::{Deserialize, Serialize};

/// What the page can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordAccessView {
    /// The accesses, newest first.
    Accesses(AccessLogDto),
    /// Their identity is checked below P9: the page explains how to prove who they are.
    ProofingTooLow,
    /// The practice has no record for them.
    NoRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogDto {
    /// `None`: the reader's own record; otherwise the name of the person they act for.
    pub acting_for: Option<String>,
    pub accesses: Vec<RecordAccessDto>,
    /// The people who have given the reader proxy access.
    pub grants: Vec<GrantDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantDto {
    pub patient_id: String,
    pub name: String,
    pub relationship: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordAccessDto {
    /// "21 November 2026 at 10:04am", UK time.
    pub when: String,
    /// The same instant, machine-readable, for `<time datetime>`.
    pub datetime: String,
    pub who: String,
    pub what: String,
    pub reason: Option<String>,
    pub refused: bool,
}
