//! Finding knowledge-base entries in logs: what `errkb match` and `errkb explain` run.
//!
//! A [`Catalog`] holds the entries' essentials and one [`PatternSet`]; it is built from a
//! site's sources or from a built site's `api/entries.json`, so other projects' CI can
//! use a published knowledge base without its sources. Logs are streamed line by line
//! with a bounded line buffer, so memory stays flat however large the log is.

use std::io::{self, BufRead};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::model::Site;
use crate::pattern::{self, Pattern, PatternSet};

/// `(?<name>…)` and `(?P<name>…)` become `(?:…)`: the same matches, but one file of many
/// regexes joined by `|` (as `rg -f` does) must not repeat a group name, and older
/// ripgrep does not read `(?<name>`. Escaped parentheses and classes are left alone.
pub fn without_group_names(re: &str) -> String {
    let mut out = String::with_capacity(re.len());
    let mut chars = re.char_indices().peekable();
    let mut in_class = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal member.
                if let Some(&(_, '^')) = chars.peek() {
                    out.push('^');
                    chars.next();
                }
                if let Some(&(_, ']')) = chars.peek() {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '(' if !in_class => {
                let rest = &re[i + 1..];
                let name_start = if rest.starts_with("?P<") {
                    Some(3)
                } else if rest.starts_with("?<")
                    && !rest.starts_with("?<=")
                    && !rest.starts_with("?<!")
                {
                    Some(2)
                } else {
                    None
                };
                match name_start.and_then(|s| rest[s..].find('>').map(|e| s + e)) {
                    Some(end) => {
                        out.push_str("(?:");
                        // Skip `?<name>` (all ASCII).
                        for _ in 0..end + 1 {
                            chars.next();
                        }
                    }
                    None => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Most regexes a catalog keeps built while matching; past that it starts over.
const MAX_BUILT: usize = 256;

/// Lines longer than this are matched on their first this-many bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What `match` needs to know of an entry (the shape of `api/entries.json` items).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub id: String,
    pub url: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub likely_cause: String,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub first_fix: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    entries: Vec<CatalogEntry>,
}

/// One entry found in a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Index into [`Catalog::entries`].
    pub entry: usize,
    /// 1-based line number of the first line it matched.
    pub line_number: u64,
    /// That line, cleaned of colour codes and CI prefixes.
    pub line: String,
    pub specificity: usize,
}

pub struct Catalog {
    pub entries: Vec<CatalogEntry>,
    set: PatternSet,
    /// Regexes built for the lines matched so far, by pattern (see [`MAX_BUILT`]).
    built: std::sync::Mutex<std::collections::HashMap<usize, Pattern>>,
    /// Whole words every pattern needs, searched in raw bytes before a line is cleaned.
    /// `None` when some pattern has no such word (then every line is cleaned).
    words: Option<AhoCorasick>,
}

impl Catalog {
    pub fn new(entries: Vec<CatalogEntry>) -> Catalog {
        let mut words = Vec::new();
        let mut all_have_word = true;
        let mut compiled = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for p in &e.patterns {
                let Ok(c) = pattern::compile(p) else { continue };
                match raw_word(&c) {
                    Some(w) => words.push(w),
                    None => all_have_word = false,
                }
                compiled.push((i, c));
            }
        }
        words.sort();
        words.dedup();
        let words = if all_have_word && !words.is_empty() {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(&words)
                .ok()
        } else {
            None
        };
        Catalog {
            entries,
            set: PatternSet::new(compiled),
            built: Default::default(),
            words,
        }
    }

    pub fn from_site(site: &Site, config: &Config) -> Catalog {
        let base = if config.has_absolute_base() {
            config.base_url()
        } else {
            config.base_path()
        };
        Catalog::new(
            site.entries
                .iter()
                .map(|e| CatalogEntry {
                    id: e.id.to_string(),
                    url: format!("{base}{}", e.id.path()),
                    title: e.title.clone(),
                    summary: e.summary.clone(),
                    likely_cause: e.likely_cause.clone(),
                    patterns: e.patterns.clone(),
                    first_fix: e.fix.iter().find_map(|s| s.run.clone()),
                })
                .collect(),
        )
    }

    /// The regular expression of every pattern, in catalog order (`match --print-regexes`),
    /// with named groups made plain so grep-like tools can take them all in one file.
    pub fn regexes(&self) -> impl Iterator<Item = String> + '_ {
        self.set
            .patterns()
            .map(|p| without_group_names(p.regex_source()))
    }

    /// Reads a built site's `api/entries.json`.
    pub fn from_json(bytes: &[u8]) -> Result<Catalog, String> {
        let f: CatalogFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("not an errkb catalog (api/entries.json): {e}"))?;
        Ok(Catalog::new(f.entries))
    }

    /// Entries matching one line, most specific first (each entry once).
    pub fn match_line(&self, raw: &str) -> Vec<(usize, usize)> {
        if !self.may_match(raw.as_bytes()) {
            return Vec::new();
        }
        self.hits(raw)
    }

    fn hits(&self, raw: &str) -> Vec<(usize, usize)> {
        let norm = pattern::normalize_line(raw);
        let mut out: Vec<(usize, usize)> = Vec::new();
        let hits = match self.built.lock() {
            Ok(mut built) => {
                // A built regex keeps tens of kilobytes of caches: keep a bounded number,
                // so memory does not grow with the number of patterns a long log touches.
                if built.len() > MAX_BUILT {
                    built.clear();
                }
                self.set.matches_in(&norm, &mut built)
            }
            Err(_) => self.set.matches(&norm),
        };
        for h in hits {
            if !out.iter().any(|(e, _)| *e == h.entry) {
                out.push((h.entry, h.specificity));
            }
        }
        out
    }

    /// The best entry for a piece of text (one line or many).
    pub fn best(&self, text: &str) -> Option<(usize, String)> {
        let mut best: Option<(usize, usize, String)> = None;
        for line in text.lines() {
            if let Some(&(e, spec)) = self.match_line(line).first()
                && best.as_ref().is_none_or(|b| spec > b.1)
            {
                best = Some((e, spec, pattern::clean_line(line).into_owned()));
            }
        }
        best.map(|(e, _, l)| (e, l))
    }

    fn may_match(&self, raw: &[u8]) -> bool {
        match &self.words {
            // Escape sequences can split a word; such lines are always cleaned first.
            Some(ac) if !raw.contains(&0x1b) => ac.is_match(raw),
            _ => true,
        }
    }

    /// Streams a log and returns every entry it mentions, in order of first appearance
    /// (entries first seen on the same line: most specific first).
    pub fn scan<R: BufRead>(&self, mut reader: R) -> io::Result<Vec<Found>> {
        let mut found: Vec<Found> = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut buf = Vec::with_capacity(4096);
        let mut line_number = 0u64;
        loop {
            buf.clear();
            if !read_line_capped(&mut reader, &mut buf)? {
                break;
            }
            line_number += 1;
            if !self.may_match(&buf) {
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            for (e, spec) in self.hits(&text) {
                if !seen[e] {
                    seen[e] = true;
                    found.push(Found {
                        entry: e,
                        line_number,
                        line: pattern::clean_line(&text).trim_end().to_string(),
                        specificity: spec,
                    });
                }
            }
        }
        Ok(found)
    }
}

/// The longest whole ASCII word (letters, digits, `_`) of the pattern's required
/// literals, if it has one of 3+ characters: such a word appears verbatim (up to ASCII
/// case) in any raw line the pattern can match.
fn raw_word(p: &Pattern) -> Option<String> {
    p.literals()
        .iter()
        .flat_map(|l| l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|w| w.len() >= 3)
        .max_by_key(|w| w.len())
        .map(str::to_string)
}

/// Reads one line (without its `\n`) into `buf`, keeping at most [`MAX_LINE_BYTES`]
/// of it. Returns false at the end of input.
fn read_line_capped<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any);
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, Some(i + 1)),
            None => (chunk.len(), None),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        match done {
            Some(n) => {
                r.consume(n);
                return Ok(true);
            }
            None => {
                let n = chunk.len();
                r.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_dropped_for_grep_tools() {
        assert_eq!(
            without_group_names(r"(?i)a (?<operation>.+?) b (?P<x>\d+)"),
            r"(?i)a (?:.+?) b (?:\d+)"
        );
        // Escaped parentheses, classes and look-behind-like text stay as they are.
        for same in [r"\(?<x>\)", r"[(?<x>]", r"[]()]", r"(?:a)", r"(a)"] {
            assert_eq!(without_group_names(same), same);
        }
        // Every bundled pattern still compiles and matches the same way without names.
        let p = crate::pattern::compile(
            "An error occurred (<code>) when calling the <operation> operation",
        )
        .expect("pattern");
        let plain = regex::Regex::new(&without_group_names(p.regex_source())).expect("regex");
        assert!(
            plain.is_match("An error occurred (ExpiredToken) when calling the GetObject operation")
        );
    }

    fn cat() -> Catalog {
        let e = |id: &str, pats: &[&str]| CatalogEntry {
            id: id.into(),
            url: format!("/{id}/"),
            title: id.into(),
            summary: String::new(),
            likely_cause: "c".into(),
            patterns: pats.iter().map(|s| s.to_string()).collect(),
            first_fix: None,
        };
        Catalog::new(vec![
            e("docker/auth", &["unauthorized: authentication required"]),
            e(
                "npm/eresolve",
                &["npm ERR! code ERESOLVE", "npm error code ERESOLVE"],
            ),
        ])
    }

    #[test]
    fn scans_a_log_once_per_entry() {
        let log = "ok\n\x1b[31mnpm error code ERESOLVE\x1b[0m\r\nnpm error code ERESOLVE\n2024-01-01T00:00:00.0000000Z ##[error]unauthorized: authentication required\n";
        let found = cat().scan(log.as_bytes()).expect("scan");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].entry, found[0].line_number, found[0].line.as_str()),
            (1, 2, "npm error code ERESOLVE")
        );
        assert_eq!((found[1].entry, found[1].line_number), (0, 4));
        assert_eq!(found[1].line, "unauthorized: authentication required");
    }

    #[test]
    fn invalid_utf8_and_huge_lines() {
        let mut log = b"\xff\xfe npm ERR! code ERESOLVE \xff\n".to_vec();
        log.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES * 2));
        log.extend_from_slice(b" unauthorized: authentication required\nlast");
        let found = cat().scan(&log[..]).expect("scan");
        assert_eq!(
            found.len(),
            1,
            "the tail of an over-long line is not matched"
        );
        assert_eq!(found[0].entry, 1);
    }

    #[test]
    fn best_match_for_text() {
        assert_eq!(
            cat()
                .best("hello\nError: npm ERR! code ERESOLVE")
                .map(|b| b.0),
            Some(1)
        );
        assert!(cat().best("all good").is_none());
    }
}
