//! The FHIR R4 definitions this server works from: every type with its elements, every search
//! parameter, the patient compartment. Generated from the official package by `cargo xtask
//! fhir-definitions` into `r4.json` (never edited by hand), built into the binary and read once,
//! on first use.

use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
};

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
    /// The value set a required binding names: a code here must be one of its codes.
    pub required_value_set: Option<String>,
    /// Part of the summary a client asks for with `_summary=true`.
    pub in_summary: bool,
}

impl ElementDef {
    /// Whether the element may repeat (FHIR JSON then holds it as an array, even of one).
    pub fn repeats(&self) -> bool {
        self.max.is_none_or(|max| max > 1)
    }
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
    /// A primitive's format: the regular expression its value must match as a whole.
    pub regex: Option<String>,
    elements: Vec<ElementDef>,
    /// JSON property name → (element, type): `valueQuantity` → (`value[x]`, `Quantity`).
    by_key: HashMap<String, (usize, usize)>,
}

impl TypeDef {
    pub fn elements(&self) -> &[ElementDef] {
        &self.elements
    }

    /// The element called `name` (`deceased` for `deceased[x]`).
    pub fn element(&self, name: &str) -> Option<&ElementDef> {
        self.elements.iter().find(|e| e.name == name)
    }

    /// The element a JSON property is, with the type the property's name gives it:
    /// `valueQuantity` is `value[x]` as a `Quantity`; `gender` is `gender` as its one type.
    pub fn element_by_key(&self, key: &str) -> Option<(&ElementDef, &str)> {
        let (element, t) = *self.by_key.get(key)?;
        let element = &self.elements[element];
        Some((element, element.types.get(t)?.as_str()))
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
    /// A composite's components: each one's definition (a SearchParameter's URL) and its
    /// expression, relative to what the composite's own expression finds.
    pub components: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Definitions {
    pub resource_types: Vec<String>,
    types: HashMap<String, TypeDef>,
    pub search_parameters: Vec<SearchParamSource>,
    patient_compartment: HashMap<String, Vec<String>>,
    /// The codes of the value sets required bindings name, by system (only those the package
    /// lets be listed: see `cargo xtask fhir-definitions`).
    value_sets: HashMap<String, HashMap<String, HashSet<String>>>,
}

impl Definitions {
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// `name` as the definitions hold it (so that it lives as long as they do), if it is a type.
    pub fn type_key(&self, name: &str) -> Option<&str> {
        self.types.get_key_value(name).map(|(key, _)| key.as_str())
    }

    /// Every type (datatypes, backbone elements by path, resources), by name, in no order.
    pub fn types(&self) -> impl Iterator<Item = (&str, &TypeDef)> {
        self.types.iter().map(|(name, def)| (name.as_str(), def))
    }

    /// Every primitive type, by name.
    pub fn primitive_types(&self) -> impl Iterator<Item = (&str, &TypeDef)> {
        self.types
            .iter()
            .filter(|(_, def)| def.kind == TypeKind::Primitive)
            .map(|(name, def)| (name.as_str(), def))
    }

    /// The codes of a value set, by system; `None` if its codes cannot be listed here.
    pub fn value_set(&self, url: &str) -> Option<&HashMap<String, HashSet<String>>> {
        self.value_sets.get(url)
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
                        required_value_set: element[4]["required"].as_str().map(str::to_owned),
                        in_summary: element[4]["summary"] == true,
                    }
                })
                .collect::<Vec<_>>();
            let by_key = keys_of(&elements);
            let def = TypeDef {
                kind,
                is_abstract: described["abstract"] == true,
                regex: described["regex"].as_str().map(str::to_owned),
                elements,
                by_key,
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
            components: p["component"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| Some((c[0].as_str()?.to_owned(), c[1].as_str()?.to_owned())))
                .collect(),
        })
        .collect();
    let patient_compartment = json["patientCompartment"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, params)| (name.clone(), strings(params)))
        .collect();
    let value_sets = json["valueSets"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(url, systems)| {
            let systems = systems
                .as_object()
                .into_iter()
                .flatten()
                .map(|(system, codes)| (system.clone(), strings(codes).into_iter().collect()))
                .collect();
            (url.clone(), systems)
        })
        .collect();
    Definitions {
        resource_types: strings(&json["resourceTypes"]),
        value_sets,
        types,
        search_parameters,
        patient_compartment,
    }
}

/// Every JSON property name the elements may appear as.
fn keys_of(elements: &[ElementDef]) -> HashMap<String, (usize, usize)> {
    let mut keys = HashMap::new();
    for (e, element) in elements.iter().enumerate() {
        if element.choice {
            for (t, type_name) in element.types.iter().enumerate() {
                let mut key = element.name.clone();
                let mut chars = type_name.chars();
                if let Some(first) = chars.next() {
                    key.push(first.to_ascii_uppercase());
                    key.push_str(chars.as_str());
                }
                keys.insert(key, (e, t));
            }
        } else {
            keys.insert(element.name.clone(), (e, 0));
        }
    }
    keys
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
