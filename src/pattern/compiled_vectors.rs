//! Builds `tests/vectors/compiled.json` for the browser's JavaScript port
//! (`static/pattern.js`, checked by `tests/js/pattern-vectors.mjs`). The
//! browser does not compile patterns: it runs `js_source()` and `js_flags()`
//! as the build emits them. So each match vector of
//! `tests/vectors/patterns.json` is written with the compiled JavaScript regex
//! and the line as Rust normalizes it. The clean and normalize vectors are
//! copied as they are.
//!
//! `ERRKB_BLESS=1 cargo test --lib pattern::compiled_vectors` rewrites the
//! file; without it the test fails when the file on disk is stale.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{compile, normalize_line};

const OUTPUT: &str = "tests/vectors/compiled.json";

const ABOUT: &str = "Generated from tests/vectors/patterns.json by src/pattern/compiled_vectors.rs: do not edit; \
regenerate with ERRKB_BLESS=1 cargo test --lib pattern::compiled_vectors. \
clean: cleanLine(input) == output. normalize: normalizeLine(input) == output. \
match: normalizeLine(line) == normalized (Rust's normalize_line); new RegExp(js_source, js_flags) \
(Pattern::js_source/js_flags) run on it matches iff 'matches'; when given, 'matched' is the matched text \
and 'slots' the exact map of named groups that took part in the match. A group named _p is not a slot: it holds \
the text skipped before the match, which starts after it (static/pattern.js).";

#[derive(Serialize)]
struct CompiledMatch<'a> {
    pattern: &'a str,
    js_source: String,
    js_flags: String,
    line: &'a str,
    normalized: String,
    matches: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slots: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// Compact JSON with every non-ASCII character escaped, so that invisible
/// characters (NBSP, U+FEFF, U+2028) stay visible in the file and in diffs.
fn json<T: Serialize>(value: &T) -> String {
    let text = match serde_json::to_string(value) {
        Ok(t) => t,
        Err(e) => panic!("cannot serialize a vector: {e}"),
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() && c != '\u{7f}' {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// One item per line, as in `patterns.json`.
fn push_list(out: &mut String, key: &str, items: &[String], last: bool) {
    out.push_str(&format!("  {}: [\n", json(&key)));
    for (i, item) in items.iter().enumerate() {
        out.push_str("    ");
        out.push_str(item);
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
    out.push_str(if last { "  ]\n" } else { "  ],\n" });
}

fn render() -> String {
    let source = super::vectors::vectors();
    let matching: Vec<String> = source
        .matching
        .iter()
        .map(|case| {
            let pattern = match compile(&case.pattern) {
                Ok(p) => p,
                Err(e) => panic!("match vector {:?} does not compile: {e}", case.pattern),
            };
            json(&CompiledMatch {
                pattern: &case.pattern,
                js_source: pattern.js_source().to_string(),
                js_flags: pattern.js_flags().to_string(),
                line: &case.line,
                normalized: normalize_line(&case.line).into_owned(),
                matches: case.matches,
                matched: case.matched.as_deref(),
                slots: case.slots.as_ref(),
                note: case.note.as_deref(),
            })
        })
        .collect();
    let clean: Vec<String> = source.clean.iter().map(json).collect();
    let normalize: Vec<String> = source.normalize.iter().map(json).collect();

    let mut out = String::from("{\n");
    out.push_str(&format!("  \"about\": {},\n", json(&ABOUT)));
    push_list(&mut out, "clean", &clean, false);
    push_list(&mut out, "normalize", &normalize, false);
    push_list(&mut out, "match", &matching, true);
    out.push_str("}\n");
    out
}

#[test]
fn compiled_vectors_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(OUTPUT);
    let expected = render();
    if std::env::var_os("ERRKB_BLESS").is_some_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&path, &expected) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    // A checkout with CRLF line endings is not stale.
    assert!(
        on_disk.replace("\r\n", "\n") == expected,
        "{OUTPUT} is missing or stale; regenerate it with \
         `ERRKB_BLESS=1 cargo test --lib pattern::compiled_vectors`"
    );
}
