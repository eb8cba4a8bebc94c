//! SNOMED CT concepts (from `domain::terminology`) as FHIR CodeableConcepts.

use domain::terminology::{Concept, SYSTEM};
use serde_json::{Value, json};

/// The SNOMED coding, with the display term as the concept's text too.
pub fn codeable_concept(concept: Concept) -> Value {
    json!({
        "coding": [{ "system": SYSTEM, "code": concept.code, "display": concept.display }],
        "text": concept.display,
    })
}
