//! JSON Patch (RFC 6902), the body of FHIR's `PATCH` interaction: a list of operations on JSON
//! Pointers (RFC 6901), applied all or none.
//!
//! Written here rather than taken from a crate because its failures must name the operation and
//! the path in an OperationOutcome a client can act on, and because it is small. What the patched
//! resource may then look like is the validator's business, not this module's.

use serde_json::Value;

/// Why a patch could not be applied: which operation (0-based), and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    pub operation: usize,
    pub reason: String,
}

impl std::fmt::Display for PatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "operation {}: {}", self.operation, self.reason)
    }
}

impl std::error::Error for PatchError {}

/// `document` with every operation of `patch` applied in order, or the first that fails (then
/// `document` is untouched: the patch works on a copy).
pub fn apply(document: &Value, patch: &Value) -> Result<Value, PatchError> {
    let Some(operations) = patch.as_array() else {
        return Err(PatchError {
            operation: 0,
            reason: "a JSON Patch is an array of operations".to_owned(),
        });
    };
    let mut patched = document.clone();
    for (index, operation) in operations.iter().enumerate() {
        apply_one(&mut patched, operation).map_err(|reason| PatchError {
            operation: index,
            reason,
        })?;
    }
    Ok(patched)
}

fn apply_one(document: &mut Value, operation: &Value) -> Result<(), String> {
    let text = |name: &str| {
        operation[name]
            .as_str()
            .ok_or_else(|| format!("\"{name}\" must be a string"))
    };
    let value = || {
        operation
            .get("value")
            .cloned()
            .ok_or_else(|| "\"value\" is missing".to_owned())
    };
    let op = text("op")?;
    let path = pointer(text("path")?)?;
    match op {
        "add" => add(document, &path, value()?),
        "remove" => remove(document, &path).map(drop),
        "replace" => {
            let target = get_mut(document, &path)?;
            *target = value()?;
            Ok(())
        }
        "move" => {
            let from = pointer(text("from")?)?;
            if path.len() > from.len() && path.starts_with(&from) {
                return Err("a value cannot be moved into itself".to_owned());
            }
            let moved = remove(document, &from)?;
            add(document, &path, moved)
        }
        "copy" => {
            let from = pointer(text("from")?)?;
            let copied = get_mut(document, &from)?.clone();
            add(document, &path, copied)
        }
        "test" => {
            let expected = value()?;
            if *get_mut(document, &path)? == expected {
                Ok(())
            } else {
                Err(format!(
                    "the value at {} is not the one tested for",
                    show(&path)
                ))
            }
        }
        other => Err(format!(
            "\"{}\" is not a JSON Patch operation (add, remove, replace, move, copy, test)",
            other.chars().take(32).collect::<String>()
        )),
    }
}

/// A JSON Pointer's reference tokens, unescaped: `/a~1b/0` is `["a/b", "0"]`.
fn pointer(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = text.strip_prefix('/') else {
        return Err("a path must be empty or start with /".to_owned());
    };
    Ok(rest
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn show(path: &[String]) -> String {
    if path.is_empty() {
        return "the whole document".to_owned();
    }
    path.iter()
        .map(|token| format!("/{}", token.replace('~', "~0").replace('/', "~1")))
        .collect::<String>()
        .chars()
        .take(200)
        .collect()
}

/// An array index token: digits without a leading zero.
fn index(token: &str) -> Option<usize> {
    let canonical = token == "0" || (!token.starts_with('0') && !token.is_empty());
    canonical
        .then(|| token.parse().ok())
        .flatten()
        .filter(|_| token.bytes().all(|b| b.is_ascii_digit()))
}

fn get_mut<'a>(document: &'a mut Value, path: &[String]) -> Result<&'a mut Value, String> {
    let mut at = document;
    for token in path {
        at = match at {
            Value::Object(object) => object.get_mut(token),
            Value::Array(items) => index(token).and_then(|i| items.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("{} does not exist", show(path)))?;
    }
    Ok(at)
}

fn add(document: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *document = value;
        return Ok(());
    };
    match get_mut(document, parent)? {
        Value::Object(object) => {
            object.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let at = if last == "-" {
                items.len()
            } else {
                index(last)
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| format!("{} is not a place in the array", show(path)))?
            };
            items.insert(at, value);
            Ok(())
        }
        _ => Err(format!(
            "{} is inside a value that is not an object or array",
            show(path)
        )),
    }
}

fn remove(document: &mut Value, path: &[String]) -> Result<Value, String> {
    let Some((last, parent)) = path.split_last() else {
        return Err("the whole document cannot be removed".to_owned());
    };
    let missing = || format!("{} does not exist", show(path));
    match get_mut(document, parent)? {
        Value::Object(object) => object.remove(last).ok_or_else(missing),
        Value::Array(items) => index(last)
            .filter(|i| *i < items.len())
            .map(|i| items.remove(i))
            .ok_or_else(missing),
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(document: Value, patch: Value, expected: Result<Value, &str>) {
        let result = apply(&document, &patch);
        match expected {
            Ok(expected) => assert_eq!(result.unwrap(), expected),
            Err(reason) => {
                let error = result.unwrap_err();
                assert!(error.to_string().contains(reason), "{error}");
            }
        }
    }

    #[test]
    fn each_operation_does_what_rfc_6902_says() {
        let doc = json!({ "status": "active", "name": [{ "given": ["Ann"] }] });
        check(
            doc.clone(),
            json!([{ "op": "replace", "path": "/status", "value": "inactive" }]),
            Ok(json!({ "status": "inactive", "name": [{ "given": ["Ann"] }] })),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "/name/0/given/-", "value": "Marie" }]),
            Ok(json!({ "status": "active", "name": [{ "given": ["Ann", "Marie"] }] })),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "/name/0/given/0", "value": "Jo" }]),
            Ok(json!({ "status": "active", "name": [{ "given": ["Jo", "Ann"] }] })),
        );
        check(
            doc.clone(),
            json!([{ "op": "remove", "path": "/name" }]),
            Ok(json!({ "status": "active" })),
        );
        check(
            doc.clone(),
            json!([{ "op": "move", "from": "/status", "path": "/state" }]),
            Ok(json!({ "state": "active", "name": [{ "given": ["Ann"] }] })),
        );
        check(
            doc.clone(),
            json!([{ "op": "copy", "from": "/name/0/given/0", "path": "/name/0/family" }]),
            Ok(json!({ "status": "active", "name": [{ "given": ["Ann"], "family": "Ann" }] })),
        );
        check(
            doc.clone(),
            json!([
                { "op": "test", "path": "/status", "value": "active" },
                { "op": "replace", "path": "/status", "value": "entered-in-error" },
            ]),
            Ok(json!({ "status": "entered-in-error", "name": [{ "given": ["Ann"] }] })),
        );
        check(
            json!({ "a/b": { "m~n": 1 } }),
            json!([{ "op": "replace", "path": "/a~1b/m~0n", "value": 2 }]),
            Ok(json!({ "a/b": { "m~n": 2 } })),
        );
    }

    #[test]
    fn a_failing_operation_names_itself_and_applies_nothing() {
        let doc = json!({ "status": "active", "name": [] });
        check(
            doc.clone(),
            json!([
                { "op": "replace", "path": "/status", "value": "inactive" },
                { "op": "test", "path": "/status", "value": "active" },
            ]),
            Err("operation 1: the value at /status is not the one tested for"),
        );
        check(
            doc.clone(),
            json!([{ "op": "replace", "path": "/gender", "value": "x" }]),
            Err("operation 0: /gender does not exist"),
        );
        check(
            doc.clone(),
            json!([{ "op": "remove", "path": "/name/0" }]),
            Err("/name/0 does not exist"),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "/name/01", "value": 1 }]),
            Err("is not a place in the array"),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "/missing/x", "value": 1 }]),
            Err("/missing does not exist"),
        );
        check(
            doc.clone(),
            json!([{ "op": "move", "from": "/name", "path": "/name/0" }]),
            Err("moved into itself"),
        );
        check(
            doc.clone(),
            json!([{ "op": "merge", "path": "" }]),
            Err("is not a JSON Patch"),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "status" }]),
            Err("start with /"),
        );
        check(
            doc.clone(),
            json!([{ "op": "add", "path": "/x" }]),
            Err("\"value\" is missing"),
        );
        check(doc, json!({ "op": "add" }), Err("is an array"));
    }
}
