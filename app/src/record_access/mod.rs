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
    /// The record's patient id when read as a proxy (the `for` of the page's links).
    pub for_patient: Option<String>,
    /// The filter in force: `others`, `staff`, `systems`, `patient` or `everyone`.
    pub who: String,
    /// Emergency accesses the patient is seeing for the first time, newest first.
    pub unseen_emergencies: Vec<RecordAccessDto>,
    /// This page's accesses, newest first.
    pub accesses: Vec<RecordAccessDto>,
    /// Whether this is a later page than the newest (so a link back to the newest is offered).
    pub is_older_page: bool,
    /// The `before` of the next, older page, when there is one.
    pub older: Option<i64>,
    /// The people who have given the reader proxy access.
    pub grants: Vec<GrantDto>,
    /// On the reader's own list: what they did lately for each person they act for.
    pub done_for: Vec<(GrantDto, Vec<RecordAccessDto>)>,
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
    /// An emergency ("break-glass") access; `reason` is the reason given.
    pub emergency: bool,
    pub reason: Option<String>,
    pub refused: bool,
}
