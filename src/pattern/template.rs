//! Template patterns: literal text with `<name>` slots.

use super::clean::{is_quote, is_space, normalize_char};
use super::emit::{self, JS_ANY};
use super::literal::Atom;
use super::slot_at;
use super::{PatternError, Translation};

/// One piece of a parsed template.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Char(char),
    Quote,
    Slot(String),
}

/// Compiles a trimmed, non-empty template; `base` is its byte offset in the
/// pattern source, for error positions.
pub(super) fn translate(src: &str, base: usize) -> Result<Translation, PatternError> {
    let mut pieces = Vec::new();
    let mut slots: Vec<String> = Vec::new();
    let mut pos = 0;
    while let Some(c) = src.get(pos..).and_then(|r| r.chars().next()) {
        if let Some((len, name)) = src.get(pos..).and_then(slot_at) {
            if slots.iter().any(|s| s == name) {
                return Err(PatternError::new(format!("slot `<{name}>` is used twice"))
                    .at(base + pos)
                    .hint("give each slot its own name, e.g. `<src>` and `<dest>`"));
            }
            if slots.len() == MAX_SLOTS {
                return Err(PatternError::new(format!(
                    "slot `<{name}>` is one too many: the limit is {MAX_SLOTS} slots per pattern"
                ))
                .at(base + pos)
                .hint("keep the fixed words that identify the error; a slot is only needed where the text varies"));
            }
            slots.push(name.to_string());
            pieces.push(Piece::Slot(name.to_string()));
            pos += len;
            continue;
        }
        if is_space(c) {
            if pieces.last() != Some(&Piece::Char(' ')) {
                pieces.push(Piece::Char(' '));
            }
        } else if is_quote(c) {
            pieces.push(Piece::Quote);
        } else {
            pieces.push(Piece::Char(normalize_char(c)));
        }
        pos += c.len_utf8();
    }

    let literal_count = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Char(c) if *c != ' ') || **p == Piece::Quote)
        .count();
    if literal_count == 0 {
        return Err(
            PatternError::new("the pattern has no literal text, only slots")
                .at(base)
                .hint("add the fixed words of the error message around the slots"),
        );
    }

    let mut rust = String::from("(?i)");
    let mut atoms = Vec::with_capacity(pieces.len());
    for piece in &pieces {
        match piece {
            Piece::Char(c) => {
                emit::rust_char(&mut rust, *c);
                atoms.push(Atom::Char(*c));
            }
            Piece::Quote => {
                emit::rust_class(&mut rust, &quote_ranges(), false);
                atoms.push(Atom::Quote);
            }
            Piece::Slot(name) => {
                rust.push_str(&format!("(?<{name}>.+?)"));
                atoms.push(Atom::Wild);
            }
        }
    }
    let specificity = atoms.iter().filter(|a| **a != Atom::Wild).count();
    Ok(Translation {
        rust,
        js: js_source(&pieces),
        case_insensitive: true,
        slots,
        atoms,
        specificity,
    })
}

/// Most `<slot>`s in one template. Real messages vary in a few places (the bundled
/// knowledge base uses at most three); eight leaves room for long messages while keeping
/// a line's work in the browser to a few passes per pattern.
pub const MAX_SLOTS: usize = 8;

fn quote_ranges() -> Vec<(char, char)> {
    QUOTES.iter().map(|&c| (c, c)).collect()
}

/// One run of literal pieces, for JavaScript.
fn js_literal(pieces: &[Piece]) -> String {
    let mut js = String::new();
    for piece in pieces {
        match piece {
            Piece::Char(c) => emit::js_char(&mut js, *c),
            Piece::Quote => emit::js_class(&mut js, &quote_ranges(), false),
            Piece::Slot(_) => {}
        }
    }
    js
}

/// The JavaScript form of a template. The Rust form (`(?<name>.+?)` per slot) would
/// backtrack in JavaScript: when a later literal is missing, every slot tries every
/// longer length, which is the line's length to the power of the number of slots.
/// This form matches the same text and never backtracks more than one run per slot:
///
/// - a lazy slot followed by literal `L` ends at the first `L` after its first
///   character. Any later `L` only leaves less room for the rest of the pattern, so if
///   the first does not lead to a match, no later one does. So a slot is written
///   `(?<name>ANY(?:(?!L)[^\n])*)L`: one character, then characters up to the first
///   `L`; on failure, giving them back is quick, since `L` fails at each of them;
/// - the last slot followed by a literal stays lazy (`(?<name>ANY+?)L`): once it finds
///   its `L`, nothing after it can fail in a way that a longer slot would mend;
/// - for the same reason the match starts at the first occurrence of the leading
///   literal `L0`, or not at all: when a slot must look for a literal,
///   `^(?<_p>(?:(?!L0)[^\n])*)L0` skips to it, anchored, so the engine does not retry
///   from every later position. The `_p` group holds the skipped text; the match itself
///   starts after it;
/// - a slot with no literal after it (at the end, or before another slot) takes one
///   character;
/// - a template without slots is its literal text, as in Rust.
fn js_source(pieces: &[Piece]) -> String {
    let runs: Vec<String> = pieces
        .split(|p| matches!(p, Piece::Slot(_)))
        .map(js_literal)
        .collect();
    let names: Vec<&String> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Slot(name) => Some(name),
            _ => None,
        })
        .collect();
    let Some((lead, after)) = runs.split_first() else {
        return String::new();
    };
    // The slots that search for the literal after them; the last of them stays lazy.
    let searching = after.iter().filter(|lit| !lit.is_empty()).count();
    if searching == 0 {
        // A literal, then slots of one character each: no search that could backtrack.
        let mut js = lead.clone();
        for name in names {
            js.push_str(&format!("(?<{name}>{JS_ANY})"));
        }
        return js;
    }
    let mut js = String::from("^");
    if !lead.is_empty() {
        js.push_str(&format!("(?<_p>(?:(?!{lead})[^\\n])*){lead}"));
    }
    let mut seen = 0;
    for (name, lit) in names.iter().zip(after) {
        if lit.is_empty() {
            js.push_str(&format!("(?<{name}>{JS_ANY})"));
            continue;
        }
        seen += 1;
        if seen == searching {
            js.push_str(&format!("(?<{name}>{JS_ANY}+?){lit}"));
        } else {
            js.push_str(&format!("(?<{name}>{JS_ANY}(?:(?!{lit})[^\\n])*){lit}"));
        }
    }
    js
}

/// Every quote character, as a template's quote class matches them.
const QUOTES: [char; 13] = [
    '"', '\'', '`', '\u{2018}', '\u{2019}', '\u{201a}', '\u{201b}', '\u{201c}', '\u{201d}',
    '\u{201e}', '\u{201f}', '\u{2032}', '\u{2033}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_only_lowercase_names() {
        assert_eq!(slot_at("<host>:"), Some((6, "host")));
        assert_eq!(slot_at("<a1_b>"), Some((6, "a1_b")));
        assert_eq!(slot_at("<Host>"), None);
        assert_eq!(slot_at("<1a>"), None);
        assert_eq!(slot_at("<>"), None);
        assert_eq!(slot_at("<a"), None);
        assert_eq!(slot_at("<my-host>"), None);
    }

    #[test]
    fn translates() {
        let t = translate("can't  find <file>", 0).expect("valid test input");
        assert_eq!(t.slots, ["file"]);
        assert_eq!(t.specificity, 11);
        assert!(t.rust.starts_with("(?i)can["));
        assert!(t.js.contains("(?<file>"));
    }

    #[test]
    fn quotes_are_all_in_the_class() {
        for c in QUOTES {
            assert!(is_quote(c));
        }
    }

    #[test]
    fn rejects() {
        assert!(translate("<a> <b>", 0).is_err());
        assert!(translate("<a> x <a>", 0).is_err());
    }
}
