//! Finding knowledge-base entries in logs: what `errkb match` and `errkb explain` run.
//!
//! A [`Catalog`] holds the entries' essentials and one [`PatternSet`]; it is built from a
//! site's sources or from a built site's `api/entries.json`, so other projects' CI can
//! use a published knowledge base without its sources. Logs are streamed line by line
//! with a bounded line buffer, so memory stays flat however large the log is.
//!
//! A `context:` pattern ([`Pattern::is_context`]) never makes an entry found: a line that
//! only such patterns match is a [`Generic`] line, reported once with its candidate
//! entries, and only when none of them was found on a line of its own in the same log
//! (then the summary line adds nothing to what is printed for that entry).

use std::io::{self, BufRead};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::json_shape::Obj;
use crate::model::{EntryId, MAX_SEGMENT_LEN, Site};
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

/// One item of `api/entries.json`, its types checked.
fn catalog_entry(e: &Obj) -> Result<CatalogEntry, String> {
    let id = e.string("id")?;
    if EntryId::parse(id).is_none() {
        return Err(format!(
            "{}: `{id}` is not an entry id (tool/slug: a-z, 0-9 and single dashes, at most {MAX_SEGMENT_LEN} characters each)",
            e.path_of("id")
        ));
    }
    Ok(CatalogEntry {
        id: id.to_string(),
        url: e.string("url")?.to_string(),
        title: e.string("title")?.to_string(),
        summary: e.opt_string("summary")?.unwrap_or_default().to_string(),
        likely_cause: e.string("likely_cause")?.to_string(),
        patterns: e
            .strings("patterns", true)?
            .into_iter()
            .map(str::to_string)
            .collect(),
        first_fix: e.opt_string("first_fix")?.map(str::to_string),
    })
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

/// A line that only `context:` patterns match: it shows a family of errors, not which
/// one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generic {
    /// Indexes into [`Catalog::entries`] of the entries whose context patterns match,
    /// in catalog order.
    pub candidates: Vec<usize>,
    /// 1-based line number of the first such line with these candidates.
    pub line_number: u64,
    /// That line, cleaned of colour codes and CI prefixes.
    pub line: String,
}

/// What one line matches: entries by their specific patterns (most specific first, each
/// once) and, apart, the entries whose context patterns match (catalog order).
#[derive(Debug, Default)]
struct LineHits {
    specific: Vec<(usize, usize)>,
    context: Vec<usize>,
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
        Catalog::new(
            site.entries
                .iter()
                .map(|e| CatalogEntry {
                    id: e.id.to_string(),
                    url: config.link(&e.id.path()),
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

    /// Reads a built site's `api/entries.json`, which may come from anyone's server:
    /// every field's type is checked (the error names the field) and every id must be a
    /// valid entry id, since `explain` turns it into a file name.
    pub fn from_json(bytes: &[u8]) -> Result<Catalog, String> {
        let v: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("not an errkb catalog (api/entries.json): {e}"))?;
        let root = Obj::root(&v, "the catalog").map_err(|_| {
            "not an errkb catalog: expected an object with an `entries` array".to_string()
        })?;
        if root.has("version") && v["version"] != 1 {
            return Err(format!(
                "version: this catalog has version {}, errkb reads version 1 (a newer errkb made it?)",
                v["version"]
            ));
        }
        let entries = root
            .objects("entries", true)?
            .iter()
            .map(catalog_entry)
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Catalog::new(entries))
    }

    /// Entries matching one line by a specific (not `context:`) pattern, most specific
    /// first (each entry once).
    pub fn match_line(&self, raw: &str) -> Vec<(usize, usize)> {
        if !self.may_match(raw.as_bytes()) {
            return Vec::new();
        }
        self.hits(raw).specific
    }

    /// Whether some entry knows this line: a specific or a `context:` pattern matches it
    /// (what `errkb gaps` leaves out).
    pub fn covers(&self, raw: &str) -> bool {
        if !self.may_match(raw.as_bytes()) {
            return false;
        }
        let h = self.hits(raw);
        !h.specific.is_empty() || !h.context.is_empty()
    }

    /// The entries whose `context:` patterns match some line of `text` when no line
    /// of it matches a specific pattern (catalog order), and the first such line.
    pub fn generic(&self, text: &str) -> Option<(Vec<usize>, String)> {
        let mut first: Option<(Vec<usize>, String)> = None;
        for line in text.lines() {
            if !self.may_match(line.as_bytes()) {
                continue;
            }
            let h = self.hits(line);
            if !h.specific.is_empty() {
                return None;
            }
            if first.is_none() && !h.context.is_empty() {
                first = Some((h.context, pattern::clean_line(line).trim_end().to_string()));
            }
        }
        first
    }

    fn hits(&self, raw: &str) -> LineHits {
        let norm = pattern::normalize_line(raw);
        let mut out = LineHits::default();
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
            if self.set.get(h.pattern).is_some_and(|(_, p)| p.is_context()) {
                if !out.context.contains(&h.entry) {
                    out.context.push(h.entry);
                }
            } else if !out.specific.iter().any(|(e, _)| *e == h.entry) {
                out.specific.push((h.entry, h.specificity));
            }
        }
        out.context.sort_unstable();
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
    /// (entries first seen on the same line: most specific first), and the generic
    /// lines that none of those explains.
    pub fn scan<R: BufRead>(&self, mut reader: R) -> io::Result<Scanned> {
        let mut out = Scanned::default();
        // Generic lines by candidate set: the first of each is kept. There are at most as
        // many sets as context patterns' combinations that occur, a handful in practice.
        let mut generic: Vec<Generic> = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut buf = Vec::with_capacity(4096);
        let mut line_number = 0u64;
        loop {
            buf.clear();
            let cut = match read_line_capped(&mut reader, &mut buf)? {
                None => break,
                Some(cut) => cut,
            };
            line_number += 1;
            if cut {
                out.long_lines += 1;
                out.first_long_line.get_or_insert(line_number);
            }
            if !self.may_match(&buf) {
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            let hits = self.hits(&text);
            if hits.specific.is_empty()
                && !hits.context.is_empty()
                && !generic.iter().any(|g| g.candidates == hits.context)
            {
                generic.push(Generic {
                    candidates: hits.context,
                    line_number,
                    line: pattern::clean_line(&text).trim_end().to_string(),
                });
            }
            for (e, spec) in hits.specific {
                if !seen[e] {
                    seen[e] = true;
                    out.found.push(Found {
                        entry: e,
                        line_number,
                        line: pattern::clean_line(&text).trim_end().to_string(),
                        specificity: spec,
                    });
                }
            }
        }
        // A specific line anywhere in the log (the `[rejected]` line comes before the
        // summary, the hints after it) says more than the summary line.
        generic.retain(|g| !g.candidates.iter().any(|&e| seen[e]));
        out.generic = generic;
        Ok(out)
    }
}

/// What [`Catalog::scan`] found in a log.
#[derive(Debug, Default)]
pub struct Scanned {
    pub found: Vec<Found>,
    /// Lines only `context:` patterns match, none of whose candidates is in `found`,
    /// once per candidate set, in line order.
    pub generic: Vec<Generic>,
    /// Lines longer than [`MAX_LINE_BYTES`]: only their start was matched.
    pub long_lines: u64,
    /// The 1-based number of the first such line.
    pub first_long_line: Option<u64>,
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
/// of it. Returns `None` at the end of input, else whether the line was cut.
pub fn read_line_capped<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
) -> io::Result<Option<bool>> {
    let mut any = false;
    let mut cut = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(cut));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, Some(i + 1)),
            None => (chunk.len(), None),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buf.len());
        cut |= take > room;
        buf.extend_from_slice(&chunk[..take.min(room)]);
        match done {
            Some(n) => {
                r.consume(n);
                return Ok(Some(cut));
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

    /// A catalog entry with these patterns and nothing else.
    fn e(id: &str, pats: &[&str]) -> CatalogEntry {
        CatalogEntry {
            id: id.into(),
            url: format!("/{id}/"),
            title: id.into(),
            summary: String::new(),
            likely_cause: "c".into(),
            patterns: pats.iter().map(|s| s.to_string()).collect(),
            first_fix: None,
        }
    }

    fn cat() -> Catalog {
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
        let found = cat().scan(log.as_bytes()).expect("scan").found;
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
        let scanned = cat().scan(&log[..]).expect("scan");
        let found = scanned.found;
        assert_eq!(
            found.len(),
            1,
            "the tail of an over-long line is not matched"
        );
        assert_eq!(found[0].entry, 1);
        // … and the caller is told which line was cut.
        assert_eq!((scanned.long_lines, scanned.first_long_line), (1, Some(2)));
        // A line of exactly the limit is whole.
        let exact = vec![b'x'; MAX_LINE_BYTES];
        let s = cat().scan(&exact[..]).expect("scan");
        assert_eq!((s.long_lines, s.first_long_line), (0, None));
    }

    fn push_cat() -> Catalog {
        let summary = "context:error: failed to push some refs to <remote>";
        Catalog::new(vec![
            e("git/nff", &["(non-fast-forward)", summary]),
            e("git/other", &["npm ERR! code E404"]),
            e(
                "git/refspec",
                &["src refspec <ref> does not match any", summary],
            ),
            e("git/hook", &["(pre-receive hook declined)", summary]),
        ])
    }

    #[test]
    fn context_only_lines_are_generic() {
        let c = push_cat();
        let log = "To x\nerror: failed to push some refs to 'x'\nerror: failed to push some refs to 'y'\n";
        let s = c.scan(log.as_bytes()).expect("scan");
        assert!(s.found.is_empty());
        assert_eq!(
            s.generic,
            [Generic {
                candidates: vec![0, 2, 3],
                line_number: 2,
                line: "error: failed to push some refs to 'x'".into(),
            }]
        );
        // A specific line of the family, before or after the summary, explains it.
        for log in [
            " ! [rejected] main -> main (non-fast-forward)\nerror: failed to push some refs to 'x'\n",
            "error: failed to push some refs to 'x'\nerror: src refspec main does not match any\n",
        ] {
            let s = c.scan(log.as_bytes()).expect("scan");
            assert_eq!(s.found.len(), 1, "{log}");
            assert!(s.generic.is_empty(), "{log}");
        }
        // An unrelated entry found elsewhere does not.
        let s = c
            .scan("npm ERR! code E404\nerror: failed to push some refs to 'x'\n".as_bytes())
            .expect("scan");
        assert_eq!((s.found.len(), s.generic.len()), (1, 1));
        // Lookups of one piece of text: never an entry on its summary line alone.
        assert!(
            c.match_line("error: failed to push some refs to 'x'")
                .is_empty()
        );
        assert!(c.best("error: failed to push some refs to 'x'").is_none());
        assert_eq!(
            c.generic("hello\nerror: failed to push some refs to 'x'")
                .map(|g| g.0),
            Some(vec![0, 2, 3])
        );
        assert!(
            c.generic("error: failed to push some refs to 'x'\n (non-fast-forward)")
                .is_none()
        );
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
