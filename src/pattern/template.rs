//! Template patterns: literal text with `<name>` slots.

use super::clean::{is_quote, is_space, normalize_char};
use super::emit::{self, JS_ANY};
use super::literal::Atom;
use super::{PatternError, Translation};

/// One piece of a parsed template.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Char(char),
    Quote,
    Slot(String),
}

/// The length of a slot `<name>` at the start of `s`, with the name.
/// Only `<` + `[a-z][a-z0-9_]*` + `>` is a slot.
fn slot_at(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix('<')?;
    let len = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        .count();
    let name = rest.get(..len)?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    rest.get(len..)?.starts_with('>').then_some((len + 2, name))
}

/// Compiles a trimmed, non-empty template; `base` is its byte offset in the
/// pattern source, for error positions.
pub fn translate(src: &str, base: usize) -> Result<Translation, PatternError> {
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
    let mut js = String::new();
    let quotes: Vec<(char, char)> = QUOTES.iter().map(|&c| (c, c)).collect();
    let mut atoms = Vec::with_capacity(pieces.len());
    for piece in &pieces {
        match piece {
            Piece::Char(c) => {
                emit::rust_char(&mut rust, *c);
                emit::js_char(&mut js, *c);
                atoms.push(Atom::Char(*c));
            }
            Piece::Quote => {
                emit::rust_class(&mut rust, &quotes, false);
                emit::js_class(&mut js, &quotes, false);
                atoms.push(Atom::Quote);
            }
            Piece::Slot(name) => {
                rust.push_str(&format!("(?<{name}>.+?)"));
                js.push_str(&format!("(?<{name}>{JS_ANY}+?)"));
                atoms.push(Atom::Wild);
            }
        }
    }
    let specificity = atoms.iter().filter(|a| **a != Atom::Wild).count();
    Ok(Translation {
        rust,
        js,
        case_insensitive: true,
        slots,
        atoms,
        specificity,
    })
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
