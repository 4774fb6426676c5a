//! Diagnostics: every problem a stage finds is data, collected and reported together.
//!
//! Three output formats: `human` (compiler-style, the offending line with a marker),
//! `github` (workflow commands, so CI annotates the pull request) and `json` (one object
//! per line). Every string from content passes through [`crate::term`] on its way out,
//! so a diagnostic cannot carry a terminal control sequence.

use std::fmt;
use std::path::PathBuf;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem, located as precisely as the stage that found it could.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root (or as given), when the problem is in a file.
    #[serde(serialize_with = "lossy_path")]
    pub file: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub col: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// The text of the offending line, shown under the message.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// How many characters from the column to underline (else: to the next space).
    #[serde(skip)]
    pub span_len: Option<usize>,
}

/// Paths are shown even when they are not valid UTF-8 (that may be the problem itself).
fn lossy_path<S: serde::Serializer>(p: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.to_string_lossy()),
        None => s.serialize_none(),
    }
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            col: None,
            message: message.into(),
            hint: None,
            source_line: None,
            span_len: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the position and, when `text` (the whole file) is given, the line's text.
    pub fn at(mut self, line: usize, col: Option<usize>, text: Option<&str>) -> Self {
        self.line = Some(line.max(1));
        self.col = col.map(|c| c.max(1));
        self.source_line = text
            .and_then(|t| t.lines().nth(line.max(1) - 1))
            .map(|l| excerpt(l, self.col));
        self
    }

    /// Underlines `len` characters from the column.
    pub fn span(mut self, len: usize) -> Self {
        self.span_len = Some(len.max(1));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn location(&self) -> String {
        let mut s = match &self.file {
            Some(f) => term::line(&f.display().to_string()).into_owned(),
            None => return String::new(),
        };
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.col {
                s.push_str(&format!(":{c}"));
            }
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    /// A one-line form: `error: content/x.md:3:1: message (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = self.location();
        let message = term::text(&self.message);
        if loc.is_empty() {
            write!(f, "{}: {message}", self.severity)?;
        } else {
            write!(f, "{}: {loc}: {message}", self.severity)?;
        }
        if let Some(h) = &self.hint {
            write!(f, " (hint: {})", term::text(h))?;
        }
        Ok(())
    }
}

/// Longest source line shown under a message; longer lines are cut around the column.
const MAX_SHOWN: usize = 160;

/// The part of a (possibly huge) line worth showing: all of it when short, else a window
/// around the column, marked with `…`. The column is not changed: it still counts from
/// the start of the real line.
fn excerpt(line: &str, col: Option<usize>) -> String {
    if line.chars().count() <= MAX_SHOWN {
        return line.to_string();
    }
    let col = col.unwrap_or(1);
    let start = col.saturating_sub(MAX_SHOWN / 2);
    let window: String = line.chars().skip(start).take(MAX_SHOWN).collect();
    format!("{}{window}…", if start > 0 { "…" } else { "" })
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Github,
    Json,
}

/// Sorts diagnostics by file, line, column so output is stable and readable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
    });
}

/// Renders all diagnostics in `format`; `color` only applies to `human`.
pub fn render(diags: &[Diagnostic], format: Format, color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        match format {
            Format::Human => {
                out.push_str(&render_human(d, color));
                out.push_str("\n\n");
            }
            Format::Github => {
                out.push_str(&render_github(d));
                out.push('\n');
            }
            Format::Json => {
                // Never a silent empty line: a diagnostic that cannot be written says so.
                let line = serde_json::to_string(d).unwrap_or_else(|e| {
                    serde_json::json!({
                        "severity": "error",
                        "message": format!("a diagnostic could not be written as JSON: {e}"),
                    })
                    .to_string()
                });
                out.push_str(&term::json(line));
                out.push('\n');
            }
        }
    }
    out
}

/// One line of counts, e.g. `2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn render_human(d: &Diagnostic, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = d
        .file
        .as_deref()
        .map(|p| term::line(&p.display().to_string()).into_owned());
    let message = term::text(&d.message);
    let title = level.primary_title(message.as_ref());
    let shown_src = d.source_line.as_deref().map(term::line);
    let mut group = match (&path, d.line, &d.source_line, &shown_src) {
        (Some(p), Some(line), Some(src), Some(shown)) => {
            let shown_col = d.col.map(|c| {
                if src.starts_with('…') {
                    c - c.saturating_sub(MAX_SHOWN / 2) + 1
                } else {
                    c
                }
            });
            let span = column_span(src, shown_col, d.span_len);
            // The span moves with the characters shown as `\u{…}` before and inside it.
            let start = term::line(&src[..span.start]).len();
            let span = start..start + term::line(&src[span]).len();
            title.element(
                Snippet::source(shown.as_ref())
                    .line_start(line)
                    .path(p.as_str())
                    .annotation(AnnotationKind::Primary.span(span)),
            )
        }
        (Some(_), _, _, _) => title.element(
            annotate_snippets::Origin::path(path.clone().unwrap_or_default())
                .line(d.line.unwrap_or(1)),
        ),
        _ => Group::with_title(title),
    };
    let hint = d.hint.as_deref().map(term::text);
    if let Some(h) = &hint {
        group = group.element(Level::HELP.message(h.as_ref()));
    }
    renderer.render(&[group])
}

/// The byte span to underline: from the column to the end of the token (or the line).
fn column_span(src: &str, col: Option<usize>, len: Option<usize>) -> std::ops::Range<usize> {
    let Some(col) = col else {
        let start = src.len() - src.trim_start().len();
        return start..src.trim_end().len().max(start);
    };
    let start = src
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(src.len(), |(i, _)| i);
    let rest = &src[start..];
    let len = match len {
        Some(n) => rest.char_indices().nth(n).map_or(rest.len(), |(i, _)| i),
        None => rest.find(char::is_whitespace).unwrap_or(rest.len()),
    };
    start..(start + len.max(1)).min(src.len())
}

fn render_github(d: &Diagnostic) -> String {
    let cmd = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(f) = &d.file {
        props.push(format!(
            "file={}",
            gh_escape_prop(&term::line(&f.display().to_string()))
        ));
        if let Some(l) = d.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = d.col {
            props.push(format!("col={c}"));
        }
    }
    let mut msg = term::text(&d.message).into_owned();
    if let Some(h) = &d.hint {
        msg.push_str(&format!(" (hint: {})", term::text(h)));
    }
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!("::{cmd}{props}::{}", gh_escape_data(&msg))
}

/// Escapes the message of a GitHub Actions workflow command.
pub fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property (`file=…`, `title=…`) of a GitHub Actions workflow command.
pub fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The candidate closest to `word` for a "did you mean" hint: the smallest edit distance
/// (transpositions count as one edit) within `max(candidate)`, ties to the one first in
/// alphabetical order. One rule for keys, ids and anchors.
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: impl Fn(&str) -> usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= max(c))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostic {
        Diagnostic::error("unknown key `verfy`")
            .file("content/docker/x.md")
            .at(3, Some(1), Some("---\ntitle: x\nverfy: []\n"))
            .hint("did you mean `verify`?")
    }

    #[test]
    fn one_line_form() {
        assert_eq!(
            sample().to_string(),
            "error: content/docker/x.md:3:1: unknown key `verfy` (hint: did you mean `verify`?)"
        );
    }

    #[test]
    fn human_shows_line_and_marker() {
        let out = render(&[sample()], Format::Human, false);
        assert!(out.contains("error: unknown key `verfy`"), "{out}");
        assert!(out.contains("--> content/docker/x.md:3:1"), "{out}");
        assert!(out.contains("3 | verfy: []"), "{out}");
        assert!(out.contains("^^^^^^"), "{out}");
        assert!(out.contains("did you mean `verify`?"), "{out}");
    }

    #[test]
    fn huge_lines_are_cut() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::error("m")
            .file("f")
            .at(1, Some(5001), Some(&line));
        let shown = d.source_line.clone().expect("line");
        assert!(shown.chars().count() <= MAX_SHOWN + 2, "{}", shown.len());
        assert!(shown.contains('X'));
        let out = render(&[d], Format::Human, false);
        assert!(out.len() < 2000, "{}", out.len());
    }

    #[test]
    fn github_escapes() {
        let d = Diagnostic::warning("50% bad\nline")
            .file("a,b:c.md")
            .at(2, Some(5), None);
        assert_eq!(
            render_github(&d),
            "::warning file=a%2Cb%3Ac.md,line=2,col=5::50%25 bad%0Aline"
        );
    }

    #[test]
    fn json_has_fields() {
        let out = render(&[sample()], Format::Json, false);
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["line"], 3);
        assert_eq!(v["file"], "content/docker/x.md");
    }

    #[test]
    fn content_cannot_reach_the_terminal_raw() {
        let line = "x: \u{202e}evil\x1b]52;c;eA==\x07 target";
        let d = Diagnostic::error("bad \x1b[2J\u{9b}key")
            .file("content/a\x1b]8;;x\x07.md")
            .at(1, Some(22), Some(line))
            .span(6)
            .hint("hint \r\u{2066}");
        for format in [Format::Human, Format::Github, Format::Json] {
            let out = render(std::slice::from_ref(&d), format, false);
            assert!(
                !out.contains(['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}', '\u{2066}']),
                "{format:?}: {out:?}"
            );
        }
        assert!(!d.to_string().contains('\x1b'));
        // The underline still sits under `target`, after the characters shown as `\u{…}`.
        let out = render(&[d], Format::Human, false);
        let src = out
            .lines()
            .find(|l| l.contains("target"))
            .expect("source line");
        let marks = out.lines().find(|l| l.contains('^')).expect("marker line");
        assert_eq!(src.find("target"), marks.find('^'), "{out}");
    }

    #[test]
    fn nearest_candidate() {
        let c = ["verify", "confirm", "patterns"];
        assert_eq!(nearest("verfy", c, |_| 2), Some("verify"));
        assert_eq!(
            nearest("vreify", c, |_| 1),
            Some("verify"),
            "a transposition is one edit"
        );
        assert_eq!(nearest("zzz", c, |_| 2), None);
    }

    #[test]
    fn summary_counts() {
        let d = vec![sample(), Diagnostic::warning("w")];
        assert_eq!(summary(&d), "1 error, 1 warning");
    }
}
