//! The files of the search index's versioned folder, from the per-entry pieces that
//! [`super::search`] gathers: document chunks, signature shards and term shards, each
//! gzip-compressed (formats in the module docs of [`super::search`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::search::{EntryIndex, Interner, MAX_POSTINGS, by_score, shard_key};
use super::tokenize::fnv1a;
use crate::memo::Session;

/// One file of the versioned folder: its name and its bytes as written (gzip).
pub(super) type File = (String, Arc<Vec<u8>>);

/// Signature patterns per shard, roughly.
const PATTERNS_PER_SHARD: usize = 100;
const K1: f64 = 1.2;
const B: f64 = 0.75;

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

fn json<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

pub(super) fn base36(mut v: usize, width: usize, out: &mut Vec<u8>) {
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

/// gzip with a fixed header (no name, no time), so the bytes depend on the input alone.
pub(super) fn gzip(bytes: &[u8]) -> Vec<u8> {
    crate::output::gzip_at(bytes, 6)
}

/// Compresses every file in parallel. `serve` remembers the result by the plain bytes:
/// an edit changes few shards, and compressing them all again would cost more than the
/// rest of the index.
fn compress_all(plain: Vec<(String, Vec<u8>)>, session: &Session) -> Vec<File> {
    let memo = session.memo::<Arc<Vec<u8>>>("index.search_gzip");
    plain
        .into_par_iter()
        .map(|(name, bytes)| {
            let key = memo.key(|| *blake3::hash(&bytes).as_bytes());
            let gz = memo.get_or(key, || Arc::new(gzip(&bytes)));
            (format!("{name}.gz"), gz)
        })
        .collect()
}

/// What the index's files are: the files (names with `.gz`), the number of document
/// chunks and of signature shards, whether `s-any` exists, the term shards' keys
/// (sorted), the best score and the width of a document number.
pub(super) struct Written {
    pub(super) files: Vec<File>,
    pub chunks: usize,
    pub sig: usize,
    pub any: bool,
    pub keys: Vec<String>,
    /// The bits of the key-word filter `s-keys.txt` (0: no filter).
    pub key_bits: u32,
    pub best: f64,
    pub width: usize,
}

pub(super) fn write(
    per: &[Arc<EntryIndex>],
    table: &Interner,
    chunk: usize,
    session: &Session,
) -> Written {
    let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
    let docs: Vec<_> = per.iter().map(|p| &p.doc).collect();
    let chunks = docs.chunks(chunk).count();
    for (k, c) in docs.chunks(chunk).enumerate() {
        plain.push((format!("d{k}.json"), json(c)));
    }
    let (sigs, any) = signatures(per);
    let sig = sigs.len();
    for (k, list) in sigs.iter().enumerate() {
        plain.push((format!("s{k}.json"), json(list)));
    }
    if !any.is_empty() {
        plain.push(("s-any.json".into(), json(&any)));
    }
    let filter = super::tokenize::key_filter(sigs.iter().flatten().map(|s| s.key));
    let key_bits = filter.as_ref().map_or(0, |f| f.0);
    if let Some((_, hex)) = filter {
        plain.push(("s-keys.txt".into(), hex.into_bytes()));
    }
    let (terms, best, width) = term_lines(per, table);
    let keys: Vec<String> = terms.keys().cloned().collect();
    for (key, text) in terms {
        plain.push((format!("t{key}.txt"), text));
    }
    plain.sort_by(|a, b| a.0.cmp(&b.0));
    Written {
        files: compress_all(plain, session),
        chunks,
        sig,
        any: !any.is_empty(),
        keys,
        key_bits,
        best,
        width,
    }
}

/// The signature shards: each pattern filed under its rarest word (by the word's FNV-1a
/// hash), and those without a word (for `s-any`).
fn signatures(per: &[Arc<EntryIndex>]) -> (Vec<Vec<Sig<'_>>>, Vec<Sig<'_>>) {
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
    let mut shards: Vec<Vec<Sig>> =
        vec![Vec::new(); patterns.div_ceil(PATTERNS_PER_SHARD).clamp(1, 1024)];
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
                Some(w) => {
                    let k = (fnv1a(w) as usize) % shards.len();
                    shards[k].push(rec);
                }
                None => any.push(rec),
            }
        }
    }
    (shards, any)
}

/// The term lines of each shard (BM25F scores, quantized), by shard key; the best score
/// and the width of a document number.
fn term_lines(
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
    let shards: BTreeMap<String, Vec<u8>> = groups
        .par_iter()
        .map(|group| {
            let mut text = Vec::new();
            let mut top = Vec::new();
            for &t in *group {
                let mut p: &[(usize, f64)] = &postings[t as usize];
                if p.len() > MAX_POSTINGS {
                    top.clear();
                    top.extend_from_slice(p);
                    // `by_score` is a total order (ties by entry number), so the best
                    // MAX_POSTINGS are one set however they are found: selected, not
                    // sorted (a common word has thousands of postings).
                    top.select_nth_unstable_by(MAX_POSTINGS - 1, by_score);
                    top.truncate(MAX_POSTINGS);
                    top.sort_unstable_by_key(|x| x.0);
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
    (shards, best, width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn base36_widths() {
        let mut s = Vec::new();
        base36(1295, 2, &mut s);
        base36(37, 2, &mut s);
        base36(5, 1, &mut s);
        assert_eq!(s, b"zz115");
    }

    #[test]
    fn gzip_is_plain_and_stable() {
        let text = b"abc abc abc abc\n".repeat(50);
        let a = gzip(&text);
        assert_eq!(a, gzip(&text), "the same bytes every time");
        assert_eq!(&a[..2], b"\x1f\x8b");
        // No file name, no time: the browser and a build tomorrow see the same header.
        assert_eq!(&a[3..8], b"\0\0\0\0\0");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&a[..])
            .read_to_end(&mut back)
            .expect("gunzip");
        assert_eq!(back, text);
        assert!(a.len() < text.len() / 4);
    }
}
