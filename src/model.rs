//! Plain data shared by every stage: ids, entries, steps, tools and the whole site.
//! No I/O here; everything derives `Serialize` so templates and the JSON API see the
//! same shapes as the code.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `<tool>/<slug>`: both segments are `[a-z0-9]+(-[a-z0-9]+)*`, at most
/// [`MAX_SEGMENT_LEN`] characters each.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntryId {
    pub tool: String,
    pub slug: String,
}

impl EntryId {
    /// Parses `tool/slug`, returning `None` unless both segments are valid.
    pub fn parse(s: &str) -> Option<EntryId> {
        let (tool, slug) = s.split_once('/')?;
        (is_valid_segment(tool) && is_valid_segment(slug)).then(|| EntryId {
            tool: tool.to_string(),
            slug: slug.to_string(),
        })
    }

    /// The page's path below the base URL, with a trailing slash.
    pub fn path(&self) -> String {
        format!("{}/{}/", self.tool, self.slug)
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.tool, self.slug)
    }
}

/// The longest id segment (a tool or a slug), in characters (ASCII, so bytes too).
///
/// Each segment becomes a file or folder name: `<tool>/<slug>/index.html`,
/// `api/<tool>/<slug>.json`, the source `<slug>.yaml`, plus the suffixes of temporary
/// files. Most file systems allow 255 bytes per name, but eCryptfs (encrypted home
/// folders) allows 143, and long URLs are unkind to readers; 100 leaves room for every
/// suffix on all of them. A whole id is then at most 201 characters.
pub const MAX_SEGMENT_LEN: usize = 100;

/// True for `[a-z0-9]+(-[a-z0-9]+)*` of at most [`MAX_SEGMENT_LEN`] characters.
pub fn is_valid_segment(s: &str) -> bool {
    segment_problem(s).is_none()
}

/// What is wrong with an id segment, in words that complete "`x` …"; `None` when valid.
pub fn segment_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("is empty".into());
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || s.starts_with('-')
        || s.ends_with('-')
        || s.contains("--")
    {
        return Some("may hold only a-z, 0-9 and single dashes".into());
    }
    if s.len() > MAX_SEGMENT_LEN {
        return Some(format!(
            "is {} characters long: the limit is {MAX_SEGMENT_LEN} characters, so that every file name made from it fits the file system",
            s.len()
        ));
    }
    None
}

/// The closest valid segment to `s`: lower case, runs of anything else become one `-`,
/// cut to [`MAX_SEGMENT_LEN`].
pub fn suggest_segment(s: &str) -> String {
    let mut out = dashed(s, |c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if out.len() > MAX_SEGMENT_LEN {
        // Cut at a dash when one is near the limit, so the suggestion keeps whole words.
        let cut = match out[..=MAX_SEGMENT_LEN].rfind('-') {
            Some(i) if i >= MAX_SEGMENT_LEN / 2 => i,
            _ => MAX_SEGMENT_LEN,
        };
        out.truncate(cut);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("entry");
    }
    out
}

/// `text` in lower case with the characters `keep` refuses turned into single dashes,
/// none at either end: the one rule behind suggested ids and heading ids.
pub fn dashed(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if keep(c) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

// Slots are the pattern engine's: commands use the same parser.
pub use crate::pattern::{is_slot_name, slot_at};

/// Names of the `<name>` slots in a command.
pub fn slots_in(run: &str) -> Vec<&str> {
    run.match_indices('<')
        .filter_map(|(i, _)| slot_at(&run[i..]).map(|(_, name)| name))
        .collect()
}

/// One step of a procedure (fix, verify, confirm, check).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the step does, in a few words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A shell command (may be several lines); `<name>` is a placeholder the reader fills in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Markdown explaining the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The command's language for highlighting (default `bash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// What the reader should see when it worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// Why a command that looks like an unsafe shortcut is fine here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unsafe: Option<String>,
}

impl Step {
    /// The code block language: `lang`, defaulting to `bash`.
    pub fn lang(&self) -> &str {
        self.lang.as_deref().unwrap_or("bash")
    }

    pub fn is_empty(&self) -> bool {
        [&self.title, &self.run, &self.text]
            .iter()
            .all(|f| f.as_deref().is_none_or(|s| s.trim().is_empty()))
    }
}

/// A tempting shortcut and the harm it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unsafe {
    /// The tempting shortcut.
    pub do_not: String,
    /// The harm it does.
    pub why: String,
}

/// A `<name>` slot used in commands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// An example value, shown in the slot until the reader types their own.
    #[serde(default)]
    pub example: Option<String>,
    /// What to fill in, in a few words.
    #[serde(default)]
    pub help: Option<String>,
}

/// Further reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The link's text.
    pub title: String,
    /// http(s)://, mailto: or a path in the site.
    pub url: String,
}

/// A validated entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: EntryId,
    /// The file it came from, relative to the site root.
    pub source: PathBuf,
    pub title: String,
    pub summary: String,
    pub likely_cause: String,
    pub patterns: Vec<String>,
    pub fix: Vec<Step>,
    #[serde(rename = "unsafe")]
    pub unsafe_: Vec<Unsafe>,
    pub verify: Vec<Step>,
    pub confirm: Vec<Step>,
    pub check: Vec<Step>,
    pub causes: Vec<String>,
    pub placeholders: BTreeMap<String, Placeholder>,
    pub examples: Vec<String>,
    pub related: Vec<EntryId>,
    pub aliases: Vec<EntryId>,
    pub links: Vec<Link>,
    pub tags: Vec<String>,
    pub applies_to: Vec<String>,
    /// `YYYY-MM-DD`, already checked to be a real date.
    pub updated: Option<String>,
    pub draft: bool,
    /// Display name of the tool given in the entry (the `_tool.yaml` name wins).
    pub tool: Option<String>,
    pub extra: serde_json::Value,
    /// The Markdown body (shared with the file's text when it is the part after the
    /// front matter, so a large site does not hold every body twice).
    pub body: SharedStr,
    /// 1-based line of the body's first line in `source` (for diagnostics).
    #[serde(skip)]
    pub body_line: usize,
    /// A hash of everything the entry was made from (its file, path and the
    /// configuration): equal fingerprints mean equal entries. Caches key on it, and
    /// only kept caches make it: in a one-shot run it is zeros (see `Memo::key`).
    #[serde(skip)]
    pub fingerprint: Fingerprint,
    /// A hash of what the rules between entries' patterns read (id, title, patterns,
    /// examples), made with the entry: `serve` knows from these alone, on every edit,
    /// whether those rules must run again.
    #[serde(skip)]
    pub overlap_key: Fingerprint,
    /// `patterns`, compiled (one for one: an entry is only made when every pattern
    /// compiles). Validation compiles them once; the overlap check and the search index
    /// read them here instead of compiling each again.
    #[serde(skip)]
    pub compiled: Arc<[crate::pattern::Pattern]>,
}

pub type Fingerprint = [u8; 32];

/// A part of a shared string: derefs to `&str`, serializes as a string.
#[derive(Clone, Default)]
pub struct SharedStr {
    text: Arc<str>,
    range: std::ops::Range<usize>,
}

impl SharedStr {
    /// `text[range]`; an out-of-bounds or split-character range gives the empty string.
    pub fn slice(text: Arc<str>, range: std::ops::Range<usize>) -> SharedStr {
        let range = if text.get(range.clone()).is_some() {
            range
        } else {
            0..0
        };
        SharedStr { text, range }
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> SharedStr {
        let len = s.len();
        SharedStr {
            text: s.into(),
            range: 0..len,
        }
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.text.get(self.range.clone()).unwrap_or("")
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == **other
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

/// A tool folder's `_tool.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolMeta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub homepage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// The folder name.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub homepage: Option<String>,
}

/// The whole validated knowledge base, entries sorted by id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Site {
    pub intro: Option<String>,
    pub tools: Vec<Tool>,
    /// Shared, so `serve` reuses an unchanged entry without copying it.
    pub entries: Vec<Arc<Entry>>,
}

impl Site {
    pub fn entry(&self, id: &EntryId) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.id.cmp(id))
            .ok()
            .map(|i| &*self.entries[i])
    }

    pub fn tool(&self, id: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert!(is_valid_segment("docker"));
        assert!(is_valid_segment("a-b-9"));
        for bad in ["", "-a", "a-", "a--b", "A", "a.b", "a b", ".."] {
            assert!(!is_valid_segment(bad), "{bad}");
        }
        assert_eq!(suggest_segment("Exec Format_Error!"), "exec-format-error");
        assert_eq!(suggest_segment("..."), "entry");
        assert_eq!(
            EntryId::parse("docker/x").map(|i| i.to_string()),
            Some("docker/x".into())
        );
        assert!(EntryId::parse("docker/X").is_none());
        assert!(EntryId::parse("docker").is_none());
        assert!(EntryId::parse("a/b/c").is_none());
        assert!(EntryId::parse("../x").is_none());
    }

    #[test]
    fn segment_length_is_capped_and_suggestions_obey_it() {
        let at_limit = "a".repeat(MAX_SEGMENT_LEN);
        assert!(is_valid_segment(&at_limit));
        let over = "a".repeat(MAX_SEGMENT_LEN + 1);
        assert!(!is_valid_segment(&over));
        assert!(segment_problem(&over).is_some_and(|p| p.contains("101 characters")));
        assert!(EntryId::parse(&format!("docker/{over}")).is_none());
        for s in [
            "a".repeat(252),
            "word-".repeat(60),
            format!("{}-tail", "x".repeat(120)),
            "Ab ".repeat(90),
        ] {
            let sug = suggest_segment(&s);
            assert!(is_valid_segment(&sug), "{sug}");
        }
        // Whole words are kept when a dash is near the limit.
        assert_eq!(suggest_segment(&"word-".repeat(60)).len(), 99);
    }
}
