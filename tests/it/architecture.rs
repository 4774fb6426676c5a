//! The module floors written in `src/lib.rs` hold: no module imports one on a higher floor,
//! and the modules of one floor import each other without a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Floor of each top-level module, from the `//! N. a, b, c` lines of `src/lib.rs`.
fn floors(src: &Path) -> BTreeMap<String, u32> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let mut floors = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.strip_prefix("//! ") else {
            continue;
        };
        let Some((n, mods)) = rest.split_once(". ") else {
            continue;
        };
        let Ok(n) = n.parse::<u32>() else {
            continue;
        };
        for m in mods.split(',') {
            floors.insert(m.trim().to_string(), n);
        }
    }
    floors
}

/// The top-level modules each module's files name through `crate::`.
fn imports(src: &Path, known: &BTreeMap<String, u32>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = f.path();
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = p.strip_prefix(src).expect("prefix");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs").to_string())
            .expect("name");
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(p).expect("read");
        let used = out.entry(top.clone()).or_default();
        let mut add = |name: &str| {
            if name != top && known.contains_key(name) {
                used.insert(name.to_string());
            }
        };
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c, …}`: the first word of each item.
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    add(&name);
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                add(&name);
            }
        }
    }
    out
}

#[test]
fn imports_point_down_and_never_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let floors = floors(&src);
    let graph = imports(&src, &floors);
    for m in graph.keys() {
        assert!(
            floors.contains_key(m),
            "module `{m}` has no floor in src/lib.rs's list"
        );
    }
    let mut up = Vec::new();
    for (m, uses) in &graph {
        for u in uses {
            if floors[u] > floors[m] {
                up.push(format!(
                    "{m} (floor {}) uses {u} (floor {})",
                    floors[m], floors[u]
                ));
            }
        }
    }
    assert!(up.is_empty(), "imports pointing up:\n{}", up.join("\n"));
    // A circle can only be among modules of one floor, now that nothing points up.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut circle = path[i..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for u in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(u, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!(
                "modules import each other in a circle: {}",
                circle.join(" → ")
            );
        }
    }
}

#[test]
fn the_floor_list_names_every_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let floors = floors(&src);
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect();
    let listed: BTreeSet<String> = floors.keys().cloned().collect();
    assert_eq!(declared, listed);
}

/// Caches are a value the pipeline hands down (`memo::Session`), never a global a stage
/// reaches for: no `static` holds a `Memo`, and nothing switches caching on for the
/// whole process.
#[test]
fn no_stage_keeps_a_cache_of_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for f in walkdir::WalkDir::new(&src)
        .into_iter()
        .filter_map(Result::ok)
    {
        if f.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(f.path()).expect("read");
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if (t.starts_with("static ") || t.starts_with("pub static ")) && t.contains("Memo<")
                || t.contains("memo::enable(")
            {
                found.push(format!("{}:{}: {t}", f.path().display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
