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
    // Use cases and storage: never HTML or HTTP.
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

/// Workspace crates and the workspace crates each may depend on directly.
const ALLOWED_WORKSPACE_DEPS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("fhir", &["domain"]),
    ("backend", &["domain", "fhir"]),
    ("app", &["domain", "backend"]),
    ("frontend", &["app"]),
    ("server", &["app", "backend", "domain", "fhir"]),
    ("xtask", &[]),
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
    for krate in ["domain", "fhir", "backend"] {
        let violations = violations_of(krate, platform);
        assert!(
            violations.is_empty(),
            "dependency rules broken:\n{}",
            violations.join("\n")
        );
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
