//! Property tests for the entry parser: whatever bytes a file holds, loading and
//! validating it returns diagnostics (or an entry) and never panics. Run them alone with
//! `cargo test proptest`; `PROPTEST_CASES=100000 cargo test --release proptest` for a
//! longer session.

use proptest::prelude::*;

use crate::config::Config;
use crate::load::{EntryKind, RawEntry};

fn raw(kind: EntryKind, text: &str) -> Option<RawEntry> {
    RawEntry::new(
        "t".into(),
        "x".into(),
        "content/t/x.md".into(),
        kind,
        text.into(),
        [0; 32],
    )
    .ok()
}

/// Pieces of entry syntax, so random input reaches deep into the parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_string()),
        Just("title: ".to_string()),
        Just("patterns:\n  - ".to_string()),
        Just("fix:\n  - run: ".to_string()),
        Just("unsafe: [{do_not: a, why: b}]\n".to_string()),
        Just("verify: [x]\n".to_string()),
        Just("placeholders: {a: {example: b}}\n".to_string()),
        Just("related: [t/y]\n".to_string()),
        Just("&a [*a]\n".to_string()),
        Just("TODO: \n".to_string()),
        Just("<name>".to_string()),
        Just("regex:(?i)a(b|c)+".to_string()),
        Just("\"\\u00e9\"".to_string()),
        Just("[[[{{{".to_string()),
        Just("\r\n".to_string()),
        Just("## Heading\n[l](/t/y/#z)\n".to_string()),
        "[ -~]{0,20}",
        "\\PC{0,8}",
    ]
}

proptest! {
    #[test]
    fn proptest_parser_never_panics(parts in proptest::collection::vec(fragment(), 0..24)) {
        let text = parts.concat();
        for kind in [EntryKind::Markdown, EntryKind::Yaml] {
            if let Some(r) = raw(kind, &text) {
                let _ = super::validate_entry(&r, &Config::default());
            }
        }
    }

    #[test]
    fn proptest_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(text) = crate::fsutil::decode_text(&bytes)
            && let Some(r) = raw(EntryKind::Markdown, &format!("---\n{text}\n---\n"))
        {
            let _ = super::validate_entry(&r, &Config::default());
        }
    }
}
