//! The search tokenizer. `static/tokenize.js` implements the same rules for the browser;
//! `tests/vectors/search.json` holds the cases both must agree on.
//!
//! Error messages are made of codes, paths and names, so the tokenizer keeps them:
//! a token is a run of letters, digits, `_` and the connectors `. / : @ -`, with
//! connectors trimmed from both ends (a leading `/` is kept: `/var/run`). A token that
//! contains a connector (`docker.sock`, `localhost:8080`, `/var/run/docker.sock`) is
//! kept whole *and* split into its parts, so both `docker.sock` and `sock` find it.
//! Everything is lower-cased; a few very common English words are dropped; tokens
//! longer than [`MAX_TOKEN_CHARS`] are dropped.

use std::borrow::Cow;

pub const MAX_TOKEN_CHARS: usize = 64;

/// Words too common to help ranking. Short on purpose: `not`, `no`, `cannot` carry
/// meaning in error messages and stay.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "is", "it", "its",
    "of", "on", "or", "that", "the", "this", "to", "was", "with", "you", "your",
];

/// Whether `w` is one of [`STOP_WORDS`]: by length first, so that the common case, a
/// longer word, costs one comparison instead of one per stop word (every token of a
/// build is looked up here).
fn is_stop_word(w: &str) -> bool {
    w.len() <= STOP_WORD_MAX && STOP_WORDS.contains(&w)
}

/// The length of the longest stop word.
const STOP_WORD_MAX: usize = {
    let (mut i, mut max) = (0, 0);
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].len() > max {
            max = STOP_WORDS[i].len();
        }
        i += 1;
    }
    max
};

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || c == '_'
}

fn is_connector(c: char) -> bool {
    matches!(c, '.' | '/' | ':' | '@' | '-')
}

/// Which ASCII characters a token is made of: [`is_word_char`] or [`is_connector`].
const ASCII_INSIDE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8 as char;
        t[b] = c.is_ascii_alphanumeric() || c == '_' || matches!(c, '.' | '/' | ':' | '@' | '-');
        b += 1;
    }
    t
};

fn is_connector_byte(b: u8) -> bool {
    matches!(b, b'.' | b'/' | b':' | b'@' | b'-')
}

/// Calls `f` for every token of `text`, in order (parts after their compound).
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let lower = text.to_lowercase();
    for_each_lower_token(&lower, |t| f(&t));
}

/// [`for_each_token`] over text that is lower-case already, handing out tokens that
/// borrow from it, so a caller can count them without a string of their own (the search
/// index does, for every token of a build). The one token that is not a slice of the
/// text is `/` + a part that followed another connector (`/.x` gives `/x`).
pub fn for_each_lower_token<'a>(lower: &'a str, mut f: impl FnMut(Cow<'a, str>)) {
    let mut run_start: Option<usize> = None;
    // By bytes, with a table for ASCII (nearly every character of a knowledge base),
    // decoding a character only where a byte starts a non-ASCII one.
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (inside, width) = if b.is_ascii() {
            (ASCII_INSIDE[usize::from(b)], 1)
        } else {
            match lower[i..].chars().next() {
                Some(c) => (is_word_char(c) || is_connector(c), c.len_utf8()),
                None => break,
            }
        };
        match (inside, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                emit(&lower[s..i], &mut f);
                run_start = None;
            }
            _ => {}
        }
        i += width;
    }
    if let Some(s) = run_start {
        emit(&lower[s..], &mut f);
    }
}

/// The tokens of one run of token characters: connectors trimmed, the run whole and,
/// when it holds a connector, its parts.
fn emit<'a>(run: &'a str, f: &mut impl FnMut(Cow<'a, str>)) {
    // Connectors are ASCII: trimmed by bytes, the ends stay character boundaries.
    let bytes = run.as_bytes();
    let Some(first) = bytes.iter().position(|&b| !is_connector_byte(b)) else {
        return;
    };
    let last = bytes
        .iter()
        .rposition(|&b| !is_connector_byte(b))
        .unwrap_or(first);
    let trimmed = &run[first..=last];
    let whole: Cow<'a, str> = if run.starts_with('/') {
        if bytes[first - 1] == b'/' {
            Cow::Borrowed(&run[first - 1..=last])
        } else {
            Cow::Owned(format!("/{trimmed}"))
        }
    } else {
        Cow::Borrowed(trimmed)
    };
    let short = |t: &str| t.len() <= MAX_TOKEN_CHARS || t.chars().count() <= MAX_TOKEN_CHARS;
    if whole.bytes().any(is_connector_byte) {
        if short(&whole) {
            f(whole);
        }
        // The parts of `whole` are those of `trimmed`: a leading `/` only adds an empty
        // part before them.
        for part in trimmed.split(is_connector).filter(|p| !p.is_empty()) {
            if short(part) && !is_stop_word(part) {
                f(Cow::Borrowed(part));
            }
        }
    } else if short(&whole) && !is_stop_word(&whole) {
        f(whole);
    }
}

pub fn tokens(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    for_each_token(text, |t| v.push(t.to_string()));
    v
}

/// FNV-1a over the UTF-8 bytes: how the browser and the index agree on shards.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// How many bits of the key-word filter a word sets.
pub const KEY_HASHES: u32 = 3;

/// The bits a word sets in the signature tier's key-word filter of `m` bits (a power of
/// two): double hashing from its FNV-1a hash, the browser's `keyBits` in
/// static/tokenize.js (cases in tests/vectors/search.json).
pub fn key_bits(word: &str, m: u32) -> [u32; KEY_HASHES as usize] {
    let h1 = fnv1a(word);
    let h2 = (h1 ^ (h1 >> 15)).wrapping_mul(0x2c1b_3c6d) | 1;
    std::array::from_fn(|i| h1.wrapping_add((i as u32).wrapping_mul(h2)) & (m - 1))
}

/// A Bloom filter of the signature tier's key words: `m` bits (24 to 48 a word, so 1 to 2
/// other words in 1,000 pass), as hex digits, bit `p` in digit `p / 4` at `1 << (p % 4)`.
/// A pasted log's thousands of words mostly are no pattern's key word; the browser drops
/// those before it fetches their signature shards. `None` when there is no key word.
pub fn key_filter<'a>(keys: impl IntoIterator<Item = &'a str>) -> Option<(u32, String)> {
    let keys: std::collections::BTreeSet<&str> = keys.into_iter().collect();
    if keys.is_empty() {
        return None;
    }
    // At most 2^21 bits: 512 kB of hex, well under the index's per-file limit once
    // compressed even when half the bits are set (past about 70,000 key words the filter
    // lets more other words through instead of growing).
    let m = u32::try_from((keys.len() * 24).next_power_of_two().clamp(64, 1 << 21)).ok()?;
    let mut nibbles = vec![0u8; m as usize / 4];
    for k in keys {
        for p in key_bits(k, m) {
            nibbles[p as usize / 4] |= 1 << (p % 4);
        }
    }
    let hex = nibbles
        .iter()
        .map(|&n| char::from_digit(u32::from(n), 16).unwrap_or('0'))
        .collect();
    Some((m, hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_word_check_sees_every_stop_word() {
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        assert!(!is_stop_word("yours") && !is_stop_word("thisx") && !is_stop_word(""));
    }

    #[test]
    fn the_key_filter_has_every_key_and_few_other_words() {
        let keys: Vec<String> = (0..5000).map(|i| format!("e{i:05}")).collect();
        let (m, hex) = key_filter(keys.iter().map(String::as_str)).expect("filter");
        assert_eq!(m, 131_072);
        assert_eq!(hex.len(), m as usize / 4);
        let has = |w: &str| {
            key_bits(w, m).iter().all(|&p| {
                let d = hex.as_bytes()[p as usize / 4] as char;
                d.to_digit(16).is_some_and(|n| n & (1 << (p % 4)) != 0)
            })
        };
        assert!(keys.iter().all(|k| has(k)));
        let others = (0..10_000).filter(|i| has(&format!("w{i}"))).count();
        assert!(others < 40, "{others} of 10,000 other words pass");
        assert!(key_filter(std::iter::empty()).is_none());
        // A very large site's filter stops growing: 500,000 keys, 2^21 bits.
        let many: Vec<String> = (0..500_000).map(|i| format!("k{i}")).collect();
        let (m, hex) = key_filter(many.iter().map(String::as_str)).expect("filter");
        assert_eq!((m, hex.len()), (1 << 21, 1 << 19));
    }

    #[test]
    fn keeps_codes_paths_and_names() {
        assert_eq!(
            tokens("npm ERR! code ERESOLVE"),
            vec!["npm", "err", "code", "eresolve"]
        );
        assert_eq!(
            tokens("Cannot connect to unix:///var/run/docker.sock."),
            vec![
                "cannot",
                "connect",
                "unix:///var/run/docker.sock",
                "unix",
                "var",
                "run",
                "docker",
                "sock"
            ]
        );
        assert_eq!(tokens("/var/run"), vec!["/var/run", "var", "run"]);
        assert_eq!(
            tokens("localhost:8080 refused"),
            vec!["localhost:8080", "localhost", "8080", "refused"]
        );
        assert_eq!(
            tokens("ERROR 1045 (28000) E0499"),
            vec!["error", "1045", "28000", "e0499"]
        );
        assert_eq!(tokens("it's the end-"), vec!["s", "end"]);
        // One leading slash, whatever connectors came before the word.
        assert_eq!(tokens("//var"), vec!["/var", "var"]);
        assert_eq!(tokens("/.hidden/x"), vec!["/hidden/x", "hidden", "x"]);
        assert_eq!(tokens("/:/Ünïcode"), vec!["/ünïcode", "ünïcode"]);
        assert_eq!(tokens(&format!("/{}", "é".repeat(64))).len(), 1);
        assert!(tokens(&format!("/{}", "é".repeat(65))).is_empty());
        assert!(tokens(&"x".repeat(65)).is_empty());
    }

    #[test]
    fn the_ascii_table_is_the_character_rules() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(
                ASCII_INSIDE[usize::from(b)],
                is_word_char(c) || is_connector(c),
                "{c:?}"
            );
        }
        // Non-ASCII letters, digits and separators between ASCII ones.
        assert_eq!(
            tokens("Ünïcode—naïve١٢ x\u{a0}y ü"),
            vec!["ünïcode", "naïve١٢", "x", "y", "ü"]
        );
    }

    #[test]
    fn fnv_matches_reference() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
