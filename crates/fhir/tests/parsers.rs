//! The FHIR parsers that take outside input, on generated input: a search URL's parameters,
//! dates, any JSON as a resource of any type (Bundles included), JSON Patch. None panics; a
//! search is parsed or refused with issues, a date is a range that runs forwards, a resource is
//! valid or has issues. A failure prints its seed (`test_support::property`).

use fhir::{
    ResourceType,
    search::{date_range, params_of, parse_query},
    validate,
};
use proptest::{collection::vec, prelude::*, sample::select};
use serde_json::{Map, Value, json};
use test_support::property::check;

/// Any text, weighted towards what search values and JSON strings carry.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9TZ:.+-]{0,30}",
        "(eq|ne|gt|lt|ge|le|sa|eb|ap)?[0-9]{1,4}(-[0-9]{1,2}(-[0-9]{1,2})?)?",
        "[A-Za-z0-9|/$,._ -]{0,40}",
        any::<String>(),
    ]
}

fn resource_type() -> impl Strategy<Value = ResourceType> {
    select(ResourceType::ALL.to_vec())
}

/// A search parameter's name as clients write it: the type's own, a control parameter, a chain,
/// `_has`, with or without a modifier, or anything at all.
fn key(resource_type: ResourceType) -> impl Strategy<Value = String> {
    let mut names: Vec<String> = params_of(resource_type)
        .iter()
        .map(|p| p.name.to_owned())
        .collect();
    names.extend(
        [
            "_id",
            "_lastUpdated",
            "_count",
            "_offset",
            "_sort",
            "_summary",
            "_elements",
            "_total",
            "_include",
            "_revinclude",
            "_has:Observation:patient:code",
            "subject.name",
            "patient:Patient.identifier",
            "_format",
        ]
        .map(str::to_owned),
    );
    let modifier = select(vec![
        "",
        ":missing",
        ":not",
        ":exact",
        ":contains",
        ":of-type",
        ":below",
        ":above",
        ":iterate",
        ":Patient",
        ":text",
        ":identifier",
    ]);
    prop_oneof![
        4 => (select(names), modifier).prop_map(|(name, modifier)| format!("{name}{modifier}")),
        1 => text(),
    ]
}

#[test]
fn any_search_is_parsed_or_refused_with_issues() {
    let searches = resource_type().prop_flat_map(|t| (Just(t), vec((key(t), text()), 0..6)));
    check(
        "search parameters",
        3000,
        searches,
        |(resource_type, pairs)| {
            if let Err(issues) = parse_query(resource_type, &pairs) {
                prop_assert!(!issues.is_empty());
            }
            Ok(())
        },
    );
}

#[test]
fn any_date_is_a_range_that_runs_forwards_or_none() {
    check("dates", 3000, text(), |text| {
        if let Some((low, high)) = date_range(&text) {
            prop_assert!(low < high, "{text}: {low}..{high}");
        }
        Ok(())
    });
}

/// Any JSON, shallow and deep, with the names resources use among the others.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "-?[0-9]{1,20}(\\.[0-9]{1,10})?(e[0-9]{1,3})?"
            .prop_filter_map("a JSON number", |n| serde_json::from_str::<Value>(&n).ok()),
        text().prop_map(Value::String),
    ];
    let name = prop_oneof![
        select(vec![
            "resourceType",
            "id",
            "meta",
            "text",
            "status",
            "code",
            "subject",
            "value",
            "valueQuantity",
            "effectiveDateTime",
            "entry",
            "resource",
            "fullUrl",
            "request",
            "method",
            "url",
            "type",
            "name",
            "given",
            "family",
            "identifier",
            "system",
            "reference",
            "extension",
            "contained",
            "start",
            "end",
            "participant",
            "_birthDate",
            "birthDate",
            "coding",
            "display",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_]{1,12}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((name.clone(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[test]
fn any_json_is_a_valid_resource_or_has_issues() {
    let resources = (resource_type(), json_value()).prop_map(|(t, mut value)| {
        if let Value::Object(fields) = &mut value {
            fields.insert("resourceType".into(), json!(t.as_str()));
        }
        (t, value)
    });
    check("resources", 2000, resources, |(resource_type, resource)| {
        let _ = validate::check(&resource, resource_type);
        Ok(())
    });
}

#[test]
fn any_bundle_is_a_valid_one_or_has_issues() {
    let entry = (
        resource_type(),
        json_value(),
        text(),
        select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
    )
        .prop_map(|(t, body, url, method)| {
            let mut resource = match body {
                Value::Object(fields) => Value::Object(fields),
                _ => json!({}),
            };
            resource["resourceType"] = json!(t.as_str());
            json!({ "fullUrl": format!("urn:uuid:{url}"), "resource": resource,
                    "request": { "method": method, "url": url } })
        });
    let bundles = (
        select(vec![
            "transaction",
            "batch",
            "document",
            "message",
            "collection",
            "searchset",
            "x",
        ]),
        vec(entry, 0..5),
    )
        .prop_map(
            |(kind, entries)| json!({ "resourceType": "Bundle", "type": kind, "entry": entries }),
        );
    check("bundles", 500, bundles, |bundle| {
        let _ = validate::check(&bundle, ResourceType::Bundle);
        Ok(())
    });
}

#[test]
fn any_json_patch_applies_or_is_refused() {
    let operation = (
        select(vec![
            "add", "remove", "replace", "move", "copy", "test", "nonsense",
        ]),
        "(/[a-z0-9~-]{0,6}){0,4}",
        json_value(),
    )
        .prop_map(
            |(op, path, value)| json!({ "op": op, "path": path, "from": path, "value": value }),
        );
    check(
        "json patch",
        1500,
        (json_value(), vec(operation, 0..5)),
        |(document, patch)| {
            let _ = fhir::patch::apply(&document, &Value::Array(patch));
            Ok(())
        },
    );
}
