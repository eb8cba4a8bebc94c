//! Builds the browser bundle (`site_root/pkg`: WASM, its JS glue, the CSS) and the public assets
//! with cargo and the pinned tools, so that neither the first start nor CI waits for cargo-leptos
//! to compile (25 minutes on these machines). What it writes is what Leptos reads:
//! `health.<hash>.{js,wasm,css}` and, beside the server binary, `hash.txt` naming the hashes
//! (`leptos::hydration` and `HashedStylesheet` read it at run time). `cargo leptos watch` still
//! works for development from the `[[workspace.metadata.leptos]]` table in Cargo.toml.

use std::{
    hash::{DefaultHasher, Hasher},
    path::{Path, PathBuf},
};

use crate::{
    Result,
    cmd::{Cmd, project_root},
    tools,
};

/// The name Leptos is told to look for (`LEPTOS_OUTPUT_NAME`, the server's `BUNDLE_NAME`).
const BUNDLE: &str = "health";

/// Which server binary the bundle is for. Both compile the WASM as phones get it (the
/// `wasm-release` profile): it compiled faster than the `wasm-dev` one (2m41s against 4m02s here,
/// before the islands), and the tests then try what ships.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// For the debug server (the tests): no wasm-opt (a minute and more), gzip at a middling level.
    Debug,
    /// What `cargo xtask run` serves: then `wasm-opt -Oz`, minified CSS, and brotli and gzip at
    /// their highest levels, once, here rather than on every request.
    Release,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }

    /// Where cargo puts the server binary of the matching build, and so where `hash.txt` goes.
    fn server_dir(self) -> PathBuf {
        project_root().join(match self {
            Self::Debug => "target/debug",
            Self::Release => "target/release",
        })
    }
}

/// The cargo profile of the WASM, for either `Profile`.
const WASM_PROFILE: &str = "wasm-release";

/// The WASM's own target directory: it shares no compiled crate with the server's builds (another
/// target, another profile), and apart from them it can build while a server build holds
/// `target/`'s lock (`cargo xtask run` builds both at once).
const WASM_TARGET_DIR: &str = "target/wasm";

/// Builds the site into `site_root` (relative to the project root); cargo runs with `envs`. The
/// commands' output goes to `log` if given, else to the terminal.
pub fn build(
    profile: Profile,
    site_root: &str,
    envs: Vec<(&'static str, String)>,
    log: Option<&Path>,
) -> Result {
    let root = project_root();
    let site = root.join(site_root);
    let pkg = site.join("pkg");

    Cmd::new(
        "cargo",
        &[
            "build",
            "--package",
            "frontend",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            WASM_PROFILE,
            "--target-dir",
            WASM_TARGET_DIR,
        ],
    )
    .envs(envs)
    .run_or_log(log)?;

    let wasm_in = root.join(format!(
        "{WASM_TARGET_DIR}/wasm32-unknown-unknown/{WASM_PROFILE}/frontend.wasm"
    ));
    // wasm-opt and brotli at its highest level take over a minute: a later start whose WASM,
    // styles and assets are those of the bundle already built keeps that bundle.
    let stamp = site.join(".inputs");
    let inputs = inputs_hash(profile, &wasm_in)?;
    let hash_file = profile.server_dir().join("hash.txt");
    if hash_file.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == inputs) {
        println!("The site in {site_root} is up to date.");
        return Ok(());
    }

    // A build replaces the whole bundle, so no file of an earlier build lingers under an old hash;
    // the stamp goes first, so a build that stops half-way is never taken as up to date.
    if stamp.exists() {
        std::fs::remove_file(&stamp).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    std::fs::create_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;

    Cmd::new(
        &tools::wasm_bindgen().to_string_lossy(),
        &[
            "--target=web",
            "--no-typescript",
            &format!("--out-name={BUNDLE}"),
            &format!("--out-dir={}", pkg.display()),
            &wasm_in.to_string_lossy(),
        ],
    )
    .run_or_log(log)?;
    let wasm = pkg.join(format!("{BUNDLE}.wasm"));
    rename(&pkg.join(format!("{BUNDLE}_bg.wasm")), &wasm)?;
    if profile == Profile::Release {
        let wasm = wasm.to_string_lossy();
        // The features the Rust wasm32 target emits by default, as cargo-leptos passes them.
        Cmd::new(
            &tools::node_bin("wasm-opt").to_string_lossy(),
            &[
                "-Oz",
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                &wasm,
                "-o",
                &wasm,
            ],
        )
        .run_or_log(log)?;
    }

    let css = pkg.join(format!("{BUNDLE}.css"));
    let css_path = css.to_string_lossy();
    let mut tailwind = vec!["--input", "style/main.css", "--output", &css_path];
    if profile == Profile::Release {
        tailwind.push("--minify");
    }
    Cmd::new(&tools::node_bin("tailwindcss").to_string_lossy(), &tailwind).run_or_log(log)?;

    let hashes = hash_bundle(&pkg)?;
    std::fs::create_dir_all(profile.server_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&hash_file, hashes).map_err(|e| format!("{}: {e}", hash_file.display()))?;

    copy_dir(&root.join("public"), &site)?;
    compress(profile, &pkg, log)?;
    std::fs::write(&stamp, inputs).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// What the bundle is made from: the compiled WASM, the styles, the public assets and the
/// components whose class names Tailwind reads (`@source "../app/src"`).
fn inputs_hash(profile: Profile, wasm: &Path) -> Result<String> {
    let root = project_root();
    let mut files = vec![wasm.to_path_buf(), root.join("style/main.css")];
    for dir in ["public", "app/src"] {
        files_under(&root.join(dir), &mut files)?;
    }
    let mut hasher = DefaultHasher::new();
    hasher.write(profile.name().as_bytes());
    for file in files {
        hasher.write(file.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| e.to_string()))
        .collect::<Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Renames each of `health.{js,wasm,css}` to `health.<hash>.<ext>`, points the JS glue's default
/// WASM path at the new name, and returns `hash.txt`'s text: one `ext: hash` line each.
fn hash_bundle(pkg: &Path) -> Result<String> {
    let mut lines = String::new();
    let mut wasm_name = String::new();
    // The WASM first: its name goes into the JS, whose hash must then cover it.
    for extension in ["wasm", "css", "js"] {
        let path = pkg.join(format!("{BUNDLE}.{extension}"));
        let mut bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if extension == "js" {
            let glue = String::from_utf8(bytes).map_err(|e| e.to_string())?;
            bytes = glue
                .replace(&format!("{BUNDLE}_bg.wasm"), &wasm_name)
                .into_bytes();
        }
        let hash = content_hash(&bytes);
        let hashed = pkg.join(format!("{BUNDLE}.{hash}.{extension}"));
        std::fs::write(&hashed, &bytes).map_err(|e| format!("{}: {e}", hashed.display()))?;
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if extension == "wasm" {
            wasm_name = format!("{BUNDLE}.{hash}.wasm");
        }
        lines.push_str(&format!("{extension}: {hash}\n"));
    }
    Ok(lines)
}

/// A name that changes whenever the content does; browsers keep hashed files for a year, so
/// only a changed name makes them fetch again. (Not a security boundary: nothing trusts it.)
fn content_hash(bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    format!("{:016x}", hasher.finish())
}

/// Writes `name.gz` (and in release `name.br`) beside each file of the bundle; the server sends
/// such a file as it is. Without it the debug server would compress the WASM for every browser
/// context the end-to-end tests open, with its compressor unoptimised. Node's zlib does both
/// formats, so no other tool is needed.
fn compress(profile: Profile, pkg: &Path, log: Option<&Path>) -> Result {
    const SCRIPT: &str = r#"
const fs = require("fs"), zlib = require("zlib");
const [release, ...files] = process.argv.slice(1);
for (const file of files) {
  const data = fs.readFileSync(file);
  if (release === "true") {
    fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 9 }));
    fs.writeFileSync(file + ".br", zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  } else {
    fs.writeFileSync(file + ".gz", zlib.gzipSync(data, { level: 6 }));
  }
}"#;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(pkg).map_err(|e| format!("{}: {e}", pkg.display()))? {
        files.push(entry.map_err(|e| e.to_string())?.path());
    }
    let release = (profile == Profile::Release).to_string();
    let mut args = vec!["-e", SCRIPT, &release];
    let names: Vec<String> = files
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    args.extend(names.iter().map(String::as_str));
    Cmd::new("node", &args)
        .shown_as(&format!("node -e <compress> {release} {}", pkg.display()))
        .run_or_log(log)
}

fn rename(from: &Path, to: &Path) -> Result {
    std::fs::rename(from, to).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

/// Copies the files of `from` into `to`, keeping the tree (`public/` holds only a few files).
fn copy_dir(from: &Path, to: &Path) -> Result {
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}
