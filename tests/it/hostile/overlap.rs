//! Cross-entry overlap checks stay bounded in time, memory and output.
//!
//! Reproduced on the old check: 1,000 entries sharing one pattern and one example took
//! 54 s and printed 1,000,999 diagnostics (every entry's example against every other
//! entry's pattern). Each case here generates such a site and asserts that `check`
//! finishes, prints a handful of grouped lines that name the count, and still fails or
//! passes as it should.

use std::time::{Duration, Instant};

use crate::{Run, Site};

/// A site whose `content/fam/` holds `n` entries made by `entry(i)` (front matter only).
fn family(n: usize, entry: impl Fn(usize) -> String) -> Site {
    let site = Site {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    for i in 0..n {
        site.write(&format!("content/fam/e{i:05}.md"), &entry(i));
    }
    site
}

fn front(title: &str, patterns: &[&str], examples: &[&str]) -> String {
    let list = |xs: &[&str]| {
        xs.iter()
            .map(|x| format!("  - \"{x}\"\n"))
            .collect::<String>()
    };
    let examples = if examples.is_empty() {
        String::new()
    } else {
        format!("examples:\n{}", list(examples))
    };
    format!(
        "---\ntitle: \"{title}\"\nsummary: s\nlikely_cause: c\npatterns:\n{}{examples}fix: [x]\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n",
        list(patterns)
    )
}

/// Runs `errkb check` (human output, the longest form) and `--format json`; asserts
/// that each finishes and prints at most 50 lines. Returns both runs.
fn check_bounded(site: &Site, extra: &[&str]) -> (Run, Run) {
    check_within(site, extra, 50, 50)
}

/// [`check_bounded`] with the line limits for human and JSON output given.
fn check_within(site: &Site, extra: &[&str], human_max: usize, json_max: usize) -> (Run, Run) {
    let mut runs = Vec::new();
    for (format, max) in [("human", human_max), ("json", json_max)] {
        let mut args = vec!["check", "--format", format];
        args.extend_from_slice(extra);
        let t = Instant::now();
        let r = site.run(&args);
        let took = t.elapsed();
        // Generous: the old check needed minutes for this in a debug build.
        assert!(took < Duration::from_secs(30), "check took {took:?}");
        assert!(!r.stderr().contains("panicked"), "{}", r.stderr());
        let lines = r.stdout().lines().count() + r.stderr().lines().count();
        assert!(
            lines <= max,
            "{format}: {lines} lines of output:\n{}",
            r.stdout().lines().take(60).collect::<Vec<_>>().join("\n")
        );
        runs.push(r);
    }
    let json = runs.pop().expect("two runs");
    let human = runs.pop().expect("two runs");
    (human, json)
}

/// The reproduced case: 1,000 entries with the same pattern and example, titles that
/// their pattern does not match.
#[test]
fn thousand_entries_sharing_one_pattern_and_example() {
    let site = family(1000, |i| {
        front(
            &format!("Shared failure number {i}"),
            &["demo: shared failed"],
            &["demo: shared failed"],
        )
    });
    let (human, json) = check_bounded(&site, &[]);
    assert_eq!(human.code(), 1, "sharing a pattern is an error");
    assert_eq!(json.code(), 1);
    let out = json.stdout();
    assert!(
        out.contains("pattern `demo: shared failed` is also a pattern of 999 other entries"),
        "{out}"
    );
    assert!(
        out.contains("1000 entries' examples are also matched by `demo: shared failed`"),
        "{out}"
    );
    assert!(
        out.contains("997 more entries whose title is not matched by any of their patterns"),
        "{out}"
    );
}

/// A generic entry whose pattern matches the examples of a whole family of specific
/// ones: one warning at the generic pattern, not one per entry.
#[test]
fn generic_pattern_over_a_family_is_one_warning() {
    let site = family(1000, |i| {
        let msg = format!("demo: build failed: step {i} exited with code 2");
        front(
            &msg,
            &[&format!("demo: build failed: step {i} exited")],
            &[&msg],
        )
    });
    site.write(
        "content/fam/generic.md",
        &front(
            "demo: build failed: <reason>",
            &["demo: build failed"],
            &["demo: build failed: out of disk"],
        ),
    );
    let (human, json) = check_bounded(&site, &[]);
    assert_eq!(human.code(), 0, "overlaps are warnings: {}", human.stdout());
    let out = json.stdout();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("1000 entries' examples and titles are also matched by `demo: build failed` (fam/generic): fam/e00000, fam/e00001, fam/e00002, fam/e00003, fam/e00004 and 995 more"),
        "{out}"
    );
    assert!(out.contains("\"file\":\"content/fam/generic.md\""), "{out}");
    check_bounded(&site, &["--deny-warnings"]).0.fails(1);
}

/// A specific pattern of one entry wins the examples of 1,000 others: one error that
/// names the winner and the count.
#[test]
fn pattern_ranking_above_a_family_is_one_error() {
    let site = family(1000, |i| {
        let msg = format!("demo: widget w{i} is locked by another process");
        front(&msg, &[&format!("widget w{i} is locked")], &[&msg])
    });
    site.write(
        "content/fam/locked.md",
        &front(
            "demo: widget <name> is locked by another process",
            &["demo: widget <name> is locked by another process"],
            &[],
        ),
    );
    let (human, json) = check_bounded(&site, &[]);
    assert_eq!(human.code(), 1, "{}", human.stdout());
    let out = json.stdout();
    assert!(
        out.contains("`demo: widget <name> is locked by another process` (fam/locked) ranks above 1000 entries on their own examples and titles: fam/e00000,"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// Many distinct patterns that all match one another's examples: grouping cannot fold
/// them (each pattern over-matches 299 entries), so the output is capped at 50
/// diagnostics and one line says how many were left out.
#[test]
fn distinct_overlapping_patterns_are_capped() {
    let words: Vec<String> = (0..300).map(|i| format!("w{i:03}")).collect();
    let example = format!("demo: shared failed at {}", words.join(" "));
    let site = family(300, |i| {
        front(
            "demo: shared failed",
            &[&format!("shared failed <x> {}", words[i])],
            &[&example],
        )
    });
    // Human output shows each diagnostic with its source line: bounded, not small.
    let (human, json) = check_within(&site, &[], 500, 51);
    assert_eq!(human.code(), 0, "warnings only: {}", human.stdout());
    let out = json.stdout();
    assert_eq!(out.lines().count(), 51, "{out}");
    assert!(
        out.contains(
            "254 more diagnostics of the pattern and example checks are not shown (0 errors, 254 warnings)"
        ),
        "{out}"
    );
}
