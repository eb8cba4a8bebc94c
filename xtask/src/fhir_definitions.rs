//! `cargo xtask fhir-definitions`: the FHIR R4 definitions the server works from, generated from
//! the official package (`hl7.fhir.r4.examples` 4.0.1 from npm, which `interop/` installs), never
//! copied by hand: every resource type and datatype with its elements (name, cardinality, types),
//! every search parameter (its type, its FHIRPath expression cut down to the terms of its own
//! base, the types it may point to), and the patient compartment.
//!
//! The output, `crates/fhir/src/definitions/r4.json`, is committed so that building needs no npm;
//! a tidy test regenerates it and fails if the two differ. One line per type and per parameter,
//! so that a change shows in a diff.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use serde_json::{Value, json};

use crate::{Result, cmd::project_root};

/// Where the generated definitions live, relative to the workspace root.
pub const OUTPUT: &str = "crates/fhir/src/definitions/r4.json";

/// The package the definitions come from, as `interop/` installs it.
pub fn package_dir() -> PathBuf {
    project_root().join("interop/node_modules/hl7.fhir.r4.examples")
}

/// Writes the definitions generated from the installed package.
pub fn write() -> Result {
    let text = generate(&package_dir())?;
    let output = project_root().join(OUTPUT);
    fs::write(&output, text).map_err(|e| format!("writing {}: {e}", output.display()))?;
    println!("wrote {}", output.display());
    Ok(())
}

/// The definitions file's text, from the package in `dir`.
pub fn generate(dir: &Path) -> Result<String> {
    let manifest = read_json(&dir.join("package.json")).map_err(|e| {
        format!("{e}\n(the official FHIR package is installed by `npm install` in interop/, which `cargo xtask test` runs)")
    })?;
    let version = manifest["version"].as_str().unwrap_or_default();
    if version != "4.0.1" {
        return Err(format!(
            "expected hl7.fhir.r4.examples 4.0.1, found {version}"
        ));
    }
    let mut structures = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("StructureDefinition-") && name.ends_with(".json") {
            let definition = read_json(&path)?;
            // Base definitions only (`Resource` and `Element` have no base): profiles
            // (constraints) are not types.
            if definition["derivation"] == "specialization"
                || definition.get("baseDefinition").is_none()
            {
                structures.push(definition);
            }
        }
    }
    structures.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));

    let mut resource_types = Vec::new();
    let mut types: BTreeMap<String, Value> = BTreeMap::new();
    let mut required_value_sets = BTreeSet::new();
    for definition in &structures {
        let name = definition["id"].as_str().unwrap_or_default().to_owned();
        let kind = definition["kind"].as_str().unwrap_or_default();
        if !matches!(kind, "resource" | "complex-type" | "primitive-type") {
            continue;
        }
        let is_abstract = definition["abstract"] == true;
        if kind == "resource" && !is_abstract {
            resource_types.push(name.clone());
        }
        let base = definition["baseDefinition"]
            .as_str()
            .and_then(|url| url.rsplit('/').next())
            .unwrap_or_default();
        let mut described = json!({ "kind": kind });
        if !base.is_empty() {
            described["base"] = json!(base);
        }
        if is_abstract {
            described["abstract"] = json!(true);
        }
        if kind == "primitive-type" {
            if let Some(regex) = primitive_regex(definition) {
                described["regex"] = json!(regex);
            }
            types.insert(name, described);
            continue;
        }
        for (owner, elements) in elements_by_owner(definition, &mut required_value_sets)? {
            if owner == name {
                described["elements"] = Value::Array(elements);
            } else {
                types.insert(owner, json!({ "kind": "backbone", "elements": elements }));
            }
        }
        types.insert(name, described);
    }

    let search_parameters = search_parameters(dir, &types)?;
    let compartment = read_json(&dir.join("CompartmentDefinition-patient.json"))?;
    let mut patient_compartment = BTreeMap::new();
    for resource in compartment["resource"].as_array().into_iter().flatten() {
        let params: Vec<&str> = resource["param"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !params.is_empty() {
            patient_compartment.insert(resource["code"].as_str().unwrap_or_default(), params);
        }
    }

    let value_sets = expand_value_sets(dir, &required_value_sets)?;

    let mut out = String::new();
    out.push_str("{\n\"fhirVersion\": \"4.0.1\",\n");
    out.push_str(
        "\"source\": \"hl7.fhir.r4.examples 4.0.1 (generated by cargo xtask fhir-definitions)\",\n",
    );
    let _ = writeln!(out, "\"resourceTypes\": {},", json!(resource_types));
    out.push_str("\"types\": {\n");
    let lines: Vec<String> = types
        .iter()
        .map(|(name, value)| format!("{}: {value}", json!(name)))
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n},\n\"searchParameters\": [\n");
    let lines: Vec<String> = search_parameters.iter().map(Value::to_string).collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n],\n\"valueSets\": {\n");
    let lines: Vec<String> = value_sets
        .iter()
        .map(|(url, codes)| format!("{}: {}", json!(url), json!(codes)))
        .collect();
    out.push_str(&lines.join(",\n"));
    let _ = write!(
        out,
        "\n}},\n\"patientCompartment\": {}\n}}\n",
        json!(patient_compartment)
    );
    Ok(out)
}

/// A definition's snapshot elements, grouped by the type or backbone element that holds them:
/// `Patient` holds `name`, `Patient.contact` holds `Patient.contact.name`. Each element is
/// `[name, min, max, [type, …]]`, then `{"required": value set, "summary": true}` if it has a
/// required binding or is in the summary (`_summary=true`), where a backbone element's type is its own path (the key of
/// its children) and a `contentReference` is the path it refers to.
fn elements_by_owner(
    definition: &Value,
    required_value_sets: &mut BTreeSet<String>,
) -> Result<BTreeMap<String, Vec<Value>>> {
    let elements = definition["snapshot"]["element"]
        .as_array()
        .ok_or_else(|| format!("{} has no snapshot", definition["id"]))?;
    let paths: BTreeSet<&str> = elements.iter().filter_map(|e| e["path"].as_str()).collect();
    let mut owners: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for element in elements {
        let path = element["path"].as_str().unwrap_or_default();
        let Some((owner, name)) = path.rsplit_once('.') else {
            continue;
        };
        let has_children = paths
            .range(format!("{path}.").as_str()..)
            .next()
            .is_some_and(|p| p.starts_with(&format!("{path}.")));
        let types: Vec<String> = if let Some(reference) = element["contentReference"].as_str() {
            vec![reference.trim_start_matches('#').to_owned()]
        } else if has_children {
            vec![path.to_owned()]
        } else {
            element["type"]
                .as_array()
                .into_iter()
                .flatten()
                .map(type_code)
                .collect()
        };
        let min = element["min"].as_u64().unwrap_or(0);
        let max = element["max"].as_str().unwrap_or("*");
        let mut described = json!([name, min, max, types]);
        let mut flags = serde_json::Map::new();
        let binding = &element["binding"];
        if binding["strength"] == "required"
            && let Some(value_set) = binding["valueSet"].as_str()
        {
            let url = value_set.split('|').next().unwrap_or_default();
            required_value_sets.insert(url.to_owned());
            flags.insert("required".into(), json!(url));
        }
        if element["isSummary"] == true {
            flags.insert("summary".into(), json!(true));
        }
        if !flags.is_empty()
            && let Some(array) = described.as_array_mut()
        {
            array.push(Value::Object(flags));
        }
        owners.entry(owner.to_owned()).or_default().push(described);
    }
    Ok(owners)
}

/// The format a primitive's value must match (the regex extension on its `value` element).
fn primitive_regex(definition: &Value) -> Option<String> {
    let elements = definition["snapshot"]["element"].as_array()?;
    let value = elements
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(".value")))?;
    value["type"]
        .as_array()?
        .iter()
        .flat_map(|t| t["extension"].as_array().into_iter().flatten())
        .find(|e| e["url"] == "http://hl7.org/fhir/StructureDefinition/regex")?["valueString"]
        .as_str()
        .map(str::to_owned)
}

/// The codes of every value set a required binding names, by system, where the package lets
/// them be listed: concepts listed, or whole code systems the package holds completely, or
/// other such value sets. One that filters, excludes, or names a code system the package does
/// not hold (MIME types, currencies, UCUM) is left out, and its codes are not checked.
fn expand_value_sets(
    dir: &Path,
    wanted: &BTreeSet<String>,
) -> Result<BTreeMap<String, BTreeMap<String, BTreeSet<String>>>> {
    let mut value_sets = BTreeMap::new();
    let mut code_systems = BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let into = if name.starts_with("ValueSet-") {
            &mut value_sets
        } else if name.starts_with("CodeSystem-") {
            &mut code_systems
        } else {
            continue;
        };
        let resource = read_json(&path)?;
        if let Some(url) = resource["url"].as_str() {
            into.insert(url.to_owned(), resource);
        }
    }
    let mut expanded = BTreeMap::new();
    for url in wanted {
        if let Some(codes) = expand(url, &value_sets, &code_systems, 0) {
            expanded.insert(url.clone(), codes);
        }
    }
    Ok(expanded)
}

fn expand(
    url: &str,
    value_sets: &BTreeMap<String, Value>,
    code_systems: &BTreeMap<String, Value>,
    depth: usize,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let value_set = value_sets.get(url)?;
    let compose = &value_set["compose"];
    if depth > 8 || compose.get("exclude").is_some() {
        return None;
    }
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for include in compose["include"].as_array()? {
        if include.get("filter").is_some() {
            return None;
        }
        for imported in include["valueSet"].as_array().into_iter().flatten() {
            let imported = imported.as_str()?.split('|').next()?;
            for (system, more) in expand(imported, value_sets, code_systems, depth + 1)? {
                codes.entry(system).or_default().extend(more);
            }
        }
        let Some(system) = include["system"].as_str() else {
            continue;
        };
        let into = codes.entry(system.to_owned()).or_default();
        match include["concept"].as_array() {
            Some(concepts) => into.extend(
                concepts
                    .iter()
                    .filter_map(|c| c["code"].as_str())
                    .map(str::to_owned),
            ),
            None => {
                let code_system = code_systems.get(system)?;
                if code_system["content"] != "complete" {
                    return None;
                }
                all_concepts(code_system, into);
            }
        }
    }
    Some(codes)
}

/// Every code of a code system, nested concepts too.
fn all_concepts(parent: &Value, into: &mut BTreeSet<String>) {
    for concept in parent["concept"].as_array().into_iter().flatten() {
        if let Some(code) = concept["code"].as_str() {
            into.insert(code.to_owned());
        }
        all_concepts(concept, into);
    }
}

/// An element type's code; FHIRPath system types (`id`'s and `extension.url`'s values) by the
/// FHIR type the definition names for them.
fn type_code(t: &Value) -> String {
    let code = t["code"].as_str().unwrap_or_default();
    if code.starts_with("http://hl7.org/fhirpath/System.") {
        let named = t["extension"].as_array().into_iter().flatten().find(|e| {
            e["url"] == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
        });
        if let Some(name) = named.and_then(|e| e["valueUrl"].as_str()) {
            return name.to_owned();
        }
        return "string".to_owned();
    }
    code.to_owned()
}

/// Every search parameter with an expression, once per base type, with the expression cut down
/// to the terms about that base (`clinical-patient` is one definition for 33 types).
fn search_parameters(dir: &Path, types: &BTreeMap<String, Value>) -> Result<Vec<Value>> {
    let bundle = read_json(&dir.join("Bundle-searchParams.json"))?;
    let mut out = Vec::new();
    for entry in bundle["entry"].as_array().into_iter().flatten() {
        let parameter = &entry["resource"];
        let Some(expression) = parameter["expression"].as_str() else {
            continue; // `_text`, `_content`, `_query`: no expression to index by.
        };
        let code = parameter["code"].as_str().unwrap_or_default();
        for base in parameter["base"].as_array().into_iter().flatten() {
            let base = base.as_str().unwrap_or_default();
            let terms: Vec<&str> = split_union(expression)
                .into_iter()
                .filter(|term| root_of(term) == base)
                .collect();
            if terms.is_empty() || !types.contains_key(base) {
                continue;
            }
            let mut described = json!({
                "base": base,
                "code": code,
                "type": parameter["type"],
                "url": parameter["url"],
                "expression": terms.join(" | "),
            });
            if let Some(targets) = parameter["target"].as_array() {
                described["target"] = json!(targets);
            }
            if let Some(components) = parameter["component"].as_array() {
                let components: Vec<Value> = components
                    .iter()
                    .map(|c| json!([c["definition"], c["expression"]]))
                    .collect();
                described["component"] = json!(components);
            }
            if let Some(modifiers) = parameter["modifier"].as_array() {
                described["modifier"] = json!(modifiers);
            }
            if let Some(comparators) = parameter["comparator"].as_array() {
                described["comparator"] = json!(comparators);
            }
            out.push(described);
        }
    }
    out.sort_by(|a, b| {
        (a["base"].as_str(), a["code"].as_str()).cmp(&(b["base"].as_str(), b["code"].as_str()))
    });
    Ok(out)
}

/// The terms of a FHIRPath union, split at ` | ` outside parentheses.
fn split_union(expression: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0_i32, 0);
    let bytes = expression.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'|' if depth == 0 => {
                terms.push(expression[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(expression[start..].trim());
    terms
}

/// The type a term starts from: `Observation` in `(Observation.value as Quantity)`.
fn root_of(term: &str) -> &str {
    let term = term.trim_start_matches('(');
    let end = term
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(term.len());
    &term[..end]
}

fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_definitions_are_generated_from_the_official_package() {
        let generated = generate(&package_dir()).unwrap_or_else(|e| panic!("{e}"));
        let committed = fs::read_to_string(project_root().join(OUTPUT)).unwrap_or_default();
        assert!(
            generated == committed,
            "{OUTPUT} is not what the official package gives: run `cargo xtask fhir-definitions`"
        );
    }

    #[test]
    fn unions_split_outside_parentheses_only() {
        assert_eq!(
            split_union("A.b | (C.d as X) | E.f.where(resolve() is G)"),
            ["A.b", "(C.d as X)", "E.f.where(resolve() is G)"]
        );
        assert_eq!(root_of("(Observation.value as Quantity)"), "Observation");
    }
}
