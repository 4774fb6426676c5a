//! Checks the Rust side of `tests/vectors/search.json`: the tokenizer, the shard hashing
//! and the ranking tie-breaks the browser must reproduce (its side:
//! `tests/js/search-vectors.mjs`).

use serde::Deserialize;

use super::search::{by_score, shard_key};
use super::tokenize::{fnv1a, key_bits, tokens};
use crate::pattern::{Hit, rank};

const VECTORS: &str = include_str!("../../tests/vectors/search.json");

#[derive(Deserialize)]
struct Vectors {
    tokens: Vec<TokenCase>,
    hashes: Vec<HashCase>,
    rank: Rank,
    key_bits: Vec<KeyBitsCase>,
}

#[derive(Deserialize)]
struct KeyBitsCase {
    word: String,
    m: u32,
    bits: Vec<u32>,
}

#[derive(Deserialize)]
struct TokenCase {
    why: String,
    text: String,
    tokens: Vec<String>,
}

#[derive(Deserialize)]
struct HashCase {
    term: String,
    fnv1a: u32,
    shard_key: String,
}

#[derive(Deserialize)]
struct Rank {
    fulltext: Vec<RankCase<f64>>,
    exact: Vec<RankCase<usize>>,
}

/// Hits as `[entry, score or specificity]`, and the entries in the order wanted.
#[derive(Deserialize)]
struct RankCase<S> {
    why: String,
    hits: Vec<(usize, S)>,
    order: Vec<usize>,
}

fn vectors() -> Vectors {
    serde_json::from_str(VECTORS).expect("tests/vectors/search.json is valid")
}

#[test]
fn tokens_match_the_vectors() {
    let v = vectors();
    assert!(v.tokens.len() >= 20, "too few token cases");
    for case in &v.tokens {
        assert_eq!(tokens(&case.text), case.tokens, "{}", case.why);
    }
}

#[test]
fn hashes_match_the_vectors() {
    let v = vectors();
    assert!(!v.hashes.is_empty());
    for case in &v.hashes {
        assert_eq!(fnv1a(&case.term), case.fnv1a, "fnv1a({:?})", case.term);
        assert_eq!(
            shard_key(&case.term),
            case.shard_key,
            "shard_key({:?})",
            case.term
        );
    }
}

#[test]
fn key_filter_bits_match_the_vectors() {
    let v = vectors();
    assert!(v.key_bits.len() >= 5, "too few key-filter cases");
    for case in &v.key_bits {
        assert_eq!(
            key_bits(&case.word, case.m).to_vec(),
            case.bits,
            "key_bits({:?}, {})",
            case.word,
            case.m
        );
    }
}

#[test]
fn rankings_match_the_vectors() {
    let v = vectors();
    assert!(!v.rank.fulltext.is_empty() && !v.rank.exact.is_empty());
    for case in &v.rank.fulltext {
        let mut hits = case.hits.clone();
        hits.sort_by(by_score);
        let order: Vec<usize> = hits.iter().map(|h| h.0).collect();
        assert_eq!(order, case.order, "full text: {}", case.why);
    }
    for case in &v.rank.exact {
        let mut hits: Vec<Hit> = case
            .hits
            .iter()
            .enumerate()
            .map(|(pattern, &(entry, specificity))| Hit {
                entry,
                pattern,
                specificity,
                range: 0..0,
            })
            .collect();
        rank(&mut hits);
        let order: Vec<usize> = hits.iter().map(|h| h.entry).collect();
        assert_eq!(order, case.order, "exact: {}", case.why);
    }
}
