//! Unit tests of the pattern engine's public surface: compiling, matching, ranking,
//! the `context:` prefix, and a fuzz of odd lines against every form.

use super::*;

#[test]
fn template_matches_with_slots() {
    let p = compile(
        "Error response from daemon: pull access denied for <image>, repository does not exist",
    )
    .expect("valid test input");
    let line = normalize_line(
        "Error response from daemon: pull access denied for myorg/app, repository does not exist or may require 'docker login'",
    );
    let m = p.find(&line).expect("valid test input");
    assert_eq!(m.slot("image"), Some("myorg/app"));
    assert_eq!(m.range.start, 0);
    assert_eq!(p.kind(), PatternKind::Template);
    assert_eq!(p.js_flags(), "i");
}

#[test]
fn error_offsets_point_into_the_source() {
    let e = compile("  regex:  ab(?=c)").expect_err("must be rejected");
    assert_eq!(e.offset, Some(12));
    let e = compile("x <a> <a>").expect_err("must be rejected");
    assert_eq!(e.offset, Some(6));
    assert!(compile("   ").is_err());
    assert!(compile(&"a".repeat(1001)).is_err());
}

#[test]
fn prefilter_literal_is_the_longest() {
    let p = compile("npm ERR! code <code> while resolving").expect("valid test input");
    assert_eq!(p.prefilter_literal(), Some(" while resolving"));
    assert_eq!(p.literals(), ["npm err! code ", " while resolving"]);
}

#[test]
fn regex_is_case_sensitive_unless_i() {
    let p = compile("regex:Permission denied").expect("valid test input");
    assert!(!p.is_match("permission denied"));
    let p = compile("regex:(?i)Permission denied").expect("valid test input");
    assert!(p.is_match("PERMISSION DENIED"));
    assert_eq!(p.js_flags(), "i");
    assert_eq!(p.js_source(), "Permission denied");
}

/// Random text over an alphabet of troublemakers: nothing may panic.
#[test]
fn hostile_input_never_panics() {
    const ALPHABET: [&str; 32] = [
        "\x1b",
        "[",
        "]",
        "(",
        ")",
        "?",
        "<",
        ">",
        "\\",
        "{",
        "}",
        "*",
        "+",
        "|",
        "a",
        "Z",
        "0",
        " ",
        "\t",
        "\r",
        "'",
        "\u{2019}",
        "\u{9b}",
        "\u{17f}",
        "\u{1f600}",
        "é",
        "#",
        ":",
        "$",
        "regex:",
        "<a>",
        "(?i)",
    ];
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..3000 {
        let len = next(24);
        let text: String = (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect();
        let line = normalize_line(&text);
        let _ = clean_line(&text);
        if let Ok(p) = compile(&text) {
            let _ = p.find(&line);
            let _ = too_generic(&p);
            let _ = p.identity_key();
        }
    }
}

#[test]
fn identity_keys() {
    assert_eq!(
        identity_key("Can't  open <file>"),
        identity_key("can\u{2019}t open <path>")
    );
    assert_ne!(
        identity_key("can't open <file>"),
        identity_key("can't open")
    );
    assert_eq!(identity_key("regex: a\\d"), identity_key("regex:a\\d"));
    assert_ne!(identity_key("regex:a"), identity_key("a"));
    assert_ne!(identity_key("regex:A"), identity_key("regex:(?i)A"));
}

#[test]
fn context_prefix() {
    let p = compile("context:error: failed to push some refs to <remote>").expect("valid");
    assert!(p.is_context());
    assert_eq!(p.kind(), PatternKind::Template);
    assert_eq!(p.slots(), ["remote"]);
    assert!(p.is_match(&normalize_line(
        "error: failed to push some refs to 'github.com:a/b.git'"
    )));
    let plain = compile("error: failed to push some refs to <remote>").expect("valid");
    assert!(!plain.is_context());
    // The same lines: one identity, whatever the marking.
    assert_eq!(p.identity_key(), plain.identity_key());
    assert_eq!(p.js_source(), plain.js_source());
    assert_eq!(p.specificity(), plain.specificity());
    let r = compile(" context: regex:(?i)failed to push \\S+").expect("valid");
    assert!(r.is_context());
    assert_eq!(r.kind(), PatternKind::Regex);
    // Offsets still point into the source as written.
    let e = compile("context:regex:ab(?=c)").expect_err("must be rejected");
    assert_eq!(e.offset, Some(16));
    assert!(compile("context:").is_err());
    assert!(compile("context:   ").is_err());
    // Only at the start, lower case: elsewhere it is text.
    assert!(!compile("Context: x y z").expect("valid").is_context());
    assert!(!compile("regex:context:x").expect("valid").is_context());
}

#[test]
fn compiled_size_is_limited() {
    let e = compile("regex:(?:a{1000}b{1000}){1000}").expect_err("must be rejected");
    assert!(e.message.contains("too large"), "{e}");
    assert!(compile("regex:(?:.{1000}){2}").is_err());
    assert!(compile("regex:.{1000}").is_ok());
}

/// What passes the size estimate builds within the compiled-size limit.
#[test]
fn largest_accepted_patterns_build() {
    let letter = |i: u8| char::from(b'a' + i % 26);
    let slots: String = (0..8u8)
        .map(|i| format!("<{}>{}", letter(i), "x'".repeat(60)))
        .collect();
    let quotes = "'".repeat(1000);
    let sources = [
        format!("regex:(?i)(?:.{{1000}}){{1}}{}", "a".repeat(900)),
        "regex:(?i)[^a]{900}a{500}[a-z]{100}".to_string(),
        "regex:(?i)(?:[a-z0-9_.-]{10}){100}".to_string(),
        "regex:(?i)(?:[^a-z0-9_.-]{10}){50}".to_string(),
        format!("regex:(?i){}", "\\w{100}".repeat(14)),
        slots,
        quotes,
        "ab".repeat(500),
    ];
    for src in &sources {
        let p = compile(src).expect("accepted");
        assert!(p.regex().is_some(), "{} does not build", &src[..40]);
    }
}

/// A small deterministic random source for the fuzz tests: `next(n)` is in `0..n`.
pub(super) fn rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap_or(0)
    }
}
