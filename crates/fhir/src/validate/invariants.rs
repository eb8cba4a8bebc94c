//! The specification's invariants that guard a record's meaning, each checked in Rust and
//! reported with its key: on data types wherever they occur (`of_type`: ext-1, per-1, qty-3,
//! rng-2) and on whole resources (`of_resource`: ref-1 everywhere; app-2 and app-3 on an
//! Appointment; obs-6 and obs-7 on an Observation; sdf-4 on a StructureDefinition). The
//! specification writes them in FHIRPath; these are the ones whose breach would let a client
//! store something misleading (a blood pressure with both a value and a reason it is missing,
//! an appointment that is booked but has no time, an extension that says nothing).

use serde_json::{Map, Value};

/// One broken invariant: what to tell the client, and where (a FHIRPath from the resource).
pub(super) struct Broken {
    pub diagnostics: String,
    pub at: String,
}

/// The quantity types (Quantity and its profiles) whose code needs a system (qty-3).
const QUANTITIES: &[&str] = &[
    "Quantity",
    "Age",
    "Count",
    "Distance",
    "Duration",
    "MoneyQuantity",
    "SimpleQuantity",
];

/// The invariants of a value of the data type `type_name`, found at `at`.
pub(super) fn of_type(type_name: &str, object: &Map<String, Value>, at: &str) -> Vec<Broken> {
    let mut broken = Vec::new();
    if type_name == "Period" && ends_before_it_starts(object) {
        broken.push(Broken {
            diagnostics: "a period must not end before it starts (per-1)".into(),
            at: format!("{at}.end"),
        });
    }
    if QUANTITIES.contains(&type_name)
        && object.contains_key("code")
        && !object.contains_key("system")
    {
        broken.push(Broken {
            diagnostics: "a quantity with a unit code must say the code's system (qty-3)".into(),
            at: format!("{at}.system"),
        });
    }
    // A value given only by its extensions (`_valueString`) is a value all the same.
    if type_name == "Extension"
        && object.contains_key("extension")
            == object
                .keys()
                .any(|key| is_value_key(key.strip_prefix('_').unwrap_or(key)))
    {
        broken.push(Broken {
            diagnostics: "an extension has either extensions or a value, and not both (ext-1)"
                .into(),
            at: at.to_owned(),
        });
    }
    if type_name == "Range" {
        let value = |end: &str| object.get(end).and_then(|q| q["value"].as_f64());
        if let (Some(low), Some(high)) = (value("low"), value("high"))
            && low > high
        {
            broken.push(Broken {
                diagnostics: "a range's low must not be above its high (rng-2)".into(),
                at: format!("{at}.low"),
            });
        }
    }
    broken
}

/// `start` and `end` both given and the whole of `start` after the whole of `end` (FHIR compares
/// values of different precision only where they cannot overlap: `2024-03` is not after
/// `2024-03-15`).
pub(super) fn ends_before_it_starts(object: &Map<String, Value>) -> bool {
    let span = |key: &str| {
        object
            .get(key)?
            .as_str()
            .and_then(crate::search::date_range)
    };
    match (span("start"), span("end")) {
        (Some((start, _)), Some((_, end))) => start >= end,
        _ => false,
    }
}

/// The invariants of a whole resource of type `resource_type`.
pub(super) fn of_resource(resource_type: &str, resource: &Map<String, Value>) -> Vec<Broken> {
    let mut broken = local_references(resource_type, resource);
    match resource_type {
        "Appointment" => broken.extend(appointment(resource)),
        "Observation" => broken.extend(observation(resource)),
        // sdf-4: a structure that is not abstract is built on a base definition (a profile
        // without one would define nothing a validator could use).
        "StructureDefinition"
            if resource.get("abstract") != Some(&Value::Bool(true))
                && !resource.contains_key("baseDefinition") =>
        {
            broken.push(Broken {
                diagnostics: "a structure that is not abstract has a base definition (sdf-4)"
                    .into(),
                at: "StructureDefinition.baseDefinition".into(),
            });
        }
        _ => {}
    }
    broken
}

/// ref-1: a reference to `#id` points to a resource contained in this one (`#` alone, to this
/// one itself).
fn local_references(resource_type: &str, resource: &Map<String, Value>) -> Vec<Broken> {
    let contained: Vec<&str> = resource
        .get("contained")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    let mut broken = Vec::new();
    let mut found = Vec::new();
    for (key, value) in resource {
        local_references_in(value, &format!("{resource_type}.{key}"), &mut found);
    }
    for (reference, at) in found {
        let id = &reference[1..];
        if !id.is_empty() && !contained.contains(&id) {
            broken.push(Broken {
                diagnostics: format!(
                    "{reference} refers to a contained resource, but none has the id {id} (ref-1)"
                ),
                at,
            });
        }
    }
    broken
}

/// Every `reference` starting with `#` under `value`, with its path.
fn local_references_in(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("reference").and_then(Value::as_str)
                && reference.starts_with('#')
            {
                found.push((reference.to_owned(), format!("{at}.reference")));
            }
            for (key, child) in object {
                local_references_in(child, &format!("{at}.{key}"), found);
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                local_references_in(item, &format!("{at}[{n}]"), found);
            }
        }
        _ => {}
    }
}

/// app-2: start and end together or not at all; app-3: only a proposed, cancelled or waitlisted
/// appointment may leave them out, or one that names its slots (the store then takes the times
/// from the slots, see `store::ExclusiveHold::complete`).
fn appointment(appointment: &Map<String, Value>) -> Vec<Broken> {
    let has = |key: &str| appointment.contains_key(key);
    if has("start") != has("end") {
        return vec![Broken {
            diagnostics: "an appointment has both a start and an end, or neither (app-2)".into(),
            at: format!("Appointment.{}", if has("start") { "end" } else { "start" }),
        }];
    }
    let status = appointment.get("status").and_then(Value::as_str);
    let may_leave_out = matches!(status, Some("proposed" | "cancelled" | "waitlist"));
    let names_slots = appointment
        .get("slot")
        .and_then(Value::as_array)
        .is_some_and(|slots| !slots.is_empty());
    if !has("start") && !may_leave_out && !names_slots {
        return vec![Broken {
            diagnostics: "only a proposed, cancelled or waitlisted appointment may leave out its \
                          start and end, unless it names its slots (app-3)"
                .into(),
            at: "Appointment.start".into(),
        }];
    }
    Vec::new()
}

/// obs-6: a reason the value is missing only when it is; obs-7: a component coded as the
/// observation itself carries no value of its own beside the observation's.
fn observation(observation: &Map<String, Value>) -> Vec<Broken> {
    let mut broken = Vec::new();
    let has_value = observation.keys().any(|key| is_value_key(key));
    if has_value && observation.contains_key("dataAbsentReason") {
        broken.push(Broken {
            diagnostics: "an observation with a value cannot also give a reason it is absent \
                          (obs-6)"
                .into(),
            at: "Observation.dataAbsentReason".into(),
        });
    }
    let codings = |concept: &Value| -> Vec<(Option<String>, Option<String>)> {
        concept["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let text = |key: &str| c[key].as_str().map(str::to_owned);
                (text("system"), text("code"))
            })
            .filter(|(_, code)| code.is_some())
            .collect()
    };
    let own = observation.get("code").map(codings).unwrap_or_default();
    let components = observation
        .get("component")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate();
    if has_value {
        for (n, component) in components {
            let coded_alike = codings(&component["code"]).iter().any(|c| own.contains(c));
            let has_own_value = component
                .as_object()
                .is_some_and(|c| c.keys().any(|key| is_value_key(key)));
            if coded_alike && has_own_value {
                broken.push(Broken {
                    diagnostics: "a component coded as the observation itself cannot carry a \
                                  value beside the observation's (obs-7)"
                        .into(),
                    at: format!("Observation.component[{n}]"),
                });
            }
        }
    }
    broken
}

/// `valueQuantity`, `valueString`…: a `value[x]` element.
fn is_value_key(key: &str) -> bool {
    key.strip_prefix("value")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn broken(resource: Value) -> Vec<String> {
        let object = resource.as_object().unwrap();
        let t = object["resourceType"].as_str().unwrap();
        of_resource(t, object)
            .into_iter()
            .map(|b| format!("{} {}", b.at, b.diagnostics))
            .collect()
    }

    #[test]
    fn an_appointment_has_its_times_unless_proposed_or_taken_from_its_slots() {
        let booked = json!({"resourceType": "Appointment", "status": "booked"});
        assert!(broken(booked)[0].contains("app-3"));
        let half = json!({"resourceType": "Appointment", "status": "booked", "start": "2026-01-01T09:00:00Z"});
        assert!(broken(half)[0].starts_with("Appointment.end"));
        for fine in [
            json!({"resourceType": "Appointment", "status": "proposed"}),
            json!({"resourceType": "Appointment", "status": "booked", "slot": [{"reference": "Slot/s1"}]}),
            json!({"resourceType": "Appointment", "status": "booked",
                "start": "2026-01-01T09:00:00Z", "end": "2026-01-01T09:10:00Z"}),
        ] {
            assert!(broken(fine.clone()).is_empty(), "{fine}");
        }
    }

    #[test]
    fn an_observation_has_a_value_or_a_reason_and_no_component_repeats_it() {
        let both = json!({"resourceType": "Observation", "valueQuantity": {"value": 1},
            "dataAbsentReason": {"text": "not asked"}});
        assert!(broken(both)[0].contains("obs-6"));
        let loinc = |code: &str| json!({"coding": [{"system": "http://loinc.org", "code": code}]});
        let repeated = json!({"resourceType": "Observation", "code": loinc("8867-4"),
            "valueQuantity": {"value": 72},
            "component": [{"code": loinc("8480-6"), "valueQuantity": {"value": 1}},
                          {"code": loinc("8867-4"), "valueQuantity": {"value": 72}}]});
        assert_eq!(broken(repeated).len(), 1);
        let fine = json!({"resourceType": "Observation", "code": loinc("85354-9"),
            "component": [{"code": loinc("8480-6"), "valueQuantity": {"value": 120}}]});
        assert!(broken(fine).is_empty());
    }

    #[test]
    fn a_structure_that_is_not_abstract_has_a_base() {
        let baseless = json!({"resourceType": "StructureDefinition", "abstract": false});
        assert!(broken(baseless)[0].contains("sdf-4"));
        for fine in [
            json!({"resourceType": "StructureDefinition", "abstract": true}),
            json!({"resourceType": "StructureDefinition", "abstract": false,
                "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient"}),
        ] {
            assert!(broken(fine.clone()).is_empty(), "{fine}");
        }
    }

    #[test]
    fn local_references_point_to_contained_resources() {
        let dangling = json!({"resourceType": "Observation",
            "performer": [{"reference": "#p1"}], "subject": {"reference": "#"}});
        let found = broken(dangling);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("Observation.performer[0].reference"));
        let contained = json!({"resourceType": "Observation",
            "contained": [{"resourceType": "Practitioner", "id": "p1"}],
            "performer": [{"reference": "#p1"}]});
        assert!(broken(contained).is_empty());
    }

    #[test]
    fn an_extension_has_a_value_or_extensions_and_not_both() {
        let object = |v: Value| v.as_object().unwrap().clone();
        let both = object(json!({"url": "https://example.org/x", "valueString": "a",
            "extension": [{"url": "part", "valueString": "b"}]}));
        assert!(
            of_type("Extension", &both, "Patient.extension[0]")[0]
                .diagnostics
                .contains("ext-1")
        );
        let neither = object(json!({"url": "https://example.org/x"}));
        assert_eq!(of_type("Extension", &neither, "x").len(), 1);
        for fine in [
            json!({"url": "https://example.org/x", "valueString": "a"}),
            json!({"url": "https://example.org/x", "extension": [{"url": "part", "valueString": "b"}]}),
        ] {
            assert!(of_type("Extension", &object(fine), "x").is_empty());
        }
    }

    #[test]
    fn quantities_name_their_code_system_and_ranges_run_upwards() {
        let object = |v: Value| v.as_object().unwrap().clone();
        let no_system = object(json!({"value": 5, "code": "mg"}));
        assert!(
            of_type("Quantity", &no_system, "Observation.valueQuantity")[0]
                .diagnostics
                .contains("qty-3")
        );
        assert!(of_type("Age", &no_system, "x").len() == 1);
        let upside_down = object(json!({"low": {"value": 10}, "high": {"value": 2}}));
        assert_eq!(of_type("Range", &upside_down, "x")[0].at, "x.low");
        let fine = object(json!({"low": {"value": 2}, "high": {"value": 10}}));
        assert!(of_type("Range", &fine, "x").is_empty());
    }
}
