//! The search index: split so that a query fetches only what it needs, and loaded by
//! the site's search box on first focus (`static/search-index.js` reads it).
//!
//! The manifest is `search/index.json`, at a fixed address that every page names; it
//! holds counts, the list of term shards that exist and `dir`, the folder of the rest:
//! `search/<version>/`, where the version is a hash of the content, so those files can
//! be cached forever. The files there:
//!
//! - `d<k>.json`: entries `k*16 .. k*16+15` as `[id, path, title, tool, summary]`.
//! - `s<k>.json` and `s-any.json`: the signature tier, `[entry, regex, flags,
//!   specificity, key]`, and a sixth item `1` for a `context:` pattern (a family's
//!   summary line: the browser lists its entries as candidates of a generic line, never
//!   as an exact match). Each pattern is compiled to a JavaScript regex at build time and
//!   filed under its rarest whole literal word: the browser hashes the words of a pasted
//!   log (FNV-1a, [`super::tokenize::fnv1a`]) and fetches only those shards. Patterns
//!   without such a word go to `s-any.json` (their key is empty). A line is only tried
//!   against the patterns whose key is one of its words. Two long pieces that almost every regex
//!   contains are written as `\u0001` and `\u0002`; the manifest's `dict` has them.
//! - `t<hex>.txt`: the full-text tier, a BM25F index sharded by a term's first two
//!   characters (hex of their UTF-8), so prefix and one-typo lookups of a word stay
//!   inside one small file. One line per term, sorted: the term without those two
//!   characters, a space, and its postings: for each entry, its number in `w` base-36
//!   digits and its precomputed score in one base-36 digit (1–35, on a log scale
//!   relative to the best score in the index: ranking needs the order of magnitude,
//!   not the decimals). Each term keeps its best [`MAX_POSTINGS`] entries. (Plain
//!   lines rather than JSON: on a small site the keys are most of the index.)

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use serde::Serialize;

use super::tokenize::{fnv1a, for_each_token};
use crate::config::Config;
use crate::markdown::plain;
use crate::memo::{KeyBuilder, Session};
use crate::model::{Entry, Site};
use crate::output::OutFile;
use crate::pattern::{self, whole_words};

pub const DOCS_PER_CHUNK: usize = 16;
pub const MAX_POSTINGS: usize = 200;
/// Signature patterns per shard, roughly.
const PATTERNS_PER_SHARD: usize = 100;
const K1: f64 = 1.2;
const B: f64 = 0.75;

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

fn body_token(t: &str) -> bool {
    t.chars().count() >= 3
        && !t.chars().all(|c| c.is_ascii_digit())
        && !t.contains(['.', '/', ':', '@'])
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

fn base36(mut v: usize, width: usize, out: &mut Vec<u8>) {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [b'0'; 16];
    let width = width.min(buf.len());
    for slot in buf[..width].iter_mut().rev() {
        *slot = DIGITS[v % 36];
        v /= 36;
    }
    out.extend_from_slice(&buf[..width]);
}

/// A score as 1..=35 on a log scale of the best score; the browser undoes it with
/// `Math.expm1(q / 35 * Math.log1p(best))`, where only the ratios matter.
/// `ln_best` is `ln(1 + best)`, computed once per index.
fn quantize_ln(score: f64, ln_best: f64) -> usize {
    ((score.max(0.0).ln_1p() / ln_best * 35.0).round() as usize).clamp(1, 35)
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// One entry's share of the index: everything that depends on that entry alone.
/// `serve` keeps it between rebuilds, keyed by the entry's fingerprint.
struct EntryIndex {
    /// `[id, path, title, tool name, plain summary]`.
    doc: (String, String, String, String, String),
    /// Each pattern as the browser gets it: JavaScript source (squeezed), flags,
    /// specificity, its whole literal words (candidates for the shard key) and whether
    /// it is a `context:` pattern.
    sigs: Vec<(String, &'static str, usize, Vec<String>, bool)>,
    /// Weighted term frequencies by interned term, and the weighted length.
    terms: Vec<(u32, f64)>,
    len: f64,
}

/// Terms seen by this process, as numbers: postings are built in flat vectors instead
/// of maps of strings. Only grows with the vocabulary.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// Every id, in the order of its name; kept up to date by [`Interner::sort`].
    sorted: Vec<u32>,
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
        .patterns
        .iter()
        .filter_map(|p| pattern::compile(p).ok())
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
    // BM25F term frequencies, weighted by field.
    let mut m: HashMap<String, f64> = HashMap::new();
    let mut len = 0.0;
    let mut add = |text: &str, w: f64| {
        for_each_token(text, |t| {
            // Bodies are long prose: their short words, bare numbers and compounds
            // cost more index than they earn. Codes and paths come from the other
            // fields, which keep every token.
            if w < W_BODY_CUTOFF && !body_token(t) {
                return;
            }
            match m.get_mut(t) {
                Some(v) => *v += w,
                None => {
                    m.insert(t.to_string(), w);
                }
            }
            len += w;
        });
    };
    add(&e.title, W_TITLE);
    for p in &e.patterns {
        let p = p
            .strip_prefix(pattern::CONTEXT_PREFIX)
            .unwrap_or(p)
            .trim_start();
        add(p.strip_prefix("regex:").unwrap_or(p), W_PATTERNS);
    }
    add(&e.id.tool, W_TOOL);
    add(tool_name, W_TOOL);
    for t in &e.tags {
        add(t, W_TAGS);
    }
    add(&plain(&e.summary), W_SUMMARY);
    add(&plain(&e.likely_cause), W_CAUSE);
    add(&e.body, W_BODY);
    let mut terms = Vec::with_capacity(m.len());
    {
        let mut known: Vec<(String, f64)> = Vec::new();
        if let Ok(table) = terms_table.read() {
            for (t, w) in m {
                match table.ids.get(t.as_str()) {
                    Some(&id) => terms.push((id, w)),
                    None => known.push((t, w)),
                }
            }
        }
        if !known.is_empty()
            && let Ok(mut table) = terms_table.write()
        {
            for (t, w) in known {
                let id = match table.ids.get(t.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = table.names.len() as u32;
                        table.names.push(t.clone().into_boxed_str());
                        table.ids.insert(t.into_boxed_str(), id);
                        id
                    }
                };
                terms.push((id, w));
            }
        }
    }
    EntryIndex {
        doc,
        sigs,
        terms,
        len,
    }
}

/// One signature record: `[entry, regex, flags, specificity, key]`, plus `1` for a
/// `context:` pattern (left out otherwise: most patterns are specific).
#[derive(Clone)]
struct Sig<'a> {
    entry: usize,
    js: &'a str,
    flags: &'a str,
    specificity: usize,
    key: &'a str,
    context: bool,
}

impl Serialize for Sig<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(if self.context { 6 } else { 5 }))?;
        seq.serialize_element(&self.entry)?;
        seq.serialize_element(self.js)?;
        seq.serialize_element(self.flags)?;
        seq.serialize_element(&self.specificity)?;
        seq.serialize_element(self.key)?;
        if self.context {
            seq.serialize_element(&1)?;
        }
        seq.end()
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
            let key = KeyBuilder::new("search_entry")
                .bytes(&e.fingerprint)
                .bytes(tool.as_bytes())
                .key();
            memo.get_or(key, || Arc::new(entry_index(e, &tool, &terms_table)))
        })
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let chunks = doc_files(&per, &mut files);
    let (shards, any) = signature_files(&per, &mut files);

    // Full text: BM25F with precomputed scores, in flat vectors by term number.
    terms_table
        .write()
        .map_err(|_| "search term table poisoned".to_string())?
        .sort();
    let table = terms_table
        .read()
        .map_err(|_| "search term table poisoned".to_string())?;
    let (term_shards, best, width) = term_files(&per, &table);
    drop(table);
    let keys: Vec<&str> = term_shards.keys().map(String::as_str).collect();
    let manifest = Manifest {
        v: 1,
        n,
        chunk: DOCS_PER_CHUNK,
        docs: chunks,
        sig: shards,
        any,
        w: width,
        best: (best * 1000.0).round() / 1000.0,
        dict: DICT,
        terms: keys.join(" "),
        dir: String::new(),
    };
    for (k, text) in term_shards {
        files.push((format!("t{k}.txt"), text));
    }

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
        .map(|(name, bytes)| OutFile::new(format!("search/{version}/{name}"), bytes))
        .collect();
    out.push(OutFile::new(MANIFEST, manifest_bytes));
    Ok(SearchIndex {
        files: out,
        total_bytes: total,
    })
}

/// The documents (id, title, summary…), in chunks; how many chunks.
fn doc_files(per: &[Arc<EntryIndex>], files: &mut Vec<(String, Vec<u8>)>) -> usize {
    let docs: Vec<&(String, String, String, String, String)> = per.iter().map(|p| &p.doc).collect();
    let chunks = docs.chunks(DOCS_PER_CHUNK).count();
    for (k, chunk) in docs.chunks(DOCS_PER_CHUNK).enumerate() {
        files.push((format!("d{k}.json"), json(&chunk)));
    }
    chunks
}

/// The signature shards: each pattern filed under its rarest word (or in `s-any` when
/// it has none). The number of shards, and whether `s-any` exists.
fn signature_files(per: &[Arc<EntryIndex>], files: &mut Vec<(String, Vec<u8>)>) -> (usize, bool) {
    let mut df: HashMap<&str, usize> = HashMap::new();
    let mut patterns: usize = 0;
    for p in per {
        for (_, _, _, words, _) in &p.sigs {
            patterns += 1;
            for w in words {
                *df.entry(w.as_str()).or_default() += 1;
            }
        }
    }
    let shards = patterns.div_ceil(PATTERNS_PER_SHARD).clamp(1, 1024);
    let mut sig: Vec<Vec<Sig>> = vec![Vec::new(); shards];
    let mut any: Vec<Sig> = Vec::new();
    for (i, p) in per.iter().enumerate() {
        for (js, flags, specificity, words, context) in &p.sigs {
            let key = words.iter().min_by_key(|w| {
                (
                    df.get(w.as_str()).copied().unwrap_or(0),
                    std::cmp::Reverse(w.len()),
                    w.as_str(),
                )
            });
            let rec = Sig {
                entry: i,
                js: js.as_str(),
                flags,
                specificity: *specificity,
                key: key.map_or("", String::as_str),
                context: *context,
            };
            match key {
                Some(w) => sig[(fnv1a(w) as usize) % shards].push(rec),
                None => any.push(rec),
            }
        }
    }
    for (k, s) in sig.iter().enumerate() {
        files.push((format!("s{k}.json"), json(s)));
    }
    if !any.is_empty() {
        files.push(("s-any.json".into(), json(&any)));
    }
    (shards, !any.is_empty())
}

/// The term shards (BM25F scores, quantized), by shard key; the best score and the
/// width of a document number.
fn term_files(
    per: &[Arc<EntryIndex>],
    table: &Interner,
) -> (BTreeMap<String, Vec<u8>>, f64, usize) {
    let n = per.len();
    let nterms = table.names.len();
    let mut doc_freq = vec![0u32; nterms];
    for p in per {
        for &(t, _) in &p.terms {
            doc_freq[t as usize] += 1;
        }
    }
    let avg = if n == 0 {
        1.0
    } else {
        per.iter().map(|p| p.len).sum::<f64>() / n as f64
    };
    let mut postings: Vec<Vec<(usize, f64)>> = doc_freq
        .iter()
        .map(|&d| Vec::with_capacity(d as usize))
        .collect();
    let idf: Vec<f64> = doc_freq
        .iter()
        .map(|&d| {
            let dfv = f64::from(d.max(1));
            (1.0 + (n as f64 - dfv + 0.5) / (dfv + 0.5)).ln()
        })
        .collect();
    let mut best = f64::MIN_POSITIVE;
    for (d, p) in per.iter().enumerate() {
        let norm = K1 * (1.0 - B + B * p.len / avg);
        for &(t, w) in &p.terms {
            let score = idf[t as usize] * w * (K1 + 1.0) / (w + norm);
            best = best.max(score);
            postings[t as usize].push((d, score));
        }
    }
    let width = {
        let mut w = 1;
        while 36usize.pow(w as u32) < n.max(1) {
            w += 1;
        }
        w
    };
    let used: Vec<u32> = table
        .sorted
        .iter()
        .copied()
        .filter(|&t| !postings[t as usize].is_empty())
        .collect();
    // Terms sharing their first two characters are neighbours in sorted order and make
    // one shard; shards are written in parallel. One line per term: the term without
    // those two characters, a space, the postings.
    let prefix = |t: u32| {
        let term: &str = &table.names[t as usize];
        let cut = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
        term.split_at(cut)
    };
    let mut groups: Vec<&[u32]> = Vec::new();
    let mut start = 0;
    for i in 1..=used.len() {
        if i == used.len() || prefix(used[i]).0 != prefix(used[start]).0 {
            groups.push(&used[start..i]);
            start = i;
        }
    }
    let ln_best = best.ln_1p();
    let term_shards: BTreeMap<String, Vec<u8>> = groups
        .par_iter()
        .map(|group| {
            let mut text = Vec::new();
            let mut top = Vec::new();
            for &t in *group {
                let mut p: &[(usize, f64)] = &postings[t as usize];
                if p.len() > MAX_POSTINGS {
                    top.clear();
                    top.extend_from_slice(p);
                    top.sort_by(by_score);
                    top.truncate(MAX_POSTINGS);
                    top.sort_by_key(|x| x.0);
                    p = &top;
                }
                text.extend_from_slice(prefix(t).1.as_bytes());
                text.push(b' ');
                for &(d, score) in p {
                    base36(d, width, &mut text);
                    base36(quantize_ln(score, ln_best), 1, &mut text);
                }
                text.push(b'\n');
            }
            let key = group
                .first()
                .map_or(String::new(), |&t| shard_key(prefix(t).0));
            (key, text)
        })
        .collect();
    (term_shards, best, width)
}

/// The order of `(entry, score)` hits: best score first, equal scores by entry number.
/// The browser sorts its full-text hits the same way (`byScore` in
/// `static/search-tiers.js`; cases in `tests/vectors/search.json`).
pub fn by_score(a: &(usize, f64), b: &(usize, f64)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Checks the index against the site's budget; the total bytes.
fn within_budget(
    files: &[(String, Vec<u8>)],
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
        let mut s = Vec::new();
        base36(1295, 2, &mut s);
        base36(37, 2, &mut s);
        base36(5, 1, &mut s);
        assert_eq!(s, b"zz115");
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
