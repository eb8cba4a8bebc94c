//! Part of a resource, as a client asks with `_summary` (`true`, `text`, `data`) or
//! `_elements`: the elements the definitions mark as summary, the narrative, everything but the
//! narrative, or the top-level elements named. Mandatory elements are always kept, so that what
//! is returned is still a valid resource, and it is tagged SUBSETTED, as FHIR requires, so that
//! nobody mistakes it for the whole.

use serde_json::{Map, Value, json};

use crate::definitions::{TypeDef, TypeKind, r4};

/// Which part of each resource to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subset {
    /// `_summary=true`: the elements marked as summary, at every level.
    Summary,
    /// `_summary=text`: the narrative, with the mandatory elements.
    Text,
    /// `_summary=data`: everything but the narrative.
    Data,
    /// `_elements=a,b`: these top-level elements, with the mandatory ones.
    Elements(Vec<String>),
}

const SUBSETTED_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

/// Always kept: what says what the resource is.
const ALWAYS: &[&str] = &["resourceType", "id", "meta"];

impl Subset {
    /// `_summary`'s value: `None` for `false` (the whole resource); `count` is a search's own.
    pub fn summary(value: &str) -> Result<Option<Self>, String> {
        match value {
            "true" => Ok(Some(Subset::Summary)),
            "text" => Ok(Some(Subset::Text)),
            "data" => Ok(Some(Subset::Data)),
            "false" => Ok(None),
            _ => Err("expected true, false, text, data or count".to_owned()),
        }
    }

    /// `_elements`' value for a resource of type `resource_type`: names of its elements
    /// (`value` for `value[x]`), each checked.
    pub fn elements(resource_type: &str, value: &str) -> Result<Self, String> {
        let def = r4()
            .type_def(resource_type)
            .ok_or_else(|| format!("{resource_type} is not a resource type"))?;
        let names: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        if names.is_empty() {
            return Err("_elements needs at least one element name".to_owned());
        }
        if let Some(unknown) = names.iter().find(|n| def.element(n).is_none()) {
            return Err(format!(
                "{} is not an element of {resource_type}",
                unknown
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect::<String>()
            ));
        }
        Ok(Subset::Elements(names))
    }

    /// Keeps the part of `resource` this subset asks for and tags it SUBSETTED.
    pub fn apply(&self, resource: &mut Value) {
        let Some(object) = resource.as_object_mut() else {
            return;
        };
        let Some(def) = object
            .get("resourceType")
            .and_then(Value::as_str)
            .and_then(|t| r4().type_def(t))
        else {
            return;
        };
        match self {
            Subset::Summary => keep_summary(object, def),
            Subset::Data => {
                object.remove("text");
            }
            Subset::Text => retain(object, def, |name| name == "text"),
            Subset::Elements(names) => retain(object, def, |name| names.iter().any(|n| n == name)),
        }
        tag_subsetted(object);
    }
}

/// Keeps `ALWAYS`, mandatory elements, and the elements `wanted` names.
fn retain(object: &mut Map<String, Value>, def: &TypeDef, wanted: impl Fn(&str) -> bool) {
    object.retain(|key, _| {
        let name = key.strip_prefix('_').unwrap_or(key);
        ALWAYS.contains(&name)
            || def
                .element_by_key(name)
                .is_some_and(|(element, _)| element.min > 0 || wanted(&element.name))
    });
}

/// The summary elements of an object of type `def`, and of its backbone elements in turn.
fn keep_summary(object: &mut Map<String, Value>, def: &TypeDef) {
    object.retain(|key, _| {
        let name = key.strip_prefix('_').unwrap_or(key);
        ALWAYS.contains(&name)
            || def
                .element_by_key(name)
                .is_some_and(|(element, _)| element.in_summary || element.min > 0)
    });
    for (key, value) in object.iter_mut() {
        let Some((_, type_name)) = def.element_by_key(key) else {
            continue;
        };
        let Some(inner) = r4()
            .type_def(type_name)
            .filter(|d| d.kind == TypeKind::Backbone)
        else {
            continue;
        };
        match value {
            Value::Object(child) => keep_summary(child, inner),
            Value::Array(items) => {
                for child in items.iter_mut().filter_map(Value::as_object_mut) {
                    keep_summary(child, inner);
                }
            }
            _ => {}
        }
    }
}

fn tag_subsetted(object: &mut Map<String, Value>) {
    let meta = object.entry("meta").or_insert_with(|| json!({}));
    let Some(meta) = meta.as_object_mut() else {
        return;
    };
    let tags = meta.entry("tag").or_insert_with(|| json!([]));
    if let Some(tags) = tags.as_array_mut() {
        tags.push(json!({ "system": SUBSETTED_SYSTEM, "code": "SUBSETTED" }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient() -> Value {
        json!({"resourceType": "Patient", "id": "p1", "meta": {"versionId": "1"},
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Ann</div>"},
            "name": [{"family": "Smith"}], "gender": "female", "photo": [{"contentType": "image/png"}],
            "contact": [{"name": {"family": "Jones"}, "gender": "male"}],
            "link": [{"other": {"reference": "Patient/p2"}, "type": "seealso"}]})
    }

    fn keys(resource: &Value) -> Vec<&str> {
        resource
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn a_summary_keeps_the_summary_elements_at_every_level_and_is_tagged() {
        let mut resource = patient();
        Subset::Summary.apply(&mut resource);
        assert_eq!(
            keys(&resource),
            ["gender", "id", "link", "meta", "name", "resourceType"]
        );
        assert_eq!(resource["meta"]["tag"][0]["code"], "SUBSETTED");
        assert_eq!(
            resource["link"][0]["type"], "seealso",
            "mandatory in a link"
        );
    }

    #[test]
    fn text_data_and_elements_keep_what_they_name_and_what_is_mandatory() {
        let mut text = patient();
        Subset::Text.apply(&mut text);
        assert_eq!(keys(&text), ["id", "meta", "resourceType", "text"]);
        let mut data = patient();
        Subset::Data.apply(&mut data);
        assert!(data.get("text").is_none() && data.get("photo").is_some());
        let mut named = patient();
        Subset::elements("Patient", "gender,photo")
            .unwrap()
            .apply(&mut named);
        assert_eq!(
            keys(&named),
            ["gender", "id", "meta", "photo", "resourceType"]
        );
        let mut observation = json!({"resourceType": "Observation", "status": "final",
            "code": {"text": "Pulse"}, "valueQuantity": {"value": 60}, "note": [{"text": "x"}]});
        Subset::elements("Observation", "value")
            .unwrap()
            .apply(&mut observation);
        assert_eq!(
            keys(&observation),
            ["code", "meta", "resourceType", "status", "valueQuantity"],
            "status and code are mandatory"
        );
    }

    #[test]
    fn unknown_elements_and_values_are_refused() {
        assert!(Subset::elements("Patient", "colour").is_err());
        assert!(Subset::elements("Patient", "").is_err());
        assert!(Subset::summary("maybe").is_err());
        assert_eq!(Subset::summary("false"), Ok(None));
    }
}
