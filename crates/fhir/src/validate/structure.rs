//! A resource checked against the R4 definitions (`crate::definitions`): every property must be
//! an element of its type (or a choice element's type, or a primitive's `_` extension), of the
//! JSON kind its type takes, as often as its cardinality allows, with a primitive's value in the
//! format the definitions give, a code of a required binding from its value set, at most one
//! type of a choice element, and no empty objects. Each problem names the element by FHIRPath
//! (`Patient.name[0].given[1]`).

use std::{collections::HashMap, sync::OnceLock};

use regex::Regex;
use serde_json::{Map, Value};

use crate::{
    definitions::{ElementDef, TypeDef, TypeKind, r4},
    operation_outcome::{Issue, printable},
};

use super::invariants;

/// Every problem found in `resource`, a resource of type `resource_type`.
pub(super) fn issues(resource: &Value, resource_type: &str) -> Vec<Issue> {
    let mut walker = Walker { issues: Vec::new() };
    if let (Some(object), Some(def)) = (resource.as_object(), r4().type_def(resource_type)) {
        walker.object(object, def, resource_type, true);
    }
    walker.issues
}

struct Walker {
    issues: Vec<Issue>,
}

impl Walker {
    fn report(&mut self, code: &'static str, diagnostics: String, at: &str) {
        self.issues.push(Issue::new(code, diagnostics).at(at));
    }

    /// A contained or bundled resource: its `resourceType` says which definition applies.
    fn resource(&mut self, value: &Value, at: &str) {
        let Some(object) = value.as_object() else {
            self.report("structure", "a resource must be a JSON object".into(), at);
            return;
        };
        let named = object.get("resourceType").and_then(Value::as_str);
        let def = named.and_then(|t| r4().type_def(t).map(|def| (t, def)));
        match def {
            Some((t, def)) if def.kind == TypeKind::Resource && !def.is_abstract => {
                self.object(object, def, t, true);
            }
            _ => self.report(
                "structure",
                "resourceType must name a FHIR R4 resource type".into(),
                &format!("{at}.resourceType"),
            ),
        }
    }

    /// The properties of an object of type `def`, found at `at`.
    fn object(&mut self, object: &Map<String, Value>, def: &TypeDef, at: &str, is_resource: bool) {
        if object.is_empty() {
            self.report(
                "structure",
                "an element must have a value or children; this one is empty".into(),
                at,
            );
            return;
        }
        // A choice element takes one type: the property first seen for each.
        let mut chosen: HashMap<&str, &str> = HashMap::new();
        for (key, value) in object {
            if is_resource && key == "resourceType" {
                continue;
            }
            let (name, is_extension) = match key.strip_prefix('_') {
                Some(name) => (name, true),
                None => (key.as_str(), false),
            };
            let here = format!("{at}.{}", shown(name));
            // An element's `id` and an extension's `url` are FHIRPath System types, not FHIR
            // primitives: they take no extensions (`_id`, `_url`).
            let is_extension_type = r4()
                .type_def("Extension")
                .is_some_and(|extension| std::ptr::eq(def, extension));
            let is_system_typed = name == "id" || (name == "url" && is_extension_type);
            let found = if is_extension && is_system_typed {
                None
            } else {
                def.element_by_key(name)
            };
            let Some((element, type_name)) = found else {
                self.report(
                    "structure",
                    format!("{} is not an element of {}", shown(key), type_label(at)),
                    &format!("{at}.{}", shown(key)),
                );
                continue;
            };
            if element.choice
                && !is_extension
                && let Some(first) = chosen.insert(element.name.as_str(), name)
            {
                self.report(
                    "structure",
                    format!(
                        "{}[x] takes one type, but both {first} and {name} are given",
                        element.name
                    ),
                    &here,
                );
            }
            if is_extension {
                self.primitive_extensions(value, element, type_name, object.get(name), &here);
            } else {
                self.occurrences(
                    value,
                    element,
                    type_name,
                    object.contains_key(&format!("_{name}")),
                    &here,
                );
            }
        }
        for element in def.elements() {
            if element.min == 0 {
                continue;
            }
            let present = if element.choice {
                chosen.contains_key(element.name.as_str())
                    || object.keys().filter_map(|k| k.strip_prefix('_')).any(|k| {
                        def.element_by_key(k)
                            .is_some_and(|(e, _)| e.name == element.name)
                    })
            } else {
                object.contains_key(&element.name)
                    || object.contains_key(&format!("_{}", element.name))
            };
            if !present {
                let name = if element.choice {
                    format!("{}[x]", element.name)
                } else {
                    element.name.clone()
                };
                self.report(
                    "required",
                    format!("{name} is required in {}", type_label(at)),
                    &format!("{at}.{name}"),
                );
            }
        }
    }

    /// An element's value: an array of one or more if it repeats, a single value otherwise.
    fn occurrences(
        &mut self,
        value: &Value,
        element: &ElementDef,
        type_name: &str,
        has_extensions: bool,
        at: &str,
    ) {
        match (value, element.repeats()) {
            (Value::Array(items), true) => {
                if items.is_empty() {
                    self.report("structure", "an array must not be empty".into(), at);
                }
                if let Some(max) = element.max
                    && items.len() > max as usize
                {
                    self.report(
                        "structure",
                        format!("{} may occur at most {max} times", element.name),
                        at,
                    );
                }
                for (n, item) in items.iter().enumerate() {
                    let here = format!("{at}[{n}]");
                    // A primitive's null holds a place for the extensions in `_name`.
                    if item.is_null() && has_extensions {
                        continue;
                    }
                    self.one(item, element, type_name, &here);
                }
            }
            (Value::Array(_), false) => self.report(
                "structure",
                format!(
                    "{} occurs at most once: it must not be an array",
                    element.name
                ),
                at,
            ),
            (_, true) => self.report(
                "structure",
                format!("{} may repeat, so it must be an array", element.name),
                at,
            ),
            (item, false) => self.one(item, element, type_name, at),
        }
    }

    /// `_name`: the ids and extensions of a primitive element's values.
    fn primitive_extensions(
        &mut self,
        value: &Value,
        element: &ElementDef,
        type_name: &str,
        values: Option<&Value>,
        at: &str,
    ) {
        let is_primitive = r4()
            .type_def(type_name)
            .is_some_and(|def| def.kind == TypeKind::Primitive);
        if !is_primitive {
            self.report(
                "structure",
                format!(
                    "_{} is allowed only beside a primitive element",
                    element.name
                ),
                at,
            );
            return;
        }
        let Some(extension_def) = r4().type_def("Element") else {
            return;
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) if element.repeats() => {
                let values = values.and_then(Value::as_array).map_or(0, Vec::len);
                if values != 0 && values != items.len() {
                    self.report(
                        "structure",
                        format!("_{} must be as long as {}", element.name, element.name),
                        at,
                    );
                }
                items.iter().collect()
            }
            one => vec![one],
        };
        for item in items {
            match item {
                Value::Null => {}
                Value::Object(object) => self.object(object, extension_def, at, false),
                _ => self.report(
                    "structure",
                    format!("_{} must hold objects (ids and extensions)", element.name),
                    at,
                ),
            }
        }
    }

    /// One value of an element, of type `type_name`.
    fn one(&mut self, value: &Value, element: &ElementDef, type_name: &str, at: &str) {
        if type_name == "Resource" {
            self.resource(value, at);
            return;
        }
        let Some(def) = r4().type_def(type_name) else {
            return;
        };
        match def.kind {
            TypeKind::Primitive => {
                if let Some(problem) = primitive_problem(value, type_name) {
                    self.report("value", problem, at);
                    return;
                }
            }
            TypeKind::Resource => self.resource(value, at),
            TypeKind::Complex | TypeKind::Backbone => match value.as_object() {
                Some(object) => {
                    self.object(object, def, at, false);
                    for broken in invariants::of_type(type_name, object, at) {
                        self.report("invariant", broken.diagnostics, &broken.at);
                    }
                }
                None => {
                    self.report(
                        "structure",
                        format!("{} must be an object (a {type_name})", element.name),
                        at,
                    );
                    return;
                }
            },
        }
        if let Some(url) = &element.required_value_set {
            self.binding(value, type_name, url, at);
        }
    }

    /// A required binding: the code (or one of the codings) must be in the value set.
    fn binding(&mut self, value: &Value, type_name: &str, url: &str, at: &str) {
        let Some(codes) = r4().value_set(url) else {
            return; // Its codes cannot be listed here (MIME types, currencies, UCUM).
        };
        let in_set = |system: Option<&str>, code: &str| match system {
            Some(system) => codes.get(system).is_some_and(|c| c.contains(code)),
            None => codes.values().any(|c| c.contains(code)),
        };
        let known = match type_name {
            "code" => value.as_str().is_none_or(|code| in_set(None, code)),
            "Coding" => value["code"]
                .as_str()
                .is_none_or(|code| in_set(value["system"].as_str(), code)),
            "CodeableConcept" => {
                let codings: Vec<&Value> = value["coding"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["code"].is_string())
                    .collect();
                codings.is_empty()
                    || codings.iter().any(|c| {
                        in_set(c["system"].as_str(), c["code"].as_str().unwrap_or_default())
                    })
            }
            _ => true,
        };
        if !known {
            let name = url.rsplit('/').next().unwrap_or(url);
            self.report(
                "code-invalid",
                format!("the code is not one of the value set {name} (a required binding)"),
                at,
            );
        }
    }
}

/// Why `value` is not a valid value of the primitive type `type_name`, if it is not.
fn primitive_problem(value: &Value, type_name: &str) -> Option<String> {
    let expected = match type_name {
        "boolean" => return (!value.is_boolean()).then(|| "must be true or false".to_owned()),
        "integer" | "unsignedInt" | "positiveInt" => {
            let low = match type_name {
                "integer" => i64::from(i32::MIN),
                "unsignedInt" => 0,
                _ => 1,
            };
            let fits = value
                .as_i64()
                .is_some_and(|n| (low..=i64::from(i32::MAX)).contains(&n));
            return (!fits).then(|| {
                format!("must be a JSON number, a whole number from {low} to 2147483647")
            });
        }
        "decimal" => return (!value.is_number()).then(|| "must be a JSON number".to_owned()),
        _ => "a JSON string",
    };
    let Some(text) = value.as_str() else {
        return Some(format!("must be {expected} (a FHIR {type_name})"));
    };
    if text.len() > MAX_STRING {
        return Some("is longer than FHIR's limit of 1 MB".to_owned());
    }
    // FHIR JSON: "either the property is absent, or it is present with at least one character
    // of non-whitespace content".
    if text.trim().is_empty() {
        return Some("must not be empty or only whitespace".to_owned());
    }
    // The specification: no characters below U+0020 but tab, carriage return and line feed.
    // (PostgreSQL could not hold a NUL in text either.)
    if text
        .chars()
        .any(|c| c < ' ' && !matches!(c, '\t' | '\r' | '\n'))
    {
        return Some("holds a control character, which FHIR text must not".to_owned());
    }
    // The definitions' format lets whitespace stand between groups of four; RFC 4648 (and
    // Medplum's validator) do not, and a stored attachment is decoded by others.
    if type_name == "base64Binary" && text.contains(char::is_whitespace) {
        return Some("is not valid base64 (RFC 4648): it holds whitespace".to_owned());
    }
    let matches = format_of(type_name).is_none_or(|format| format.is_match(text));
    if !matches {
        return Some(format!("is not a valid FHIR {type_name}"));
    }
    // The format allows any day up to 31 in any month: the day must be one the month has.
    let is_dated = matches!(type_name, "date" | "dateTime" | "instant");
    let real_day = || {
        text.get(..10)
            .is_none_or(|day| day.parse::<jiff::civil::Date>().is_ok())
    };
    if is_dated && !real_day() {
        return Some(format!("is not a valid FHIR {type_name}: no such day"));
    }
    // The format allows any number of decimals of a second; no clock, and no other server,
    // keeps more than nine (a nanosecond).
    let decimals = text.split_once('.').map_or(0, |(_, rest)| {
        rest.chars().take_while(char::is_ascii_digit).count()
    });
    let is_timed = matches!(type_name, "dateTime" | "instant" | "time");
    (is_timed && decimals > 9)
        .then(|| format!("is not a valid FHIR {type_name}: more than nine decimals of a second"))
}

/// FHIR limits a string (and any primitive's text) to 1 MB.
const MAX_STRING: usize = 1024 * 1024;

/// The anchored regular expression of a primitive type's format, compiled once.
fn format_of(type_name: &str) -> Option<&'static Regex> {
    static FORMATS: OnceLock<HashMap<String, Regex>> = OnceLock::new();
    let formats = FORMATS.get_or_init(|| {
        r4().primitive_types()
            .filter_map(|(name, def)| {
                let pattern = def.regex.as_ref()?;
                Regex::new(&format!("^(?:{pattern})$"))
                    .ok()
                    .map(|r| (name.to_owned(), r))
            })
            .collect()
    });
    formats.get(type_name)
}

/// `Patient` for `Patient.contact[0]`'s owner, `Patient.contact` for its elements: the type an
/// element was looked up in, for messages.
fn type_label(at: &str) -> String {
    let mut label = String::with_capacity(at.len());
    let mut depth = 0;
    for c in at.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => label.push(c),
            _ => {}
        }
    }
    label
}

/// A property name as it may appear in a message: printable, at most 64 characters.
fn shown(name: &str) -> String {
    let mut shown = printable(&name.chars().take(64).collect::<String>());
    if name.chars().count() > 64 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// (code, where) of each problem.
    fn check(resource: Value) -> Vec<(&'static str, String)> {
        let t = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        issues(&resource, &t)
            .into_iter()
            .map(|i| (i.code, i.expression.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_well_formed_resource_has_no_problems() {
        let observation = json!({"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}], "text": "Pulse"},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": "2026-12-01T09:30:00+00:00",
            "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
            "contained": [{"resourceType": "Patient", "id": "p2", "gender": "female"}],
            "extension": [{"url": "https://example.org/x", "valueBoolean": true}],
            "_status": {"extension": [{"url": "https://example.org/y", "valueString": "s"}]}});
        assert_eq!(check(observation), []);
        let patient = json!({"resourceType": "Patient", "name": [{"given": ["A", null], "_given": [null, {"id": "g2"}]}]});
        assert_eq!(check(patient), []);
    }

    #[test]
    fn unknown_elements_are_named() {
        assert_eq!(
            check(
                json!({"resourceType": "Patient", "colour": "blue", "name": [{"nickname": "Al"}]})
            ),
            [
                ("structure", "Patient.colour".to_owned()),
                ("structure", "Patient.name[0].nickname".to_owned()),
            ]
        );
        // An id, and an extension's url, are no FHIR primitives: they take no extensions.
        assert_eq!(
            check(json!({"resourceType": "Patient", "name": [{"id": "n1", "_id": {"id": "x"}}]})),
            [("structure", "Patient.name[0]._id".to_owned())]
        );
        assert_eq!(
            check(json!({"resourceType": "Patient",
                "extension": [{"url": "https://example.org/x", "_url": {"id": "u"}, "valueString": "a"}]})),
            [("structure", "Patient.extension[0]._url".to_owned())]
        );
    }

    #[test]
    fn text_and_times_are_ones_fhir_allows() {
        assert_eq!(
            check(json!({"resourceType": "Patient", "birthDate": "2026-02-29"})),
            [("value", "Patient.birthDate".to_owned())]
        );
        assert_eq!(
            check(json!({"resourceType": "Patient", "birthDate": "2024-02-29"})),
            []
        );
        assert_eq!(
            check(json!({"resourceType": "Patient", "name": [{"family": " "}],
                "meta": {"lastUpdated": "2026-12-01T09:00:00.1234567890Z"}})),
            [
                ("value", "Patient.meta.lastUpdated".to_owned()),
                ("value", "Patient.name[0].family".to_owned())
            ]
        );
        assert_eq!(
            check(json!({"resourceType": "Patient", "name": [{"family": "a\u{0}b\u{7}"}]})),
            [("value", "Patient.name[0].family".to_owned())]
        );
    }

    #[test]
    fn codes_of_required_bindings_come_from_their_value_set() {
        assert_eq!(
            check(json!({"resourceType": "Patient", "gender": "banana"})),
            [("code-invalid", "Patient.gender".to_owned())]
        );
        let observation = json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
            "valueQuantity": {"value": 1, "comparator": "about"}});
        assert_eq!(
            check(observation),
            [(
                "code-invalid",
                "Observation.valueQuantity.comparator".to_owned()
            )]
        );
    }

    #[test]
    fn primitives_follow_their_formats_and_json_kinds() {
        let patient = json!({"resourceType": "Patient", "birthDate": "01/02/1990", "active": "yes",
            "multipleBirthInteger": 1.5});
        assert_eq!(
            check(patient),
            [
                ("value", "Patient.active".to_owned()),
                ("value", "Patient.birthDate".to_owned()),
                ("value", "Patient.multipleBirthInteger".to_owned()),
            ]
        );
        let appointment = json!({"resourceType": "Appointment", "status": "booked",
            "participant": [{"status": "accepted"}], "start": "2026-12-01T09:00:00"});
        assert_eq!(
            check(appointment),
            [("value", "Appointment.start".to_owned())],
            "an instant needs its time zone"
        );
        let binary =
            json!({"resourceType": "Binary", "contentType": "text/plain", "data": "aGVs bG8="});
        assert_eq!(check(binary), [("value", "Binary.data".to_owned())]);
        let long =
            json!({"resourceType": "Patient", "name": [{"text": "a".repeat(MAX_STRING + 1)}]});
        assert_eq!(check(long), [("value", "Patient.name[0].text".to_owned())]);
    }

    #[test]
    fn cardinality_choices_and_required_elements_are_checked() {
        let observation = json!({"resourceType": "Observation",
            "valueString": "a", "valueBoolean": true, "subject": [{"reference": "Patient/1"}],
            "category": {"text": "not an array"}});
        let found = check(observation);
        let at = |code: &'static str, path: &str| found.contains(&(code, path.to_owned()));
        assert!(at("structure", "Observation.valueString"), "{found:?}");
        assert!(at("structure", "Observation.subject"), "{found:?}");
        assert!(at("structure", "Observation.category"), "{found:?}");
        assert!(at("required", "Observation.status"), "{found:?}");
        assert!(at("required", "Observation.code"), "{found:?}");
        assert_eq!(
            check(json!({"resourceType": "Patient", "name": [{}]})),
            [("structure", "Patient.name[0]".to_owned())],
            "empty"
        );
        assert_eq!(
            check(json!({"resourceType": "Patient", "contained": [{"resourceType": "Nonsense"}]})),
            [("structure", "Patient.contained[0].resourceType".to_owned())]
        );
    }

    #[test]
    fn a_period_may_not_end_before_it_starts() {
        let encounter = |start: &str, end: &str| {
            json!({"resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                "period": {"start": start, "end": end}})
        };
        assert_eq!(
            check(encounter("2024-03-02", "2024-03-01")),
            [("invariant", "Encounter.period.end".to_owned())]
        );
        assert_eq!(check(encounter("2024-03", "2024-03-15")), []);
        assert_eq!(
            check(encounter("2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z")),
            [],
            "an instant"
        );
    }

    #[test]
    fn messages_are_printable() {
        let found = issues(&json!({"resourceType": "Patient", "a\u{7}b": 1}), "Patient");
        assert!(
            !found[0].diagnostics.chars().any(char::is_control),
            "{found:?}"
        );
        assert!(
            !found[0]
                .expression
                .as_deref()
                .unwrap_or_default()
                .chars()
                .any(char::is_control)
        );
    }
}
