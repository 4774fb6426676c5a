//! Checks the shared test vectors in `tests/vectors/patterns.json`, which the
//! browser's JavaScript port is held to as well.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{clean_line, compile, normalize_line};

const VECTORS: &str = include_str!("../../tests/vectors/patterns.json");

/// The shared vectors' schema, used by this check and by `compiled_vectors`.
#[derive(Deserialize)]
pub(super) struct Vectors {
    pub(super) clean: Vec<TextCase>,
    pub(super) normalize: Vec<TextCase>,
    #[serde(rename = "match")]
    pub(super) matching: Vec<MatchCase>,
    specificity: Vec<SpecificityCase>,
    invalid: Vec<InvalidCase>,
}

#[derive(Deserialize, serde::Serialize)]
pub(super) struct TextCase {
    pub(super) input: String,
    pub(super) output: String,
}

#[derive(Deserialize)]
pub(super) struct MatchCase {
    pub(super) pattern: String,
    pub(super) line: String,
    pub(super) matches: bool,
    pub(super) matched: Option<String>,
    pub(super) slots: Option<BTreeMap<String, String>>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
struct SpecificityCase {
    pattern: String,
    specificity: usize,
}

#[derive(Deserialize)]
struct InvalidCase {
    pattern: String,
    error_contains: String,
}

pub(super) fn vectors() -> Vectors {
    match serde_json::from_str(VECTORS) {
        Ok(v) => v,
        Err(e) => panic!("tests/vectors/patterns.json does not parse: {e}"),
    }
}

fn check_match(case: &MatchCase) -> Result<(), String> {
    let pattern = compile(&case.pattern).map_err(|e| format!("does not compile: {e}"))?;
    let line = normalize_line(&case.line);
    let found = pattern.find(&line);
    if found.is_some() != case.matches {
        return Err(format!("matches: expected {}, got {found:?}", case.matches));
    }
    let Some(m) = found else { return Ok(()) };
    if let Some(expected) = &case.matched {
        let text = line.get(m.range.clone()).unwrap_or("<bad range>");
        if text != expected {
            return Err(format!("matched {text:?}, expected {expected:?}"));
        }
    }
    if let Some(expected) = &case.slots {
        let got: BTreeMap<String, String> = m.slots.iter().cloned().collect();
        if &got != expected {
            return Err(format!("slots {got:?}, expected {expected:?}"));
        }
    }
    if pattern.is_match(&line) != case.matches {
        return Err("is_match disagrees with find".into());
    }
    Ok(())
}

#[test]
fn shared_vectors_hold() {
    let v = vectors();
    let total = v.clean.len()
        + v.normalize.len()
        + v.matching.len()
        + v.specificity.len()
        + v.invalid.len();
    assert!(total >= 80, "only {total} vectors");
    let mut failures = Vec::new();
    for c in &v.clean {
        let got = clean_line(&c.input);
        if got != c.output {
            failures.push(format!(
                "clean {:?}: got {got:?}, expected {:?}",
                c.input, c.output
            ));
        }
    }
    for c in &v.normalize {
        let got = normalize_line(&c.input);
        if got != c.output {
            failures.push(format!(
                "normalize {:?}: got {got:?}, expected {:?}",
                c.input, c.output
            ));
        }
    }
    for c in &v.matching {
        if let Err(e) = check_match(c) {
            failures.push(format!("match {:?} on {:?}: {e}", c.pattern, c.line));
        }
    }
    for c in &v.specificity {
        match compile(&c.pattern) {
            Ok(p) if p.specificity() == c.specificity => {}
            Ok(p) => failures.push(format!(
                "specificity {:?}: got {}, expected {}",
                c.pattern,
                p.specificity(),
                c.specificity
            )),
            Err(e) => failures.push(format!(
                "specificity {:?}: does not compile: {e}",
                c.pattern
            )),
        }
    }
    for c in &v.invalid {
        match compile(&c.pattern) {
            Ok(p) => failures.push(format!(
                "invalid {:?}: compiled to {}",
                c.pattern,
                p.regex_source()
            )),
            Err(e) if !e.message.contains(&c.error_contains) => {
                failures.push(format!(
                    "invalid {:?}: message {:?} lacks {:?}",
                    c.pattern, e.message, c.error_contains
                ));
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing vectors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every valid pattern of the vectors yields a JavaScript source, and every
/// match vector's line is matched by the set as by the pattern alone.
#[test]
fn set_agrees_with_single_patterns() {
    let v = vectors();
    let patterns: Vec<_> = v
        .matching
        .iter()
        .filter_map(|c| compile(&c.pattern).ok())
        .collect();
    assert_eq!(patterns.len(), v.matching.len());
    let set: super::PatternSet = patterns.iter().cloned().enumerate().collect();
    for c in &v.matching {
        let line = normalize_line(&c.line);
        let mut expected: Vec<usize> = patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_match(&line))
            .map(|(i, _)| i)
            .collect();
        let mut got: Vec<usize> = set.matches(&line).iter().map(|h| h.pattern).collect();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected, "line {line:?}");
        assert_eq!(set.matching(&line), expected, "line {line:?}");
        assert_eq!(set.is_match(&line), !expected.is_empty());
    }
}
