//! Plain data shared by every stage: ids, entries, steps, tools and the whole site.
//! No I/O here; everything derives `Serialize` so templates and the JSON API see the
//! same shapes as the code.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// `<tool>/<slug>`: both segments are `[a-z0-9]+(-[a-z0-9]+)*`.
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

/// True for `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_valid_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The closest valid segment to `s`: lower case, runs of anything else become one `-`.
pub fn suggest_segment(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("entry");
    }
    out
}

/// Names of the `<name>` slots in a command.
pub fn slots_in(run: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = run;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        if rest[end..].starts_with('>') && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push(name);
        }
    }
    out
}

/// One step of a procedure (fix, verify, confirm, check).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsafe {
    pub do_not: String,
    pub why: String,
}

/// A `<name>` slot used in commands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    #[serde(default)]
    pub example: Option<String>,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
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
    /// configuration): equal fingerprints mean equal entries. Caches key on it.
    #[serde(skip)]
    pub fingerprint: Fingerprint,
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
    }
}
