//! Rejecting patterns too generic to identify one error.
//!
//! A pattern is too generic when
//! - it has fewer than 8 literal characters and no standalone word of 4 or
//!   more letters (a word that no slot or other wildcard touches);
//! - it matches an empty line;
//! - it matches any line of `ordinary-log-lines.txt`, a sample of output of
//!   successful runs of common tools;
//! - its literal words are all words that every error line carries (`error`,
//!   `failed`, `fatal`...) and it has fewer than 16 literal characters.

use std::sync::OnceLock;

use memchr::memmem;

use super::Pattern;
use super::clean::normalize_line;
use super::literal::{Atom, standalone_words};

/// Fewer literal characters than this need a standalone word.
const MIN_LITERAL_CHARS: usize = 8;
/// Shortest standalone word that makes a short pattern specific enough.
const MIN_WORD_LETTERS: usize = 4;
/// A pattern made only of common words needs this many literal characters.
const MIN_COMMON_ONLY_CHARS: usize = 16;

/// Words that say a line is an error but not which one.
const COMMON_WORDS: [&str; 22] = [
    "error",
    "errors",
    "err",
    "warning",
    "warn",
    "fatal",
    "failed",
    "fail",
    "failure",
    "exception",
    "panic",
    "panicked",
    "info",
    "debug",
    "notice",
    "abort",
    "aborted",
    "critical",
    "severe",
    "problem",
    "issue",
    "unknown",
];

const ORDINARY: &str = include_str!("ordinary-log-lines.txt");

/// The sample of ordinary log lines, normalized.
struct Sample {
    /// (line number in the file, normalized line)
    lines: Vec<(usize, String)>,
    /// The normalized lines, ASCII-lower-cased, joined with `\n`.
    lower: String,
    /// Byte offset in `lower` where each line starts.
    starts: Vec<usize>,
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let lines: Vec<(usize, String)> = ORDINARY
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, normalize_line(l).into_owned()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        let mut lower = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for (_, l) in &lines {
            starts.push(lower.len());
            lower.push_str(&l.to_ascii_lowercase());
            lower.push('\n');
        }
        Sample {
            lines,
            lower,
            starts,
        }
    })
}

/// The first line of the sample that `pattern` matches. Only the lines
/// that contain the pattern's prefilter literal are tried.
fn first_ordinary_match(pattern: &Pattern) -> Option<&'static (usize, String)> {
    let sample = sample();
    let Some(literal) = pattern.prefilter_literal() else {
        return sample.lines.iter().find(|(_, l)| pattern.is_match(l));
    };
    let mut last = None;
    for pos in memmem::find_iter(sample.lower.as_bytes(), literal.as_bytes()) {
        let index = sample
            .starts
            .partition_point(|&s| s <= pos)
            .saturating_sub(1);
        if last == Some(index) {
            continue;
        }
        last = Some(index);
        if let Some(entry) = sample.lines.get(index)
            && pattern.is_match(&entry.1)
        {
            return Some(entry);
        }
    }
    None
}

/// Why `pattern` is too generic to identify an error, or `None` if it is
/// specific enough.
pub fn too_generic(pattern: &Pattern) -> Option<String> {
    let words = standalone_words(pattern.atoms());
    let literal_chars = pattern.specificity();
    if literal_chars < MIN_LITERAL_CHARS
        && !words.iter().any(|w| w.chars().count() >= MIN_WORD_LETTERS)
    {
        return Some(format!(
            "it has only {literal_chars} literal characters and no word of {MIN_WORD_LETTERS}+ letters outside slots"
        ));
    }
    if pattern.literals().is_empty() && pattern.is_match("") {
        return Some("it matches an empty line".to_string());
    }
    if let Some((n, line)) = first_ordinary_match(pattern) {
        return Some(format!(
            "it matches line {n} of the ordinary (successful) log sample: `{line}`"
        ));
    }
    let common_only = !words.is_empty()
        && words.iter().all(|w| is_common(w))
        && !has_letters_outside_words(pattern.atoms());
    if common_only && literal_chars < MIN_COMMON_ONLY_CHARS {
        return Some(format!(
            "its only words ({}) appear in almost every error message",
            words.join(", ")
        ));
    }
    None
}

fn is_common(word: &str) -> bool {
    COMMON_WORDS.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// Whether some letters or digits of the skeleton are not in a standalone
/// word (digits, or a word touching a slot such as `E<code>`); such text
/// makes the pattern more than a list of common words.
fn has_letters_outside_words(atoms: &[Atom]) -> bool {
    let mut i = 0;
    while i < atoms.len() {
        let is_alpha = |a: &Atom| matches!(a, Atom::Char(c) if c.is_alphabetic());
        if matches!(atoms[i], Atom::Char(c) if c.is_numeric()) {
            return true;
        }
        if is_alpha(&atoms[i]) {
            let start = i;
            while i < atoms.len() && is_alpha(&atoms[i]) {
                i += 1;
            }
            let touches_wild =
                (start > 0 && atoms[start - 1] == Atom::Wild) || atoms.get(i) == Some(&Atom::Wild);
            if touches_wild {
                return true;
            }
            continue;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::compile;
    use super::*;

    fn generic(p: &str) -> Option<String> {
        too_generic(&compile(p).expect("valid test input"))
    }

    #[test]
    fn short_patterns_need_a_word() {
        assert!(generic("<a>: <b>").is_some());
        assert!(generic("E<n>: x").is_some());
        assert!(generic("EACCES").is_none());
        assert!(generic("regex:\\d+ ms").is_some());
        assert!(generic("regex:^$").is_some());
    }

    #[test]
    fn ordinary_lines_reject_patterns() {
        let why = generic("Compiling <crate> v<version>").expect("valid test input");
        assert!(why.contains("ordinary"), "{why}");
        assert!(generic("test result: <x>").is_some());
        assert!(generic("regex:(?i)^npm").is_some());
    }

    #[test]
    fn common_words_alone_are_generic() {
        assert!(generic("fatal error: <x>").is_some());
        assert!(generic("error: <what> failed").is_some());
        assert!(generic("error[E<code>]: <x>").is_none());
        assert!(generic("fatal: not a git repository").is_none());
    }

    #[test]
    fn real_patterns_pass() {
        for p in [
            "Permission denied (publickey)",
            "pull access denied for <image>, repository does not exist",
            "npm ERR! code ERESOLVE",
            "error: linker `cc` not found",
            "Error: Cannot find module '<module>'",
            "ModuleNotFoundError: No module named '<module>'",
            "regex:(?i)connection (refused|reset) by peer",
            "The requested URL returned error: 403",
            "unauthorized: authentication required",
            "Error acquiring the state lock",
        ] {
            assert_eq!(generic(p), None, "{p}");
        }
    }

    #[test]
    fn sample_is_large_enough() {
        let s = sample();
        assert!(s.lines.len() >= 290);
        assert_eq!(s.lines.len(), s.starts.len());
        // Every line is found through its own literal.
        for (_, line) in &s.lines {
            let words: Vec<&str> = line.split(' ').filter(|w| w.len() > 3).collect();
            if let Some(w) = words.first() {
                let p = compile(&format!("regex:(?i){}", regex::escape(w))).expect("valid");
                assert!(first_ordinary_match(&p).is_some(), "{w}");
            }
        }
    }
}
