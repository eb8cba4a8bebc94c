//! The patient's appointments and documents as a clinician's summary lists them: upcoming
//! appointments soonest first, past ones newest first, and documents newest first.

use domain::clinic::Attendance;
use fhir::{ResourceType, search::parse_query};
use jiff::Timestamp;
use serde_json::Value;

use super::{Entry, LISTED};
use crate::{Db, FhirRepository, StoreError};

/// How many past appointments the summary lists.
const PAST_LISTED: usize = 10;

/// (upcoming, past) appointments of `patient` (`Patient/…`) at `now`, with the `Type/id` of each.
pub(super) async fn appointments(
    db: &Db,
    patient: &str,
    now: Timestamp,
) -> Result<(Vec<(String, Entry)>, Vec<(String, Entry)>), StoreError> {
    let query = parse_query(
        ResourceType::Appointment,
        &[
            ("patient".to_owned(), patient.to_owned()),
            ("_sort".to_owned(), "date".to_owned()),
            ("_count".to_owned(), LISTED.to_string()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let found = db.search(ResourceType::Appointment, &query).await?;
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for appointment in found.matches.iter().map(|f| &f.resource) {
        let Some(start) = appointment["start"]
            .as_str()
            .and_then(|s| s.parse::<Timestamp>().ok())
        else {
            continue;
        };
        let reference = format!(
            "Appointment/{}",
            appointment["id"].as_str().unwrap_or_default()
        );
        let status = appointment["status"].as_str().unwrap_or_default();
        let entry = Entry {
            text: format!(
                "{}: {}",
                crate::time::appointment_time(start),
                fhir::read::concept_text(&appointment["serviceType"][0]).unwrap_or("Appointment")
            ),
            detail: Some(status_words(status).to_owned()),
        };
        if start > now && domain::booking::holds_slot(status) {
            upcoming.push((reference, entry));
        } else {
            past.push((reference, entry));
        }
    }
    past.reverse();
    past.truncate(PAST_LISTED);
    Ok((upcoming, past))
}

/// An appointment's status in words.
fn status_words(status: &str) -> &'static str {
    match Attendance::from_fhir_status(status) {
        Some(attendance) => attendance.label(),
        None if status == "cancelled" => "Cancelled",
        None => "Not confirmed",
    }
}

/// The patient's documents (letters, reports), newest first, with the `Type/id` of each.
pub(super) async fn documents(db: &Db, patient: &str) -> Result<Vec<(String, Entry)>, StoreError> {
    let query = parse_query(
        ResourceType::DocumentReference,
        &[
            ("patient".to_owned(), patient.to_owned()),
            ("_sort".to_owned(), "-_lastUpdated".to_owned()),
            ("_count".to_owned(), LISTED.to_string()),
        ],
    )
    .map_err(|_| StoreError::InvalidQuery)?;
    let found = db.search(ResourceType::DocumentReference, &query).await?;
    Ok(found
        .matches
        .iter()
        .map(|f| {
            let document = &f.resource;
            let reference = format!(
                "DocumentReference/{}",
                document["id"].as_str().unwrap_or_default()
            );
            (reference, document_entry(document))
        })
        .collect())
}

/// What a document reads as: its description (or kind), date and author; and, for a note
/// written here (plain text), the note itself.
fn document_entry(document: &Value) -> Entry {
    use base64::Engine as _;

    let what = document["description"]
        .as_str()
        .or_else(|| fhir::read::concept_text(&document["type"]))
        .unwrap_or("Untitled document");
    let dated = document["date"]
        .as_str()
        .and_then(|d| d.parse::<Timestamp>().ok())
        .map(|d| crate::time::spoken_date(crate::time::uk_date(d)));
    let by = document["author"][0]["display"].as_str();
    let text = match (dated, by) {
        (Some(dated), Some(by)) => format!("{what}, {dated}, by {by}"),
        (Some(dated), None) => format!("{what}, {dated}"),
        (None, Some(by)) => format!("{what}, by {by}"),
        (None, None) => what.to_owned(),
    };
    let attachment = &document["content"][0]["attachment"];
    let detail = attachment["contentType"]
        .as_str()
        .filter(|t| t.starts_with("text/plain"))
        .and_then(|_| attachment["data"].as_str())
        .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Entry { text, detail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_reads_with_its_description_and_date() {
        let letter = json!({
            "description": "Discharge letter, Leeds General Infirmary",
            "date": "2026-10-12T09:00:00Z",
        });
        assert_eq!(
            document_entry(&letter),
            Entry {
                text: "Discharge letter, Leeds General Infirmary, 12 October 2026".into(),
                detail: None,
            }
        );
        let note = json!({
            "description": "Consultation note",
            "date": "2026-12-01T10:00:00Z",
            "author": [{ "display": "Dr Amara Okafor" }],
            "content": [{ "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "data": "Q2hlc3QgY2xlYXIu",
            }}],
        });
        assert_eq!(
            document_entry(&note),
            Entry {
                text: "Consultation note, 1 December 2026, by Dr Amara Okafor".into(),
                detail: Some("Chest clear.".into()),
            }
        );
        assert_eq!(document_entry(&json!({})).text, "Untitled document");
    }

    #[test]
    fn statuses_read_in_words() {
        assert_eq!(status_words("noshow"), "Did not attend");
        assert_eq!(status_words("cancelled"), "Cancelled");
        assert_eq!(status_words("booked"), "Booked");
    }
}
