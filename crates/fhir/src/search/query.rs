//! What a search URL asks for, parsed once: conditions, paging, sorting, includes.

pub use super::comparator::Comparator;
use super::{
    amount::{Amount, parse_amount, parse_quantity},
    comparator::prefixed,
    index::{date_range, normalise},
    params::{ParamDef, ParamKind, embedded_name, params_of, reference_param},
    phonetic::{PHONETIC, soundex},
};
use crate::{ResourceType, operation_outcome::Issue, relative_reference, subset::Subset};

pub const DEFAULT_COUNT: i64 = 20;
pub const MAX_COUNT: i64 = 1000;

/// One way a value can match.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Strings start with this (normalised) text: the default string search.
    StartsWith(String),
    Exact(String),
    /// Normalised text anywhere in the string.
    Contains(String),
    /// `system|code`: `system` None matches any system, `Some(None)` only values without one;
    /// `code` None (`system|`) any code in the system.
    Token {
        system: Option<Option<String>>,
        code: Option<String>,
    },
    /// `:of-type`: an identifier of the type `system|code` with the value, as `system|code|value`.
    OfType(String),
    /// A composite (`code$value`): a row whose code (`pair_system`, `pair_code`) is the token's
    /// and whose value meets `value`.
    Composite {
        system: Option<Option<String>>,
        code: String,
        value: Box<Test>,
    },
    /// `Type/id`.
    Reference(String),
    /// `near`: a position within `km` kilometres of the point (degrees, WGS84).
    Near {
        latitude: f64,
        longitude: f64,
        km: f64,
    },
    /// A date comparison against the `[low, high)` range of the search value.
    Date(Comparator, i64, i64),
    /// A number parameter's comparison (see `amount`).
    Number(Amount),
    /// A quantity's amount, and its unit when given: the unit's `system` and `code`, or without
    /// a system, a `code` that is the unit's code or the unit as written.
    Quantity {
        amount: Amount,
        system: Option<String>,
        code: Option<String>,
    },
    Id(String),
    /// `:missing=true` (no value for the parameter at all) or `:missing=false` (some value).
    Missing(bool),
    /// `:not`: no value of the parameter matches any of these tokens (a resource with no value
    /// at all matches too, as the specification says).
    Not(Vec<Test>),
    /// A chain (`subject:Patient.identifier=…`): the reference points to a resource of `target`
    /// that meets `condition`.
    Chained {
        target: ResourceType,
        condition: Box<Condition>,
    },
    /// A reverse chain (`_has:Observation:patient:code=…`): some resource of `source` whose
    /// `reference` parameter points here meets `condition`.
    Has {
        source: ResourceType,
        reference: &'static str,
        condition: Box<Condition>,
    },
}

/// One search parameter: matches when any of its tests does (comma means OR). Several conditions
/// must all match (a repeated parameter means AND).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The parameter's name, or `_id` / `_lastUpdated`.
    pub param: &'static str,
    pub any_of: Vec<Test>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub param: &'static str,
    pub kind: ParamKind,
    pub descending: bool,
}

/// `_include=Slot:schedule` (source is the searched type) or `_revinclude=Appointment:patient`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    pub source: ResourceType,
    pub param: &'static str,
}

/// Whether a search counts its matches (`_total`). Counting is a second pass over every match,
/// which a client that only wants the first page (or the next) can spare: a receptionist's
/// search by the first letters of a common name matches thousands of records at a million.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// `_total=accurate` (the default), or `estimate`: an accurate count is a fine estimate.
    Accurate,
    /// `_total=none`: the Bundle has no `total`, and whether a next page follows is found by
    /// reading one match more.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub conditions: Vec<Condition>,
    pub count: i64,
    pub offset: i64,
    pub sort: Vec<Sort>,
    pub summary_count: bool,
    /// `_summary=true|text|data` or `_elements`: the part of each match to return.
    pub subset: Option<Subset>,
    pub total: Total,
    pub includes: Vec<Include>,
    /// `_include:iterate`: followed from the matches and from whatever is included, again and
    /// again (to a bounded depth), so `Appointment?_include=Appointment:slot&_include:iterate=
    /// Slot:schedule` brings each slot's schedule too.
    pub iterated: Vec<Include>,
    pub revincludes: Vec<Include>,
    /// `_revinclude:iterate`: what refers to the matches and to whatever is included, followed
    /// as `iterated` is (`Patient?_revinclude:iterate=Encounter:subject&_revinclude:iterate=
    /// Observation:encounter` brings each encounter's observations too).
    pub rev_iterated: Vec<Include>,
}

impl Condition {
    /// The people (or grants) identified by `nhs_number`: `identifier=<NHS number system>|<digits>`,
    /// built in code rather than parsed.
    pub fn nhs_number(nhs_number: &domain::NhsNumber) -> Self {
        Self {
            param: "identifier",
            any_of: vec![Test::Token {
                system: Some(Some(crate::NHS_NUMBER_SYSTEM.to_owned())),
                code: Some(nhs_number.digits()),
            }],
        }
    }
}

impl SearchQuery {
    /// Every resource of the type, `count` to a page, in id order: the start of a search that
    /// code builds itself rather than parses.
    pub fn all(count: i64) -> Self {
        Self {
            conditions: Vec::new(),
            count,
            offset: 0,
            sort: Vec::new(),
            summary_count: false,
            subset: None,
            total: Total::Accurate,
            includes: Vec::new(),
            iterated: Vec::new(),
            revincludes: Vec::new(),
            rev_iterated: Vec::new(),
        }
    }
}

/// Parses the query of `GET [base]/[type]?…`. Unknown parameters are refused, not ignored, so a
/// client never mistakes an unfiltered result for a filtered one.
pub fn parse_query(
    resource_type: ResourceType,
    pairs: &[(String, String)],
) -> Result<SearchQuery, Vec<Issue>> {
    let mut query = SearchQuery::all(DEFAULT_COUNT);
    let mut issues = Vec::new();
    for (key, value) in pairs {
        let (name, modifier) = match key.split_once(':') {
            Some((name, modifier)) => (name, Some(modifier)),
            None => (key.as_str(), None),
        };
        let result = match name {
            "_format" | "_pretty" => Ok(()),
            "_count" => parse_number(value, 0, MAX_COUNT).map(|n| query.count = n),
            "_offset" => parse_number(value, 0, i64::MAX).map(|n| query.offset = n),
            "_summary" if value == "count" => {
                query.summary_count = true;
                Ok(())
            }
            "_summary" => Subset::summary(value).map(|subset| query.subset = subset),
            "_elements" => Subset::elements(resource_type.as_str(), value)
                .map(|subset| query.subset = Some(subset)),
            "_total" => parse_total(value).map(|total| query.total = total),
            "_sort" => parse_sort(resource_type, value).map(|sort| query.sort = sort),
            "_include" => match modifier {
                None => parse_include(value, Some(resource_type)).map(|i| query.includes.push(i)),
                Some("iterate") => parse_include(value, None).map(|i| query.iterated.push(i)),
                Some(other) => Err(format!("_include:{other} is not supported")),
            },
            "_revinclude" => match modifier {
                None => parse_include(value, None).map(|i| query.revincludes.push(i)),
                Some("iterate") => parse_include(value, None).map(|i| query.rev_iterated.push(i)),
                Some(other) => Err(format!("_revinclude:{other} is not supported")),
            },
            "_id" => {
                let any_of = value.split(',').map(|id| Test::Id(id.to_owned())).collect();
                query.conditions.push(Condition {
                    param: "_id",
                    any_of,
                });
                Ok(())
            }
            "_has" => has(resource_type, key, value).map(|c| query.conditions.push(c)),
            "_lastUpdated" => parse_dates(value).map(|any_of| {
                query.conditions.push(Condition {
                    param: "_lastUpdated",
                    any_of,
                });
            }),
            _ if name.contains('.') || modifier.is_some_and(|m| m.contains('.')) => {
                chain(resource_type, key, value).map(|c| query.conditions.push(c))
            }
            _ => match params_of(resource_type).iter().find(|p| p.name == name) {
                Some(def) => {
                    parse_condition(def, modifier, value).map(|c| query.conditions.push(c))
                }
                None if name.is_empty() => Err("a search parameter has no name".to_owned()),
                None => Err(format!(
                    "{name} is not a search parameter of {resource_type} on this server"
                )),
            },
        };
        if let Err(diagnostics) = result {
            issues.push(Issue::new("not-supported", diagnostics).at(key.clone()));
        }
    }
    let keys = |name: &str| pairs.iter().any(|(k, _)| k == name);
    if keys("_elements") && pairs.iter().any(|(k, v)| k == "_summary" && v != "false") {
        issues.push(
            Issue::new("not-supported", "use _summary or _elements, not both").at("_elements"),
        );
    }
    if issues.is_empty() {
        Ok(query)
    } else {
        Err(issues)
    }
}

/// A chained parameter (`subject:Patient.identifier`, `patient.name`, or longer chains) as a
/// condition on the reference parameter it starts with. Without a type, the chain follows every
/// type the reference may point to that has the next parameter.
fn chain(resource_type: ResourceType, key: &str, value: &str) -> Result<Condition, String> {
    let (head, rest) = key
        .split_once('.')
        .ok_or_else(|| format!("{key} is not a chain"))?;
    let (name, target) = match head.split_once(':') {
        Some((name, target)) => (name, Some(target)),
        None => (head, None),
    };
    let def = params_of(resource_type)
        .iter()
        .find(|p| p.name == name && p.kind == ParamKind::Reference)
        .ok_or_else(|| format!("{name} is not a reference parameter of {resource_type}"))?;
    let targets: Vec<ResourceType> = match target {
        Some(target) => {
            let target: ResourceType = target
                .parse()
                .map_err(|_| format!("{target} is not a resource type"))?;
            if !def.targets.is_empty() && !def.targets.contains(&target.as_str()) {
                return Err(format!("{name} never points to a {target}"));
            }
            vec![target]
        }
        None => def.targets.iter().filter_map(|t| t.parse().ok()).collect(),
    };
    let next = rest.split(['.', ':']).next().unwrap_or(rest);
    // The rest of the chain, asked of a target.
    let condition_on = |target: ResourceType| -> Result<Condition, String> {
        if rest.contains('.') {
            return chain(target, rest, value);
        }
        let mut parsed =
            parse_query(target, &[(rest.to_owned(), value.to_owned())]).map_err(|issues| {
                issues
                    .into_iter()
                    .map(|i| i.diagnostics)
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        match parsed.conditions.pop() {
            Some(condition) if chainable(&condition) => Ok(condition),
            _ => Err(format!("{rest} cannot end a chain")),
        }
    };
    // A Bundle's first resource is indexed with the Bundle: the rest of the chain is a condition
    // on those rows, under their chained names.
    if def.embeds {
        for target in targets {
            if params_of(target).iter().any(|p| p.name == next) {
                let condition = condition_on(target)?;
                let param = embedded_name(def.name, condition.param)
                    .ok_or_else(|| format!("{key} is not a search parameter of {resource_type}"))?;
                return Ok(Condition {
                    param,
                    any_of: condition.any_of,
                });
            }
        }
        return Err(format!(
            "{name} holds no resource with a search parameter {next}"
        ));
    }
    let mut any_of = Vec::new();
    for target in targets {
        let knows_next = next == "_id" || params_of(target).iter().any(|p| p.name == next);
        if !knows_next {
            continue;
        }
        let condition = condition_on(target)?;
        any_of.push(Test::Chained {
            target,
            condition: Box::new(condition),
        });
    }
    if any_of.is_empty() {
        return Err(format!(
            "no type {name} points to has a search parameter {next}"
        ));
    }
    Ok(Condition {
        param: def.name,
        any_of,
    })
}

/// `_has:Source:reference:param[:modifier]=value`: resources that some `Source` points to through
/// its `reference` parameter, where that `Source` meets `param=value` (one level).
fn has(resource_type: ResourceType, key: &str, value: &str) -> Result<Condition, String> {
    let mut parts = key.splitn(4, ':').skip(1);
    let (Some(source), Some(reference), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("_has takes the form _has:Type:reference:parameter=value".to_owned());
    };
    let source: ResourceType = source
        .parse()
        .map_err(|_| format!("{source} is not a resource type"))?;
    if source == ResourceType::AuditEvent {
        return Err("_has cannot look into the audit trail".to_owned());
    }
    let def = reference_param(source, reference)
        .ok_or_else(|| format!("{reference} is not a reference parameter of {source}"))?;
    if !def.targets.is_empty() && !def.targets.contains(&resource_type.as_str()) {
        return Err(format!(
            "{source}.{reference} never points to a {resource_type}"
        ));
    }
    let mut parsed =
        parse_query(source, &[(rest.to_owned(), value.to_owned())]).map_err(|issues| {
            issues
                .into_iter()
                .map(|i| i.diagnostics)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    match parsed.conditions.pop() {
        Some(condition) if chainable(&condition) => Ok(Condition {
            param: "_has",
            any_of: vec![Test::Has {
                source,
                reference: def.name,
                condition: Box::new(condition),
            }],
        }),
        _ => Err(format!("{rest} cannot end a _has")),
    }
}

impl SearchQuery {
    /// Every type whose resources the search consults besides its own: the targets of chains and
    /// the sources of `_has`, however deep. A client must be allowed to search each of them,
    /// or the search would tell it what they hold.
    pub fn types_consulted(&self) -> Vec<ResourceType> {
        fn walk(test: &Test, into: &mut Vec<ResourceType>) {
            let (kind, condition) = match test {
                Test::Chained { target, condition } => (*target, condition),
                Test::Has {
                    source, condition, ..
                } => (*source, condition),
                _ => return,
            };
            if !into.contains(&kind) {
                into.push(kind);
            }
            condition.any_of.iter().for_each(|t| walk(t, into));
        }
        let mut types = Vec::new();
        for condition in &self.conditions {
            condition.any_of.iter().for_each(|t| walk(t, &mut types));
        }
        types
    }
}

/// Whether a condition can be asked of the index rows of a chain's target: values, not the
/// questions answered from the resources themselves.
fn chainable(condition: &Condition) -> bool {
    !matches!(condition.param, "_id" | "_lastUpdated" | "_has")
        && condition
            .any_of
            .iter()
            .all(|t| !matches!(t, Test::Missing(_) | Test::Not(_)))
}

/// `Prefer: handling=lenient`: the pairs of `pairs` this server can apply, and a warning for each
/// it leaves out (a parameter it does not know, a modifier it does not support). A malformed value
/// of a known parameter is still refused by [`parse_query`]: leniency is about what the server
/// knows, not about a date with a typo in it.
pub fn supported_pairs(
    resource_type: ResourceType,
    pairs: &[(String, String)],
) -> (Vec<(String, String)>, Vec<Issue>) {
    let mut ignored = Vec::new();
    let supported = pairs
        .iter()
        .filter(|(key, _)| {
            let (name, modifier) = match key.split_once(':') {
                Some((name, modifier)) => (name, Some(modifier)),
                None => (key.as_str(), None),
            };
            // A chain's every link is checked when it is parsed.
            let supported = key.contains('.')
                || name.starts_with('_') && CONTROL_PARAMETERS.contains(&name)
                || params_of(resource_type)
                    .iter()
                    .find(|p| p.name == name)
                    .is_some_and(|def| modifier.is_none_or(|m| supports_modifier(def.kind, m)));
            if !supported {
                ignored.push(
                    Issue::new(
                        "not-supported",
                        format!(
                            "{key} is not supported on {resource_type} here, so it was ignored"
                        ),
                    )
                    .at(key.clone()),
                );
            }
            supported
        })
        .cloned()
        .collect();
    (supported, ignored)
}

/// The parameters every search takes, whatever its type.
const CONTROL_PARAMETERS: &[&str] = &[
    "_format",
    "_pretty",
    "_count",
    "_offset",
    "_summary",
    "_elements",
    "_total",
    "_sort",
    "_include",
    "_revinclude",
    "_id",
    "_lastUpdated",
    "_has",
];

/// The modifiers a parameter of `kind` takes here.
fn supports_modifier(kind: ParamKind, modifier: &str) -> bool {
    match kind {
        ParamKind::String => matches!(modifier, "missing" | "exact" | "contains"),
        ParamKind::Token => matches!(modifier, "missing" | "not" | "of-type"),
        ParamKind::Uri => matches!(modifier, "missing" | "below" | "above"),
        ParamKind::Reference => modifier == "missing" || modifier.parse::<ResourceType>().is_ok(),
        _ => modifier == "missing",
    }
}

fn parse_total(value: &str) -> Result<Total, String> {
    match value {
        "none" => Ok(Total::None),
        "accurate" | "estimate" => Ok(Total::Accurate),
        _ => Err("expected none, estimate or accurate".to_owned()),
    }
}

fn parse_number(value: &str, min: i64, max: i64) -> Result<i64, String> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("expected a whole number from {min} to {max}"))
}

fn parse_condition(
    def: &'static ParamDef,
    modifier: Option<&str>,
    value: &str,
) -> Result<Condition, String> {
    let values = value.split(',');
    let any_of = match (def.kind, modifier) {
        // One name, matched by its sound.
        (ParamKind::String, None) if def.name == PHONETIC => values
            .map(|v| {
                soundex(v)
                    .map(|code| Test::Token {
                        system: None,
                        code: Some(code),
                    })
                    .ok_or_else(|| format!("phonetic takes a name (letters A to Z), not {v}"))
            })
            .collect::<Result<_, _>>()?,
        (ParamKind::String, Some(modifier)) if def.name == PHONETIC && modifier != "missing" => {
            return Err(format!("phonetic takes no :{modifier} modifier"));
        }
        (ParamKind::String, None) => values.map(|v| Test::StartsWith(normalise(v))).collect(),
        (ParamKind::String, Some("exact")) => values.map(|v| Test::Exact(v.to_owned())).collect(),
        (ParamKind::String, Some("contains")) => {
            values.map(|v| Test::Contains(normalise(v))).collect()
        }
        (ParamKind::Token, None) => values.map(token).collect(),
        (ParamKind::Token, Some("not")) => vec![Test::Not(values.map(token).collect())],
        // `identifier:of-type=system|code|value`: all three, as the specification has it.
        (ParamKind::Token, Some("of-type")) => values
            .map(|v| match v.splitn(3, '|').collect::<Vec<_>>()[..] {
                [system, code, value]
                    if !system.is_empty() && !code.is_empty() && !value.is_empty() =>
                {
                    Ok(Test::OfType(v.to_owned()))
                }
                _ => Err(format!(
                    "{}:of-type takes the identifier type's system|code|value",
                    def.name
                )),
            })
            .collect::<Result<_, _>>()?,
        (ParamKind::Reference, None) => values
            .map(|v| references(def, v))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
        (ParamKind::Date, None) => parse_dates(value)?,
        (ParamKind::Number, None) => values
            .map(|v| parse_amount(v).map(Test::Number))
            .collect::<Result<_, _>>()?,
        (ParamKind::Quantity, None) => values
            .map(|v| {
                parse_quantity(v).map(|(amount, system, code)| Test::Quantity {
                    amount,
                    system,
                    code,
                })
            })
            .collect::<Result<_, _>>()?,
        // `subject:Patient=123`: the bare id in the one type named.
        (ParamKind::Reference, Some(target)) if target.parse::<ResourceType>().is_ok() => {
            if !def.targets.is_empty() && !def.targets.contains(&target) {
                return Err(format!("{} never points to a {target}", def.name));
            }
            values
                .map(|v| {
                    if v.contains('/') {
                        Test::Reference(relative_reference(v))
                    } else {
                        Test::Reference(format!("{target}/{v}"))
                    }
                })
                .collect()
        }
        (ParamKind::Composite, None) => values
            .map(|v| composite(def, v))
            .collect::<Result<_, _>>()?,
        (ParamKind::Special, None) => values.map(near).collect::<Result<_, _>>()?,
        // A URI matches exactly, whatever system: it has none.
        (ParamKind::Uri, None) => values.map(uri).collect(),
        // Below: URIs that start with the value. Above: the value's own ancestors, cut at each
        // `/` (a ValueSet's canonical URL finds it from one of its versions' URLs).
        (ParamKind::Uri, Some("below")) => values.map(|v| Test::StartsWith(v.to_owned())).collect(),
        (ParamKind::Uri, Some("above")) => values.flat_map(ancestors).map(uri).collect(),
        (_, Some("missing")) => match value {
            "true" => vec![Test::Missing(true)],
            "false" => vec![Test::Missing(false)],
            _ => return Err(format!("{}:missing takes true or false", def.name)),
        },
        (_, Some(modifier)) => {
            return Err(format!(
                "the :{modifier} modifier is not supported on {}",
                def.name
            ));
        }
    };
    Ok(Condition {
        param: def.name,
        any_of,
    })
}

fn uri(value: &str) -> Test {
    Test::Token {
        system: None,
        code: Some(value.to_owned()),
    }
}

/// `value` and every part of it that ends before a `/` past the scheme's `//`.
fn ancestors(value: &str) -> Vec<&str> {
    let after_scheme = value.find("//").map_or(0, |at| at + 2);
    let mut found: Vec<&str> = value[after_scheme..]
        .match_indices('/')
        .map(|(at, _)| &value[..after_scheme + at])
        .filter(|prefix| prefix.len() > after_scheme)
        .collect();
    found.push(value.trim_end_matches('/'));
    found.push(value);
    found.dedup();
    found
}

/// `code$value`: the code as a token, the value as the second component's kind reads it.
fn composite(def: &ParamDef, value: &str) -> Result<Test, String> {
    let malformed = || format!("{} takes a code and a value joined by $", def.name);
    let (code, second) = value.split_once('$').ok_or_else(malformed)?;
    let Test::Token {
        system,
        code: Some(code),
    } = token(code)
    else {
        return Err(malformed());
    };
    let kind = def.components.get(1).map(|c| c.kind);
    let value = match kind {
        Some(ParamKind::Token) => token(second),
        Some(ParamKind::String) => Test::StartsWith(normalise(second)),
        Some(ParamKind::Quantity) => {
            let (amount, system, code) = parse_quantity(second)?;
            Test::Quantity {
                amount,
                system,
                code,
            }
        }
        Some(ParamKind::Date) => {
            let (comparator, date) = prefixed(second);
            let (low, high) =
                date_range(date).ok_or_else(|| format!("{date} is not a FHIR date"))?;
            Test::Date(comparator, low, high)
        }
        _ => return Err(malformed()),
    };
    Ok(Test::Composite {
        system,
        code,
        value: Box::new(value),
    })
}

fn token(value: &str) -> Test {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    match value.split_once('|') {
        None => Test::Token {
            system: None,
            code: Some(value.to_owned()),
        },
        Some((system, code)) => Test::Token {
            system: Some(non_empty(system)),
            code: non_empty(code),
        },
    }
}

/// `Type/id` (or an absolute URL ending so) as it is; a bare id is a reference to that id in
/// any type the parameter may point to.
fn references(def: &ParamDef, value: &str) -> Result<Vec<Test>, String> {
    if value.contains('/') {
        return Ok(vec![Test::Reference(relative_reference(value))]);
    }
    if def.targets.is_empty() {
        return Err(format!(
            "{} needs a typed reference such as Patient/123",
            def.name
        ));
    }
    Ok(def
        .targets
        .iter()
        .map(|target| Test::Reference(format!("{target}/{value}")))
        .collect())
}

fn parse_dates(value: &str) -> Result<Vec<Test>, String> {
    value
        .split(',')
        .map(|v| {
            let (comparator, date) = prefixed(v);
            let (low, high) =
                date_range(date).ok_or_else(|| format!("{date} is not a FHIR date"))?;
            Ok(Test::Date(comparator, low, high))
        })
        .collect()
}

/// How far `near` reaches when the search gives no distance (the specification leaves it to the
/// server): a town and its surroundings.
const NEAR_DEFAULT_KM: f64 = 5.0;

/// `near=latitude|longitude|distance|units`: degrees (WGS84), then a distance in UCUM units,
/// `km` when none is given (as the specification says), `m` or `[mi_i]`.
fn near(value: &str) -> Result<Test, String> {
    const USAGE: &str = "near takes latitude|longitude|distance|units, e.g. 53.8|-1.55|10|km";
    let parts: Vec<&str> = value.split('|').collect();
    let (latitude, longitude, distance, units) = match parts[..] {
        [latitude, longitude] => (latitude, longitude, "", ""),
        [latitude, longitude, distance] => (latitude, longitude, distance, ""),
        [latitude, longitude, distance, units] => (latitude, longitude, distance, units),
        _ => return Err(USAGE.to_owned()),
    };
    let degrees = |text: &str, limit: f64, what: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|d| (-limit..=limit).contains(d))
            .ok_or_else(|| format!("{what} must be a number of degrees from -{limit} to {limit}"))
    };
    let latitude = degrees(latitude, 90.0, "near's latitude")?;
    let longitude = degrees(longitude, 180.0, "near's longitude")?;
    let km_per_unit = match units {
        "" | "km" => 1.0,
        "m" => 0.001,
        "[mi_i]" => 1.609_344,
        other => return Err(format!("near's units are km, m or [mi_i], not {other}")),
    };
    let km = match distance {
        "" => NEAR_DEFAULT_KM,
        distance => {
            distance
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite() && *d >= 0.0)
                .ok_or_else(|| format!("near's distance must be a number of at least 0: {USAGE}"))?
                * km_per_unit
        }
    };
    Ok(Test::Near {
        latitude,
        longitude,
        km,
    })
}

fn parse_sort(resource_type: ResourceType, value: &str) -> Result<Vec<Sort>, String> {
    value
        .split(',')
        .map(|key| {
            let (descending, name) = match key.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, key),
            };
            let (param, kind) = match name {
                "_id" => ("_id", ParamKind::Token),
                "_lastUpdated" => ("_lastUpdated", ParamKind::Date),
                _ => params_of(resource_type)
                    .iter()
                    .find(|p| {
                        p.name == name
                            && !matches!(
                                p.kind,
                                ParamKind::Reference | ParamKind::Composite | ParamKind::Special
                            )
                    })
                    .map(|p| (p.name, p.kind))
                    .ok_or_else(|| format!("cannot sort {resource_type} by {name}"))?,
            };
            Ok(Sort {
                param,
                kind,
                descending,
            })
        })
        .collect()
}

/// `Type:param`; for `_include`, `Type` must be the searched type.
fn parse_include(value: &str, searched: Option<ResourceType>) -> Result<Include, String> {
    let (source, param) = value.split_once(':').ok_or("expected Type:parameter")?;
    let source: ResourceType = source
        .parse()
        .map_err(|_| format!("{source} is not a supported type"))?;
    if searched.is_some_and(|t| t != source) {
        return Err(format!(
            "_include must start with the searched type, not {source}"
        ));
    }
    let def = reference_param(source, param)
        .ok_or_else(|| format!("{source} has no reference parameter {param}"))?;
    Ok(Include {
        source,
        param: def.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResourceType::*;

    fn parse(t: ResourceType, query: &str) -> Result<SearchQuery, Vec<String>> {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        parse_query(t, &pairs).map_err(|issues| issues.into_iter().map(|i| i.diagnostics).collect())
    }

    #[test]
    fn strings_default_to_prefix_and_take_exact_and_contains() {
        let q = parse(Patient, "family=SMI&given:exact=Ann&name:contains=ob").unwrap();
        assert_eq!(q.conditions[0].any_of, [Test::StartsWith("smi".into())]);
        assert_eq!(q.conditions[1].any_of, [Test::Exact("Ann".into())]);
        assert_eq!(q.conditions[2].any_of, [Test::Contains("ob".into())]);
    }

    #[test]
    fn tokens_read_system_and_code() {
        let q = parse(
            Patient,
            "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018,|x,urn:s|,plain",
        )
        .unwrap();
        assert_eq!(
            q.conditions[0].any_of,
            [
                Test::Token {
                    system: Some(Some("https://fhir.nhs.uk/Id/nhs-number".into())),
                    code: Some("9990000018".into())
                },
                Test::Token {
                    system: Some(None),
                    code: Some("x".into())
                },
                Test::Token {
                    system: Some(Some("urn:s".into())),
                    code: None
                },
                Test::Token {
                    system: None,
                    code: Some("plain".into())
                },
            ]
        );
    }

    #[test]
    fn dates_take_prefixes_and_references_their_target() {
        let q = parse(Slot, "start=ge2026-12-01&start=lt2026-12-02&schedule=s1").unwrap();
        let (d1, _) = date_range("2026-12-01").unwrap();
        assert!(
            matches!(q.conditions[0].any_of[0], Test::Date(Comparator::Ge, low, _) if low == d1)
        );
        assert!(matches!(
            q.conditions[1].any_of[0],
            Test::Date(Comparator::Lt, _, _)
        ));
        let outside = parse(Slot, "start=sa2026-12-01&start=eb2026-12-03").unwrap();
        assert!(matches!(
            outside.conditions[0].any_of[0],
            Test::Date(Comparator::StartsAfter, _, _)
        ));
        assert!(matches!(
            outside.conditions[1].any_of[0],
            Test::Date(Comparator::EndsBefore, _, _)
        ));
        assert_eq!(
            q.conditions[2].any_of,
            [Test::Reference("Schedule/s1".into())]
        );
        let q = parse(Appointment, "actor=p1").unwrap();
        assert!(
            q.conditions[0].any_of.len() > 3
                && q.conditions[0]
                    .any_of
                    .contains(&Test::Reference("Patient/p1".into())),
            "a bare id is one of any type the parameter may point to: {:?}",
            q.conditions[0].any_of
        );
    }

    #[test]
    fn missing_asks_whether_a_parameter_has_any_value() {
        let q = parse(Patient, "birthdate:missing=true&gender:missing=false").unwrap();
        assert_eq!(q.conditions[0].any_of, [Test::Missing(true)]);
        assert_eq!(q.conditions[1].any_of, [Test::Missing(false)]);
        assert!(parse(Patient, "gender:missing=maybe").is_err());
    }

    #[test]
    fn a_chain_through_a_bundles_first_resource_asks_the_bundles_own_rows() {
        let q = parse(ResourceType::Bundle, "composition.subject=Patient/p1").unwrap();
        assert_eq!(q.conditions[0].param, "composition.subject");
        assert_eq!(
            q.conditions[0].any_of,
            [Test::Reference("Patient/p1".into())]
        );
        assert!(q.types_consulted().is_empty(), "the rows are the Bundle's");
        // Further links follow references from there as any chain does.
        let q = parse(
            ResourceType::Bundle,
            "composition.subject:Patient.family=Lopez",
        )
        .unwrap();
        assert_eq!(q.conditions[0].param, "composition.subject");
        assert_eq!(q.types_consulted(), [Patient]);
        let q = parse(ResourceType::Bundle, "message.event=admit").unwrap();
        assert_eq!(q.conditions[0].param, "message.event");
        assert!(parse(ResourceType::Bundle, "composition.colour=red").is_err());
        assert!(parse(ResourceType::Bundle, "composition=Composition/c1").is_ok());
    }

    #[test]
    fn chains_follow_references_to_the_types_that_have_the_next_parameter() {
        let q = parse(
            ResourceType::Observation,
            "subject:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018",
        )
        .unwrap();
        let [Test::Chained { target, condition }] = q.conditions[0].any_of.as_slice() else {
            panic!("{:?}", q.conditions);
        };
        assert_eq!((q.conditions[0].param, *target), ("subject", Patient));
        assert_eq!(condition.param, "identifier");
        // Untyped: every target with a `name` parameter (Patient, Group, Device, Location …).
        let q = parse(ResourceType::Observation, "subject.name=Smith").unwrap();
        let targets: Vec<ResourceType> = q.conditions[0]
            .any_of
            .iter()
            .filter_map(|t| match t {
                Test::Chained { target, .. } => Some(*target),
                _ => None,
            })
            .collect();
        assert!(
            targets.contains(&Patient) && targets.len() > 1,
            "{targets:?}"
        );
        // Two links: the appointment's patient's general practitioner's name.
        assert!(
            parse(
                ResourceType::Appointment,
                "patient.general-practitioner:Practitioner.name=Who"
            )
            .is_ok()
        );
        assert!(
            parse(ResourceType::Observation, "status.name=x").is_err(),
            "not a reference"
        );
        assert!(parse(ResourceType::Observation, "subject:Patient.colour=blue").is_err());
        assert!(parse(ResourceType::Observation, "subject:Slot.name=x").is_err());
        assert!(
            parse(
                ResourceType::Observation,
                "subject:Patient.gender:missing=true"
            )
            .is_err()
        );
    }

    #[test]
    fn has_finds_what_other_resources_point_to_and_names_the_types_it_consults() {
        let q = parse(Patient, "_has:Observation:patient:code=1234-5").unwrap();
        let [
            Test::Has {
                source,
                reference,
                condition,
            },
        ] = q.conditions[0].any_of.as_slice()
        else {
            panic!("{:?}", q.conditions);
        };
        assert_eq!(
            (*source, *reference, condition.param),
            (Observation, "patient", "code")
        );
        assert_eq!(q.types_consulted(), [Observation]);
        let q = parse(
            Patient,
            "_has:Observation:patient:performer:Practitioner.name=Who",
        )
        .unwrap();
        assert_eq!(q.types_consulted(), [Observation, Practitioner]);
        assert!(parse(Patient, "_has:Observation:patient").is_err());
        assert!(
            parse(Patient, "_has:Observation:status:code=x").is_err(),
            "not a reference"
        );
        assert!(
            parse(Patient, "_has:Slot:schedule:status=free").is_err(),
            "not to a Patient"
        );
        assert!(
            parse(
                Patient,
                "_has:Observation:patient:_has:Device:patient:type=x"
            )
            .is_err()
        );
    }

    #[test]
    fn not_is_a_token_that_no_value_may_match() {
        let q = parse(Patient, "gender:not=male,female").unwrap();
        assert_eq!(
            q.conditions[0].any_of,
            [Test::Not(vec![token("male"), token("female")])]
        );
        assert!(parse(Patient, "family:not=Smith").is_err(), "tokens only");
    }

    #[test]
    fn paging_sorting_summary_and_includes() {
        let q = parse(
            Slot,
            "_count=5&_offset=10&_sort=-start&_summary=count&_include=Slot:schedule",
        )
        .unwrap();
        assert_eq!((q.count, q.offset, q.summary_count), (5, 10, true));
        assert_eq!(q.total, Total::Accurate, "counted unless asked not to");
        assert_eq!(parse(Slot, "_total=none").unwrap().total, Total::None);
        assert_eq!(
            parse(Slot, "_total=estimate").unwrap().total,
            Total::Accurate
        );
        assert!(parse(Slot, "_total=some").is_err());
        assert_eq!(
            parse(Slot, "_summary=true").unwrap().subset,
            Some(Subset::Summary)
        );
        assert_eq!(
            parse(Slot, "_elements=start,status").unwrap().subset,
            Some(Subset::Elements(vec!["start".into(), "status".into()]))
        );
        assert!(parse(Slot, "_elements=colour").is_err());
        assert!(parse(Slot, "_elements=start&_summary=true").is_err());
        assert_eq!(
            q.sort,
            [Sort {
                param: "start",
                kind: ParamKind::Date,
                descending: true
            }]
        );
        assert_eq!(
            q.includes,
            [Include {
                source: Slot,
                param: "schedule"
            }]
        );
        let q = parse(Appointment, "_include:iterate=Slot:schedule").unwrap();
        assert_eq!(
            q.iterated,
            [Include {
                source: Slot,
                param: "schedule"
            }]
        );
        assert!(parse(Appointment, "_include:recurse=Slot:schedule").is_err());
        let q = parse(Patient, "_revinclude:iterate=Appointment:patient").unwrap();
        assert_eq!(
            q.rev_iterated,
            [Include {
                source: Appointment,
                param: "patient"
            }]
        );
        assert!(parse(Patient, "_revinclude:recurse=Appointment:patient").is_err());
        let q = parse(Patient, "_revinclude=Appointment:patient").unwrap();
        assert_eq!(
            q.revincludes,
            [Include {
                source: Appointment,
                param: "patient"
            }]
        );
    }

    #[test]
    fn references_take_a_type_and_uris_take_below_and_above() {
        let q = parse(Observation, "subject:Patient=p1").unwrap();
        assert_eq!(
            q.conditions[0].any_of,
            [Test::Reference("Patient/p1".into())]
        );
        assert!(
            parse(Observation, "patient:Device=d1").is_err(),
            "never a Device"
        );
        let q = parse(ValueSet, "url:below=http://acme.org/fhir").unwrap();
        assert_eq!(
            q.conditions[0].any_of,
            [Test::StartsWith("http://acme.org/fhir".into())]
        );
        let q = parse(ValueSet, "url:above=http://acme.org/fhir/ValueSet/123/").unwrap();
        let codes: Vec<&str> = q.conditions[0]
            .any_of
            .iter()
            .filter_map(|t| match t {
                Test::Token { code, .. } => code.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            [
                "http://acme.org",
                "http://acme.org/fhir",
                "http://acme.org/fhir/ValueSet",
                "http://acme.org/fhir/ValueSet/123",
                "http://acme.org/fhir/ValueSet/123/"
            ]
        );
    }

    #[test]
    fn unknown_or_malformed_parameters_are_refused_with_reasons() {
        let errors = parse(
            Patient,
            "colour=blue&birthdate=ap2020x&_count=5000&family:fuzzy=x&_include=Slot:schedule",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].contains("colour is not a search parameter of Patient"));
    }

    #[test]
    fn lenient_handling_leaves_out_only_what_the_server_does_not_know() {
        let pairs: Vec<(String, String)> = [
            ("family", "Smith"),
            ("colour", "blue"),
            ("family:phonetic", "Smyth"),
            ("birthdate", "not-a-date"),
            ("_count", "5"),
            ("gender:missing", "false"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (kept, ignored) = supported_pairs(ResourceType::Patient, &pairs);
        let kept: Vec<&str> = kept.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["family", "birthdate", "_count", "gender:missing"]);
        let ignored: Vec<&str> = ignored
            .iter()
            .filter_map(|i| i.expression.as_deref())
            .collect();
        assert_eq!(ignored, ["colour", "family:phonetic"]);
        // The malformed date is a known parameter: it is still refused, leniently or not.
        let (kept, _) = supported_pairs(ResourceType::Patient, &pairs);
        assert!(parse_query(ResourceType::Patient, &kept).is_err());
    }
}
