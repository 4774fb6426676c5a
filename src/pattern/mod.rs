//! The pattern language: compile a pattern, clean a log line, match, rank.
//!
//! `check`, the search index and `errkb match` all use this module; the
//! browser's JavaScript port is held to the same test vectors
//! (`tests/vectors/patterns.json`).
//!
//! # Template patterns
//!
//! A pattern is literal text from the error output with `<name>` slots for
//! the parts that vary: `pull access denied for <image>, repository does not
//! exist`.
//!
//! - Only `<` + a name (`[a-z][a-z0-9_]*`) + `>` is a slot; any other `<` is
//!   literal text (`<Name>`, `<my-host>`, `a < b`). Each slot name may appear
//!   once per pattern.
//! - A slot matches one or more characters, as few as possible, within the
//!   line. Two adjacent slots are allowed; each takes at least one character.
//!   A slot at the very end of a pattern therefore captures one character: it
//!   only says "something follows".
//! - Matching is case-insensitive.
//! - Any run of whitespace in the pattern or the line equals one space;
//!   leading and trailing whitespace of the pattern is ignored.
//! - All quote characters are the same character: `'` `"` `` ` `` and the
//!   typographic `‘ ’ ‚ ‛ “ ” „ ‟ ′ ″`. Tools print the same message with
//!   different quotes across versions, locales and terminals, so a pattern
//!   written with one kind matches all of them.
//! - Hyphens and dashes are one character too: `‐ ‑ ‒ – — ―`, the minus sign
//!   `−` and the small and fullwidth hyphen-minus are `-` in the pattern and in
//!   the line (see [`normalize_char`]), so `--force` matches a pasted `–force`
//!   and a pattern copied with an en dash matches the tool's `-`.
//! - A pattern matches when it occurs anywhere in a line (substring).
//! - The pattern's text is normalized like a line (see below), so `ſ` in a
//!   pattern is `s`.
//! - An empty pattern, or one with only slots and whitespace, is an error, and
//!   so is a ninth slot ([`MAX_SLOTS`]).
//!
//! # `regex:` patterns
//!
//! `regex:` (lower case, at the start) makes the rest (trimmed) a regular expression in the
//! subset that Rust's `regex` crate and JavaScript's `RegExp` without the `u`
//! flag both accept with the same meaning. Anything outside it is an error
//! that names the construct: look-around, backreferences, `(?P<name>...)`,
//! inline flags other than one `(?i)` at the very start, `\A \z \Z`,
//! `\p{..}`/`\P{..}`, POSIX classes, class set operations (`&&` `--` `~~`),
//! nested classes, `\x{..}`/`\u{..}`/`\U`, `\a`, `\Q..\E`, special word
//! boundaries (`\b{start}`, `\<`), stacked quantifiers (`a**`, `a*+`), counted
//! repetition with spaces or an empty minimum (`{2, 3}`, `{,3}`), counts over
//! 1,000, a `]` first in a class, characters beyond U+FFFF in a class, a
//! negated `\D \W \S` inside a class, whitespace escapes other than a space
//! (`\t`, `\n`: they never occur in a cleaned line), a quantifier on
//! something that can match empty text (`(a?)*`: the engines repeat it
//! differently), a repeated part that itself repeats without bound
//! (`(a+)+`: exponential time in the browser's backtracking engine), and any
//! other regex that the browser's engine could take far more than linear time
//! on: repeated alternatives that overlap (`(a|aa)+`), loops that can share
//! the same text (`\w+\s?\w+`, `.*x.*y`), and fans of overlapping optional
//! parts (`a?a?a?aaa`); see `backtrack`.
//!
//! - A regex is case-sensitive unless it starts with `(?i)`.
//! - `\d \w \s \b \B` have their ASCII meaning, as in JavaScript.
//! - `.` and negated classes match any one character (never half of one).
//! - `(?<name>...)` captures a slot; names follow the slot rule and a named
//!   group may not sit inside a repetition (the engines report different
//!   values for it).
//! - It runs on the same normalized line as templates, so a space in the
//!   regex stands for any whitespace run, and quotes in the line are straight
//!   (`'` and `"`). Every character of the regex, in literals and classes, is
//!   read as normalized (see [`normalize_char`]): a typographic quote in the
//!   regex is the straight one, and a dash (`–`, `−`...) is `-`. In a class
//!   this holds for each member and each character a range covers: `[–—]` is
//!   `[-]`, `[^–]` also excludes `-`, and `[\u2000-\u206f]` contains `-`
//!   instead of the dashes. So a regex cannot tell a dash from a hyphen, just
//!   as a template cannot, and it behaves the same in Rust and JavaScript.
//! - A pattern is at most 1,000 characters, and its compiled size is
//!   estimated and limited (`.{1000}` is fine, `(?:.{1000}){2}` is not).
//!
//! # `context:` patterns
//!
//! `context:` (lower case, at the start, before an optional `regex:`) marks a pattern
//! as evidence that is not enough alone: a summary line that a whole family of errors
//! prints (`error: failed to push some refs to <remote>` closes every failed push). It
//! compiles and matches like the pattern after the prefix ([`Pattern::is_context`]
//! tells it apart); what it means is the callers' rule: `errkb match` and the search
//! never present an entry as found on a context pattern alone, only as one candidate
//! of a generic line, and `check` lets several entries share one.
//!
//! # Lines
//!
//! [`clean_line`] removes what a human does not see or does not care about:
//! ANSI escape sequences (CSI, OSC, other escapes) and other control
//! characters except whitespace, trailing CR/LF, and then, repeatedly, these
//! prefixes at the start: an ISO-8601 timestamp (`2024-05-01T10:00:00.1234567Z`,
//! `2024-05-01 10:00:00,123`, optionally in brackets) followed by a blank,
//! GitHub Actions / Azure markers (`##[error]`, `##[warning]`, `##[notice]`,
//! `##[debug]`, `##[group]`, `##[endgroup]`, `##[section]`, `##[command]`),
//! workflow commands (`::error file=x,line=1::message` keeps `message`),
//! BuildKit step prefixes (`#12 0.345 `) and a shell prompt (`$ `, `> `,
//! `user@host:path$ ` or `# `, `[user@host path]$ `). A bare `# ` is kept: it
//! usually starts a comment. An `npm-debug.log` line number goes too: a
//! number, a space and one of npm's log levels (`silly`, `verbose`, `info`,
//! `timing`, `http`, `notice`, `warn`, `error`) and a space loses the number
//! (`12 error code EACCES` is `error code EACCES`), except `1 error `, which is
//! an English count (`1 error generated.`) and never an npm line.
//!
//! [`normalize_line`] cleans, then folds each whitespace run (Unicode
//! whitespace and U+FEFF) into one space, trims, and gives some characters
//! one spelling ([`normalize_char`]): `‘ ’ ‚ ‛ ′` become `'` and `“ ” „ ‟ ″`
//! become `"`; Unicode hyphens and dashes (U+2010..U+2015, U+2212, U+FE63,
//! U+FF0D) become `-`; and the characters whose case-insensitive matching differs
//! between Rust (Unicode simple case folding) and JavaScript without `u` get
//! the spelling both agree on (`ſ` → `s`, Kelvin sign → `K`, Ohm sign → `Ω`,
//! `ẞ` → `ß`, a few Greek letters, and letters beyond U+FFFF → lower case).
//! With that mapping, case-insensitive matching is the same in both engines
//! for every character (checked against Node's ICU tables); only a future
//! Unicode version skew between them could differ.
//!
//! Patterns run on normalized lines; match ranges are byte ranges in the
//! normalized line.
//!
//! # Ranking
//!
//! [`Pattern::specificity`] is the number of literal characters a match must
//! contain (a whitespace run and a quote count as one; for a regex, an
//! alternation counts as its least specific branch, optional parts as zero,
//! a repeated part once). When several patterns match a line, the more
//! specific ranks first.
//!
//! # Compiling and matching
//!
//! [`compile`] validates and translates a pattern; the Rust regex itself is
//! built on first use, so a knowledge base of 50,000 patterns loads fast and
//! only the patterns that a log actually exercises are built. [`PatternSet`]
//! prefilters lines with one Aho-Corasick automaton over each pattern's
//! longest required literal. [`Pattern::js_source`] and [`Pattern::js_flags`]
//! give the same pattern for the browser: `new RegExp(source, flags)` on a
//! normalized line gives the same match and the same named groups.

mod backtrack;
#[cfg(test)]
mod backtrack_cases;
mod clean;
#[cfg(test)]
mod compiled_vectors;
mod emit;
mod generic;
mod literal;
mod measure;
mod nfa;
mod prefix;
mod set;
mod skeleton;
mod subset;
mod template;
#[cfg(test)]
mod vectors;

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

pub use clean::{
    clean_line, is_quote, is_space, normalize_char, normalize_cleaned, normalize_line,
};
pub use generic::too_generic;
pub use set::{Hit, PatternSet, rank};
pub use template::MAX_SLOTS;

/// Longest pattern source accepted, in characters.
pub const MAX_PATTERN_CHARS: usize = 1000;
/// Limit on the size of one compiled regex (bytes of program).
const COMPILED_SIZE_LIMIT: usize = 2 << 20;
/// Limit on the lazy DFA cache of one regex.
const DFA_SIZE_LIMIT: usize = 1 << 20;

/// A pattern that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// One line saying what is wrong.
    pub message: String,
    /// Byte offset into the pattern source where the problem is, if known.
    pub offset: Option<usize>,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl PatternError {
    fn new(message: impl Into<String>) -> Self {
        PatternError {
            message: message.into(),
            offset: None,
            hint: None,
        }
    }

    fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(offset) = self.offset {
            write!(f, " (at byte {offset})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}

/// Which syntax a pattern is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// Literal text with `<name>` slots.
    Template,
    /// `regex:` followed by a regular expression.
    Regex,
}

/// A match of a pattern in a normalized line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Byte range of the match in the normalized line.
    pub range: Range<usize>,
    /// Captured slots in pattern order (name, text); a named group of a regex
    /// that took no part in the match is left out.
    pub slots: Vec<(String, String)>,
}

impl Match {
    /// The text captured by slot `name`.
    pub fn slot(&self, name: &str) -> Option<&str> {
        self.slots
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a template or a regex compiles to, before the Rust regex is built.
struct Translation {
    rust: String,
    js: String,
    case_insensitive: bool,
    slots: Vec<String>,
    atoms: Vec<literal::Atom>,
    specificity: usize,
}

/// Whole words inside a literal: bounded by a non-word character on both sides, so
/// the word appears as a whole word (see [`ascii_words`]) in any line the pattern
/// matches.
pub fn whole_words(literal: &str) -> Vec<String> {
    let parts: Vec<&str> = literal
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .filter(|(i, w)| *i > 0 && *i + 1 < n && w.len() >= 3)
        .map(|(_, w)| w.to_ascii_lowercase())
        .collect()
}

/// The words of a line as [`whole_words`] sees them: runs of ASCII letters, digits and
/// `_`, three or more long, lower-cased.
pub fn ascii_words(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() >= 3)
        .map(str::to_ascii_lowercase)
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    kind: PatternKind,
    /// The Rust regex source; the regex is built on first use.
    rust: String,
    regex: OnceLock<Option<regex::Regex>>,
    js: String,
    js_flags: &'static str,
    slots: Vec<String>,
    literals: Vec<String>,
    prefilter: Option<usize>,
    atoms: Vec<literal::Atom>,
    specificity: usize,
    context: bool,
}

/// True for a placeholder name: `[a-z][a-z0-9_]*`.
pub fn is_slot_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The length of a slot `<name>` at the start of `s`, with the name. Only `<` + a
/// placeholder name + `>` is a slot; the one parser for commands and patterns.
pub fn slot_at(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix('<')?;
    let len = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        .count();
    let name = rest.get(..len)?;
    (is_slot_name(name) && rest.get(len..)?.starts_with('>')).then_some((len + 2, name))
}

/// What marks a context pattern (see the module docs).
pub const CONTEXT_PREFIX: &str = "context:";

/// Compiles a pattern source (a template, or `regex:` + a regex).
pub fn compile(source: &str) -> Result<Pattern, PatternError> {
    Pattern::compile(source)
}

/// A key that is equal for two pattern sources that match exactly the same
/// lines in the same way: templates that differ only in case, whitespace,
/// quote characters or slot names, and regexes that translate to the same
/// regex. A source that does not compile gets a key of its trimmed text.
pub fn identity_key(source: &str) -> String {
    match Pattern::compile(source) {
        Ok(p) => p.identity_key(),
        Err(_) => format!("invalid:{}", source.trim()),
    }
}

impl Pattern {
    /// See [`identity_key`].
    pub fn identity_key(&self) -> String {
        match self.kind {
            PatternKind::Template => {
                let mut key = String::from("template:");
                for atom in &self.atoms {
                    match atom {
                        literal::Atom::Char(c) => key.extend(c.to_lowercase()),
                        literal::Atom::Quote => key.push('\''),
                        literal::Atom::Wild => key.push('\u{0}'),
                    }
                }
                key
            }
            PatternKind::Regex => format!("regex:{}", self.rust),
        }
    }

    /// Compiles a pattern source (a template, or `regex:` + a regex). Error
    /// offsets are byte offsets into `source` as given.
    pub fn compile(source: &str) -> Result<Pattern, PatternError> {
        let chars = source.chars().count();
        if chars > MAX_PATTERN_CHARS {
            return Err(PatternError::new(format!(
                "the pattern is {chars} characters long; the limit is {MAX_PATTERN_CHARS}"
            ))
            .hint("keep the part of the message that identifies the error"));
        }
        let lead = source.len() - source.trim_start().len();
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err(PatternError::new("the pattern is empty")
                .hint("write the error text as the tool prints it"));
        }
        let (context, lead, trimmed) = match trimmed.strip_prefix(CONTEXT_PREFIX) {
            Some(rest) => {
                let rest_lead = rest.len() - rest.trim_start().len();
                (true, lead + CONTEXT_PREFIX.len() + rest_lead, rest.trim())
            }
            None => (false, lead, trimmed),
        };
        if trimmed.is_empty() {
            return Err(PatternError::new("the context pattern is empty")
                .at(lead)
                .hint("write the summary line after `context:`, as the tool prints it"));
        }
        let (kind, tr) = match trimmed.strip_prefix("regex:") {
            Some(body) => {
                let body_lead = body.len() - body.trim_start().len();
                let base = lead + "regex:".len() + body_lead;
                (PatternKind::Regex, subset::translate(body.trim(), base)?)
            }
            None => (PatternKind::Template, template::translate(trimmed, lead)?),
        };
        let literals = literal::required_literals(&tr.atoms);
        let prefilter = literals
            .iter()
            .enumerate()
            .max_by_key(|(i, l)| (l.len(), std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        Ok(Pattern {
            source: source.to_string(),
            kind,
            rust: tr.rust,
            regex: OnceLock::new(),
            js: tr.js,
            js_flags: if tr.case_insensitive { "i" } else { "" },
            slots: tr.slots,
            literals,
            prefilter,
            atoms: tr.atoms,
            specificity: tr.specificity,
            context,
        })
    }

    /// The Rust regex, built on first use. Translation guarantees that it
    /// builds; should it not, the pattern matches nothing.
    fn regex(&self) -> Option<&regex::Regex> {
        self.regex
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.rust)
                    .size_limit(COMPILED_SIZE_LIMIT)
                    .dfa_size_limit(DFA_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }

    /// This pattern with its regex dropped if it was built (for keeping it long).
    pub fn into_unbuilt(mut self) -> Pattern {
        self.regex = OnceLock::new();
        self
    }

    /// A copy whose regex is not built yet: memory spent matching with it goes when the
    /// copy does (a built regex keeps tens of kilobytes of search caches).
    pub fn unbuilt(&self) -> Pattern {
        Pattern {
            regex: OnceLock::new(),
            ..self.clone()
        }
    }

    /// The source the pattern was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the pattern is marked `context:`: it names a family of errors, not one.
    pub fn is_context(&self) -> bool {
        self.context
    }

    /// Template or regex.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The first (leftmost) match in a normalized line ([`normalize_line`]),
    /// with its slots.
    pub fn find(&self, normalized_line: &str) -> Option<Match> {
        let regex = self.regex()?;
        if self.slots.is_empty() {
            let m = regex.find(normalized_line)?;
            return Some(Match {
                range: m.range(),
                slots: Vec::new(),
            });
        }
        let caps = regex.captures(normalized_line)?;
        let whole = caps.get(0)?;
        let slots = self
            .slots
            .iter()
            .filter_map(|n| caps.name(n).map(|m| (n.clone(), m.as_str().to_string())))
            .collect();
        Some(Match {
            range: whole.range(),
            slots,
        })
    }

    /// Whether the pattern matches a normalized line.
    pub fn is_match(&self, normalized_line: &str) -> bool {
        self.regex().is_some_and(|r| r.is_match(normalized_line))
    }

    /// Byte range of the first match, without slots.
    pub fn find_range(&self, normalized_line: &str) -> Option<Range<usize>> {
        self.regex()?.find(normalized_line).map(|m| m.range())
    }

    /// Number of literal characters every match contains (for ranking).
    pub fn specificity(&self) -> usize {
        self.specificity
    }

    /// Slot names in pattern order.
    pub fn slots(&self) -> &[String] {
        &self.slots
    }

    /// Runs of ASCII text every match contains, lower-cased, in pattern
    /// order (quotes, slots and non-ASCII characters split runs). A line that
    /// lacks one of them (compared ASCII-case-insensitively) cannot match.
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// The longest of [`Pattern::literals`]: what a prefilter should look for.
    pub fn prefilter_literal(&self) -> Option<&str> {
        self.prefilter
            .and_then(|i| self.literals.get(i))
            .map(String::as_str)
    }

    /// The Rust regex the pattern compiled to.
    pub fn regex_source(&self) -> &str {
        &self.rust
    }

    /// The same regex for JavaScript: `new RegExp(js_source(), js_flags())`
    /// matches exactly what this pattern matches on a normalized line, with the
    /// same named groups. A template's form is anchored and first skips to its
    /// leading literal in a group named `_p`: the match proper starts after the
    /// text of `_p` (see `template::js_source` for why), and `_p` is no slot.
    pub fn js_source(&self) -> &str {
        &self.js
    }

    /// Flags for the JavaScript regex: `"i"` or `""` (never `u`).
    pub fn js_flags(&self) -> &'static str {
        self.js_flags
    }

    pub(crate) fn atoms(&self) -> &[literal::Atom] {
        &self.atoms
    }
}

#[cfg(test)]
mod tests;
