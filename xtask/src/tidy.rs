//! Tidy tests: the architecture's rules, checked on every `cargo test`.
//!
//! The crate dependency rules of ARCHITECTURE.md are read from `cargo metadata`, so a new
//! dependency that breaks a boundary fails here, not in review. Every Rust module must open with
//! a `//!` comment saying why it exists.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use crate::cmd::{Cmd, project_root};

/// Package name → the names of its normal (non-dev, non-build) dependencies.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// What a crate must never reach, directly or through others.
const FORBIDDEN: &[(&str, &[&str])] = &[
    // Pure domain: builds for wasm32, no I/O, no web framework.
    (
        "domain",
        &[
            "tokio", "sqlx", "axum", "hyper", "leptos", "reqwest", "fhir", "backend", "app",
        ],
    ),
    // FHIR JSON only: no server, no storage, no UI.
    (
        "fhir",
        &["tokio", "sqlx", "axum", "hyper", "leptos", "backend", "app"],
    ),
    // The record's storage: never HTML or HTTP, never the use cases above it.
    (
        "store",
        &["axum", "hyper", "leptos", "backend", "app", "server"],
    ),
    // Use cases: never HTML or HTTP (nor SQL of their own: see `FORBIDDEN_DIRECTLY`).
    ("backend", &["axum", "hyper", "leptos", "app", "server"]),
    // The browser bundle: nothing server-side may leak into the WASM.
    (
        "frontend",
        &[
            "sqlx",
            "tokio",
            "backend",
            "fhir",
            "server",
            "axum",
            "hyper",
            "mio",
            "leptos_axum",
        ],
    ),
];

/// What a crate must not depend on itself, though a crate it uses may: the use cases write no SQL,
/// every row goes through `store`.
const FORBIDDEN_DIRECTLY: &[(&str, &[&str])] = &[("backend", &["sqlx"])];

/// Workspace crates and the workspace crates each may depend on directly.
const ALLOWED_WORKSPACE_DEPS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("fhir", &["domain"]),
    // FHIR and SQL only: nothing of bookings, identity or policies (`domain`) but through `fhir`.
    ("store", &["fhir"]),
    ("backend", &["domain", "fhir", "store"]),
    ("app", &["domain", "backend"]),
    ("frontend", &["app"]),
    ("server", &["app", "backend", "domain", "fhir", "store"]),
    ("xtask", &["throwaway-postgres"]),
    // Standard library only: a throwaway PostgreSQL for xtask and the tests.
    ("throwaway-postgres", &[]),
    // Dev-only: no crate may depend on it outside [dev-dependencies].
    ("test-support", &[]),
];

/// Every violation of [`FORBIDDEN`] in `graph`, as "crate → forbidden (via path)".
fn forbidden_reaches(graph: &Graph) -> Vec<String> {
    let mut violations = Vec::new();
    for (krate, forbidden) in FORBIDDEN {
        for (reached, path) in reachable(graph, krate) {
            if forbidden.contains(&reached.as_str()) {
                violations.push(format!("{krate} → {reached} (via {})", path.join(" → ")));
            }
        }
    }
    violations
}

/// Every package reachable from `start`, each with the first path found to it.
fn reachable(graph: &Graph, start: &str) -> BTreeMap<String, Vec<String>> {
    let mut seen = BTreeMap::new();
    let mut queue = vec![(start.to_owned(), vec![start.to_owned()])];
    while let Some((package, path)) = queue.pop() {
        for dep in graph.get(&package).into_iter().flatten() {
            if !seen.contains_key(dep) {
                let mut next = path.clone();
                next.push(dep.clone());
                seen.insert(dep.clone(), next.clone());
                queue.push((dep.clone(), next));
            }
        }
    }
    seen
}

/// The normal dependencies of `package` as cargo resolves them when building it alone for
/// `platform` (`cargo tree` honours per-package features, as the real build does; `cargo metadata`
/// would unify the features of every workspace member).
fn resolved_graph(package: &str, platform: &str) -> Graph {
    let tree = Cmd::new(
        "cargo",
        &[
            "tree",
            "--package",
            package,
            "--target",
            platform,
            "--edges",
            "normal",
            "--prefix",
            "depth",
            "--format",
            "{p}",
            "--locked",
        ],
    )
    .read()
    .expect("cargo tree runs");
    let mut graph = Graph::new();
    let mut ancestors: Vec<String> = Vec::new();
    for line in tree.lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let (Ok(depth), Some(name)) = (
            line[..digits].parse::<usize>(),
            line[digits..].split_whitespace().next(),
        ) else {
            continue;
        };
        ancestors.truncate(depth);
        if let Some(parent) = ancestors.last() {
            graph
                .entry(parent.clone())
                .or_default()
                .insert(name.to_owned());
        }
        graph.entry(name.to_owned()).or_default();
        ancestors.push(name.to_owned());
    }
    graph
}

/// The rule violations of `krate` when built for `platform`.
fn violations_of(krate: &str, platform: &str) -> Vec<String> {
    let graph = resolved_graph(krate, platform);
    assert!(graph.contains_key(krate), "cargo tree lists {krate}");
    forbidden_reaches(&graph)
        .into_iter()
        .filter(|v| v.starts_with(&format!("{krate} ")))
        .collect()
}

#[test]
fn crate_boundaries_hold_for_the_server_build() {
    let platform = "x86_64-unknown-linux-gnu";
    for krate in ["domain", "fhir", "store", "backend"] {
        let violations = violations_of(krate, platform);
        assert!(
            violations.is_empty(),
            "dependency rules broken:\n{}",
            violations.join("\n")
        );
    }
    for (krate, forbidden) in FORBIDDEN_DIRECTLY {
        let graph = resolved_graph(krate, platform);
        for dep in &graph[*krate] {
            assert!(
                !forbidden.contains(&dep.as_str()),
                "{krate} may not depend on {dep} itself"
            );
        }
    }
    let workspace: BTreeSet<&str> = ALLOWED_WORKSPACE_DEPS.iter().map(|(k, _)| *k).collect();
    for (krate, allowed) in ALLOWED_WORKSPACE_DEPS {
        let graph = resolved_graph(krate, platform);
        for dep in graph[*krate]
            .iter()
            .filter(|d| workspace.contains(d.as_str()))
        {
            assert!(
                allowed.contains(&dep.as_str()),
                "{krate} may not depend on {dep}"
            );
        }
    }
}

#[test]
fn the_wasm_bundle_pulls_in_nothing_server_side() {
    let violations = violations_of("frontend", "wasm32-unknown-unknown");
    assert!(
        violations.is_empty(),
        "server-side code in the WASM bundle:\n{}",
        violations.join("\n")
    );
    // The domain crate is shared with the browser, so it must build for wasm32 as it is.
    assert!(violations_of("domain", "wasm32-unknown-unknown").is_empty());
}

#[test]
fn the_rules_catch_a_leak_into_the_wasm_bundle() {
    // frontend → app → backend → sqlx: what turning on `ssr` for the browser build would do.
    let graph: Graph = [
        ("frontend", vec!["app"]),
        ("app", vec!["backend", "leptos"]),
        ("backend", vec!["sqlx"]),
        ("sqlx", vec!["tokio"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(String::from).collect()))
    .collect();
    let violations = forbidden_reaches(&graph);
    assert!(
        violations.contains(&"frontend → backend (via frontend → app → backend)".to_owned()),
        "{violations:?}"
    );
    assert!(violations.iter().any(|v| v.starts_with("frontend → sqlx")));
    assert!(violations.iter().any(|v| v.starts_with("frontend → tokio")));
}

#[test]
fn backend_is_optional_in_app_so_the_browser_build_never_compiles_it() {
    let manifest =
        std::fs::read_to_string(project_root().join("app/Cargo.toml")).expect("app manifest");
    let line = manifest
        .lines()
        .find(|l| l.starts_with("backend"))
        .expect("app depends on backend");
    assert!(line.contains("optional = true"), "{line}");
}

/// Rust sources we own: everything but `target/` and `node_modules/`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(name.to_str(), Some("target" | "node_modules" | ".git")) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_opens_with_a_doc_comment_saying_why_it_exists() {
    let mut files = Vec::new();
    rust_files(&project_root(), &mut files);
    assert!(files.len() > 20, "found the sources");
    let missing: Vec<_> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| {
            f.strip_prefix(project_root())
                .unwrap_or(f)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` opening line:\n{}",
        missing.join("\n")
    );
}

#[test]
fn only_server_xtask_and_test_harnesses_read_the_environment() {
    let mut files = Vec::new();
    rust_files(&project_root(), &mut files);
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| {
            let relative = f.strip_prefix(project_root()).unwrap_or(f);
            !relative.starts_with("server")
                && !relative.starts_with("xtask")
                && !relative.starts_with("crates/test-support")
                && !relative.components().any(|c| c.as_os_str() == "tests")
        })
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.contains("env::var(") || text.contains("env::var_os(")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "configuration belongs in server::Config:\n{}",
        offenders.join("\n")
    );
}

/// A module's path inside its crate, `""` for the crate root (`a::b` for `src/a/b.rs`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    Some(parts.join("::"))
}

/// The source without comments, string and character literals, so that none can name a module.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let rest_starts = |i: usize, with: &str| {
        with.chars()
            .enumerate()
            .all(|(n, c)| chars.get(i + n) == Some(&c))
    };
    let raw_hashes = |i: usize| chars[i + 1..].iter().take_while(|c| **c == '#').count();
    while let Some(&c) = chars.get(i) {
        if rest_starts(i, "//") {
            while chars.get(i).is_some_and(|c| *c != '\n') {
                i += 1;
            }
        } else if rest_starts(i, "/*") {
            i += 2;
            while i < chars.len() && !rest_starts(i, "*/") {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && !i
                .checked_sub(1)
                .and_then(|p| chars.get(p))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            && chars.get(i + 1 + raw_hashes(i)) == Some(&'"')
        {
            // A raw string: r"…", r#"…"#, and so on; no escapes inside (`r#type` is no string).
            let hashes = raw_hashes(i);
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            i += 2 + hashes;
            while i < chars.len() && !rest_starts(i, &close) {
                i += 1;
            }
            i += close.chars().count();
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while let Some(&c) = chars.get(i) {
                i += if c == '\\' { 2 } else { 1 };
                if c == '"' {
                    break;
                }
            }
            out.push_str("\"\"");
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || chars.get(i + 1) == Some(&'\\'))
        {
            // A character literal ('x' or an escape), not a lifetime.
            i += 2;
            while chars.get(i).is_some_and(|c| *c != '\'') {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every path a `use` tree names: `a::{b, c::{d, e}}` gives `a::b`, `a::c::d`, `a::c::e`.
fn expand_use_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree).trim();
        if !path.is_empty() {
            out.push(format!("{prefix}{path}"));
        }
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let inner = tree[open + 1..]
        .strip_suffix('}')
        .unwrap_or(&tree[open + 1..]);
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand_use_tree(&head, &inner[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    expand_use_tree(&head, &inner[start..], out);
}

/// `path` as named in module `module`, made absolute inside its crate (`crate::`, `super::` and
/// `self::` paths); `None` for a path into another crate.
fn absolute(module: &str, path: &str) -> Option<Vec<String>> {
    let mut segments = path.split("::").map(str::trim).filter(|s| !s.is_empty());
    let own = module
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from);
    let mut absolute: Vec<String> = match segments.next()? {
        "crate" => Vec::new(),
        "self" => own.collect(),
        "super" => {
            let mut own: Vec<String> = own.collect();
            own.pop();
            own
        }
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            absolute.pop();
        } else {
            absolute.push(segment.to_owned());
        }
    }
    Some(absolute)
}

/// The paths of the `use` items in `code`, each with whether it is a re-export (`pub use`).
fn use_items(code: &str) -> Vec<(String, bool)> {
    let mut items = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(at) = rest.find("use ") {
        let before = &code[..offset + at];
        rest = &rest[at + 4..];
        offset += at + 4;
        if before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let public = before.trim_end().ends_with("pub")
            || before.trim_end().ends_with(')')
                && before
                    .trim_end()
                    .rsplit("pub")
                    .next()
                    .is_some_and(|v| v.starts_with('('));
        if let Some(end) = rest.find(';') {
            let mut paths = Vec::new();
            expand_use_tree("", &rest[..end], &mut paths);
            items.extend(paths.into_iter().map(|p| (p, public)));
        }
    }
    items
}

/// The paths inside its own crate that `code` (of module `module`) names, made absolute:
/// `crate::`, `super::` and `self::` paths, in `use` items and in expressions alike.
fn crate_paths(
    module: &str,
    code: &str,
    in_crate: &dyn Fn(&str, &str) -> Option<Vec<String>>,
) -> Vec<Vec<String>> {
    let mut named: Vec<String> = use_items(code).into_iter().map(|(p, _)| p).collect();
    for root in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(root) {
            let before = rest[..at].chars().next_back();
            let path: String = rest[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            rest = &rest[at + root.len()..];
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                named.push(path);
            }
        }
    }
    named.iter().filter_map(|p| in_crate(module, p)).collect()
}

/// Module → the sibling modules it uses (each with a file that does), for every crate's `src/`.
/// `a::b` using `a::c::d` is an edge `a::b → a::c`; a module using its own parent or child is
/// not an edge (a parent declares its children, and children share their parent's items). A
/// name a module re-exports (`pub use`) counts as a use of the module it comes from.
fn sibling_uses(files: &[(String, String)]) -> BTreeMap<String, BTreeMap<String, String>> {
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    // A path of a `use` item may also start at a child module of the one it is in.
    let in_crate = |module: &str, path: &str| {
        absolute(module, path).or_else(|| {
            let child = path.split("::").next()?.trim();
            let child = [module, child]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("::");
            modules
                .contains(child.as_str())
                .then(|| absolute(module, &format!("self::{path}")))
                .flatten()
        })
    };
    let reexports: BTreeMap<&str, Vec<Vec<String>>> = files
        .iter()
        .map(|(module, code)| {
            let paths = use_items(code)
                .into_iter()
                .filter(|(_, public)| *public)
                .filter_map(|(p, _)| in_crate(module, &p))
                .collect();
            (module.as_str(), paths)
        })
        .collect();
    // The module a path names: the longest prefix of it that is one, followed through that
    // module's re-exports of the name after it (named first, then globs).
    let resolve = |mut path: Vec<String>| -> Option<Vec<String>> {
        for _ in 0..4 {
            let n = (0..=path.len())
                .rev()
                .find(|&n| modules.contains(path[..n].join("::").as_str()))?;
            let module = &path[..n];
            let Some(name) = path.get(n) else {
                return Some(path);
            };
            let exported = reexports
                .get(module.join("::").as_str())
                .into_iter()
                .flatten();
            let source = exported
                .clone()
                .find(|r| r.last() == Some(name))
                .or_else(|| {
                    exported
                        .clone()
                        .find(|r| r.last().is_some_and(|l| l == "*"))
                })
                .map(|r| r[..r.len() - 1].to_vec());
            match source {
                Some(source) if source.as_slice() != module => {
                    path = [source.as_slice(), &path[n..]].concat();
                }
                _ => return Some(module.to_vec()),
            }
        }
        None
    };
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (module, code) in files {
        let from: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
        for path in crate_paths(module, code, &in_crate) {
            let Some(to) = resolve(path) else {
                continue;
            };
            let common = from
                .iter()
                .zip(&to)
                .take_while(|(a, b)| **a == b.as_str())
                .count();
            if common >= from.len() || common >= to.len() {
                continue;
            }
            edges
                .entry(from[..=common].join("::"))
                .or_default()
                .entry(to[..=common].join("::"))
                .or_insert_with(|| module.clone());
        }
    }
    edges
}

/// The groups of sibling modules that use each other, round in a cycle (the strongly connected
/// components of more than one module), each listed with the uses that close it: `a → b (in a::x)`.
fn module_cycles(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let reaches = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(at) = stack.pop() {
            for next in edges.get(&at).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|m| (m, reaches(m))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for (module, from_it) in &reached {
        let group: Vec<String> = from_it
            .iter()
            .filter(|other| reached.get(other).is_some_and(|r| r.contains(*module)))
            .cloned()
            .collect();
        if group.len() > 1 || group.first().is_some_and(|g| g != *module) {
            groups.insert(group);
        }
    }
    groups
        .into_iter()
        .map(|group| {
            let uses: Vec<String> = group
                .iter()
                .flat_map(|a| {
                    edges[a]
                        .iter()
                        .filter(|(b, _)| group.contains(b))
                        .map(move |(b, file)| format!("{a} → {b} (in {file})"))
                })
                .collect();
            format!("{{{}}}: {}", group.join(", "), uses.join("; "))
        })
        .collect()
}

#[test]
fn the_cycle_check_finds_siblings_that_use_each_other() {
    let files: Vec<(String, String)> = [
        ("", "pub mod auth; pub mod store;"),
        ("auth", "mod policy; mod glass; use crate::store::Db;"),
        ("auth::policy", "use super::{glass::Held, Other};"),
        ("auth::glass", "fn f() -> super::policy::Grant { todo() }"),
        // A child using its parent, and a parent its child: no cycle.
        ("store", "use crate::store::rows::Row; use self::rows::X;"),
        ("store::rows", "use super::Db; // use crate::auth::Policy;"),
    ]
    .into_iter()
    .map(|(m, c)| (m.to_owned(), code_only(c)))
    .collect();
    let cycles = module_cycles(&sibling_uses(&files));
    assert_eq!(
        cycles,
        vec![
            "{auth::glass, auth::policy}: auth::glass → auth::policy (in auth::glass); \
             auth::policy → auth::glass (in auth::policy)"
                .to_owned()
        ]
    );

    // Through re-exports at the root: `crate::Session` is `sessions::Session`, and any other
    // name there comes from `audit`'s glob.
    let files: Vec<(String, String)> = [
        (
            "",
            "pub mod sessions; pub mod audit; pub use sessions::Session; pub use audit::*;",
        ),
        ("sessions", "use crate::Record;"),
        ("audit", "fn f(s: crate::Session) {}"),
    ]
    .into_iter()
    .map(|(m, c)| (m.to_owned(), code_only(c)))
    .collect();
    assert_eq!(
        module_cycles(&sibling_uses(&files)),
        vec![
            "{audit, sessions}: audit → sessions (in audit); sessions → audit (in sessions)"
                .to_owned()
        ]
    );
}

#[test]
fn no_module_uses_a_sibling_that_uses_it_back() {
    let root = project_root();
    let mut found = Vec::new();
    for crate_dir in ["app", "server", "xtask"]
        .into_iter()
        .map(|d| root.join(d))
        .chain(
            std::fs::read_dir(root.join("crates"))
                .expect("crates/")
                .flatten()
                .map(|e| e.path()),
        )
    {
        let src = crate_dir.join("src");
        let mut sources = Vec::new();
        rust_files(&src, &mut sources);
        let files: Vec<(String, String)> = sources
            .iter()
            .filter_map(|f| {
                Some((
                    module_of(&src, f)?,
                    code_only(&std::fs::read_to_string(f).ok()?),
                ))
            })
            .collect();
        let name = crate_dir.file_name().unwrap_or_default().to_string_lossy();
        let edges = sibling_uses(&files);
        for cycle in module_cycles(&edges) {
            found.push(format!("{name}: {cycle}"));
        }
    }
    assert!(
        found.is_empty(),
        "modules that use each other (move what both need into a third, or merge them):\n{}",
        found.join("\n")
    );
}
