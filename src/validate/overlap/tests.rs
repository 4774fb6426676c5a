//! The grouping and the cost model of the overlap rules, on sites built in memory.

use std::sync::Arc;

use super::report::MAX_SHOWN;
use super::{Report, find, report};
use crate::config::Config;
use crate::diag::Severity;
use crate::load::{EntryKind, RawEntry};
use crate::model::Site;

/// An entry `t/<slug>` with these texts (front matter only).
fn entry(
    slug: &str,
    title: &str,
    patterns: &[&str],
    examples: &[&str],
) -> Arc<crate::model::Entry> {
    let list = |xs: &[&str]| {
        xs.iter()
            .map(|x| format!("  - \"{x}\"\n"))
            .collect::<String>()
    };
    let text = format!(
        "---\ntitle: \"{title}\"\nsummary: s\nlikely_cause: c\npatterns:\n{}examples:\n{}fix: [x]\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n",
        list(patterns),
        list(examples)
    );
    let raw = RawEntry::new(
        "t".into(),
        slug.into(),
        format!("content/t/{slug}.md").into(),
        EntryKind::Markdown,
        text.into(),
        [0; 32],
    )
    .expect("front matter");
    let (e, diags) = crate::validate::validate_entry(&raw, &Config::default());
    Arc::new(e.unwrap_or_else(|| panic!("{diags:?}")))
}

fn site(mut entries: Vec<Arc<crate::model::Entry>>) -> Site {
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Site {
        entries,
        ..Site::default()
    }
}

fn reports(site: &Site) -> Vec<Report> {
    report::reports(site, &find(site))
}

fn messages(reports: &[Report]) -> Vec<(Severity, String)> {
    reports
        .iter()
        .map(|r| (r.3.severity, r.3.message.clone()))
        .collect()
}

/// `n` entries `e00`… whose example and title a pattern `demo: locked` would match.
fn family(n: usize) -> Vec<Arc<crate::model::Entry>> {
    (0..n)
        .map(|i| {
            let msg = format!("demo: locked by pid {i}00");
            entry(
                &format!("e{i:02}"),
                &msg,
                &[&format!("locked by pid {i}00")],
                &[&msg],
            )
        })
        .collect()
}

#[test]
fn few_overlaps_are_reported_at_each_entry_once() {
    let mut entries = family(3);
    entries.push(entry(
        "generic",
        "demo: locked <what>",
        &["demo: locked"],
        &[],
    ));
    let got = messages(&reports(&site(entries)));
    // Example and title of each entry: one warning per entry, at the first text.
    assert_eq!(
        got,
        [
            (
                Severity::Warning,
                "the example is also matched by `t/generic`, on the line `demo: locked by pid 000`"
                    .to_string()
            ),
            (
                Severity::Warning,
                "the example is also matched by `t/generic`, on the line `demo: locked by pid 100`"
                    .to_string()
            ),
            (
                Severity::Warning,
                "the example is also matched by `t/generic`, on the line `demo: locked by pid 200`"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn many_overlaps_of_one_pattern_are_one_warning_at_it() {
    let mut entries = family(7);
    entries.push(entry(
        "generic",
        "demo: locked <what>",
        &["demo: locked"],
        &[],
    ));
    let site = site(entries);
    let got = reports(&site);
    assert_eq!(got.len(), 1, "{:?}", messages(&got));
    let (entry, key, needle, d) = &got[0];
    assert_eq!(
        site.entries[entry.expect("an entry")].id.to_string(),
        "t/generic"
    );
    assert_eq!((*key, needle.as_str()), ("patterns", "demo: locked"));
    assert_eq!(
        d.message,
        "7 entries' examples and titles are also matched by `demo: locked` (t/generic): t/e00, t/e01, t/e02, t/e03, t/e04 and 2 more"
    );
}

#[test]
fn a_pattern_that_ranks_above_many_entries_is_one_error() {
    let mut entries = family(4);
    entries.push(entry(
        "winner",
        "demo: locked by pid <pid> (another process)",
        &["demo: locked by pid <pid>"],
        &[],
    ));
    let got = messages(&reports(&site(entries)));
    assert_eq!(
        got,
        [(
            Severity::Error,
            "`demo: locked by pid <pid>` (t/winner) ranks above 4 entries on their own examples and titles: t/e00, t/e01, t/e02, t/e03".to_string()
        )]
    );
}

#[test]
fn shared_patterns_are_grouped_past_three() {
    let same = |n: usize| -> Vec<_> {
        (0..n)
            .map(|i| {
                entry(
                    &format!("s{i}"),
                    "demo: same failed",
                    &["demo: same failed"],
                    &["demo: same failed"],
                )
            })
            .collect()
    };
    let got = messages(&reports(&site(same(3))));
    let shared: Vec<_> = got.iter().filter(|(s, _)| *s == Severity::Error).collect();
    assert_eq!(shared.len(), 2, "{got:?}");
    assert!(
        shared
            .iter()
            .all(|(_, m)| m == "pattern `demo: same failed` is also a pattern of `t/s0`")
    );

    let got = messages(&reports(&site(same(6))));
    assert_eq!(
        got,
        [
            (Severity::Error, "pattern `demo: same failed` is also a pattern of 5 other entries: t/s1, t/s2, t/s3, t/s4, t/s5".to_string()),
            (Severity::Warning, "6 entries' examples and titles are also matched by `demo: same failed` (t/s0 and 5 other entries with this pattern): t/s0, t/s1, t/s2, t/s3, t/s4 and 1 more".to_string()),
        ]
    );
}

/// 1,000 entries with one pattern and one example: one class, one distinct line, one
/// overlap record, not a million pairs.
#[test]
fn a_shared_pattern_is_tried_once() {
    let entries = (0..1000)
        .map(|i| {
            entry(
                &format!("e{i:04}"),
                "demo: shared failed",
                &["demo: shared failed"],
                &["demo: shared failed"],
            )
        })
        .collect();
    let found = find(&site(entries));
    assert_eq!(found.classes.len(), 1);
    assert_eq!(found.overlaps.len(), 1);
    assert_eq!(found.overlaps[0].2.count, 1000);
    assert!(found.unmatched.is_empty());
}

#[test]
fn unmatched_titles_are_grouped_and_examples_are_not() {
    let entries = (0..6)
        .map(|i| {
            entry(
                &format!("u{i}"),
                &format!("Title {i}"),
                &[&format!("demo: failure {i}00")],
                &["nothing like it"],
            )
        })
        .collect();
    let got = messages(&reports(&site(entries)));
    let errors = got.iter().filter(|(s, m)| {
        *s == Severity::Error && m == "the example is not matched by any pattern of this entry"
    });
    assert_eq!(errors.count(), 6, "{got:?}");
    let titles: Vec<_> = got
        .iter()
        .filter(|(s, _)| *s == Severity::Warning)
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "the title is not matched by any pattern of this entry",
            "the title is not matched by any pattern of this entry",
            "the title is not matched by any pattern of this entry",
            "3 more entries whose title is not matched by any of their patterns: t/u3, t/u4, t/u5",
        ]
    );
}

#[test]
fn output_is_capped_with_a_count_that_keeps_the_exit_code() {
    // Every example unmatched: an error each, which grouping does not fold.
    let entries = (0..80)
        .map(|i| {
            entry(
                &format!("c{i:02}"),
                &format!("demo: error {i}x"),
                &[&format!("demo: error {i}x")],
                &["no"],
            )
        })
        .collect();
    let got = reports(&site(entries));
    assert_eq!(got.len(), MAX_SHOWN + 1);
    let last = &got[MAX_SHOWN];
    assert_eq!(last.0, None);
    assert_eq!(last.3.severity, Severity::Error);
    assert_eq!(
        last.3.message,
        "30 more diagnostics of the pattern and example checks are not shown (30 errors, 0 warnings)"
    );
}

#[test]
fn context_patterns_may_be_shared_and_never_overlap() {
    let summary = "context:demo: push failed to <remote>";
    let entries = vec![
        entry(
            "a",
            "demo: rejected (non-fast-forward)",
            &["demo: rejected (non-fast-forward)", summary],
            &["demo: rejected (non-fast-forward)\ndemo: push failed to origin"],
        ),
        entry(
            "b",
            "demo: hook declined",
            &["demo: hook declined", summary],
            &["demo: hook declined\ndemo: push failed to origin"],
        ),
        // Its only example line is the summary: its context pattern alone does not
        // count as matching it.
        entry(
            "c",
            "demo: refspec main",
            &["demo: refspec <ref>", summary],
            &["demo: push failed to origin"],
        ),
    ];
    let got = messages(&reports(&site(entries)));
    assert_eq!(
        got,
        [(
            Severity::Error,
            "the example is not matched by any pattern of this entry".to_string()
        )]
    );
    // A specific pattern equal to another entry's context pattern is still shared.
    let entries = vec![
        entry("a", "demo: x y", &["demo: x y", summary], &[]),
        entry("b", "demo: v w", &["demo: push failed to <where>"], &[]),
    ];
    let got = messages(&reports(&site(entries)));
    assert!(
        got.iter()
            .any(|(s, m)| *s == Severity::Error && m.contains("is also a pattern of")),
        "{got:?}"
    );
}

#[test]
fn a_kept_session_runs_the_rules_again_when_a_text_they_read_changes() {
    // `serve` keys the rules' result on each entry's `overlap_key`: an edit to a title,
    // pattern or example must bring the rules back, whatever else stayed the same.
    let session = crate::memo::Session::kept();
    let run = |entries: Vec<Arc<crate::model::Entry>>| {
        let mut diags = Vec::new();
        super::check(&site(entries), &|_, _, _, d| d, &mut diags, &session);
        session.finish_run();
        diags.len()
    };
    let own = entry(
        "own",
        "demo: disk full",
        &["disk full"],
        &["demo: disk full"],
    );
    let other = |example: &str| entry("other", "demo: quota hit", &["quota hit"], &[example]);
    assert_eq!(run(vec![own.clone(), other("demo: quota hit")]), 0);
    // Only the other entry's example changed, to a line the first entry's pattern matches.
    assert!(run(vec![own.clone(), other("demo: quota hit, disk full")]) > 0);
    assert_eq!(run(vec![own, other("demo: quota hit")]), 0);
}

#[test]
fn the_overlap_key_changes_with_each_text_the_rules_read() {
    let a = entry("a", "demo: x failed", &["x failed"], &["demo: x failed"]);
    let same = entry("a", "demo: x failed", &["x failed"], &["demo: x failed"]);
    assert_eq!(a.overlap_key, same.overlap_key);
    assert_ne!(a.overlap_key, [0; 32]);
    for changed in [
        entry("b", "demo: x failed", &["x failed"], &["demo: x failed"]),
        entry("a", "demo: x failed!", &["x failed"], &["demo: x failed"]),
        entry(
            "a",
            "demo: x failed",
            &["x failed", "y failed"],
            &["demo: x failed"],
        ),
        entry(
            "a",
            "demo: x failed",
            &["x failed"],
            &["demo: x failed", "x failed"],
        ),
    ] {
        assert_ne!(a.overlap_key, changed.overlap_key, "{}", changed.title);
    }
}

/// However the patterns are split into automata, a line gets the classes whose pattern
/// matches it, each once, in order: here split into one, two and five sets.
#[test]
fn split_sets_answer_like_one() {
    use crate::pattern::{compile, normalize_line};
    let patterns: Vec<(usize, crate::pattern::Pattern)> = (0..500)
        .map(|i| {
            let p = match i % 4 {
                0 => format!("error E{i}: disk <path> is full"),
                1 => format!("fatal: cannot open replica {i}"),
                2 => "fatal: cannot open replica <n>".to_string(),
                _ => format!("regex:^warning W{i} [a-z]+$"),
            };
            (i, compile(&p).expect("valid pattern"))
        })
        .collect();
    let lines = [
        "error E8: disk /var/lib is full",
        "fatal: cannot open replica 13",
        "fatal: cannot open replica 14",
        "warning W7 late",
        "nothing to see",
    ];
    for line in lines {
        let line = normalize_line(line);
        let want: Vec<usize> = patterns
            .iter()
            .filter(|(_, p)| p.is_match(&line))
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            want.is_empty(),
            line == "nothing to see",
            "{line}: {want:?}"
        );
        for sets in [1, 2, 5] {
            let chunked = super::Chunked::in_sets(patterns.clone(), sets, 1);
            assert_eq!(chunked.sets.len(), sets);
            assert_eq!(chunked.matching(&line), want, "{line} in {sets} sets");
        }
    }
}
