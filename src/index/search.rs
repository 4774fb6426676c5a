//! The search index: split so that a query fetches only what it needs, and loaded by
//! the site's search box on first focus (`static/search-index.js` reads it).
//!
//! The manifest is `search/index.json`, at a fixed address that every page names; it
//! holds counts, the list of term shards that exist and `dir`, the folder of the rest:
//! `search/<version>/`, where the version is a hash of the content, so those files can
//! be cached forever. Every file there is gzip-compressed (`.gz`, written by
//! `search_files.rs`): a static host sends it as it is, and the browser
//! decompresses it with `DecompressionStream` (a host that adds its own
//! `Content-Encoding` hands the browser the plain bytes, which it reads as they are).
//! The files, once decompressed:
//!
//! - `d<k>.json.gz`: entries `k*16 .. k*16+15` as `[id, path, title, tool, summary]`.
//! - `s<k>.json.gz` and `s-any.json.gz`: the signature tier, `[entry, regex, flags,
//!   specificity, key]`, and a sixth item `1` for a `context:` pattern (a family's
//!   summary line: the browser lists its entries as candidates of a generic line, never
//!   as an exact match). Each pattern is compiled to a JavaScript regex at build time and
//!   filed under its rarest whole literal word: the browser hashes the words of a pasted
//!   log (FNV-1a, [`super::tokenize::fnv1a`]) and fetches only those shards. Patterns
//!   without such a word go to `s-any` (their key is empty). A line is only tried
//!   against the patterns whose key is one of its words. Two long pieces that almost
//!   every regex contains are written as `\u0001` and `\u0002`; the manifest's `dict`
//!   has them.
//! - `s-keys.txt.gz`: a Bloom filter of the key words (the manifest's `keys` is its
//!   number of bits; [`super::tokenize::key_filter`] has the format). For a text whose
//!   words point at many shards (a pasted log), the browser first drops the words that
//!   are no pattern's key, and fetches the shards of the rest.
//! - `t<hex>.txt.gz`: the full-text tier, a BM25F index sharded by a term's first two
//!   characters (hex of their UTF-8), so prefix and one-typo lookups of a word stay
//!   inside one small file. One line per term, sorted: the term without those two
//!   characters, a space, and its postings: for each entry, its number in `w` base-36
//!   digits and its precomputed score in one base-36 digit (1–35, on a log scale
//!   relative to the best score in the index: ranking needs the order of magnitude,
//!   not the decimals). Each term keeps its best [`MAX_POSTINGS`] entries. (Plain
//!   lines rather than JSON: on a small site the keys are most of the index.)

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use serde::Serialize;

use super::search_files;
use super::tokenize::for_each_lower_token;
use crate::config::Config;
use crate::markdown::plain;
use crate::memo::{KeyBuilder, Session};
use crate::model::{Entry, Site};
use crate::output::OutFile;
use crate::pattern::{self, whole_words};

pub const DOCS_PER_CHUNK: usize = 16;
pub const MAX_POSTINGS: usize = 200;

/// Field weights for BM25F.
const W_TITLE: f64 = 4.0;
const W_PATTERNS: f64 = 2.5;
const W_TOOL: f64 = 2.0;
const W_TAGS: f64 = 2.0;
const W_SUMMARY: f64 = 1.5;
const W_CAUSE: f64 = 1.2;
const W_BODY: f64 = 0.6;
/// Fields weighted below this are filtered by [`body_token`].
const W_BODY_CUTOFF: f64 = 1.0;

/// At least three characters, not only digits, not a compound: one pass over the bytes
/// (every token of every body comes here).
fn body_token(t: &str) -> bool {
    if t.len() < 3 {
        return false;
    }
    let mut digits = true;
    for &b in t.as_bytes() {
        if matches!(b, b'.' | b'/' | b':' | b'@') {
            return false;
        }
        digits &= b.is_ascii_digit();
    }
    !digits && (t.is_ascii() || t.chars().count() >= 3)
}

pub struct SearchIndex {
    pub files: Vec<OutFile>,
    pub total_bytes: usize,
}

/// Where the manifest lives below the base URL, whatever the index holds: pages point
/// here, so they do not change when the index does.
pub const MANIFEST: &str = crate::output::SEARCH_MANIFEST;

#[derive(Serialize)]
struct Manifest {
    /// 2: the versioned files are gzip.
    v: u32,
    /// The folder of every other index file, relative to the manifest.
    dir: String,
    n: usize,
    chunk: usize,
    docs: usize,
    sig: usize,
    any: bool,
    /// Base-36 digits of an entry number in postings.
    w: usize,
    /// The best score, for undoing the log scale of posting scores.
    best: f64,
    /// What `\u0001`, `\u0002` stand for in signature regexes.
    dict: [&'static str; 2],
    /// Existing term shards (hex keys), space-separated and sorted.
    terms: String,
    /// The bits of the key-word filter `s-keys.txt` (see [`super::tokenize::key_filter`]);
    /// 0 when there is none.
    keys: u32,
}

/// The shard key of a term: hex of its first two characters.
pub fn shard_key(term: &str) -> String {
    let prefix: String = term.chars().take(2).collect();
    prefix.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Pieces the pattern engine writes for JavaScript again and again: one character of a
/// slot or of `.` (its `JS_ANY`), and the quote class. (A code costs six bytes in JSON,
/// so shorter pieces would save nothing.)
const DICT: [&str; 2] = [
    "(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\n\\uD800-\\uDFFF])",
    "[\"'`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u201E\\u201F\\u2032\\u2033]",
];

fn squeeze(js: &str) -> String {
    js.replace(DICT[0], "\u{1}").replace(DICT[1], "\u{2}")
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// One entry's share of the index: everything that depends on that entry alone.
/// `serve` keeps it between rebuilds, keyed by the entry's fingerprint.
pub(super) struct EntryIndex {
    /// `[id, path, title, tool name, plain summary]`.
    pub(super) doc: (String, String, String, String, String),
    /// Each pattern as the browser gets it: JavaScript source (squeezed), flags,
    /// specificity, its whole literal words (candidates for the shard key) and whether
    /// it is a `context:` pattern.
    pub(super) sigs: Vec<(String, &'static str, usize, Vec<String>, bool)>,
    /// Weighted term frequencies by interned term, and the weighted length.
    pub(super) terms: Vec<(u32, f64)>,
    pub(super) len: f64,
}

/// Terms seen by this process, as numbers: postings are built in flat vectors instead
/// of maps of strings. Only grows with the vocabulary.
#[derive(Default)]
pub(super) struct Interner {
    ids: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    pub(super) names: Vec<Box<str>>,
    /// Every id, in the order of its name; kept up to date by [`Interner::sort`].
    pub(super) sorted: Vec<u32>,
}

impl Interner {
    /// Brings `sorted` up to date with the terms added since the last call: a few are
    /// put in place one by one (a `serve` edit), many by sorting again (a build).
    fn sort(&mut self) {
        let known = self.sorted.len();
        let added = self.names.len() - known;
        if added == 0 {
            return;
        }
        let names = &self.names;
        if added < 1024 && known > 0 {
            for id in known as u32..names.len() as u32 {
                let at = self
                    .sorted
                    .binary_search_by(|&o| names[o as usize].cmp(&names[id as usize]))
                    .unwrap_or_else(|at| at);
                self.sorted.insert(at, id);
            }
        } else {
            self.sorted = (0..names.len() as u32).collect();
            self.sorted
                .sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        }
    }
}

fn entry_index(e: &Entry, tool_name: &str, terms_table: &RwLock<Interner>) -> EntryIndex {
    let doc = (
        e.id.to_string(),
        e.id.path(),
        e.title.clone(),
        tool_name.to_string(),
        plain(&e.summary),
    );
    let sigs = e
        .compiled
        .iter()
        .map(|c| {
            let words = c.literals().iter().flat_map(|l| whole_words(l)).collect();
            (
                squeeze(c.js_source()),
                c.js_flags(),
                c.specificity(),
                words,
                c.is_context(),
            )
        })
        .collect();
    // BM25F term frequencies, weighted by field, by term number. An entry's tokens are
    // counted first by their text, in a map of its own (small, in cache: a body says
    // the same words many times); each term then costs one look into the site's table,
    // read once for the whole entry. Terms the table lacks are numbered afterwards,
    // under the write lock.
    type Fast = foldhash::fast::RandomState;
    let summary = &doc.4;
    let mut fields: Vec<(String, f64)> = Vec::with_capacity(8 + e.patterns.len() + e.tags.len());
    fields.push((e.title.to_lowercase(), W_TITLE));
    for p in &e.patterns {
        let p = p
            .strip_prefix(pattern::CONTEXT_PREFIX)
            .unwrap_or(p)
            .trim_start();
        fields.push((
            p.strip_prefix("regex:").unwrap_or(p).to_lowercase(),
            W_PATTERNS,
        ));
    }
    fields.push((e.id.tool.to_lowercase(), W_TOOL));
    fields.push((tool_name.to_lowercase(), W_TOOL));
    for t in &e.tags {
        fields.push((t.to_lowercase(), W_TAGS));
    }
    fields.push((summary.to_lowercase(), W_SUMMARY));
    fields.push((plain(&e.likely_cause).to_lowercase(), W_CAUSE));
    fields.push((e.body.to_lowercase(), W_BODY));
    let mut counts: HashMap<Cow<str>, f64, Fast> =
        HashMap::with_capacity_and_hasher(256, Fast::default());
    let mut len = 0.0;
    for (text, w) in &fields {
        let w = *w;
        // Bodies are long prose: their short words, bare numbers and compounds cost
        // more index than they earn. Codes and paths come from the other fields, which
        // keep every token.
        let all = w >= W_BODY_CUTOFF;
        for_each_lower_token(text, |t| {
            if !all && !body_token(&t) {
                return;
            }
            len += w;
            // A borrowed key costs nothing to hand over when the term is there already.
            *counts.entry(t).or_insert(0.0) += w;
        });
    }
    let mut terms: Vec<(u32, f64)> = Vec::with_capacity(counts.len());
    let mut unseen: Vec<(Cow<str>, f64)> = Vec::new();
    {
        let table = terms_table.read().ok();
        for (t, w) in counts {
            match table.as_ref().and_then(|table| table.ids.get(t.as_ref())) {
                Some(&id) => terms.push((id, w)),
                None => unseen.push((t, w)),
            }
        }
    }
    // No term of `unseen` was in the table while the entry was read (the read lock
    // kept it as it was), so none of them is in `terms` already; another entry may
    // have added one since.
    if !unseen.is_empty()
        && let Ok(mut table) = terms_table.write()
    {
        for (t, w) in unseen {
            let id = match table.ids.get(t.as_ref()) {
                Some(&id) => id,
                None => {
                    let id = table.names.len() as u32;
                    let name: Box<str> = t.into_owned().into_boxed_str();
                    table.names.push(name.clone());
                    table.ids.insert(name, id);
                    id
                }
            };
            terms.push((id, w));
        }
    }
    EntryIndex {
        doc,
        sigs,
        terms,
        len,
    }
}

pub fn build(site: &Site, config: &Config, session: &Session) -> Result<SearchIndex, String> {
    let memo = session.memo::<Arc<EntryIndex>>("index.search_entries");
    // The cached per-entry pieces hold term numbers: the table that gave them lives as
    // long as they do.
    let terms_table = session.shared::<RwLock<Interner>>("index.search_terms");
    let n = site.entries.len();
    let tool_name = |tool: &str| site.tool(tool).map_or(tool.to_string(), |t| t.name.clone());
    let per: Vec<Arc<EntryIndex>> = site
        .entries
        .par_iter()
        .map(|e| {
            let tool = tool_name(&e.id.tool);
            let key = memo.key(|| {
                KeyBuilder::new("search_entry")
                    .bytes(&e.fingerprint)
                    .bytes(tool.as_bytes())
                    .key()
            });
            memo.get_or(key, || Arc::new(entry_index(e, &tool, &terms_table)))
        })
        .collect();
    // Full text: BM25F with precomputed scores, in flat vectors by term number.
    terms_table
        .write()
        .map_err(|_| "search term table poisoned".to_string())?
        .sort();
    let table = terms_table
        .read()
        .map_err(|_| "search term table poisoned".to_string())?;
    let written = search_files::write(&per, &table, DOCS_PER_CHUNK, session);
    drop(table);
    let files = written.files;
    let manifest = Manifest {
        v: 2,
        n,
        chunk: DOCS_PER_CHUNK,
        docs: written.chunks,
        sig: written.sig,
        any: written.any,
        w: written.width,
        best: (written.best * 1000.0).round() / 1000.0,
        dict: DICT,
        terms: written.keys.join(" "),
        keys: written.key_bits,
        dir: String::new(),
    };

    // Version folder from the content; the manifest at its fixed address names it.
    let mut hasher = blake3::Hasher::new();
    for (name, bytes) in &files {
        hasher.update(name.as_bytes());
        hasher.update(bytes);
    }
    let version = hasher.finalize().to_hex()[..10].to_string();
    let manifest = Manifest {
        dir: format!("{version}/"),
        ..manifest
    };
    let manifest_bytes = json(&manifest);
    let total = within_budget(&files, manifest_bytes.len(), config)?;
    let mut out: Vec<OutFile> = files
        .into_iter()
        .map(|(name, bytes)| OutFile {
            path: format!("search/{version}/{name}"),
            bytes,
        })
        .collect();
    out.push(OutFile::new(MANIFEST, manifest_bytes));
    Ok(SearchIndex {
        files: out,
        total_bytes: total,
    })
}

/// The order of `(entry, score)` hits: best score first, equal scores by entry number.
/// The browser sorts its full-text hits the same way (`byScore` in
/// `static/search-tiers.js`; cases in `tests/vectors/search.json`).
pub fn by_score(a: &(usize, f64), b: &(usize, f64)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Checks the index against the site's budget (the files as written, compressed); the
/// total bytes.
fn within_budget(
    files: &[search_files::File],
    manifest_len: usize,
    config: &Config,
) -> Result<usize, String> {
    let total: usize = files.iter().map(|(_, b)| b.len()).sum::<usize>() + manifest_len;
    let budget = &config.search;
    if let Some((name, b)) = files.iter().max_by_key(|(_, b)| b.len())
        && b.len() > budget.max_file_kb * 1024
    {
        return Err(format!(
            "search index file {name} is {} kB, over search.max_file_kb = {} kB",
            b.len().div_ceil(1024),
            budget.max_file_kb
        ));
    }
    if let Some(max) = budget.max_total_kb
        && total > max * 1024
    {
        return Err(format!(
            "the search index is {} kB in all, over search.max_total_kb = {max} kB",
            total.div_ceil(1024)
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_skip_edges() {
        assert_eq!(whole_words("npm err! code eresolve"), vec!["err", "code"]);
        assert_eq!(
            whole_words(": manifest unknown: "),
            vec!["manifest", "unknown"]
        );
        assert!(whole_words("crashloopbackoff").is_empty());
    }

    #[test]
    fn encodings() {
        let js = format!("a{}b{}c", DICT[0], DICT[1]);
        assert_eq!(squeeze(&js), "a\u{1}b\u{2}c");
        // The dictionary must be what the pattern engine emits, or nothing is saved.
        let p = crate::pattern::compile("x '<name>' y").expect("pattern");
        assert_eq!(
            squeeze(p.js_source()),
            "^(?<_p>(?:(?!x \u{2})[^\\n])*)x \u{2}(?<name>\u{1}+?)\u{2} y"
        );
    }

    #[test]
    fn shard_keys() {
        assert_eq!(shard_key("docker"), "646f");
        assert_eq!(shard_key("/var"), "2f76");
        assert_eq!(shard_key("é"), "c3a9");
    }
}
