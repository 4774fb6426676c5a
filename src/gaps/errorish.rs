//! Which log lines look like errors: the heuristic behind `errkb gaps`.
//!
//! A line is an error line when it carries an error *marker* that nothing around it
//! takes back:
//!
//! - the CI said so: GitHub Actions' `##[error]` or `::error …::` on the raw line;
//! - a marker word, as a whole word: `error`, `errors`, `err` (npm's `ERR!`), `fatal`,
//!   `failed`, `fails`, `failure`, `fail`, `denied`, `refused`, `exception`, `panic`,
//!   `panicked`, `abort`, `aborted`, `traceback`, `segfault`, `unauthorized`,
//!   `forbidden`, `cannot`, `unable`, `timed out`, `not found`, `no such file`, `could not`,
//!   `couldn't`, `can't`, `killed`, `non-zero`;
//! - an exception or error class, a word ending in `Error` or `Exception`
//!   (`TypeError`, `NullPointerException`);
//! - a non-zero exit: `exit code 2`, `exit status 1`, `exited with code 137`.
//!
//! A marker is taken back when it is part of a longer name (`-Werror`,
//! `--fail-fast`, `continue-on-error`, `errors.go`, `pkg/errors`, `ERR_CODE` is one
//! word), counted as none (`0 errors`, `no errors`, `errors: 0`, `failed=0`,
//! `without error`, `error-free`), or the exit code is `0`. A line is not an error
//! line, whatever its words, when it is a warning or a note (`warning:`, `WARN`,
//! `npm WARN`, `##[warning]`, `info:`…, in its first words), the line of a passing
//! test (`… ok`, `✓`, `PASS`), or a stack-trace heading that names no error itself
//! (`Traceback (most recent call last):`, `goroutine 1 [running]:`): the error of
//! a trace is on its own line, which the heuristic finds. Nor is a bare marker with no
//! message (`npm ERR!`, `[ERROR]` alone on a line).
//!
//! Some error lines only say how a step or job ended: `Process completed with exit
//! code 1.`, `ERROR: Job failed: exit code 1`, `BUILD FAILED in 14s`, `Finished:
//! FAILURE`, `make: *** […] Error 2` ([`is_outcome`]). `errkb gaps` leaves such a line
//! out when the same log showed another error line before it (the cause is there);
//! in a log without one, it is the only trace of the failure and is kept.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::OnceLock;

/// Words that mark an error by themselves (lower case).
const MARKER_WORDS: &[&str] = &[
    "error",
    "errors",
    "err",
    "fatal",
    "failed",
    "fails",
    "failure",
    "fail",
    "denied",
    "refused",
    "exception",
    "panic",
    "panicked",
    "abort",
    "aborted",
    "traceback",
    "segfault",
    "unauthorized",
    "forbidden",
    "cannot",
    "unable",
    "killed",
];

/// Phrases that mark an error (lower case, matched at word boundaries).
const MARKER_PHRASES: &[&str] = &[
    "timed out",
    "not found",
    "no such file",
    "could not",
    "couldn't",
    "can't",
    "non-zero",
    "segmentation fault",
    "out of memory",
];

/// Words that, among a line's first words, make it a warning or a note.
const LEVEL_WORDS: &[&str] = &[
    "warning",
    "warn",
    "warnings",
    "info",
    "debug",
    "notice",
    "note",
    "hint",
    "trace",
    "verbose",
    "deprecated",
    "deprecation",
];

/// Passing-step lines that carry a marker phrase (lower case, the start of the line
/// after its level): known to be harmless.
const HARMLESS_STARTS: &[&str] = &[
    "cache not found",
    "could not find a cache",
    "no cache found",
];

/// Stack-trace headings that carry no message of their own (lower case).
const BARE_TRACE_HEADS: &[&str] = &[
    "traceback (most recent call last):",
    "stack backtrace:",
    "stack trace:",
    "backtrace:",
];

/// Byte strings one of which every error line holds, up to ASCII case: searched in the
/// raw line before anything else, so the lines without any (nearly all of a log) cost
/// one scan.
const PREFILTER: &[&str] = &[
    "err",
    "fatal",
    "fail",
    "denied",
    "refused",
    "exception",
    "panic",
    "abort",
    "traceback",
    "segfault",
    "segmentation",
    "unauthorized",
    "forbidden",
    "cannot",
    "unable",
    "killed",
    "timed out",
    "not found",
    "no such",
    "could not",
    "couldn't",
    "can't",
    "non-zero",
    "exit",
    "out of memory",
];

fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(PREFILTER)
            .expect("a fixed list of short words builds")
    })
}

/// How steps and jobs report that they ended badly (lower case, found anywhere in the
/// line): the outcome of an error, not its cause.
const OUTCOMES: &[&str] = &[
    "process completed with exit code",
    "job failed",
    "finished: failure",
    "script returned exit code",
    "exited with code",
    "build failed in",
    "build failure",
    "build failed with an exception",
    "skipped due to earlier failure",
    "returned a non-zero code",
    "error: process completed",
    "make: ***",
    "make[",
    "error: command failed with exit code",
    "elifecycle",
    "command failed with exit code",
    "error: recipe for target",
    "uploading artifacts for failed job",
    "compiled with",
    "previous error",
    "errors  files",
    "a complete log of this run can be found in",
];

/// Whether an error line only says how a step or job ended (see the module docs).
pub fn is_outcome(clean: &str) -> bool {
    let lower = clean.to_ascii_lowercase();
    // A test run's or a compiler's tally (`1 failed, 287 passed in 14s`, `1 error in
    // 0.87s`, `Found 3 errors in 2 files.`) is an outcome too.
    OUTCOMES.iter().any(|o| lower.contains(o)) || lower.contains(" passed") || is_tally(&lower)
}

/// `3 errors …`, `1 failed …`, `Found 2 errors …`: a count of errors.
fn is_tally(lower: &str) -> bool {
    let t = lower.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let t = t.strip_prefix("found ").unwrap_or(t);
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    n > 0
        && ["errors", "error", "failed", "failures", "failure"]
            .iter()
            .any(|w| t[n..].strip_prefix(' ').is_some_and(|r| r.starts_with(w)))
}

/// Whether a raw line may be an error line at all (cheap; [`is_error_line`] decides).
pub fn may_be_error(raw: &[u8]) -> bool {
    prefilter().is_match(raw)
}

/// Whether the raw line carries a CI annotation: `Some(true)` for an error,
/// `Some(false)` for a warning or notice, `None` for neither.
fn ci_level(raw: &str) -> Option<bool> {
    if raw.contains("##[error]") || raw.contains("::error ") || raw.contains("::error::") {
        Some(true)
    } else if raw.contains("##[warning]")
        || raw.contains("::warning")
        || raw.contains("##[notice]")
        || raw.contains("::notice")
    {
        Some(false)
    } else {
        None
    }
}

/// A word of the line: its byte range (letters, digits and `_`).
fn words(line: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = line.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !is_word_byte(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && is_word_byte(b[i]) {
            i += 1;
        }
        Some((start, i))
    })
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Whether `raw` (a log line as read) with `clean` (the same line cleaned of escapes
/// and CI prefixes) is an error line; see the module docs for the rule.
pub fn is_error_line(raw: &str, clean: &str) -> bool {
    let ci = ci_level(raw);
    if ci == Some(false) {
        return false;
    }
    let text = clean.trim();
    if text.is_empty() {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    if BARE_TRACE_HEADS.iter().any(|h| lower == *h)
        || is_goroutine_head(&lower)
        || is_stack_frame(&lower)
    {
        return false;
    }
    if is_passing(text, &lower) || is_level_line(text, &lower) || is_bare_marker(&lower) {
        return false;
    }
    if ci == Some(true) {
        return true;
    }
    if HARMLESS_STARTS.iter().any(|h| lower.starts_with(h)) {
        return false;
    }
    if exit_code(&lower) == Some(true) {
        return true;
    }
    has_marker(text, &lower)
}

/// A marker with no message: every word is a marker or `npm` (`npm ERR!`, `[ERROR]`).
fn is_bare_marker(lower: &str) -> bool {
    words(lower).all(|(s, e)| {
        matches!(
            &lower[s..e],
            "npm" | "err" | "error" | "errors" | "fatal" | "failed" | "failure" | "fail"
        )
    })
}

/// A frame of a stack trace: `at com.acme.Main.run(Main.java:12)`, `at new NodeError
/// (node:internal/errors:405:5)`: where an error went, not what it was.
fn is_stack_frame(lower: &str) -> bool {
    lower.starts_with("at ") && (lower.ends_with(')') || lower.contains(".java:"))
}

/// `goroutine 1 [running]:`, the heading of a Go trace (the `panic:` line says what).
fn is_goroutine_head(lower: &str) -> bool {
    lower.starts_with("goroutine ") && lower.ends_with("]:")
}

/// The line of a passing test or step.
fn is_passing(text: &str, lower: &str) -> bool {
    text.starts_with(['✓', '✔', '√'])
        || text.starts_with("PASS ")
        || text.starts_with("ok ")
        || lower.ends_with(" ... ok")
        || lower.ends_with(" ... passed")
        || lower.ends_with(" passed") && !lower.contains("failed") && !lower.contains("error")
}

/// A warning, note or debug line: a level word among the first three words (as
/// `warning:`, `[WARN]`, `npm WARN`, `W:`), unless an error level comes first.
fn is_level_line(text: &str, lower: &str) -> bool {
    if lower.starts_with("w: ") {
        return true;
    }
    for (k, (s, e)) in words(text).take(3).enumerate() {
        let w = &lower[s..e];
        if matches!(w, "error" | "err" | "fatal" | "e" | "critical" | "severe") {
            // An error level (`E:` is apt's) before any other level.
            return false;
        }
        if LEVEL_WORDS.contains(&w) {
            let raw_w = &text[s..e];
            let upper = raw_w.bytes().all(|b| b.is_ascii_uppercase());
            // `warning: …`, `WARN …`, `[info] …`: the level, not a sentence's word.
            let next = text.as_bytes().get(e).copied();
            // `npm warn …`: the level as the first or second word.
            if upper || matches!(next, Some(b':' | b']' | b')' | b'|')) || k <= 1 {
                return true;
            }
        }
    }
    false
}

/// `Some(true)` when the line reports a non-zero exit code, `Some(false)` for exit
/// code 0, `None` when it reports none.
fn exit_code(lower: &str) -> Option<bool> {
    let mut found = None;
    for key in [
        "exit code",
        "exit status",
        "exited with code",
        "exited with",
        "exit_code",
    ] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(key) {
            let after = &lower[from + at + key.len()..];
            from += at + key.len();
            let rest = after.trim_start_matches([' ', ':', '=', '(']);
            let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
            if digits.is_empty() {
                continue;
            }
            if digits.bytes().any(|b| b != b'0') {
                return Some(true);
            }
            found = Some(false);
        }
    }
    found
}

fn has_marker(text: &str, lower: &str) -> bool {
    let b = text.as_bytes();
    for (s, e) in words(text) {
        let w = &lower[s..e];
        let raw_w = &text[s..e];
        let marker = MARKER_WORDS.contains(&w) || is_error_class(raw_w);
        if marker && !taken_back(b, lower, s, e) {
            return true;
        }
    }
    for p in MARKER_PHRASES {
        let mut from = 0;
        while let Some(at) = lower[from..].find(p) {
            let s = from + at;
            let e = s + p.len();
            from = e;
            let before_ok = s == 0 || !is_word_byte(b[s - 1]);
            let after_ok = e >= b.len() || !is_word_byte(b[e]);
            if before_ok && after_ok && !taken_back(b, lower, s, e) {
                return true;
            }
        }
    }
    false
}

/// `TypeError`, `NullPointerException`, `java.lang.OutOfMemoryError`'s last word: a
/// capitalised name ending in `Error` or `Exception` (not `ERROR`, which is a marker
/// word anyway).
fn is_error_class(w: &str) -> bool {
    let capital = w.as_bytes().first().is_some_and(u8::is_ascii_uppercase);
    capital
        && w.len() > "Error".len()
        && (w.ends_with("Error") || w.ends_with("Exception"))
        && !w.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether the marker at `s..e` does not mean an error: part of a longer name, or
/// counted as none.
fn taken_back(b: &[u8], lower: &str, s: usize, e: usize) -> bool {
    let prev = s.checked_sub(1).map(|i| b[i]);
    let next = b.get(e).copied();
    // Part of a flag, a compound or a path: `-Werror`, `on-error`, `errors.go`, `pkg/errors`.
    if matches!(
        prev,
        Some(b'-' | b'/' | b'\\' | b'.' | b'=' | b'$' | b'@' | b'#')
    ) {
        // `non-zero` is a phrase of its own.
        if !lower[s..e].starts_with("non-zero") {
            return true;
        }
    }
    let after = &lower[e..];
    if next == Some(b'-') && !after.starts_with("- ") && !after.starts_with("--") && after.len() > 1
    {
        return true;
    }
    if next == Some(b'.') && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric) {
        return true;
    }
    // Counted as none: `0 errors`, `no errors`, `without error`, `errors: 0`, `failed=0`.
    let before = lower[..s].trim_end();
    let prev_word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if matches!(
        prev_word,
        "0" | "no" | "zero" | "without" | "ignoring" | "ignore"
    ) {
        return true;
    }
    let rest = after.trim_start_matches([' ', ':', '=', '(']);
    if rest.starts_with('0') && !rest[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> bool {
        let clean = crate::pattern::clean_line(line);
        may_be_error(line.as_bytes()) && is_error_line(line, &clean)
    }

    #[test]
    fn error_lines_of_many_tools() {
        for l in [
            "error: could not compile `app` (bin \"app\") due to 2 previous errors",
            "error[E0308]: mismatched types",
            "npm ERR! code ERESOLVE",
            "fatal: unable to access 'https://example.com/x.git/': Could not resolve host: example.com",
            "2024-05-01T10:00:00.1234567Z ##[error]Process completed with exit code 1.",
            "::error file=app.js,line=1::Unexpected token",
            "\x1b[31mERROR\x1b[0m: connection refused",
            "ModuleNotFoundError: No module named 'requests'",
            "Exception in thread \"main\" java.lang.NullPointerException",
            "Caused by: java.net.ConnectException: Connection timed out",
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "thread 'main' panicked at src/main.rs:4:5:",
            "Permission denied (publickey).",
            "make: *** [Makefile:12: build] Error 2",
            "subprocess exited with code 137",
            "bash: line 1: yarnx: command not found",
            "cp: cannot stat 'dist/app.js': No such file or directory",
            "E: Unable to locate package libfoo-dev",
            "FAIL src/app.test.js",
            "Segmentation fault (core dumped)",
            "curl: (22) The requested URL returned error: 404",
            "Killed",
        ] {
            assert!(err(l), "should be an error line: {l:?}");
        }
    }

    #[test]
    fn not_error_lines() {
        for l in [
            "Compiling app v0.1.0 (/home/runner/work/app)",
            "test result: ok. 12 passed; 0 failed; 0 ignored",
            "Found 0 errors.",
            "Build finished with no errors",
            "errors: 0, warnings: 3",
            "the build is error-free",
            "warning: unused variable: `x` (this would fail later)",
            "npm WARN deprecated request@2.88.2: request has been deprecated",
            "npm warn Could not resolve dependency:",
            "##[warning]Node.js 16 actions are deprecated; failed to use node20",
            "WARN  Retrying after error: connection reset",
            "cc -Werror -Wall -o app main.c",
            "cargo test --no-fail-fast",
            "Downloading pkg/errors v0.9.1",
            "Compiling errors.go",
            "test tests::error_path ... ok",
            "✓ handles a network error (12 ms)",
            "Process completed with exit code 0.",
            "Traceback (most recent call last):",
            "goroutine 1 [running]:",
            "    at new NodeError (node:internal/errors:405:5)",
            "\tat com.acme.Main.fail(Main.java:12)",
            "Cache not found for input keys: node-cache-Linux-x64-npm-abc",
            "info: installing component 'rustfmt' (may fail offline)",
            "PASS src/error.test.js",
            "",
            "continue-on-error: true",
            "npm ERR!",
            "[ERROR] ",
        ] {
            assert!(!err(l), "should not be an error line: {l:?}");
        }
    }

    #[test]
    fn outcomes() {
        assert!(is_outcome("Process completed with exit code 1."));
        assert!(is_outcome("ERROR: Job failed: exit code 1"));
        assert!(is_outcome("make: *** [Makefile:12: build] Error 2"));
        assert!(!is_outcome(
            "error: could not connect to db.example.org:5432"
        ));
    }

    #[test]
    fn tallies_are_outcomes() {
        for l in [
            "1 error in 0.87s",
            "Found 3 errors in 2 files.",
            "2 failed, 10 passed",
            "webpack 5.88.2 compiled with 1 error in 2345 ms",
        ] {
            assert!(is_outcome(l), "{l}");
        }
        assert!(!is_outcome("error in module resolution"));
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code("exit code 2"), Some(true));
        assert_eq!(exit_code("exit status: 0"), Some(false));
        assert_eq!(exit_code("exited with code=137"), Some(true));
        assert_eq!(exit_code("exit early"), None);
    }
}
