//! Whether one resource meets a search condition, decided from its own index entries in memory:
//! for a store that keeps a type without an index row per parameter (the audit ledger keeps an
//! AuditEvent's few keys and filters by its other parameters as it reads). Each test reads as the
//! store's SQL reads the same test against the index (`store::search`), so a condition finds the
//! same resources either way.

use serde_json::Value;

use super::{
    comparator::Comparator,
    index::{IndexEntry, param_entries},
    params::params_of,
    query::{Condition, Test},
};
use crate::ResourceType;

/// Whether `resource` meets `condition` (any of its tests); `None` when a test needs more than
/// the resource's own values (an id, a chain, `_has`) or is of a kind this does not compare
/// (numbers, quantities, positions).
pub fn meets(resource_type: ResourceType, resource: &Value, condition: &Condition) -> Option<bool> {
    let def = params_of(resource_type)
        .iter()
        .find(|def| def.name == condition.param)?;
    let entries = param_entries(def, resource, resource_type.as_str());
    let mut met = false;
    for test in &condition.any_of {
        met |= holds(&entries, test)?;
    }
    Some(met)
}

/// Whether a test holds for the entries of its parameter.
fn holds(entries: &[IndexEntry], test: &Test) -> Option<bool> {
    Some(match test {
        Test::Missing(missing) => entries.is_empty() == *missing,
        // No entry matches any of them (so a resource without a value matches too).
        Test::Not(tests) => {
            for test in tests {
                if holds(entries, test)? {
                    return Some(false);
                }
            }
            true
        }
        _ => {
            for entry in entries {
                if entry_matches(entry, test)? {
                    return Some(true);
                }
            }
            false
        }
    })
}

fn entry_matches(entry: &IndexEntry, test: &Test) -> Option<bool> {
    let value = entry.value.as_deref();
    Some(match test {
        Test::StartsWith(prefix) => value.is_some_and(|v| v.starts_with(prefix.as_str())),
        Test::Exact(text) => entry.exact.as_deref() == Some(text.as_str()),
        Test::Contains(text) => value.is_some_and(|v| v.contains(text.as_str())),
        Test::Token { system, code } => {
            let system_matches = match system {
                None => true,
                Some(None) => entry.system.is_none(),
                Some(Some(system)) => entry.system.as_deref() == Some(system.as_str()),
            };
            system_matches
                && code
                    .as_ref()
                    .is_none_or(|code| value == Some(code.as_str()))
        }
        Test::OfType(typed) => {
            value == Some(typed.as_str()) && entry.exact.as_deref() == Some(typed.as_str())
        }
        Test::Reference(reference) => value == Some(reference.as_str()),
        Test::Composite {
            system,
            code,
            value: test,
        } => {
            let system_matches = match system {
                None => true,
                Some(None) => entry.pair_system.is_none(),
                Some(Some(system)) => entry.pair_system.as_deref() == Some(system.as_str()),
            };
            entry.pair_code.as_deref() == Some(code.as_str())
                && system_matches
                && entry_matches(entry, test)?
        }
        Test::Date(comparator, low, high) => {
            let (Some(at_low), Some(at_high)) = (entry.low, entry.high) else {
                return Some(false);
            };
            date_matches(*comparator, (at_low, at_high), (*low, *high))
        }
        Test::Missing(_)
        | Test::Not(_)
        | Test::Id(_)
        | Test::Chained { .. }
        | Test::Has { .. }
        | Test::Number(_)
        | Test::Quantity { .. }
        | Test::Near { .. } => return None,
    })
}

/// A value's `[low, high)` against a search date's, as the specification's prefixes read for
/// ranges: `eq` the search's range contains the value's, `gt` some of the value lies after it,
/// `sa` all of it, and so on.
fn date_matches(comparator: Comparator, (low, high): (i64, i64), (from, to): (i64, i64)) -> bool {
    let within = low >= from && high <= to;
    match comparator {
        Comparator::Eq => within,
        Comparator::Ne => !within,
        Comparator::Gt => high > to,
        Comparator::Lt => low < from,
        Comparator::Ge => high > to || low >= from,
        Comparator::Le => low < from || high <= to,
        Comparator::StartsAfter => low >= to,
        Comparator::EndsBefore => high <= from,
        Comparator::Approximately => low < to && high > from,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::search::parse_query;

    /// Whether the event meets the search `query` (one parameter).
    fn met(event: &Value, query: &str) -> Option<bool> {
        let (key, value) = query.split_once('=').expect("key=value");
        let pairs = [(key.to_owned(), value.to_owned())];
        let parsed = parse_query(ResourceType::AuditEvent, &pairs).expect("a valid search");
        meets(ResourceType::AuditEvent, event, &parsed.conditions[0])
    }

    fn event() -> Value {
        json!({
            "resourceType": "AuditEvent",
            "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest" },
            "subtype": [{ "system": "http://hl7.org/fhir/restful-interaction", "code": "read" }],
            "action": "R",
            "recorded": "2026-12-07T09:30:00.000Z",
            "outcome": "4",
            "agent": [{
                "who": { "reference": "Practitioner/7", "display": "Dr Ana Lopez" },
                "name": "Dr Ana Lopez",
                "requestor": true,
                "network": { "address": "192.0.2.10", "type": "2" },
            }],
            "source": { "observer": { "reference": "Device/gateway" } },
            "entity": [
                { "what": { "reference": "Patient/1" } },
                { "what": { "reference": "Observation/5" }, "name": "Blood pressure" },
            ],
        })
    }

    #[test]
    fn tokens_strings_and_references_read_as_the_index_reads_them() {
        let event = event();
        assert_eq!(met(&event, "outcome=4"), Some(true));
        assert_eq!(met(&event, "outcome=0"), Some(false));
        assert_eq!(met(&event, "outcome=0,4"), Some(true));
        assert_eq!(
            met(
                &event,
                "subtype=http://hl7.org/fhir/restful-interaction|read"
            ),
            Some(true)
        );
        assert_eq!(met(&event, "subtype=http://example.org|read"), Some(false));
        assert_eq!(
            met(&event, "agent-name=ana"),
            Some(false),
            "a prefix, not any word"
        );
        assert_eq!(met(&event, "agent-name=dr an"), Some(true));
        assert_eq!(met(&event, "agent-name:contains=lopez"), Some(true));
        assert_eq!(met(&event, "agent-name:exact=Dr Ana Lopez"), Some(true));
        assert_eq!(met(&event, "agent-name:exact=dr ana lopez"), Some(false));
        assert_eq!(met(&event, "address=192.0.2"), Some(true));
        assert_eq!(met(&event, "entity=Observation/5"), Some(true));
        assert_eq!(met(&event, "entity=Observation/6"), Some(false));
        assert_eq!(met(&event, "source=Device/gateway"), Some(true));
    }

    #[test]
    fn missing_and_not_count_a_resource_without_a_value() {
        let event = event();
        assert_eq!(met(&event, "policy:missing=true"), Some(true));
        assert_eq!(met(&event, "entity-name:missing=false"), Some(true));
        assert_eq!(met(&event, "site:not=somewhere"), Some(true));
        assert_eq!(met(&event, "action:not=R"), Some(false));
        assert_eq!(met(&event, "action:not=C,U"), Some(true));
    }

    #[test]
    fn dates_compare_as_ranges() {
        let event = event();
        assert_eq!(met(&event, "date=2026-12-07"), Some(true));
        assert_eq!(met(&event, "date=2026-12-08"), Some(false));
        assert_eq!(met(&event, "date=ge2026-12-07"), Some(true));
        assert_eq!(met(&event, "date=lt2026-12-07"), Some(false));
        assert_eq!(met(&event, "date=sa2026-12-06"), Some(true));
        assert_eq!(met(&event, "date=eb2026-12-07T09:30:00Z"), Some(false));
    }

    #[test]
    fn tests_that_need_more_than_the_resource_are_not_answered() {
        let condition = Condition {
            param: "entity",
            any_of: vec![Test::Id("1".into())],
        };
        assert_eq!(meets(ResourceType::AuditEvent, &event(), &condition), None);
    }
}
