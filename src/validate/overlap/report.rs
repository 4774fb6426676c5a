//! Wording what the overlap rules found, so that the output stays short however many
//! entries repeat one mistake.
//!
//! - Each overlap is reported once per (entry, pattern class), at the entry's text, as
//!   long as a class over-matches at most [`ONE_BY_ONE`] entries; past that, one
//!   diagnostic at the pattern names the count and the first [`NAMED`] entries.
//! - A pattern shared by more than [`ONE_BY_ONE`] other entries: one error, likewise.
//! - Titles that their own patterns do not match: the first [`ONE_BY_ONE`] one by one,
//!   the rest in one warning. (An unmatched example is an error of its own entry and is
//!   always reported at it.)
//! - At most [`MAX_SHOWN`] diagnostics in all, errors first; one more line counts what
//!   was left out, as an error if any of it was one, so the exit code does not change.

use std::collections::HashSet;

use super::{Class, Found, Over, Report, Seen, Text};
use crate::diag::{Diagnostic, Severity};
use crate::model::Site;

/// Up to this many entries, each overlap is its own diagnostic at the entry's text.
pub(super) const ONE_BY_ONE: usize = 3;
/// Entries named in a grouped diagnostic.
pub(super) const NAMED: usize = 5;
/// Most diagnostics these rules print in one run.
pub(super) const MAX_SHOWN: usize = 50;

pub(super) fn reports(site: &Site, found: &Found) -> Vec<Report> {
    let mut out = Vec::new();
    for class in &found.classes {
        shared(site, class, &mut out);
    }
    for (c, severity, over) in &found.overlaps {
        overlaps(site, &found.classes[*c], *severity, over, &mut out);
    }
    unmatched(site, &found.unmatched, &mut out);
    // The same wording twice: two patterns of one entry over one text.
    let mut seen = HashSet::new();
    out.retain(|(entry, key, needle, d)| {
        seen.insert((*entry, *key, needle.clone(), d.message.clone()))
    });
    cap(out)
}

/// `a/b, c/d, … and N more`, naming at most [`NAMED`] of `count` entries.
fn list(site: &Site, entries: impl Iterator<Item = usize>, count: usize) -> String {
    let named: Vec<String> = entries
        .take(NAMED)
        .map(|e| site.entries[e].id.to_string())
        .collect();
    let mut s = named.join(", ");
    if count > named.len() {
        s.push_str(&format!(" and {} more", count - named.len()));
    }
    s
}

/// Where the pattern `member` of a class is written.
fn pattern_at(site: &Site, (entry, k): (usize, usize)) -> (Option<usize>, &'static str, String) {
    let src = site.entries[entry]
        .patterns
        .get(k)
        .cloned()
        .unwrap_or_default();
    (Some(entry), "patterns", src)
}

fn shared(site: &Site, class: &Class, out: &mut Vec<Report>) {
    let Some((&first, others)) = class.entries.split_first() else {
        return;
    };
    // Entries may share a summary line that only says "one of these".
    if others.is_empty() || class.context {
        return;
    }
    let hint = "two entries must not share a pattern: make one of them more specific";
    if others.len() <= ONE_BY_ONE {
        let owner = &site.entries[first].id;
        for &e in others {
            let member = class
                .members
                .iter()
                .find(|m| m.0 == e)
                .copied()
                .unwrap_or((e, 0));
            let (entry, key, src) = pattern_at(site, member);
            let d = Diagnostic::error(format!("pattern `{src}` is also a pattern of `{owner}`"));
            out.push((entry, key, src, d.hint(hint)));
        }
    } else {
        let (entry, key, src) = pattern_at(site, class.members[0]);
        let d = Diagnostic::error(format!(
            "pattern `{src}` is also a pattern of {} other entries: {}",
            others.len(),
            list(site, others.iter().copied(), others.len())
        ));
        out.push((entry, key, src, d.hint(hint)));
    }
}

/// How a text is named in a message.
fn what(site: &Site, entry: usize, text: Text) -> String {
    match text {
        Text::Example(k) if site.entries[entry].examples.len() > 1 => format!("example {}", k + 1),
        Text::Example(_) => "the example".into(),
        Text::Title => "the title".into(),
    }
}

/// The key and the text to point at for an entry's text.
fn text_at(site: &Site, entry: usize, text: Text) -> (&'static str, String) {
    let e = &site.entries[entry];
    match text {
        Text::Example(k) => {
            let ex = e.examples.get(k).map_or("", String::as_str);
            let first = ex.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            ("examples", first.to_string())
        }
        Text::Title => ("title", e.title.clone()),
    }
}

fn overlaps(site: &Site, class: &Class, severity: Severity, over: &Over, out: &mut Vec<Report>) {
    let owner = site.entries[class.members[0].0].id.to_string();
    if over.count <= ONE_BY_ONE {
        for seen in &over.first {
            out.push(one(site, class, severity, seen));
        }
        return;
    }
    let owners = match class.entries.len() {
        1 => owner,
        n => format!("{owner} and {} other entries with this pattern", n - 1),
    };
    let texts = match (over.examples, over.titles) {
        (true, true) => "examples and titles",
        (false, true) => "titles",
        _ => "examples",
    };
    let victims = list(site, over.first.iter().map(|s| s.entry), over.count);
    let (entry, key, src) = pattern_at(site, class.members[0]);
    let d = match severity {
        Severity::Warning => Diagnostic::warning(format!(
            "{} entries' {texts} are also matched by `{src}` ({owners}): {victims}",
            over.count
        ))
        .hint("tighten this pattern, or theirs: a line of a log should be matched by one entry"),
        Severity::Error => Diagnostic::error(format!(
            "`{src}` ({owners}) ranks above {} entries on their own {texts}: {victims}",
            over.count
        ))
        .hint("a more specific pattern wins those lines: make their patterns more specific, or this one narrower"),
    };
    out.push((entry, key, src, d));
}

/// One overlap at the text where it was seen.
fn one(site: &Site, class: &Class, severity: Severity, seen: &Seen) -> Report {
    let others: Vec<usize> = class
        .entries
        .iter()
        .copied()
        .filter(|&e| e != seen.entry)
        .collect();
    let mut other = others
        .first()
        .map(|&e| format!("`{}`", site.entries[e].id))
        .unwrap_or_default();
    if others.len() > 1 {
        other.push_str(&format!(
            " (and {} other entries with the same pattern)",
            others.len() - 1
        ));
    }
    let what = what(site, seen.entry, seen.text);
    let (key, needle) = text_at(site, seen.entry, seen.text);
    let e = &site.entries[seen.entry];
    let text = match seen.text {
        Text::Example(k) => e.examples.get(k).map_or("", String::as_str),
        Text::Title => &e.title,
    };
    let line = text.lines().nth(seen.line).unwrap_or("").trim();
    let d = match severity {
        Severity::Warning => Diagnostic::warning(format!(
            "{what} is also matched by {other}, on the line `{line}`"
        ))
        .hint("tighten one of the two entries' patterns"),
        Severity::Error => Diagnostic::error(format!(
            "{what}: {other} ranks above this entry on the line `{line}`"
        ))
        .hint("a more specific pattern of another entry wins this line: make this entry's pattern more specific"),
    };
    (Some(seen.entry), key, needle, d)
}

fn unmatched(site: &Site, found: &[(usize, Text)], out: &mut Vec<Report>) {
    let hint = "add a pattern for the wording this text shows";
    let mut titles = Vec::new();
    for &(entry, text) in found {
        let (key, needle) = text_at(site, entry, text);
        match text {
            Text::Example(_) => {
                let what = what(site, entry, text);
                let d = Diagnostic::error(format!(
                    "{what} is not matched by any pattern of this entry"
                ));
                out.push((Some(entry), key, needle, d.hint(hint)));
            }
            Text::Title => titles.push((entry, key, needle)),
        }
    }
    let shown = if titles.len() > ONE_BY_ONE + 1 {
        ONE_BY_ONE
    } else {
        titles.len()
    };
    for (entry, key, needle) in titles.iter().take(shown) {
        let d = Diagnostic::warning("the title is not matched by any pattern of this entry");
        out.push((Some(*entry), key, needle.clone(), d.hint(hint)));
    }
    let rest = &titles[shown..];
    if let Some((entry, key, needle)) = rest.first() {
        let d = Diagnostic::warning(format!(
            "{} more entries whose title is not matched by any of their patterns: {}",
            rest.len(),
            list(site, rest.iter().map(|t| t.0), rest.len())
        ));
        out.push((Some(*entry), key, needle.clone(), d.hint(hint)));
    }
}

/// At most [`MAX_SHOWN`] reports, errors first, and a line that counts the rest.
fn cap(mut out: Vec<Report>) -> Vec<Report> {
    if out.len() <= MAX_SHOWN {
        return out;
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.3.severity));
    let left = out.split_off(MAX_SHOWN);
    let errors = left.iter().filter(|r| r.3.is_error()).count();
    let warnings = left.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let message = format!(
        "{} more diagnostics of the pattern and example checks are not shown ({}, {})",
        left.len(),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    let d = if errors > 0 {
        Diagnostic::error(message)
    } else {
        Diagnostic::warning(message)
    };
    out.push((
        None,
        "",
        String::new(),
        d.hint(
            "fix the ones shown and check again: one pattern that is too broad often causes many",
        ),
    ));
    out
}
