//! The search parameters each resource type supports: the specification's own, read from the R4
//! definitions (`crate::definitions`), each with its parsed FHIRPath expression.
//!
//! A parameter is offered when its type is one this server searches by (string, token,
//! reference, date, uri, number, quantity, and composites of a token with a token, quantity,
//! date or string, a position for `near`, a name's sound for `phonetic`) and its expression is
//! within the subset `expression` evaluates. What is offered is exactly what the
//! CapabilityStatement lists. AuditEvent's too, though the audit ledger keeps them
//! (`store::ledger` indexes a few and filters by the rest).

use std::{collections::HashMap, sync::OnceLock};

use super::expression::Expression;
use crate::{
    ResourceType,
    definitions::{SearchParamSource, r4},
};

/// Bump whenever the definitions change, or what `index_entries` derives from them: the store
/// rebuilds its index when it sees a new one (unless a migration brought it up to date: 3 added
/// the patients' name pairs, which migrations derive from the family and given rows; 4 took
/// every parameter from the specification, for every type; 5 added numbers and quantities; 6
/// identifiers by type; 7 composites; 8 Location positions for `near`, and `phonetic`; 9 a
/// Bundle's first resource, for `composition` and `message`).
pub const INDEX_VERSION: i64 = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    String,
    Token,
    Reference,
    Date,
    Uri,
    Number,
    Quantity,
    /// A code and a value found together in one element (see [`ParamDef::components`]).
    Composite,
    /// R4's one special parameter with an expression: Location's `near`, a position on the
    /// Earth (`latitude|longitude|distance|units`).
    Special,
}

impl ParamKind {
    /// The specification's name for the kind (a SearchParameter's `type`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::String => "string",
            ParamKind::Token => "token",
            ParamKind::Reference => "reference",
            ParamKind::Date => "date",
            ParamKind::Uri => "uri",
            ParamKind::Number => "number",
            ParamKind::Quantity => "quantity",
            ParamKind::Composite => "composite",
            ParamKind::Special => "special",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "string" => ParamKind::String,
            "token" => ParamKind::Token,
            "reference" => ParamKind::Reference,
            "date" => ParamKind::Date,
            "uri" => ParamKind::Uri,
            "number" => ParamKind::Number,
            "quantity" => ParamKind::Quantity,
            "composite" => ParamKind::Composite,
            "special" => ParamKind::Special,
            _ => return None,
        })
    }
}

/// One search parameter of one type.
#[derive(Debug)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamKind,
    /// The canonical URL of the specification's SearchParameter.
    pub definition: &'static str,
    pub expression: Expression,
    /// What a reference parameter may point to: the type its expression keeps (`resolve() is
    /// Patient`), or else every target the definition allows.
    pub targets: Vec<&'static str>,
    /// Date parameters only: every element read is a FHIR `instant`, which always gives the
    /// second, so every well-formed value indexes as a range of one second, not up to a day as
    /// a date's does. A search can then expect matching values to start at most a second before
    /// the time it asks about, instead of a day (see `widest_unrecorded`).
    pub instants: bool,
    /// Composites only: the token first (the code), then the value found beside it, each read
    /// from what the parameter's own expression finds (an Observation, each of its components).
    pub components: Vec<Component>,
    /// A reference parameter whose expression finds a resource held inside this one, not a
    /// reference to one: a Bundle's `composition` and `message`, its first resource. The
    /// resource is indexed as `Type/id`, and by its own parameters under chained names
    /// ([`embedded_name`]), so that `Bundle?composition.subject=…` searches documents by what
    /// their Composition says, as the definitions intend ("this parameter provides access to
    /// search its contents").
    pub embeds: bool,
}

/// One part of a composite parameter.
#[derive(Debug)]
pub struct Component {
    pub kind: ParamKind,
    pub expression: Expression,
}

impl ParamDef {
    /// The widest range a value of this parameter indexes as without the store having to note
    /// it: a second for instants, a day (a date) otherwise. Wider
    /// ones (a month, a year, a period; any value not of the element's type) are recorded as
    /// they are written, so that date searches still find them.
    pub fn widest_unrecorded(&self) -> i64 {
        if self.instants { 1 } else { 86_400 }
    }
}

/// Names the server answers apart.
const NOT_FROM_DEFINITIONS: &[&str] = &["_id", "_lastUpdated"];

/// The type's own search parameters, sorted by name (the common `_id` and `_lastUpdated` are
/// handled apart).
pub fn params_of(resource_type: ResourceType) -> &'static [ParamDef] {
    static PARAMS: OnceLock<HashMap<ResourceType, Vec<ParamDef>>> = OnceLock::new();
    PARAMS
        .get_or_init(build_params)
        .get(&resource_type)
        .map_or(&[], Vec::as_slice)
}

fn build_params() -> HashMap<ResourceType, Vec<ParamDef>> {
    let r4 = r4();
    let mut by_type: HashMap<ResourceType, Vec<ParamDef>> = HashMap::new();
    for source in &r4.search_parameters {
        let Some(kind) = ParamKind::parse(&source.kind) else {
            continue;
        };
        if NOT_FROM_DEFINITIONS.contains(&source.code.as_str()) {
            continue;
        }
        let Ok(expression) = Expression::parse(&source.expression) else {
            continue;
        };
        let bases: Vec<ResourceType> = match source.base.as_str() {
            "Resource" | "DomainResource" => ResourceType::ALL.to_vec(),
            base => base.parse().into_iter().collect(),
        };
        for base in bases {
            let root = base.as_str();
            // Every element the expression names must exist in this type's definition.
            let Some(found_types) = expression.result_types(root) else {
                continue;
            };
            let components = match kind {
                ParamKind::Composite => match components(source, &found_types) {
                    Some(components) => components,
                    None => continue,
                },
                _ => Vec::new(),
            };
            let targets = match expression.resolved_target() {
                Some(target) => r4.type_key(target).into_iter().collect(),
                None => source.targets.iter().map(String::as_str).collect(),
            };
            by_type.entry(base).or_default().push(ParamDef {
                name: source.code.as_str(),
                kind,
                definition: source.url.as_str(),
                expression: expression.clone(),
                targets,
                instants: kind == ParamKind::Date
                    && !found_types.is_empty()
                    && found_types.iter().all(|t| *t == "instant"),
                components,
                embeds: kind == ParamKind::Reference && found_types == ["Resource"],
            });
        }
    }
    for params in by_type.values_mut() {
        params.sort_by_key(|p| p.name);
    }
    by_type
}

/// A composite's two components, when this server can search them: a token, then a token, a
/// quantity, a date or a string, each an expression that holds in every type `found` (what the
/// composite's own expression finds). Of R4's 72 composites that leaves out the coordinates of
/// a MolecularSequence (three parts, one read from the resource's root) and a
/// DocumentReference's `relationship`, whose published components do not match its elements.
fn components(source: &SearchParamSource, found: &[&'static str]) -> Option<Vec<Component>> {
    let [first, second] = source.components.as_slice() else {
        return None;
    };
    let component = |(definition, expression): &(String, String)| {
        let kind = r4()
            .search_parameters
            .iter()
            .find(|p| &p.url == definition)
            .and_then(|p| ParamKind::parse(&p.kind))?;
        let expression = Expression::parse_relative(expression).ok()?;
        let known = !found.is_empty()
            && found
                .iter()
                .all(|t| expression.result_types(t).is_some_and(|r| !r.is_empty()));
        known.then_some(Component { kind, expression })
    };
    let (first, second) = (component(first)?, component(second)?);
    let second_searchable = matches!(
        second.kind,
        ParamKind::Token | ParamKind::Quantity | ParamKind::Date | ParamKind::String
    );
    (first.kind == ParamKind::Token && second_searchable).then(|| vec![first, second])
}

/// The name the index rows of an embedded resource's parameter `param` carry in the resource that
/// holds it through `embedding` (a Bundle's first resource's `subject`: `composition.subject`).
pub fn embedded_name(embedding: &str, param: &str) -> Option<&'static str> {
    static NAMES: OnceLock<HashMap<(&'static str, &'static str), &'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        for resource_type in ResourceType::ALL {
            for def in params_of(*resource_type).iter().filter(|def| def.embeds) {
                let targets = def.targets.iter().filter_map(|t| t.parse().ok());
                for target in targets {
                    for inner in params_of(target) {
                        // Built once for a fixed set of names (some hundred), so leaking is
                        // what a `static` table of them would be.
                        let name: &'static str =
                            Box::leak(format!("{}.{}", def.name, inner.name).into_boxed_str());
                        names.insert((def.name, inner.name), name);
                    }
                }
            }
        }
        names
    });
    names.get(&(embedding, param)).copied()
}

/// A reference parameter of a type, for `_include`, `_revinclude` and `_has`: one that refers
/// to a resource stored apart (not a Bundle's first resource, held in the Bundle itself, whose
/// id need not be that of any resource stored here).
pub fn reference_param(resource_type: ResourceType, name: &str) -> Option<&'static ParamDef> {
    params_of(resource_type)
        .iter()
        .find(|p| p.name == name && p.kind == ParamKind::Reference && !p.embeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(resource_type: ResourceType) -> Vec<&'static str> {
        params_of(resource_type).iter().map(|p| p.name).collect()
    }

    #[test]
    fn every_type_has_the_specifications_parameters() {
        let patient = names(ResourceType::Patient);
        for name in [
            "identifier",
            "family",
            "given",
            "name",
            "birthdate",
            "gender",
            "address-postalcode",
            "general-practitioner",
            "telecom",
            "email",
            "deceased",
            "_tag",
            "_profile",
            "phonetic",
        ] {
            assert!(patient.contains(&name), "Patient {name}: {patient:?}");
        }
        let procedure = names(ResourceType::Procedure);
        for name in ["patient", "subject", "code", "date", "status", "performer"] {
            assert!(procedure.contains(&name), "Procedure {name}: {procedure:?}");
        }
        let kind = |t: ResourceType, name: &str| {
            params_of(t).iter().find(|p| p.name == name).map(|p| p.kind)
        };
        assert_eq!(
            kind(ResourceType::Observation, "value-quantity"),
            Some(ParamKind::Quantity)
        );
        assert_eq!(
            kind(ResourceType::Condition, "onset-age"),
            Some(ParamKind::Quantity)
        );
        assert_eq!(
            kind(ResourceType::RiskAssessment, "probability"),
            Some(ParamKind::Number)
        );
        for t in ResourceType::ALL {
            assert!(!params_of(*t).is_empty(), "{t} has no search parameters");
        }
        // Kept in the audit ledger, and searched by every one of its parameters all the same.
        assert_eq!(names(ResourceType::AuditEvent).len(), 22);
    }

    #[test]
    fn reference_targets_follow_the_expression_and_instants_the_element_types() {
        let patient = reference_param(ResourceType::Observation, "patient").expect("patient");
        assert_eq!(patient.targets, ["Patient"]);
        let subject = reference_param(ResourceType::Observation, "subject").expect("subject");
        assert!(subject.targets.contains(&"Group") && subject.targets.contains(&"Patient"));
        let start = params_of(ResourceType::Slot)
            .iter()
            .find(|p| p.name == "start")
            .expect("Slot start");
        assert!(start.instants);
        let date = params_of(ResourceType::Observation)
            .iter()
            .find(|p| p.name == "date")
            .expect("Observation date");
        assert!(!date.instants);
    }
}
