//! The FHIR R4 definitions this server works from: every type with its elements, every search
//! parameter, the patient compartment. Generated from the official package by `cargo xtask
//! fhir-definitions` into `r4.json` (never edited by hand), built into the binary and read once,
//! on first use.

use std::{collections::HashMap, sync::OnceLock};

use serde_json::Value;

/// One element of a type: `deceased[x]` is stored as `deceased` with `choice` set.
#[derive(Debug)]
pub struct ElementDef {
    pub name: String,
    pub min: u32,
    /// `None` for `*`.
    pub max: Option<u32>,
    pub choice: bool,
    /// Type keys: a datatype (`HumanName`, `instant`), `Resource` for any resource, or a
    /// backbone element's path (`Patient.contact`), whose elements are a type of their own.
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Primitive,
    Complex,
    Resource,
    Backbone,
}

#[derive(Debug)]
pub struct TypeDef {
    pub kind: TypeKind,
    pub is_abstract: bool,
    elements: Vec<ElementDef>,
}

impl TypeDef {
    pub fn elements(&self) -> &[ElementDef] {
        &self.elements
    }

    /// The element called `name` (`deceased` for `deceased[x]`).
    pub fn element(&self, name: &str) -> Option<&ElementDef> {
        self.elements.iter().find(|e| e.name == name)
    }
}

/// A search parameter as the specification defines it for one base type.
#[derive(Debug)]
pub struct SearchParamSource {
    pub base: String,
    pub code: String,
    /// `token`, `reference`, `string`, `date`, `uri`, `number`, `quantity`, `composite`, `special`.
    pub kind: String,
    pub url: String,
    /// The FHIRPath expression, only the terms about `base`.
    pub expression: String,
    pub targets: Vec<String>,
}

#[derive(Debug)]
pub struct Definitions {
    pub resource_types: Vec<String>,
    types: HashMap<String, TypeDef>,
    pub search_parameters: Vec<SearchParamSource>,
    patient_compartment: HashMap<String, Vec<String>>,
}

impl Definitions {
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// `name` as the definitions hold it (so that it lives as long as they do), if it is a type.
    pub fn type_key(&self, name: &str) -> Option<&str> {
        self.types.get_key_value(name).map(|(key, _)| key.as_str())
    }

    /// The search parameters of `resource_type` that put a resource in a patient's compartment
    /// (`subject` and `performer` for an Observation); empty for types outside it.
    pub fn patient_compartment(&self, resource_type: &str) -> &[String] {
        self.patient_compartment
            .get(resource_type)
            .map_or(&[], Vec::as_slice)
    }
}

/// The R4 definitions, read on first use.
pub fn r4() -> &'static Definitions {
    static DEFINITIONS: OnceLock<Definitions> = OnceLock::new();
    DEFINITIONS.get_or_init(|| parse(include_str!("r4.json")))
}

/// Reads the generated file. It is built into the binary and checked by the tests, so a
/// malformed one is a build defect, found by the first test that runs; fields missing from it
/// read as empty rather than stopping the server.
fn parse(text: &str) -> Definitions {
    let json: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let types = json["types"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, described)| {
            let kind = match described["kind"].as_str() {
                Some("primitive-type") => TypeKind::Primitive,
                Some("resource") => TypeKind::Resource,
                Some("backbone") => TypeKind::Backbone,
                _ => TypeKind::Complex,
            };
            let elements = described["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|element| {
                    let name = element[0].as_str().unwrap_or_default();
                    let (name, choice) = match name.strip_suffix("[x]") {
                        Some(stem) => (stem, true),
                        None => (name, false),
                    };
                    ElementDef {
                        name: name.to_owned(),
                        min: element[1]
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or(0),
                        max: element[2].as_str().and_then(|m| m.parse().ok()),
                        choice,
                        types: strings(&element[3]),
                    }
                })
                .collect();
            let def = TypeDef {
                kind,
                is_abstract: described["abstract"] == true,
                elements,
            };
            (name.clone(), def)
        })
        .collect();
    let search_parameters = json["searchParameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| SearchParamSource {
            base: p["base"].as_str().unwrap_or_default().to_owned(),
            code: p["code"].as_str().unwrap_or_default().to_owned(),
            kind: p["type"].as_str().unwrap_or_default().to_owned(),
            url: p["url"].as_str().unwrap_or_default().to_owned(),
            expression: p["expression"].as_str().unwrap_or_default().to_owned(),
            targets: strings(&p["target"]),
        })
        .collect();
    let patient_compartment = json["patientCompartment"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, params)| (name.clone(), strings(params)))
        .collect();
    Definitions {
        resource_types: strings(&json["resourceTypes"]),
        types,
        search_parameters,
        patient_compartment,
    }
}

/// The type a choice element's JSON key names: `Quantity` for `valueQuantity` of `value[x]`.
pub fn choice_type<'a>(element: &'a ElementDef, key: &str) -> Option<&'a str> {
    let suffix = key.strip_prefix(element.name.as_str())?;
    element
        .types
        .iter()
        .map(String::as_str)
        .find(|t| capitalised_is(t, suffix))
}

/// `suffix` is `type` with its first letter in upper case (`dateTime` → `DateTime`).
fn capitalised_is(type_name: &str, suffix: &str) -> bool {
    let mut chars = type_name.chars();
    match (chars.next(), suffix.chars().next()) {
        (Some(first), Some(s)) => {
            first.to_ascii_uppercase() == s && chars.as_str() == &suffix[s.len_utf8()..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_defines_every_r4_resource_type_with_its_elements() {
        let r4 = r4();
        assert_eq!(r4.resource_types.len(), 146);
        let patient = r4.type_def("Patient").expect("Patient");
        assert_eq!(patient.kind, TypeKind::Resource);
        let deceased = patient.element("deceased").expect("deceased[x]");
        assert!(deceased.choice);
        assert_eq!(deceased.types, ["boolean", "dateTime"]);
        let contact = patient.element("contact").expect("contact");
        assert_eq!(contact.types, ["Patient.contact"]);
        assert_eq!(contact.max, None);
        assert_eq!(
            r4.type_def("Patient.contact").map(|t| t.kind),
            Some(TypeKind::Backbone)
        );
        let status = r4
            .type_def("Observation")
            .and_then(|o| o.element("status"))
            .expect("Observation.status");
        assert_eq!((status.min, status.max), (1, Some(1)));
        assert_eq!(
            r4.patient_compartment("Observation"),
            ["subject", "performer"]
        );
        assert!(r4.search_parameters.len() > 1400);
    }

    #[test]
    fn a_choice_key_names_its_type() {
        let r4 = r4();
        let value = r4
            .type_def("Observation")
            .and_then(|o| o.element("value"))
            .expect("Observation.value[x]");
        assert_eq!(choice_type(value, "valueQuantity"), Some("Quantity"));
        assert_eq!(choice_type(value, "valueDateTime"), Some("dateTime"));
        assert_eq!(choice_type(value, "valuedateTime"), None);
        assert_eq!(choice_type(value, "valueBanana"), None);
    }
}
