//! The part of FHIRPath that the specification's search parameters are written in, parsed once
//! and evaluated on a resource with the types of the R4 definitions: paths through elements
//! (`Patient.name.given`; `Observation.value` finds every `value[x]`), unions (`|`), type
//! filters (`(Observation.value as Quantity)`, `.as(Age)`, `.ofType(Period)`), reference targets
//! (`.where(resolve() is Patient)`), equality filters (`.where(system='email')`), the first of
//! a list (`Bundle.entry[0]`), and a yes-or-no test (`Patient.deceased.exists() and Patient.deceased != false`). A parameter whose
//! expression needs more than this is not offered by the server (see `params`).
//!
//! Every node the evaluation finds carries its FHIR type, so that what is indexed follows from
//! the type (a `HumanName`'s parts, a `Period`'s span), not from the shape of the JSON.

use serde_json::Value;

use crate::{
    definitions::{ElementDef, TypeKind, choice_type, r4},
    relative_reference,
};

/// A parsed expression: the union of its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    steps: Vec<Step>,
    /// `x.exists() and x != false`: one `true` or `false`, not the nodes.
    truthy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Child(String),
    OfType(String),
    ResolvesTo(String),
    WhereEquals(String, String),
    /// `[0]`: the first of what the steps before found.
    First,
}

/// What an expression finds: an element with its FHIR type, or a computed yes or no.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node<'a> {
    Element {
        value: &'a Value,
        type_name: &'static str,
    },
    Bool(bool),
}

/// The expression uses FHIRPath beyond the subset above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl Expression {
    /// Parses `text`, whose terms each start at a type's name (`Observation.code`).
    pub fn parse(text: &str) -> Result<Self, Unsupported> {
        let terms = split_top_level(text, " | ")
            .into_iter()
            .map(|term| parse_term(term.trim()).ok_or_else(|| Unsupported(term.to_owned())))
            .collect::<Result<_, _>>()?;
        Ok(Self { terms })
    }

    /// Parses `text`, whose terms each start at an element of the node it is evaluated on (a
    /// composite's component: `value.as(Quantity) | value.as(Range)`).
    pub fn parse_relative(text: &str) -> Result<Self, Unsupported> {
        let rooted: Vec<String> = split_top_level(text, " | ")
            .into_iter()
            .map(|term| format!("Node.{}", term.trim()))
            .collect();
        Self::parse(&rooted.join(" | "))
    }

    /// Every node the expression finds in `resource`, a resource of type `root`.
    pub fn evaluate<'a>(&self, resource: &'a Value, root: &'static str) -> Vec<Node<'a>> {
        let mut found = Vec::new();
        for term in &self.terms {
            let mut nodes = vec![Node::Element {
                value: resource,
                type_name: root,
            }];
            for step in &term.steps {
                if *step == Step::First {
                    nodes.truncate(1);
                } else {
                    nodes = nodes.into_iter().flat_map(|n| apply(step, n)).collect();
                }
            }
            if term.truthy {
                let truthy = nodes.iter().any(|n| {
                    !matches!(
                        n,
                        Node::Bool(false)
                            | Node::Element {
                                value: Value::Bool(false),
                                ..
                            }
                    )
                });
                found.push(Node::Bool(truthy));
            } else {
                found.extend(nodes);
            }
        }
        found
    }

    /// The one type every term keeps references to (`.where(resolve() is Patient)`), if so.
    pub fn resolved_target(&self) -> Option<&str> {
        let mut targets = self.terms.iter().map(|term| {
            term.steps.iter().rev().find_map(|step| match step {
                Step::ResolvesTo(target) => Some(target.as_str()),
                _ => None,
            })
        });
        let first = targets.next()??;
        targets.all(|t| t == Some(first)).then_some(first)
    }

    /// The FHIR types the expression can find in a resource of type `root` (`boolean` for a
    /// yes-or-no test), or `None` if a step names an element the type does not have.
    pub fn result_types(&self, root: &'static str) -> Option<Vec<&'static str>> {
        let mut all = Vec::new();
        for term in &self.terms {
            if term.truthy {
                all.push("boolean");
                continue;
            }
            let mut types = vec![root];
            for step in &term.steps {
                types = match step {
                    Step::Child(name) => {
                        let mut next = Vec::new();
                        for t in types {
                            let element = element_of(t, name)?;
                            next.extend(element.types.iter().map(String::as_str));
                        }
                        next
                    }
                    Step::OfType(wanted) => types.into_iter().filter(|t| t == wanted).collect(),
                    Step::ResolvesTo(_) | Step::WhereEquals(..) | Step::First => types,
                };
            }
            all.extend(types);
        }
        all.sort_unstable();
        all.dedup();
        Some(all)
    }
}

fn element_of(type_name: &str, name: &str) -> Option<&'static ElementDef> {
    r4().type_def(type_name)?.element(name)
}

fn apply<'a>(step: &Step, node: Node<'a>) -> Vec<Node<'a>> {
    let Node::Element { value, type_name } = node else {
        return Vec::new();
    };
    match step {
        Step::Child(name) => children(value, type_name, name),
        Step::OfType(wanted) => {
            if type_name == wanted {
                vec![node]
            } else {
                Vec::new()
            }
        }
        Step::ResolvesTo(target) => {
            let points_there = type_name == "Reference"
                && value["reference"]
                    .as_str()
                    .is_some_and(|r| relative_reference(r).split('/').next() == Some(target));
            if points_there { vec![node] } else { Vec::new() }
        }
        Step::WhereEquals(field, wanted) => {
            if value[field.as_str()].as_str() == Some(wanted) {
                vec![node]
            } else {
                Vec::new()
            }
        }
        Step::First => vec![node],
    }
}

/// The values of element `name` of `value` (of type `type_name`), arrays flattened.
fn children<'a>(value: &'a Value, type_name: &str, name: &str) -> Vec<Node<'a>> {
    let Some(object) = value.as_object() else {
        return Vec::new();
    };
    let Some(element) = element_of(type_name, name) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut push = |value: &'a Value, type_name: &'static str| match value {
        Value::Array(items) => {
            found.extend(items.iter().map(|value| Node::Element { value, type_name }))
        }
        value => found.push(Node::Element { value, type_name }),
    };
    if element.choice {
        for (key, value) in object {
            if let Some(t) = choice_type(element, key) {
                push(value, t);
            }
        }
    } else if let Some(value) = object.get(name) {
        let declared = element.types.first().map_or("Element", String::as_str);
        if declared == "Resource" {
            // A contained or bundled resource: its own `resourceType` says what it is.
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                one => vec![one],
            };
            for item in items {
                let named = item["resourceType"]
                    .as_str()
                    .and_then(|t| r4().type_key(t))
                    .filter(|t| {
                        r4().type_def(t)
                            .is_some_and(|d| d.kind == TypeKind::Resource)
                    });
                if let Some(t) = named {
                    found.push(Node::Element {
                        value: item,
                        type_name: t,
                    });
                }
            }
        } else {
            push(value, declared);
        }
    }
    found
}

fn parse_term(text: &str) -> Option<Term> {
    if let Some((left, right)) = text.split_once(" and ") {
        let path = left.trim().strip_suffix(".exists()")?;
        if right.trim() != format!("{path} != false") {
            return None;
        }
        return Some(Term {
            steps: parse_path(path, true)?,
            truthy: true,
        });
    }
    let mut steps = Vec::new();
    let mut rest = text;
    if let Some(inner) = rest.strip_prefix('(') {
        let close = matching_paren(inner)?;
        let (path, type_name) = inner[..close].split_once(" as ")?;
        steps.extend(parse_path(path.trim(), true)?);
        steps.push(Step::OfType(identifier(type_name.trim())?.to_owned()));
        rest = &inner[close + 1..];
        if rest.is_empty() {
            return Some(Term {
                steps,
                truthy: false,
            });
        }
        steps.extend(parse_path(rest.strip_prefix('.')?, false)?);
    } else {
        steps.extend(parse_path(rest, true)?);
    }
    Some(Term {
        steps,
        truthy: false,
    })
}

/// `Type.a.b.where(…)`: the steps after the root type's name (when `rooted`).
fn parse_path(text: &str, rooted: bool) -> Option<Vec<Step>> {
    let mut segments = split_top_level(text, ".").into_iter();
    if rooted {
        identifier(segments.next()?)?;
    }
    let mut steps = Vec::new();
    for segment in segments {
        let (segment, first) = match segment.strip_suffix("[0]") {
            Some(element) => (element, true),
            None => (segment, false),
        };
        steps.push(step(segment)?);
        if first {
            steps.push(Step::First);
        }
    }
    Some(steps)
}

/// One segment of a path: an element's name, or a function that filters.
fn step(segment: &str) -> Option<Step> {
    if let Some(args) = call(segment, "where") {
        if let Some(target) = args.strip_prefix("resolve() is ") {
            return Some(Step::ResolvesTo(identifier(target.trim())?.to_owned()));
        }
        let (field, literal) = args.split_once('=')?;
        let literal = literal.trim().strip_prefix('\'')?.strip_suffix('\'')?;
        return Some(Step::WhereEquals(
            identifier(field.trim())?.to_owned(),
            literal.to_owned(),
        ));
    }
    if let Some(args) = call(segment, "as").or_else(|| call(segment, "ofType")) {
        return Some(Step::OfType(identifier(args.trim())?.to_owned()));
    }
    Some(Step::Child(identifier(segment)?.to_owned()))
}

/// The arguments of `name(…)` when `segment` is that call.
fn call<'a>(segment: &'a str, name: &str) -> Option<&'a str> {
    segment
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

fn identifier(text: &str) -> Option<&str> {
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(text)
}

/// Where the `(` just before `text` closes, as an index into `text`.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` split at `separator` where it is outside parentheses and quotes.
fn split_top_level<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0_i32, false, 0);
    let mut i = 0;
    while i < text.len() {
        let c = text.as_bytes()[i];
        match c {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ => {}
        }
        if depth == 0 && !quoted && text[i..].starts_with(separator) {
            parts.push(&text[start..i]);
            i += separator.len();
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(expression: &str, resource: &Value) -> Vec<(String, &'static str)> {
        let root = r4()
            .type_key(resource["resourceType"].as_str().unwrap_or_default())
            .unwrap_or("Resource");
        Expression::parse(expression)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .evaluate(resource, root)
            .into_iter()
            .map(|node| match node {
                Node::Element { value, type_name } => (value.to_string(), type_name),
                Node::Bool(b) => (b.to_string(), "boolean"),
            })
            .collect()
    }

    #[test]
    fn paths_walk_into_arrays_and_choice_elements_by_their_type() {
        let observation = json!({"resourceType": "Observation",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "valueQuantity": {"value": 72},
            "component": [{"valueString": "a"}, {"valueQuantity": {"value": 1}}]});
        assert_eq!(
            found("Observation.code.coding.code", &observation),
            [("\"8867-4\"".to_owned(), "code")]
        );
        assert_eq!(
            found("Observation.value", &observation),
            [("{\"value\":72}".to_owned(), "Quantity")]
        );
        assert_eq!(
            found("(Observation.component.value as Quantity)", &observation),
            [("{\"value\":1}".to_owned(), "Quantity")]
        );
        assert_eq!(
            found("(Observation.value as CodeableConcept).text", &observation),
            []
        );
        assert!(found("Observation.effective", &observation).is_empty());
    }

    #[test]
    fn references_filter_by_target_and_elements_by_value() {
        let appointment = json!({"resourceType": "Appointment", "participant": [
            {"actor": {"reference": "Patient/p1"}},
            {"actor": {"reference": "https://x.example/fhir/Location/l1"}}]});
        assert_eq!(
            found(
                "Appointment.participant.actor.where(resolve() is Location)",
                &appointment
            )
            .len(),
            1
        );
        let patient = json!({"resourceType": "Patient",
            "telecom": [{"system": "phone", "value": "0113"}, {"system": "email", "value": "a@b.example"}]});
        assert_eq!(
            found("Patient.telecom.where(system='email')", &patient),
            [(
                "{\"system\":\"email\",\"value\":\"a@b.example\"}".to_owned(),
                "ContactPoint"
            )]
        );
    }

    #[test]
    fn a_yes_or_no_test_answers_even_when_the_element_is_absent() {
        let expression = "Patient.deceased.exists() and Patient.deceased != false";
        let alive = json!({"resourceType": "Patient"});
        let died = json!({"resourceType": "Patient", "deceasedDateTime": "2020-01-01"});
        let not_deceased = json!({"resourceType": "Patient", "deceasedBoolean": false});
        assert_eq!(found(expression, &alive), [("false".into(), "boolean")]);
        assert_eq!(found(expression, &died), [("true".into(), "boolean")]);
        assert_eq!(
            found(expression, &not_deceased),
            [("false".into(), "boolean")]
        );
    }

    #[test]
    fn contained_resources_are_typed_by_their_resource_type() {
        let bundle = json!({"resourceType": "Bundle", "entry": [
            {"resource": {"resourceType": "Composition", "id": "c"}},
            {"resource": {"resourceType": "Patient", "id": "p"}}]});
        let types: Vec<&str> = found("Bundle.entry.resource", &bundle)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(types, ["Composition", "Patient"]);
        let first: Vec<&str> = found("Bundle.entry[0].resource", &bundle)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(first, ["Composition"], "the first entry's alone");
    }

    #[test]
    fn result_types_say_what_an_expression_can_find() {
        let parse = |e| Expression::parse(e).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            parse("Slot.start").result_types("Slot"),
            Some(vec!["instant"])
        );
        assert_eq!(
            parse("Observation.effective").result_types("Observation"),
            Some(vec!["Period", "Timing", "dateTime", "instant"])
        );
        assert_eq!(
            parse("(Observation.value as Quantity)").result_types("Observation"),
            Some(vec!["Quantity"])
        );
        assert_eq!(parse("Patient.colour").result_types("Patient"), None);
    }

    #[test]
    fn expressions_beyond_the_subset_are_refused() {
        assert!(Expression::parse("Patient.name.first()").is_err());
        assert!(Expression::parse("Bundle.entry[1].resource").is_err());
        assert!(Expression::parse("Patient.a and Patient.b").is_err());
    }
}
