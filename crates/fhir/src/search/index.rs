//! The index values a resource yields for its search parameters, computed on every write.

use jiff::{Timestamp, civil, tz::Offset};
use serde_json::Value;

use super::{
    amount::{Measured, measured},
    expression::Node,
    params::{Component, ParamDef, ParamKind, embedded_name, params_of},
    phonetic::{PHONETIC, soundex},
};
use crate::{ResourceType, relative_reference};

/// One indexed value. Strings: `value` normalised (lower case), `exact` as written. Tokens:
/// `system` and `value` (the code). References: `value` is `Type/id`. Dates: `[low, high)` in
/// seconds since the epoch, as wide as the value's precision (`1990` covers the whole year).
/// Numbers and quantities: `[number_low, number_high]` (a point, or a `Range`'s bounds), with a
/// quantity's unit as a token (`system`, `value` its code) and as written (`exact`). A position
/// (`near`): its latitude in `number_low` and its longitude in `number_high`, in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    pub param: &'static str,
    pub system: Option<String>,
    pub value: Option<String>,
    pub exact: Option<String>,
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub number_low: Option<f64>,
    pub number_high: Option<f64>,
    /// A composite's first part, the code its value was found with: `system|code`.
    pub pair_system: Option<String>,
    pub pair_code: Option<String>,
}

impl IndexEntry {
    fn text(param: &'static str, text: &str) -> Self {
        Self {
            param,
            system: None,
            value: Some(normalise(text)),
            exact: Some(text.to_owned()),
            low: None,
            high: None,
            number_low: None,
            number_high: None,
            pair_system: None,
            pair_code: None,
        }
    }

    fn token(param: &'static str, system: Option<&str>, code: &str) -> Self {
        Self {
            param,
            system: system.map(String::from),
            value: Some(code.to_owned()),
            exact: None,
            low: None,
            high: None,
            number_low: None,
            number_high: None,
            pair_system: None,
            pair_code: None,
        }
    }

    fn range(param: &'static str, (low, high): (i64, i64)) -> Self {
        Self {
            param,
            system: None,
            value: None,
            exact: None,
            low: Some(low),
            high: Some(high),
            number_low: None,
            number_high: None,
            pair_system: None,
            pair_code: None,
        }
    }

    fn position(param: &'static str, latitude: f64, longitude: f64) -> Self {
        Self {
            param,
            system: None,
            value: None,
            exact: None,
            low: None,
            high: None,
            number_low: Some(latitude),
            number_high: Some(longitude),
            pair_system: None,
            pair_code: None,
        }
    }

    fn amount(param: &'static str, measured: Measured) -> Self {
        Self {
            param,
            system: measured.system,
            value: measured.code,
            exact: measured.unit,
            low: None,
            high: None,
            number_low: Some(measured.low),
            number_high: Some(measured.high),
            pair_system: None,
            pair_code: None,
        }
    }
}

/// How string search compares: case-insensitively (`Smith` finds `smith`).
pub fn normalise(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The index rows that pair each of a patient's family names with each of its given names, as
/// one value: `family`, [`NAME_PAIR_SEPARATOR`], `given`, both normalised. A search by family
/// name and given name (the clinicians' "find a patient") then reads one range of the index,
/// in name order, instead of checking every patient with the family name for the given name:
/// at a million patients a broad prefix such as "Quin" has 33 000 of them. Every pair, not the
/// pairs within one `name`, because FHIR ANDs `family` and `given` over the whole resource.
/// Not a search parameter: a store's own key, which no URL can name.
pub const NAME_PAIRS: &str = "family+given";

/// Sorts before any character a name can hold, so that pairs sort by family name, then given
/// name, as `_sort=family,given` does. A FHIR string may not contain it (nor any control
/// character below U+0009).
pub const NAME_PAIR_SEPARATOR: char = '\u{1}';

/// `family` and `given` (normalised) as one [`NAME_PAIRS`] value; `None` if either holds the
/// separator, which would make the pair ambiguous (invalid FHIR, stored as given).
fn name_pair(family: &str, given: &str) -> Option<String> {
    let ambiguous = |s: &str| s.contains(NAME_PAIR_SEPARATOR);
    (!ambiguous(family) && !ambiguous(given))
        .then(|| format!("{family}{NAME_PAIR_SEPARATOR}{given}"))
}

/// Every index entry of `resource` for its type's parameters. (`_lastUpdated` has none: a
/// store answers it from each version's own time.)
pub fn index_entries(resource_type: ResourceType, resource: &Value) -> Vec<IndexEntry> {
    let mut entries = Vec::new();
    let root = resource_type.as_str();
    for def in params_of(resource_type) {
        entries.extend(param_entries(def, resource, root));
    }
    if resource_type == ResourceType::Patient {
        let values = |param: &str| {
            entries
                .iter()
                .filter(|e| e.param == param)
                .filter_map(|e| e.value.clone())
                .collect::<std::collections::BTreeSet<_>>()
        };
        let givens = values("given");
        let pairs: Vec<IndexEntry> = values("family")
            .iter()
            .flat_map(|family| givens.iter().filter_map(|given| name_pair(family, given)))
            .map(|pair| IndexEntry {
                param: NAME_PAIRS,
                system: None,
                value: Some(pair),
                exact: None,
                low: None,
                high: None,
                number_low: None,
                number_high: None,
                pair_system: None,
                pair_code: None,
            })
            .collect();
        entries.extend(pairs);
    }
    entries.sort_by(|a, b| {
        (a.param, &a.system, &a.value, a.low).cmp(&(b.param, &b.system, &b.value, b.low))
    });
    entries.dedup();
    entries
}

/// The index entries of `resource` (a `root`) for one parameter.
pub fn param_entries(def: &ParamDef, resource: &Value, root: &'static str) -> Vec<IndexEntry> {
    if def.embeds {
        let nodes = def.expression.evaluate(resource, root);
        return nodes
            .into_iter()
            .flat_map(|node| embedded(def, node))
            .collect();
    }
    let found = def
        .expression
        .evaluate(resource, root)
        .into_iter()
        .flat_map(|node| entries_of(def, node));
    if def.kind == ParamKind::Date {
        // Searches rely on one row per resource for a date parameter (ANDed range conditions
        // test that one row; no key is listed twice): should a resource carry two
        // (`effectiveDateTime` and `effectivePeriod`, or a Timing's events), the earliest is
        // indexed (as migration 0012 left the rows stored before).
        found
            .min_by_key(|entry| (entry.low, entry.high))
            .into_iter()
            .collect()
    } else {
        found.collect()
    }
}

/// The entries of a resource held inside the one indexed (see [`ParamDef::embeds`]): `Type/id`,
/// then its own parameters' under their chained names. Only a resource of a type the parameter
/// may point to (a document's Composition, not whatever a collection Bundle starts with).
fn embedded(def: &ParamDef, node: Node<'_>) -> Vec<IndexEntry> {
    let Node::Element { value, type_name } = node else {
        return Vec::new();
    };
    let Ok(resource_type) = type_name.parse::<ResourceType>() else {
        return Vec::new();
    };
    if !def.targets.contains(&type_name) {
        return Vec::new();
    }
    let mut entries: Vec<IndexEntry> = (value["id"].as_str())
        .map(|id| IndexEntry::token(def.name, None, &format!("{type_name}/{id}")))
        .into_iter()
        .collect();
    for inner in params_of(resource_type) {
        let Some(name) = embedded_name(def.name, inner.name) else {
            continue;
        };
        entries.extend(
            param_entries(inner, value, resource_type.as_str())
                .into_iter()
                .map(|entry| IndexEntry {
                    param: name,
                    ..entry
                }),
        );
    }
    entries
}

/// The parts of a `HumanName` and of an `Address` that a string search matches.
const NAME_PARTS: &[&str] = &["family", "given", "prefix", "suffix", "text"];
const ADDRESS_PARTS: &[&str] = &[
    "line",
    "city",
    "district",
    "state",
    "postalCode",
    "country",
    "text",
];

/// The strings of the named parts of a HumanName or an Address (each a string or a list).
fn parts<'v>(value: &'v Value, names: &[&str]) -> Vec<&'v str> {
    names
        .iter()
        .flat_map(|name| match &value[*name] {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        })
        .collect()
}

/// The entries one node yields for `def`, by the node's FHIR type.
fn entries_of(def: &ParamDef, node: Node<'_>) -> Vec<IndexEntry> {
    match def.components.as_slice() {
        [code, value] => composite(def.name, code, value, node),
        // A name's sound, as a code (a string parameter by its definition).
        // Each word of a HumanName's family and given names, or of a plain string (an
        // organisation's name), by its sound: `Mary-Ann Smith` is M600, A500 and S530.
        _ if def.name == PHONETIC => match node {
            Node::Element { value, type_name } => {
                let texts = match type_name {
                    "HumanName" => parts(value, &["family", "given"]),
                    _ => value.as_str().into_iter().collect(),
                };
                texts
                    .iter()
                    .flat_map(|text| text.split(|c: char| c.is_whitespace() || c == '-'))
                    .filter_map(soundex)
                    .map(|code| IndexEntry::token(def.name, None, &code))
                    .collect()
            }
            Node::Bool(_) => Vec::new(),
        },
        _ => entries_as(def.name, def.kind, node),
    }
}

/// A composite's entries for one element it finds (an Observation, or one of its components):
/// each code found in it paired with each value found beside it, in one row, so that a search
/// asks for both in the same element (the systolic pressure above 140, not any pressure above
/// 140 in an observation that also holds a systolic one).
fn composite(
    param: &'static str,
    code: &Component,
    value: &Component,
    node: Node<'_>,
) -> Vec<IndexEntry> {
    let Node::Element {
        value: element,
        type_name,
    } = node
    else {
        return Vec::new();
    };
    let found = |component: &Component| -> Vec<IndexEntry> {
        component
            .expression
            .evaluate(element, type_name)
            .into_iter()
            .flat_map(|n| entries_as(param, component.kind, n))
            .collect()
    };
    let codes = found(code);
    let values = found(value);
    codes
        .iter()
        .flat_map(|code| {
            values.iter().map(move |value| IndexEntry {
                pair_system: code.system.clone(),
                pair_code: code.value.clone(),
                ..value.clone()
            })
        })
        .collect()
}

/// The entries one node yields for a parameter `param` of kind `kind`, by the node's FHIR type.
fn entries_as(param: &'static str, kind: ParamKind, node: Node<'_>) -> Vec<IndexEntry> {
    let (value, type_name) = match node {
        Node::Element { value, type_name } => (value, type_name),
        Node::Bool(b) => {
            return match kind {
                ParamKind::Token => vec![IndexEntry::token(param, None, bool_code(b))],
                _ => Vec::new(),
            };
        }
    };
    match kind {
        ParamKind::String => {
            let names = match type_name {
                "HumanName" => NAME_PARTS,
                "Address" => ADDRESS_PARTS,
                _ => {
                    return value
                        .as_str()
                        .map(|s| IndexEntry::text(param, s))
                        .into_iter()
                        .collect();
                }
            };
            parts(value, names)
                .into_iter()
                .map(|s| IndexEntry::text(param, s))
                .collect()
        }
        ParamKind::Token => tokens(param, value, type_name),
        ParamKind::Number | ParamKind::Quantity => measured(value, type_name)
            .map(|m| IndexEntry::amount(param, m))
            .into_iter()
            .collect(),
        // Location.position: a point with both coordinates, or nothing to search.
        ParamKind::Special => match (value["latitude"].as_f64(), value["longitude"].as_f64()) {
            (Some(latitude), Some(longitude)) => {
                vec![IndexEntry::position(param, latitude, longitude)]
            }
            _ => Vec::new(),
        },
        ParamKind::Uri => value
            .as_str()
            .map(|uri| IndexEntry::token(param, None, uri))
            .into_iter()
            .collect(),
        ParamKind::Reference => {
            let reference = match type_name {
                "Reference" => value["reference"].as_str().map(relative_reference),
                // A canonical URL (a PlanDefinition's library), as written.
                _ => value.as_str().map(str::to_owned),
            };
            reference
                .map(|r| IndexEntry::token(param, None, &r))
                .into_iter()
                .collect()
        }
        ParamKind::Date => match type_name {
            "Period" => period(param, value).into_iter().collect(),
            "Timing" => value["event"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(date_range)
                .map(|r| IndexEntry::range(param, r))
                .collect(),
            _ => value
                .as_str()
                .and_then(date_range)
                .map(|r| IndexEntry::range(param, r))
                .into_iter()
                .collect(),
        },
        // A composite within a composite: none in R4.
        ParamKind::Composite => Vec::new(),
    }
}

fn period(param: &'static str, period: &Value) -> Option<IndexEntry> {
    let low = period["start"].as_str().and_then(date_range).map(|r| r.0);
    let high = period["end"].as_str().and_then(date_range).map(|r| r.1);
    if low.is_none() && high.is_none() {
        return None;
    }
    Some(IndexEntry::range(
        param,
        (low.unwrap_or(i64::MIN), high.unwrap_or(i64::MAX)),
    ))
}

fn bool_code(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// An identifier's entries for `:of-type` (`identifier:of-type=system|code|value`: of this type,
/// with this value), one for each coding of its type: `system|code|value` as the row's `value`
/// (so the value index finds it) and `exact`, with no `system`. A token search cannot name it:
/// its code never holds a `|` unless its system is empty (`|a|b|c`), which no identifier's is.
fn of_type(param: &'static str, identifier: &Value, value: &str) -> Vec<IndexEntry> {
    identifier["type"]["coding"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|coding| {
            let system = coding["system"].as_str()?;
            let code = coding["code"].as_str()?;
            let typed = format!("{system}|{code}|{value}");
            Some(IndexEntry {
                exact: Some(typed.clone()),
                ..IndexEntry::token(param, None, &typed)
            })
        })
        .collect()
}

/// A token's entries by its type: a code, a `Coding`'s `system|code`, each coding of a
/// `CodeableConcept`, an `Identifier`'s `system|value`, a `ContactPoint`'s value (its `system`
/// is the kind of contact, not a code system).
fn tokens(param: &'static str, value: &Value, type_name: &str) -> Vec<IndexEntry> {
    let system = || value["system"].as_str();
    match type_name {
        "CodeableConcept" => value["coding"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|coding| tokens(param, coding, "Coding"))
            .collect(),
        "Coding" => value["code"]
            .as_str()
            .map(|code| IndexEntry::token(param, system(), code))
            .into_iter()
            .collect(),
        "Identifier" => {
            let Some(code) = value["value"].as_str() else {
                return Vec::new();
            };
            let mut entries = vec![IndexEntry::token(param, system(), code)];
            entries.extend(of_type(param, value, code));
            entries
        }
        "ContactPoint" => value["value"]
            .as_str()
            .map(|code| IndexEntry::token(param, None, code))
            .into_iter()
            .collect(),
        _ => match value {
            Value::String(code) => vec![IndexEntry::token(param, None, code)],
            Value::Bool(b) => vec![IndexEntry::token(param, None, bool_code(*b))],
            _ => Vec::new(),
        },
    }
}

/// The span a FHIR date, dateTime or instant covers, as `[low, high)` seconds since the epoch.
/// Dates without a zone are taken as UTC.
pub fn date_range(text: &str) -> Option<(i64, i64)> {
    let text = text.trim();
    let day = |date: civil::Date, next: civil::Date| -> Option<(i64, i64)> {
        let start = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second();
        let end = next
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second();
        Some((start, end))
    };
    match text.len() {
        4 => {
            let year: i16 = text.parse().ok()?;
            day(
                civil::date(year, 1, 1),
                civil::Date::new(year.checked_add(1)?, 1, 1).ok()?,
            )
        }
        7 => {
            let year: i16 = text.get(..4)?.parse().ok()?;
            let month: i8 = text.get(5..)?.parse().ok()?;
            let start = civil::Date::new(year, month, 1).ok()?;
            day(start, start.last_of_month().tomorrow().ok()?)
        }
        10 => {
            let date: civil::Date = text.parse().ok()?;
            day(date, date.tomorrow().ok()?)
        }
        _ => {
            // dateTime with a time: needs a zone in FHIR; tolerate its absence as UTC.
            let instant: Timestamp = text.parse().ok().or_else(|| {
                let civil: civil::DateTime = text.parse().ok()?;
                civil
                    .to_zoned(jiff::tz::TimeZone::fixed(Offset::UTC))
                    .ok()
                    .map(|z| z.timestamp())
            })?;
            let second = instant.as_second();
            Some((second, second + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(entries: &[IndexEntry], param: &str) -> Vec<String> {
        entries
            .iter()
            .filter(|e| e.param == param)
            .map(|e| match (&e.system, &e.value, e.low) {
                (Some(s), Some(v), _) => format!("{s}|{v}"),
                (None, Some(v), _) => v.clone(),
                (_, None, Some(low)) => format!("{low}..{}", e.high.unwrap_or_default()),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn a_bundle_indexes_its_first_resource_when_it_is_a_document_or_a_message() {
        let document = json!({"resourceType": "Bundle", "type": "document", "entry": [
            {"resource": {"resourceType": "Composition", "id": "c1", "status": "final",
                "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
                "subject": {"reference": "Patient/p1"}, "date": "2026-12-01",
                "author": [{"reference": "Practitioner/d1"}], "title": "Discharge summary"}},
            {"resource": {"resourceType": "Patient", "id": "p1"}}]});
        let entries = index_entries(ResourceType::Bundle, &document);
        assert_eq!(values(&entries, "composition"), ["Composition/c1"]);
        assert_eq!(values(&entries, "composition.subject"), ["Patient/p1"]);
        assert_eq!(
            values(&entries, "composition.type"),
            ["http://loinc.org|18842-5"]
        );
        assert_eq!(values(&entries, "composition.title"), ["discharge summary"]);
        assert!(values(&entries, "message").is_empty());
        // A message's header; a collection that starts with a Composition is neither.
        let message = json!({"resourceType": "Bundle", "type": "message", "entry": [
            {"resource": {"resourceType": "MessageHeader", "id": "m1",
                "eventCoding": {"system": "http://example.org/events", "code": "admit"},
                "source": {"endpoint": "https://example.org/ward"},
                "focus": [{"reference": "Encounter/e1"}]}}]});
        let entries = index_entries(ResourceType::Bundle, &message);
        assert_eq!(values(&entries, "message"), ["MessageHeader/m1"]);
        assert_eq!(values(&entries, "message.focus"), ["Encounter/e1"]);
        assert_eq!(
            values(&entries, "message.event"),
            ["http://example.org/events|admit"]
        );
        assert!(values(&entries, "composition").is_empty());
    }

    #[test]
    fn a_patient_indexes_names_identifiers_dates_and_postcodes() {
        let patient = json!({"resourceType": "Patient",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"}],
            "name": [{"family": "O'Brien", "given": ["Siân", "Mary"]}],
            "gender": "female", "birthDate": "1990-04-01",
            "address": [{"postalCode": "LS6 2AB"}]});
        let entries = index_entries(ResourceType::Patient, &patient);
        assert_eq!(
            values(&entries, "identifier"),
            ["https://fhir.nhs.uk/Id/nhs-number|9990000018"]
        );
        assert_eq!(values(&entries, "family"), ["o'brien"]);
        assert_eq!(values(&entries, "given"), ["mary", "siân"]);
        assert_eq!(values(&entries, "name").len(), 3);
        assert_eq!(values(&entries, "gender"), ["female"]);
        assert_eq!(values(&entries, "address-postalcode"), ["ls6 2ab"]);
        assert_eq!(values(&entries, "birthdate"), ["638928000..639014400"]);
    }

    #[test]
    fn a_patient_pairs_every_family_name_with_every_given_name() {
        // FHIR ANDs `family` and `given` over the whole resource: Jones and Bob are a match
        // although no one `name` holds both.
        let patient = json!({"resourceType": "Patient",
            "name": [{"family": "Smith", "given": ["John", "JOHN"]},
                     {"family": "Jones", "given": ["Bob"]},
                     {"family": "Bad\u{1}Name", "given": ["Ann"]},
                     {"text": "No family or given"}]});
        let entries = index_entries(ResourceType::Patient, &patient);
        assert_eq!(
            values(&entries, NAME_PAIRS),
            [
                "jones\u{1}ann",
                "jones\u{1}bob",
                "jones\u{1}john",
                "smith\u{1}ann",
                "smith\u{1}bob",
                "smith\u{1}john",
            ]
        );
        let no_given = json!({"resourceType": "Patient", "name": [{"family": "Smith"}]});
        let entries = index_entries(ResourceType::Patient, &no_given);
        assert!(values(&entries, NAME_PAIRS).is_empty());
        let practitioner = json!({"resourceType": "Practitioner",
            "name": [{"family": "Smith", "given": ["John"]}]});
        let entries = index_entries(ResourceType::Practitioner, &practitioner);
        assert!(values(&entries, NAME_PAIRS).is_empty());
    }

    #[test]
    fn a_date_parameter_indexes_one_value_even_when_a_resource_carries_two() {
        // Invalid (a choice element with two types), but accepted by the store all the same: a
        // second row would list the Observation twice in a search by date.
        let observation = json!({"resourceType": "Observation", "status": "final",
            "code": {"text": "Pulse"},
            "effectiveDateTime": "2024-05-01",
            "effectivePeriod": {"start": "2023-01-01", "end": "2023-02-01"}});
        let entries = index_entries(ResourceType::Observation, &observation);
        // The earliest: 1 January 2023 to the end of 1 February.
        assert_eq!(values(&entries, "date"), ["1672531200..1675296000"]);
    }

    #[test]
    fn references_keep_their_target_type_only() {
        let appointment = json!({"resourceType": "Appointment", "start": "2026-12-01T09:00:00+00:00",
            "participant": [{"actor": {"reference": "Patient/p1"}}, {"actor": {"reference": "https://x.example/fhir/Location/l1"}}],
            "serviceType": [{"coding": [{"system": "urn:s", "code": "gp"}]}]});
        let entries = index_entries(ResourceType::Appointment, &appointment);
        assert_eq!(values(&entries, "patient"), ["Patient/p1"]);
        assert_eq!(values(&entries, "location"), ["Location/l1"]);
        assert_eq!(values(&entries, "actor"), ["Location/l1", "Patient/p1"]);
        assert_eq!(values(&entries, "service-type"), ["urn:s|gp"]);
        assert_eq!(values(&entries, "date").len(), 1);
    }

    #[test]
    fn choice_elements_and_periods_are_indexed() {
        let observation = json!({"resourceType": "Observation", "effectivePeriod": {"start": "2026-01-01", "end": "2026-01-31"}});
        let entries = index_entries(ResourceType::Observation, &observation);
        let (jan1, _) = date_range("2026-01-01").unwrap();
        let (_, feb1) = date_range("2026-01-31").unwrap();
        assert_eq!(values(&entries, "date"), [format!("{jan1}..{feb1}")]);
    }

    #[test]
    fn date_ranges_are_as_wide_as_their_precision() {
        let (y0, y1) = date_range("2026").unwrap();
        assert_eq!(y1 - y0, 365 * 86_400);
        let (m0, m1) = date_range("2024-02").unwrap();
        assert_eq!(m1 - m0, 29 * 86_400, "a leap February");
        let (d0, d1) = date_range("2026-03-29").unwrap();
        assert_eq!(d1 - d0, 86_400);
        let (i0, i1) = date_range("2026-03-29T09:30:00+01:00").unwrap();
        assert_eq!(
            (i0, i1 - i0),
            (date_range("2026-03-29T08:30:00Z").unwrap().0, 1)
        );
        assert_eq!(date_range("yesterday"), None);
        assert_eq!(date_range("2026-13"), None);
    }
}

#[cfg(test)]
mod of_type_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_typed_identifier_is_indexed_for_of_type() {
        let patient = json!({"resourceType": "Patient", "identifier": [{
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
            "system": "https://hospital.example.org/id", "value": "X-4711"}]});
        let entries = index_entries(ResourceType::Patient, &patient);
        let typed = "http://terminology.hl7.org/CodeSystem/v2-0203|MR|X-4711";
        let of_type: Vec<_> = entries
            .iter()
            .filter(|e| e.param == "identifier")
            .map(|e| (e.system.clone(), e.value.clone(), e.exact.clone()))
            .collect();
        assert_eq!(
            of_type,
            [
                (None, Some(typed.into()), Some(typed.into())),
                (
                    Some("https://hospital.example.org/id".into()),
                    Some("X-4711".into()),
                    None
                ),
            ]
        );
    }
}

#[cfg(test)]
mod composite_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_composite_pairs_each_code_with_the_value_beside_it_only() {
        let loinc = |code: &str| json!({"coding": [{"system": "http://loinc.org", "code": code}]});
        let mmhg = |value: i64| json!({"value": value, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"});
        let pressure = json!({"resourceType": "Observation", "status": "final", "code": loinc("85354-9"),
        "component": [
            {"code": loinc("8480-6"), "valueQuantity": mmhg(142)},
            {"code": loinc("8462-4"), "valueQuantity": mmhg(91)},
        ]});
        let entries = index_entries(ResourceType::Observation, &pressure);
        let pairs: Vec<(String, f64)> = entries
            .iter()
            .filter(|e| e.param == "component-code-value-quantity")
            .map(|e| (e.pair_code.clone().unwrap(), e.number_low.unwrap()))
            .collect();
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        assert!(
            pairs
                .iter()
                .any(|(code, low)| code == "8480-6" && *low == 142.0)
        );
        assert!(
            pairs
                .iter()
                .any(|(code, low)| code == "8462-4" && *low == 91.0)
        );
        let pressure_param = params_of(ResourceType::Observation)
            .iter()
            .find(|p| p.name == "component-code-value-quantity")
            .unwrap();
        assert_eq!(pressure_param.kind, ParamKind::Composite);
        assert!(
            entries
                .iter()
                .filter(|e| e.param == "component-code-value-quantity")
                .all(|e| e.pair_system.as_deref() == Some("http://loinc.org"))
        );
    }
}

#[cfg(test)]
mod phonetic_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_word_of_a_family_or_given_name_is_indexed_by_its_sound() {
        let patient = json!({"resourceType": "Patient",
            "name": [{"family": "Smith", "given": ["Mary-Ann"], "prefix": ["Dr"]}]});
        let mut codes: Vec<String> = index_entries(ResourceType::Patient, &patient)
            .into_iter()
            .filter(|e| e.param == PHONETIC)
            .filter_map(|e| e.value)
            .collect();
        codes.sort();
        assert_eq!(codes, ["A500", "M600", "S530"]);
    }
}
