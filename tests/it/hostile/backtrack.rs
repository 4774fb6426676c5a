//! Patterns whose JavaScript form could backtrack catastrophically are refused by `check`.
//!
//! The browser runs every pattern with JavaScript's backtracking `RegExp`, so a pattern
//! that can match the same text in many ways freezes the search page of every reader
//! (the Rust side is linear and never shows it). Each class of such pattern gets a site
//! with one entry per case: `check` must fail with the reason at the column of the
//! construct. Look-alikes that are safe must pass.

use std::time::{Duration, Instant};

use crate::Site;

/// Literal text in front of every pattern, so the genericity check never fires first.
const LEAD: &str = "regex:permission denied while reading ";

/// An entry with `pattern` written as a single-quoted YAML scalar on line 6.
fn entry(n: usize, pattern: &str) -> String {
    let quoted = pattern.replace('\'', "''");
    format!(
        "---\ntitle: \"demo: backtrack case {n}\"\nsummary: s\nlikely_cause: c\npatterns:\n  - '{quoted}'\nfix: [x]\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n"
    )
}

/// One diagnostic of `check --format json`: (severity, file, line, col, message).
type Diag = (String, String, u64, u64, String);

/// Runs `check` on the ok-basic site plus one entry per pattern; returns the exit code
/// and the diagnostics. Never slower than a generous bound.
fn check(patterns: &[String]) -> (i32, Vec<Diag>) {
    let site = Site::new("ok-basic");
    for (i, p) in patterns.iter().enumerate() {
        site.write(&format!("content/demo/backtrack-{i}.md"), &entry(i, p));
    }
    let t = Instant::now();
    let r = site.run(&["check", "--format", "json"]);
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t.elapsed()
    );
    assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
    let diags = crate::json_lines(&r.stdout())
        .iter()
        .map(|v| {
            (
                crate::field(v, "severity"),
                crate::field(v, "file"),
                v["line"].as_u64().unwrap_or(0),
                v["col"].as_u64().unwrap_or(0),
                crate::field(v, "message"),
            )
        })
        .collect();
    (r.code(), diags)
}

/// Each case is (pattern, the text at whose first character the error must point, a
/// part of the message). All are refused, each with its own error at its column.
#[track_caller]
fn refused(cases: &[(String, &str, &str)]) {
    let patterns: Vec<String> = cases.iter().map(|(p, _, _)| p.clone()).collect();
    let (code, diags) = check(&patterns);
    assert_eq!(code, 1, "{diags:#?}");
    for (i, (pattern, at, msg)) in cases.iter().enumerate() {
        let offset = pattern
            .find(at)
            .unwrap_or_else(|| panic!("`{at}` is not in `{pattern}`"));
        // `  - '` takes five columns; columns count characters from 1.
        let col = 5 + pattern[..offset].chars().count() as u64 + 1;
        let file = format!("content/demo/backtrack-{i}.md");
        assert!(
            diags.iter().any(|(s, f, l, c, m)| s == "error"
                && *f == file
                && *l == 6
                && *c == col
                && m.contains(msg)),
            "`{pattern}`: no error at 6:{col} containing `{msg}` in\n{diags:#?}"
        );
    }
}

fn lead(rest: &str) -> String {
    format!("{LEAD}{rest}")
}

/// The same, case-insensitive: `(?i)` may only open the regex.
fn lead_i(rest: &str) -> String {
    format!("regex:(?i){}{rest}", &LEAD["regex:".len()..])
}

#[test]
fn nested_unbounded_repetition_is_refused() {
    let msg = "repeats without bound";
    refused(&[
        (lead("(a+)+$"), "+$", msg),
        (lead("(x+x+)+y"), "+y", msg),
        (lead(r"(\w+\s?)+$"), "+$", msg),
        (lead("^(([a-z])+.)+[A-Z]([a-z])+$"), "+[A-Z]", msg),
    ]);
}

#[test]
fn counted_repetition_of_an_unbounded_part_is_refused() {
    let msg = "repeats without bound";
    refused(&[
        (lead("(.*a){20}"), "{20}", msg),
        (lead(r"(?:x\d+){2,100}z"), "{2,100}", msg),
    ]);
}

#[test]
fn repeated_alternatives_that_overlap_are_refused() {
    let msg = "can match the same text in more than one way";
    refused(&[
        (lead("(a|a)*b"), "*b", msg),
        (lead("(a|aa)+$"), "+$", msg),
        (lead(r"(?:\d|\w)+!"), "+!", msg),
        (lead("(?:a|ab|b){1,100}c"), "{1,100}c", msg),
        (lead_i("(?:x|X)+y"), "+y", msg),
        (lead("(?:a|b|ab)*c"), "*c", msg),
    ]);
}

#[test]
fn adjacent_repetitions_that_overlap_are_refused() {
    let msg = "can split the same text in many ways";
    refused(&[
        (lead(r"\w+\s?\w+!"), "+!", msg),
        (lead(".*x.*y"), "*y", msg),
        (lead("[a-z]+[a-z0-9]+!"), "+!", msg),
        (lead(r"\d+ ?\d*:"), "*:", msg),
        (lead("x[^ ]*[a-z]+ end"), "+ end", msg),
        (lead(r"\w{1,100}\w{1,100}!"), "{1,100}!", msg),
    ]);
}

#[test]
fn too_many_slots_are_refused() {
    // Eight slots pass; the ninth is refused at its own column.
    let eight = "copy <a> to <b> from <c> via <d> as <e> with <f> at <g> by <h> failed";
    let nine = format!("{eight} for <i>");
    let (code, diags) = check(&[eight.to_string()]);
    assert_eq!(code, 0, "{diags:#?}");
    refused(&[(nine, "<i>", "the limit is 8")]);
}

#[test]
fn safe_look_alikes_pass() {
    let safe = [
        lead(r"\w+ \w+!"),
        lead("[^:]+: [^:]+: done"),
        lead(r"\d+\.\d+\.\d+"),
        lead(r"(?:\d{1,3}\.){3}\d{1,3}"),
        lead("(?:ab|cd)+e"),
        lead("(?:a|b)+c"),
        lead("x.*y.*"),
        lead(r"\S+\s+\S+!"),
        lead(r"[0-9a-f]{7,40}\b"),
        lead(r"\w{3}\w*!"),
        lead(r"x\S+ \S+ \S+$"),
        lead_i(r"(^|[\s/])(ba|da|a|k|mk)?sh: [^:\s]+: not found\s*$"),
        lead_i(r"line \d+: [^:]+: (command )?not found\s*$"),
        lead_i(r"python[0-9.]*(\.exe)?: No module named \S"),
        "Access denied for user '<user>'@'<host>' to database '<database>'".to_string(),
        "<a><b> copy failed".to_string(),
    ];
    let (code, diags) = check(&safe);
    let errors: Vec<&Diag> = diags.iter().filter(|d| d.0 == "error").collect();
    assert!(code == 0 && errors.is_empty(), "{errors:#?}");
}
