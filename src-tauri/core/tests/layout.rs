//! The core's layout, checked from its sources: no two modules import each
//! other (directly or round a circle), and only `db/` names the driver's
//! database, collection or client handles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `db/scope.rs` → `db::scope`; `db/mod.rs` → `db`; `lib.rs` → `crate`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|p| p != "mod")
        .collect();
    match parts.as_slice() {
        [one] if one == "lib" => "crate".into(),
        _ => parts.join("::"),
    }
}

/// The code of a file without its `#[cfg(test)]` module and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn library() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.retain(|f| !f.starts_with(src.join("bin")));
    (src, files)
}

#[test]
fn no_two_core_modules_import_each_other() {
    let (src, files) = library();
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(&src, file);
        let text = code(&std::fs::read_to_string(file).unwrap());
        for (i, _) in text.match_indices("crate::") {
            let path: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // The longest prefix of the path that is a module of the crate.
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let target = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|m| modules.contains(m));
            if let Some(to) = target.filter(|t| *t != from && from != "crate") {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(m.into());
            return Some(cycle);
        }
        if !done.insert(m.into()) {
            return None;
        }
        stack.push(m.into());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in &modules {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            panic!("modules import each other: {}", cycle.join(" → "));
        }
    }
    let count: usize = edges.values().map(BTreeSet::len).sum();
    println!("{} modules, {count} imports, no cycle", modules.len());
    assert!(count > 20, "the scan found the imports");
}

#[test]
fn only_db_holds_the_raw_database_handle() {
    let (src, files) = library();
    let raw = [
        "mongodb::Database",
        "mongodb::Collection",
        "mongodb::Client",
        ".database()",
        "{Client, Database}",
    ];
    let mut outside = Vec::new();
    for file in &files {
        if file.starts_with(src.join("db")) {
            continue;
        }
        let text = code(&std::fs::read_to_string(file).unwrap());
        for needle in raw {
            if text.contains(needle) {
                outside.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(outside.is_empty(), "raw handle outside db/: {outside:#?}");
    let connection = std::fs::read_to_string(src.join("db/connection.rs")).unwrap();
    assert!(connection.contains("pub(in crate::db) fn database(&self) -> &Database"));
}

/// The repository's top level is the design card's: `Cargo.toml`,
/// `src-tauri`, `ui`, `icons`, `tests`, `tauri.conf.json`, `README.md`.
/// The root package is the app, whose sources stay in `src-tauri/`, and
/// Tauri's config sits beside its `Cargo.toml` (it had moved into
/// `src-tauri/` for the bundler).
#[test]
fn the_top_level_is_the_design_cards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let missing: Vec<&str> = [
        "Cargo.toml",
        "src-tauri",
        "ui",
        "icons",
        "tests",
        "tauri.conf.json",
        "README.md",
    ]
    .into_iter()
    .filter(|p| !root.join(p).exists())
    .collect();
    assert!(missing.is_empty(), "missing at the top level: {missing:?}");
    for stray in ["src-tauri/tauri.conf.json", "src-tauri/Cargo.toml", "src"] {
        assert!(!root.join(stray).exists(), "{stray} should not exist");
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let package = manifest
        .split("[package]")
        .nth(1)
        .expect("the root Cargo.toml is a package");
    assert!(
        package.contains("name = \"mozaiks-admin\""),
        "the root package is the app"
    );
    for path in [
        "src-tauri/src/lib.rs",
        "src-tauri/src/main.rs",
        "src-tauri/build.rs",
    ] {
        assert!(
            manifest.contains(&format!("\"{path}\"")),
            "{path} in Cargo.toml"
        );
        assert!(root.join(path).exists(), "{path}");
    }
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json")).unwrap())
            .unwrap();
    for (what, path) in [
        ("frontendDist", &conf["build"]["frontendDist"]),
        ("icon", &conf["bundle"]["icon"][0]),
    ] {
        let path = path.as_str().unwrap_or_else(|| panic!("{what} is set"));
        assert!(
            !path.starts_with("..") && root.join(path).parent().unwrap().exists(),
            "{what} = {path}: relative to the top level"
        );
    }
}
