//! A resource as stored and read back: the JSON is kept without `meta.versionId` and
//! `meta.lastUpdated`, which live in their own columns and are put back on every read; new ids
//! and the text form of times.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::error::StoreError;

/// A resource as stored at one version, with `meta.versionId` and `meta.lastUpdated` filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    pub resource: Value,
    pub version_id: i64,
    pub last_updated: String,
}

/// What a read finds.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Current(Versioned),
    /// Deleted at this version: the resource existed and is gone (HTTP 410).
    Deleted {
        version_id: i64,
    },
    Missing,
}

/// One entry of a resource's history, newest first.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEntry {
    Written(Versioned),
    Deleted {
        version_id: i64,
        last_updated: String,
    },
}

/// A new resource's id: a UUID whose first bits are the time (version 7), so that new rows
/// join the end of every index on ids instead of a random page each: a batch of audit events
/// then dirties a few pages, not dozens.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `meta.lastUpdated` text: UTC with milliseconds, always the same width, so that text order is
/// time order.
pub fn instant(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The resource as kept in storage: any `meta.versionId` and `meta.lastUpdated` a client sent are
/// dropped (the server owns them); other `meta` (profiles, tags) is kept.
pub(crate) fn without_version_meta(mut resource: Value) -> Value {
    if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("versionId");
        meta.remove("lastUpdated");
        if meta.is_empty() {
            resource.as_object_mut().map(|r| r.remove("meta"));
        }
    }
    resource
}

/// A stored row back as a resource, with its version meta put back.
pub(crate) fn versioned(
    content: &str,
    version_id: i64,
    last_updated: String,
) -> Result<Versioned, StoreError> {
    let resource: Value = serde_json::from_str(content).map_err(StoreError::CorruptResource)?;
    Ok(with_version_meta(resource, version_id, last_updated))
}

pub(crate) fn with_version_meta(
    mut resource: Value,
    version_id: i64,
    last_updated: String,
) -> Versioned {
    if !resource["meta"].is_object() {
        resource["meta"] = json!({});
    }
    resource["meta"]["versionId"] = json!(version_id.to_string());
    resource["meta"]["lastUpdated"] = json!(last_updated);
    Versioned {
        resource,
        version_id,
        last_updated,
    }
}

/// One page of a search: how many match in all, this page's matches, and the included resources.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// `None` when the query asked not to count (`_total=none`).
    pub total: Option<i64>,
    /// Whether matches follow this page.
    pub more: bool,
    pub matches: Vec<Versioned>,
    pub included: Vec<Versioned>,
}

impl SearchPage {
    /// The answer to a search that asked for the count alone (`_summary=count`, `_count=0`).
    pub(crate) fn count_only(total: Option<i64>, offset: i64) -> Self {
        Self {
            total,
            more: total.is_some_and(|total| total > offset),
            matches: Vec::new(),
            included: Vec::new(),
        }
    }
}
