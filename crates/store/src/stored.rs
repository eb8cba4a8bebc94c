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

/// A resource as stored at one version, as JSON text with `meta.versionId` and
/// `meta.lastUpdated` in it: what a read sends on without parsing it into a tree and writing it
/// out again.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionedJson {
    pub json: String,
    pub version_id: i64,
    pub last_updated: String,
}

impl From<Versioned> for VersionedJson {
    fn from(versioned: Versioned) -> Self {
        Self {
            json: versioned.resource.to_string(),
            version_id: versioned.version_id,
            last_updated: versioned.last_updated,
        }
    }
}

/// What a read finds: the resource as a tree ([`Versioned`]) or as text ([`VersionedJson`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Found<V = Versioned> {
    Current(V),
    /// Deleted at this version: the resource existed and is gone (HTTP 410).
    Deleted {
        version_id: i64,
    },
    Missing,
}

impl<V> Found<V> {
    /// The same finding, with the current version turned into another form.
    pub fn map<W>(self, current: impl FnOnce(V) -> W) -> Found<W> {
        match self {
            Found::Current(version) => Found::Current(current(version)),
            Found::Deleted { version_id } => Found::Deleted { version_id },
            Found::Missing => Found::Missing,
        }
    }
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

/// A stored row back as JSON text, with its version meta spliced in: only the top level and
/// `meta` are taken apart (their values stay text), so the text is what [`versioned`] would
/// write out, member for member, at a fraction of the work.
pub(crate) fn versioned_json(
    content: &str,
    version_id: i64,
    last_updated: String,
) -> Result<VersionedJson, StoreError> {
    use std::collections::BTreeMap;

    use serde_json::value::RawValue;

    let mut members: BTreeMap<&str, Box<RawValue>> =
        serde_json::from_str(content).map_err(StoreError::CorruptResource)?;
    let mut meta: BTreeMap<&str, Box<RawValue>> = match members.get("meta") {
        Some(meta) => serde_json::from_str(meta.get()).map_err(StoreError::CorruptResource)?,
        None => BTreeMap::new(),
    };
    let text =
        |value: &str| serde_json::value::to_raw_value(value).map_err(StoreError::CorruptResource);
    meta.insert("versionId", text(&version_id.to_string())?);
    meta.insert("lastUpdated", text(&last_updated)?);
    let meta = serde_json::value::to_raw_value(&meta).map_err(StoreError::CorruptResource)?;
    members.insert("meta", meta);
    Ok(VersionedJson {
        json: serde_json::to_string(&members).map_err(StoreError::CorruptResource)?,
        version_id,
        last_updated,
    })
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::stored::{versioned, versioned_json, without_version_meta};

    #[test]
    fn spliced_text_is_what_the_parsed_resource_would_be_written_as() {
        let stored = [
            json!({ "resourceType": "Patient", "id": "p1", "gender": "female" }),
            json!({ "resourceType": "Patient", "id": "p2", "active": true,
                    "meta": { "profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"],
                              "tag": [{ "code": "x" }], "extension": [], "id": "m", "source": "s" },
                    "name": [{ "family": "O'Brien \"Ó\" \\ \u{1F600}", "given": ["Zoë"] }],
                    "zzz": { "nested": { "deeper": [1, 2.5, null, false] } } }),
            json!({ "resourceType": "Observation", "id": "o1", "valueQuantity": { "value": 1e-7 } }),
        ];
        for resource in stored {
            let content = without_version_meta(resource).to_string();
            let tree = versioned(&content, 7, "2026-12-03T10:00:00.000Z".into()).unwrap();
            let text = versioned_json(&content, 7, "2026-12-03T10:00:00.000Z".into()).unwrap();
            assert_eq!(text.json, tree.resource.to_string());
            assert_eq!((text.version_id, text.last_updated), (7, tree.last_updated));
        }
    }
}
