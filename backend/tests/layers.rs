//! The backend's layers hold: each folder of `src/` names only the layers
//! below it, and no module imports one that imports it back (directly or
//! through others). A newcomer reads the architecture from the folder tree
//! (see ARCHITECTURE.md); this test keeps the tree honest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first; a module may name its own layer and those
/// before it.
const LAYERS: [&str; 10] = [
    "support",
    "edge",
    "cluster",
    "delivery",
    "persistence",
    "room",
    "directory",
    "session",
    "doors",
    "server",
];

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path (`room::core`, `room::core::tests`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
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
    parts.join("::")
}

/// The code of a file without its comments.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names after `prefix` (`crate::` or `super::`), with
/// the items of `use prefix…::{…}` groups spelled out.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (index, _) in code.match_indices(prefix) {
        // `super::super::x` is found once, at its first `super::`.
        if prefix == "super::" && code[..index].ends_with("super::") {
            continue;
        }
        let rest = &code[index + prefix.len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        if rest[path.len()..].starts_with('{') {
            let group = &rest[path.len() + 1..];
            let group = &group[..group.find(';').unwrap_or(group.len())];
            for item in group.split([',', '{', '}']) {
                paths.push(format!("{path}{}", item.trim()));
            }
        }
        paths.push(path);
    }
    paths
}

/// The modules a file of module `module` names with `crate::a::b…` or
/// `super::…` (the longest path that is a module).
fn named(code: &str, module: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut parts_of = Vec::new();
    for path in paths_after(code, "crate::") {
        parts_of.push(path.split("::").map(str::to_owned).collect::<Vec<_>>());
    }
    for path in paths_after(code, "super::") {
        let mut base: Vec<String> = module.split("::").map(str::to_owned).collect();
        base.pop();
        let mut rest = path.as_str();
        while let Some(more) = rest.strip_prefix("super::") {
            base.pop();
            rest = more;
        }
        base.extend(rest.split("::").map(str::to_owned));
        parts_of.push(base);
    }
    let mut out = BTreeSet::new();
    for parts in parts_of {
        let parts: Vec<&str> = parts
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        for len in (1..=parts.len()).rev() {
            let candidate = parts[..len].join("::");
            if modules.contains(&candidate) {
                out.insert(candidate);
                break;
            }
        }
    }
    out
}

/// What the crate root re-exports: `pub use a::b::{C, d}` makes
/// `crate::C` name `crate::a::b::C`.
fn reexports(lib: &str) -> Vec<(String, String)> {
    let mut aliases = Vec::new();
    for path in paths_after(&code(lib).replace("pub use ", "pub use crate::"), "crate::") {
        if let Some((_, item)) = path.rsplit_once("::") {
            if !item.is_empty() {
                aliases.push((item.to_owned(), path.clone()));
            }
        }
    }
    aliases
}

/// `code` with each `crate::Item` that the root re-exports spelled as its
/// full path.
fn unalias(code: &str, aliases: &[(String, String)]) -> String {
    let mut code = code.to_owned();
    for (item, path) in aliases {
        for end in [";", ",", "}", " ", "(", ")", ":", ">", "\n"] {
            code = code.replace(
                &format!("crate::{item}{end}"),
                &format!("crate::{path}{end}"),
            );
        }
    }
    code
}

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or_default();
    LAYERS
        .iter()
        .position(|layer| *layer == top)
        .unwrap_or(LAYERS.len())
}

/// The module graph of `backend/src`: module → the modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    // The binary is a crate of its own: it names the library, not `crate::`.
    files.retain(|file| file != &src.join("main.rs"));
    let modules: BTreeMap<String, PathBuf> = files
        .into_iter()
        .map(|file| (module_of(&src, &file), file))
        .collect();
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let aliases = reexports(&std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    modules
        .iter()
        .map(|(module, file)| {
            let text = std::fs::read_to_string(file).expect("readable");
            let mut edges = named(&unalias(&code(&text), &aliases), module, &names);
            // A module may name its own parents (their re-exports).
            edges.retain(|to| {
                to != module && !module.starts_with(&format!("{to}::")) && !to.is_empty()
            });
            (module.clone(), edges)
        })
        .collect()
}

#[test]
fn every_module_sits_in_a_folder_that_names_its_layer() {
    let graph = graph();
    let stray: Vec<&String> = graph
        .keys()
        .filter(|module| !module.is_empty() && layer(module) == LAYERS.len())
        .collect();
    assert!(stray.is_empty(), "modules outside the layers: {stray:?}");
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let upward: Vec<String> = graph()
        .iter()
        .flat_map(|(from, to)| {
            to.iter()
                .filter(|to| layer(to) > layer(from))
                .map(move |to| format!("{from} -> {to}"))
        })
        .collect();
    assert!(
        upward.is_empty(),
        "lower layers name higher ones: {upward:#?}"
    );
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = graph();
    // Depth-first search for a back edge, reporting the circle it closes.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            return Some(path[start..].to_vec());
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let circle = visit(module, &graph, &mut Vec::new(), &mut done);
        assert!(circle.is_none(), "an import circle: {circle:?}");
    }
}
