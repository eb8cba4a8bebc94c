//! Installs the tools the build and the tests need, idempotently: each check is quick when the
//! tool is already there, and nothing is downloaded from outside the package registries.

use std::path::{Path, PathBuf};

use crate::{
    Result,
    cmd::{Cmd, project_root},
};

/// The Rust target, wasm-bindgen-cli and the npm tools (tailwindcss, wasm-opt) that
/// `site::build` runs. Not cargo-leptos: it compiles for 25 minutes and the build does not need it.
pub fn ensure_build_tools() -> Result {
    let installed_targets = Cmd::new("rustup", &["target", "list", "--installed"])
        .read()
        .unwrap_or_default();
    if !installed_targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        Cmd::new("rustup", &["target", "add", "wasm32-unknown-unknown"]).run()?;
    }
    if Cmd::new("cargo", &["clippy", "--version"]).read().is_none()
        || Cmd::new("cargo", &["fmt", "--version"]).read().is_none()
    {
        Cmd::new("rustup", &["component", "add", "clippy", "rustfmt"]).run()?;
    }

    // The CLI must be the exact version of the `wasm-bindgen` crate in Cargo.lock.
    let wanted = locked_version("wasm-bindgen")?;
    let bindgen = Cmd::new(&wasm_bindgen().to_string_lossy(), &["--version"])
        .read()
        .unwrap_or_default();
    if bindgen.split_whitespace().nth(1) != Some(wanted.as_str()) {
        println!("Installing wasm-bindgen-cli {wanted} (a few minutes, once)…");
        cargo_install("wasm-bindgen-cli", &wanted)?;
    }

    // `npm install`, not `npm ci`: the lockfile made here lacks other platforms' optional
    // packages and `npm ci` refuses it.
    npm_install(&project_root(), &["tailwindcss", "wasm-opt"])
}

/// Where `cargo install` puts wasm-bindgen: `$CARGO_HOME/bin`, which need not be on `PATH`.
pub fn wasm_bindgen() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_default();
    cargo_home.join("bin/wasm-bindgen")
}

/// A tool the root `package.json` installs (tailwindcss, wasm-opt).
pub fn node_bin(name: &str) -> PathBuf {
    project_root().join("node_modules/.bin").join(name)
}

/// Where Debian's `haproxy` package puts the load balancer.
pub const HAPROXY: &str = "/usr/sbin/haproxy";

/// Debian's Chromium, PostgreSQL server and HAProxy (the load balancer in front of several
/// server processes), and the Playwright packages for the end-to-end tests.
pub fn ensure_test_tools() -> Result {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    if throwaway_postgres::server_bin_dir().is_none() {
        missing.push("postgresql");
    }
    if !Path::new(HAPROXY).exists() {
        missing.push("haproxy");
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    npm_install(&project_root().join("end2end"), &["playwright"])?;
    // Node 22 from the npm registry (Medplum's validator needs it), the official R4 examples and
    // the validators, for the interoperability suite; and from PyPI fhirpy, its Python client,
    // and schemathesis, its fuzzer.
    npm_install(&project_root().join("interop"), &["node"])?;
    python_venv(&project_root().join("interop"))
}

/// `dir/.venv` with the pinned packages of `dir/requirements.txt`, made again when the
/// requirements change.
fn python_venv(dir: &Path) -> Result {
    let venv = dir.join(".venv");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = venv.join("installed");
    if let (Some(done), Some(wanted)) = (
        modified(&installed),
        modified(&dir.join("requirements.txt")),
    ) && done >= wanted
    {
        return Ok(());
    }
    Cmd::new("python3", &["-m", "venv", ".venv"])
        .dir(dir.to_path_buf())
        .run()?;
    Cmd::new(
        ".venv/bin/pip",
        &[
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "requirements.txt",
        ],
    )
    .dir(dir.to_path_buf())
    .run()?;
    std::fs::write(&installed, "").map_err(|e| format!("{}: {e}", installed.display()))
}

/// The variables cargo-leptos would set when it builds. Some are read at compile time by Leptos,
/// so every cargo command here gets the same ones (and `cargo leptos watch`, if a developer uses
/// it, sets them too), or Leptos crates would be rebuilt each time we switch between them.
pub fn leptos_envs() -> Vec<(&'static str, String)> {
    [
        ("LEPTOS_OUTPUT_NAME", "health"),
        ("LEPTOS_SITE_ROOT", "target/site"),
        ("LEPTOS_SITE_PKG_DIR", "pkg"),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:3000"),
        ("LEPTOS_RELOAD_PORT", "3001"),
        ("LEPTOS_LIB_DIR", "crates/frontend"),
        ("LEPTOS_BIN_DIR", "server"),
        ("LEPTOS_JS_MINIFY", "false"),
        ("LEPTOS_HASH_FILES", "true"),
        ("LEPTOS_HASH_FILE_NAME", "hash.txt"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// `leptos_envs` with clippy's driver wrapping rustc for the workspace's own crates, denying
/// every warning: a build with these is also `cargo clippy -- -D warnings` of what it compiles.
/// Cargo keeps such a build apart from a plain one (the wrapper is part of each crate's
/// fingerprint), so every command of a run passes the same, or it compiles again.
pub fn linted_build_envs() -> Vec<(&'static str, String)> {
    let mut envs = leptos_envs();
    envs.push(("RUSTC_WORKSPACE_WRAPPER", "clippy-driver".to_owned()));
    // How cargo-clippy hands its arguments to the driver.
    envs.push((
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__".to_owned(),
    ));
    envs
}

fn cargo_install(krate: &str, version: &str) -> Result {
    Cmd::new(
        "cargo",
        &["install", krate, "--version", version, "--locked"],
    )
    .run()
}

/// The version of `package` that Cargo.lock pins.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(project_root().join("Cargo.lock"))
        .map_err(|e| format!("could not read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// `npm install` in `dir` unless every named binary is there and the install is newer than
/// package.json.
pub fn npm_install(dir: &Path, binaries: &[&str]) -> Result {
    let bin = dir.join("node_modules/.bin");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (
        modified(&dir.join("node_modules/.package-lock.json")),
        modified(&dir.join("package.json")),
    ) {
        (Some(installed), Some(manifest)) => installed >= manifest,
        _ => false,
    };
    if fresh && binaries.iter().all(|b| bin.join(b).exists()) {
        return Ok(());
    }
    Cmd::new("npm", &["install", "--no-audit", "--no-fund"])
        .dir(dir.to_path_buf())
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .run()
}

fn apt_install(packages: &[&str]) -> Result {
    let uid = Cmd::new("id", &["-u"]).read().unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!(
            "{} must be installed, and only root can: run `sudo apt-get install {}`",
            packages.join(", "),
            packages.join(" ")
        ));
    }
    Cmd::new("apt-get", &["update"]).run()?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(packages);
    Cmd::new("apt-get", &args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}
