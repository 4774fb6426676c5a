//! What `errkb gaps` prints: a table for people, JSON for programs, Markdown for a
//! pull-request comment. Every string from a log goes through [`term`] first: logs
//! come from anyone's pull request, and must not drive the reader's terminal.

use std::fmt::Write as _;

use serde::Serialize;

use super::cluster::Cluster;
use super::{Example, Totals};
use crate::term;

/// The report: counts, and the top templates.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub version: u32,
    #[serde(flatten)]
    pub totals: &'a Totals,
    /// Templates found (after clustering), of which `gaps` lists the first.
    pub templates: usize,
    pub dropped_templates: u64,
    pub dropped_lines: u64,
    pub gaps: Vec<Gap<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Gap<'a> {
    pub rank: usize,
    pub logs: u64,
    pub lines: u64,
    pub template: &'a str,
    /// The slot kinds of the template, in order (`hash` for `<hash2>` too).
    pub slots: Vec<&'a str>,
    /// The tool guessed from the logs, if any.
    pub tool: Option<&'static str>,
    pub examples: &'a [Example],
}

impl<'a> Report<'a> {
    pub fn new(
        clusters: &'a [Cluster],
        totals: &'a Totals,
        dropped: (u64, u64),
        top: usize,
    ) -> Report<'a> {
        let gaps = clusters
            .iter()
            .take(top)
            .enumerate()
            .map(|(i, c)| Gap {
                rank: i + 1,
                logs: c.stat.logs,
                lines: c.stat.lines,
                template: &c.template,
                slots: slots_of(&c.template),
                tool: c.stat.tool(),
                examples: &c.stat.examples,
            })
            .collect();
        Report {
            version: 1,
            totals,
            templates: clusters.len(),
            dropped_templates: dropped.0,
            dropped_lines: dropped.1,
            gaps,
        }
    }
}

/// The kinds of the `<slot>`s of a template, in order (a number that makes a name
/// unique left out).
pub fn slots_of(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        match crate::model::slot_at(rest) {
            Some((len, name)) => {
                out.push(name.trim_end_matches(|c: char| c.is_ascii_digit()));
                rest = &rest[len..];
            }
            None => rest = &rest[1..],
        }
    }
    out
}

/// The one-line summary of what was read (for stderr in the human format).
pub fn summary(r: &Report) -> String {
    let t = r.totals;
    let mut s = format!(
        "{} log{} read ({} lines): {} error line{}, {} covered by the knowledge base; {} uncovered template{}",
        t.logs,
        plural(t.logs),
        t.lines,
        t.error_lines,
        plural(t.error_lines),
        t.covered_lines,
        r.templates,
        plural(r.templates as u64),
    );
    if r.dropped_templates > 0 {
        let _ = write!(
            s,
            " ({} rarer template{} with {} line{} dropped to keep memory flat)",
            r.dropped_templates,
            plural(r.dropped_templates),
            r.dropped_lines,
            plural(r.dropped_lines)
        );
    }
    s
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The human table: rank, logs, lines, template, and one real line under each.
pub fn human(r: &Report) -> String {
    let mut out = String::new();
    if r.gaps.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "{:>4}  {:>5}  {:>6}  template",
        "rank", "logs", "lines"
    );
    for g in &r.gaps {
        let _ = writeln!(
            out,
            "{:>4}  {:>5}  {:>6}  {}",
            g.rank,
            g.logs,
            g.lines,
            term::line(g.template)
        );
        if let Some(e) = g.examples.first() {
            let _ = writeln!(
                out,
                "{:21}e.g. {}:{}: {}",
                "",
                term::line(&e.source),
                e.line_number,
                term::line(&e.line)
            );
        }
    }
    out
}

/// The JSON document (one object).
pub fn json(r: &Report) -> String {
    let s = serde_json::to_string_pretty(r).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("the report could not be written as JSON: {e}") })
            .to_string()
    });
    term::json(s)
}

/// Markdown for a pull-request comment: a heading, the counts and a table. Template
/// and example are code spans (so `<path>` is not read as HTML), pipes escaped so a
/// cell cannot end early.
pub fn markdown(r: &Report) -> String {
    let t = r.totals;
    let mut out = String::from("### Errors no knowledge-base entry covers\n\n");
    let _ = writeln!(
        out,
        "{} log{} read ({} lines): {} error line{}, {} covered by an entry, {} uncovered template{}.\n",
        t.logs,
        plural(t.logs),
        t.lines,
        t.error_lines,
        plural(t.error_lines),
        t.covered_lines,
        r.templates,
        plural(r.templates as u64)
    );
    if r.gaps.is_empty() {
        out.push_str("Every error line is covered.\n");
        return out;
    }
    out.push_str("| # | logs | lines | template | example |\n| ---: | ---: | ---: | --- | --- |\n");
    for g in &r.gaps {
        let example = g.examples.first().map_or_else(String::new, |e| {
            format!(
                "{} ({}:{})",
                code(&e.line),
                cell_text(&e.source),
                e.line_number
            )
        });
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            g.rank,
            g.logs,
            g.lines,
            code(g.template),
            example
        );
    }
    out
}

/// A code span holding `s` exactly: fenced by more backticks than any run in it, padded
/// when it starts or ends with one, pipes escaped for the table.
fn code(s: &str) -> String {
    let s = term::line(s);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// Plain text in a table cell: Markdown's special characters escaped.
fn cell_text(s: &str) -> String {
    let s = term::line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>|#!&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_in_order() {
        assert_eq!(
            slots_of("a <path>:<number> <x y> <1> <host>"),
            ["path", "number", "host"]
        );
    }

    #[test]
    fn code_spans_hold_anything() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x `y` z"), "``x `y` z``");
        assert_eq!(code("`start"), "`` `start ``");
        assert_eq!(code("esc \x1b[31m"), "`esc \\u{1b}[31m`");
        assert_eq!(cell_text("logs/<b>|x"), "logs/\\<b\\>\\|x");
    }
}
