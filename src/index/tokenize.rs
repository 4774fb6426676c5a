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

pub const MAX_TOKEN_CHARS: usize = 64;

/// Words too common to help ranking. Short on purpose: `not`, `no`, `cannot` carry
/// meaning in error messages and stay.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "is", "it", "its",
    "of", "on", "or", "that", "the", "this", "to", "was", "with", "you", "your",
];

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || c == '_'
}

fn is_connector(c: char) -> bool {
    matches!(c, '.' | '/' | ':' | '@' | '-')
}

/// Calls `f` for every token of `text`, in order (parts after their compound).
pub fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let lower = text.to_lowercase();
    let mut run_start: Option<usize> = None;
    let emit = |run: &str, f: &mut dyn FnMut(&str)| {
        let trimmed = run.trim_matches(is_connector);
        if trimmed.is_empty() {
            return;
        }
        // A token is a slice of the text, except `/` + a part that followed another
        // connector (`/.x` gives `/x`): every token of a build goes through here.
        let owned;
        let whole: &str = if run.starts_with('/') {
            let start = run.len() - run.trim_start_matches(is_connector).len();
            if run.as_bytes()[start - 1] == b'/' {
                &run[start - 1..start + trimmed.len()]
            } else {
                owned = format!("/{trimmed}");
                &owned
            }
        } else {
            trimmed
        };
        let short = |t: &str| t.len() <= MAX_TOKEN_CHARS || t.chars().count() <= MAX_TOKEN_CHARS;
        if whole.contains(is_connector) {
            if short(whole) {
                f(whole);
            }
            for part in whole.split(is_connector).filter(|p| !p.is_empty()) {
                if short(part) && !STOP_WORDS.contains(&part) {
                    f(part);
                }
            }
        } else if short(whole) && !STOP_WORDS.contains(&whole) {
            f(whole);
        }
    };
    for (i, c) in lower.char_indices() {
        let inside = is_word_char(c) || is_connector(c);
        match (inside, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(s)) => {
                emit(&lower[s..i], &mut f);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = run_start {
        emit(&lower[s..], &mut f);
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn fnv_matches_reference() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
