//! The checks of single keys of an entry, each reporting at the key's place in the file.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ctx, control_error};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::EntryKind;
use crate::model::{EntryId, MAX_SEGMENT_LEN, Placeholder, Step, Unsafe, slots_in};
use crate::pattern::{self, Pattern};
use crate::validate::{keys, lint, safety};

/// Every pattern compiles and is specific enough; at least one is not `context:`. The
/// compiled patterns, in order (all of them when the first is true).
pub(super) fn patterns(cx: &mut Ctx, patterns: &[String]) -> (bool, Vec<Pattern>) {
    let mut ok = true;
    let mut out = Vec::with_capacity(patterns.len());
    // A `context:` pattern is not enough alone: an entry made only of them could never
    // be found.
    let mut specific = false;
    for p in patterns {
        let compiled = pattern::compile(p);
        // An invalid pattern is reported on its own.
        specific |= compiled.as_ref().map_or(true, |c| !c.is_context());
        match compiled {
            Err(e) => {
                ok = false;
                let mut d = Diagnostic::error(format!("invalid pattern `{p}`: {}", e.message));
                if let Some(h) = &e.hint {
                    d = d.hint(h.clone());
                }
                // Point at the offending character when the pattern is written verbatim.
                let at = e
                    .offset
                    .and_then(|o| p.get(..o))
                    .map(|before| before.chars().count());
                cx.item_at("patterns", p, at, d);
            }
            Ok(compiled) => {
                if let Some(reason) = pattern::too_generic(&compiled) {
                    ok = false;
                    cx.item(
                        "patterns",
                        p,
                        Diagnostic::error(format!("pattern `{p}` is too generic: {reason}"))
                            .hint("quote more of the error text, so the pattern cannot match ordinary log lines"),
                    );
                }
                // Kept with the entry: without the regex the check may have built.
                out.push(compiled.into_unbuilt());
            }
        }
    }
    if !specific && !patterns.is_empty() {
        ok = false;
        cx.key(
            "patterns",
            Diagnostic::error("every pattern is a `context:` pattern: a summary line that a family of errors prints cannot identify this one alone")
                .hint("add a pattern for the line that says which error it is"),
        );
    }
    (ok, out)
}

/// Steps are not empty and their commands pass the lint; the placeholders they use.
pub(super) fn steps(
    cx: &mut Ctx,
    procedures: &[(&'static str, &[Step]); 4],
) -> (bool, BTreeSet<String>) {
    let mut ok = true;
    let mut used = BTreeSet::new();
    for &(key, steps) in procedures {
        for (i, s) in steps.iter().enumerate() {
            if s.is_empty() {
                ok = false;
                cx.key(
                    key,
                    Diagnostic::error(format!("`{key}` step {} is empty", i + 1))
                        .hint("a step needs a `title`, `run` or `text`"),
                );
            }
            if let Some(run) = &s.run {
                used.extend(slots_in(run).into_iter().map(str::to_string));
                lint_run(cx, key, run, s.allow_unsafe.as_deref());
                hidden_in_run(cx, key, run);
            }
        }
    }
    (ok, used)
}

pub(super) fn unsafe_items(cx: &mut Ctx, items: &[Unsafe]) -> bool {
    let mut ok = true;
    for (i, u) in items.iter().enumerate() {
        if u.do_not.trim().is_empty() || u.why.trim().is_empty() {
            ok = false;
            cx.key(
                "unsafe",
                Diagnostic::error(format!(
                    "`unsafe` item {} needs both `do_not` and `why`",
                    i + 1
                )),
            );
        }
    }
    ok
}

/// Declared placeholders have valid names and are used; used ones are declared.
pub(super) fn placeholder_names(
    cx: &mut Ctx,
    placeholders: &BTreeMap<String, Placeholder>,
    used: &BTreeSet<String>,
) -> bool {
    let mut ok = true;
    for name in placeholders.keys() {
        if !name.starts_with(|c: char| c.is_ascii_lowercase())
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            ok = false;
            cx.item(
                "placeholders",
                name,
                Diagnostic::error(format!("invalid placeholder name `{name}`"))
                    .hint("names are a lower-case letter, then a-z, 0-9 or _"),
            );
        } else if !used.contains(name) {
            cx.item(
                "placeholders",
                name,
                Diagnostic::warning(format!(
                    "placeholder `{name}` is declared but no command uses `<{name}>`"
                )),
            );
        }
    }
    for name in used {
        if !placeholders.contains_key(name) {
            cx.item(
                "fix",
                &format!("<{name}>"),
                Diagnostic::warning(format!("placeholder `<{name}>` is used in a command but not declared"))
                    .hint(format!("add it under `placeholders:` with an example, e.g. `{name}: {{example: \"…\", help: \"…\"}}`")),
            );
        }
    }
    ok
}

/// Entry ids in `related` or `aliases`, and whether all parsed.
pub(super) fn ids(cx: &mut Ctx, key: &str, list: Vec<String>) -> (Vec<EntryId>, bool) {
    let mut ok = true;
    let mut out = Vec::new();
    for s in list {
        match EntryId::parse(s.trim().trim_matches('/')) {
            Some(id) => out.push(id),
            None => {
                ok = false;
                cx.item(
                    key,
                    &s,
                    Diagnostic::error(format!("`{s}` is not an entry id"))
                        .hint("ids look like `tool/slug` (a-z, 0-9 and single dashes)"),
                );
            }
        }
    }
    (out, ok)
}

pub(super) fn tags(cx: &mut Ctx, tags: &[String]) -> bool {
    let mut ok = true;
    for t in tags {
        if !is_valid_tag(t) {
            ok = false;
            cx.item(
                "tags",
                t,
                Diagnostic::error(format!("invalid tag `{t}`")).hint(format!(
                    "tags are a-z, 0-9 and dashes, at most {MAX_SEGMENT_LEN} characters (each is a folder name), e.g. `{}`",
                    crate::model::suggest_segment(t)
                )),
            );
        }
    }
    ok
}

/// `updated` is a real date; stale entries are a warning when the site asks.
pub(super) fn updated(cx: &mut Ctx, updated: Option<&str>, config: &Config) -> bool {
    let Some(u) = updated else {
        return true;
    };
    if !is_real_date(u) {
        cx.key(
            "updated",
            Diagnostic::error(format!("`updated: {u}` is not a real date"))
                .hint("write it as YYYY-MM-DD, e.g. 2024-05-01"),
        );
        return false;
    }
    if let Some(days) = config.stale_after_days {
        stale_check(cx, u, days);
    }
    true
}

/// No control characters in the front matter's text or in a Markdown body.
pub(super) fn no_controls(
    cx: &mut Ctx,
    present: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    let raw = cx.raw;
    let mut ok = true;
    for (key, s) in safety::controls_in(present) {
        ok = false;
        let c = s
            .chars()
            .find(|c| safety::is_forbidden_control(*c))
            .unwrap_or('\0');
        cx.key(&key, control_error(c, &format!("`{key}`")));
    }
    if raw.kind == EntryKind::Markdown
        && let Some((c, line, col)) = safety::first_control(raw.body())
    {
        ok = false;
        cx.diags
            .push(control_error(c, "the body").file(&raw.path).at(
                raw.body_line + line - 1,
                Some(col),
                Some(&raw.text),
            ));
    }
    ok
}

/// Warns about a command that is a known unsafe shortcut, unless the step says why it is
/// fine here.
pub(super) fn lint_run(cx: &mut Ctx, key: &str, run: &str, allow: Option<&str>) {
    match (lint::unsafe_command(run), allow) {
        (Some(rule), None) => cx.item(
            key,
            run,
            Diagnostic::warning(format!("`{key}` command uses an unsafe shortcut ({}): it {}", rule.id, rule.message))
                .hint("move it under `unsafe:` with the reason, or add `allow_unsafe: \"why it is safe here\"` to the step"),
        ),
        (_, Some(reason)) if reason.trim().is_empty() => cx.item(
            key,
            run,
            Diagnostic::error("`allow_unsafe` is empty").hint("say why the command is safe in this step"),
        ),
        _ => {}
    }
}

/// A command must run what the page shows and what a reader copies: a control character
/// (ESC, CR…), a bidi control or a zero-width character in it is an error, at the
/// character when it is written as is in the file.
pub(super) fn hidden_in_run(cx: &mut Ctx, key: &str, run: &str) {
    let Some((at, c)) = crate::term::hidden_in_command(run) else {
        return;
    };
    let d = Diagnostic::error(format!(
        "`{key}` command holds {}: what runs would differ from what the page shows",
        crate::term::describe(c)
    ))
    .hint("remove it: a command may hold printable characters, tabs and line breaks only");
    let front = cx.raw.front();
    let from = keys::key_line(front, key).unwrap_or(1);
    let raw_at = front
        .lines()
        .enumerate()
        .skip(from - 1)
        .find_map(|(i, l)| l.find(c).map(|b| (i + 1, l[..b].chars().count() + 1)));
    // Written as a YAML escape (`"\e"`): find the text before it instead.
    let before = run[..at].rsplit('\n').next().unwrap_or("");
    match raw_at {
        Some((line, col)) => cx.at(d.span(1), line, Some(col)),
        None if !before.trim().is_empty() => cx.item(key, before, d),
        None => cx.item(key, run, d),
    }
}

/// Every line still holding a `TODO:` marker from `errkb new`.
pub(super) fn todo_markers(cx: &mut Ctx) {
    let raw = cx.raw;
    // Nearly every entry has none: one search of the whole text, before line by line.
    if !raw.text.contains(lint::TODO_MARKER) {
        return;
    }
    for (i, line) in raw.text.lines().enumerate() {
        if let Some(col) = line.find(lint::TODO_MARKER) {
            let col = line[..col].chars().count() + 1;
            cx.diags.push(
                Diagnostic::error("unfinished entry: `TODO:` marker left in")
                    .file(&raw.path)
                    .at(i + 1, Some(col), Some(&raw.text))
                    .hint("replace the TODO text with the real content"),
            );
        }
    }
}

pub fn is_valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= MAX_SEGMENT_LEN
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `YYYY-MM-DD` naming a day that exists.
pub fn is_real_date(s: &str) -> bool {
    s.len() == 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s.parse::<jiff::civil::Date>().is_ok()
}

pub(super) fn stale_check(cx: &mut Ctx, updated: &str, days: u32) {
    let Ok(date) = updated.parse::<jiff::civil::Date>() else {
        return;
    };
    let Ok(age) = date
        .until(crate::timing::today())
        .map(|s| i64::from(s.get_days()))
    else {
        return;
    };
    if age > i64::from(days) {
        cx.key(
            "updated",
            Diagnostic::warning(format!(
                "entry was last reviewed {updated}, {age} days ago (stale_after_days: {days})"
            ))
            .hint("review the entry and bump `updated`"),
        );
    }
}
