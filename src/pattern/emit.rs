//! Writing characters and classes in the two regex dialects a pattern is
//! compiled to: Rust's `regex` syntax and JavaScript `RegExp` syntax without
//! the `u` flag.
//!
//! JavaScript without `u` sees a string as UTF-16 code units, Rust as Unicode
//! scalar values. To make both match the same text, the JavaScript side never
//! lets `.`, a negated class or a slot consume half of a surrogate pair: those
//! become an alternation that takes a whole pair or one non-surrogate unit.
//! Characters beyond U+FFFF are written as a grouped pair, so a quantifier
//! applies to the whole character.

use std::fmt::Write as _;

/// One character of any kind, for JavaScript: a surrogate pair or one
/// non-surrogate code unit other than a line feed (Rust's `.`).
pub(super) const JS_ANY: &str = r"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n\uD800-\uDFFF])";

/// A class as a list of inclusive ranges.
pub(super) type Ranges = Vec<(char, char)>;

/// `\d` as in JavaScript (ASCII digits).
pub(super) fn perl_digit() -> Ranges {
    vec![('0', '9')]
}

/// `\w` as in JavaScript without `u` (ASCII word characters).
pub(super) fn perl_word() -> Ranges {
    vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')]
}

/// `\s` restricted to ASCII. A normalized line has no other whitespace than a
/// single space, so this equals JavaScript's `\s` on every line we match.
pub(super) fn perl_space() -> Ranges {
    vec![('\t', '\r'), (' ', ' ')]
}

/// Characters escaped outside a class for Rust (its meta characters).
fn is_rust_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

/// Characters escaped outside a class for JavaScript.
fn is_js_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '/'
    )
}

/// Characters escaped inside a class, in both dialects.
fn is_class_meta(c: char) -> bool {
    matches!(c, '\\' | '[' | ']' | '^' | '-' | '&' | '~')
}

fn push_rust_hex(out: &mut String, c: char) {
    let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
}

fn push_js_unit(out: &mut String, unit: u16) {
    let _ = write!(out, "\\u{unit:04X}");
}

/// A literal character outside a class, for Rust.
pub(super) fn rust_char(out: &mut String, c: char) {
    push_rust_literal(out, c, is_rust_meta);
}

/// A literal for Rust: escaped when `is_meta` says so, controls and non-space
/// whitespace as hex, anything else as is.
fn push_rust_literal(out: &mut String, c: char, is_meta: fn(char) -> bool) {
    if is_meta(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() || (c.is_whitespace() && c != ' ') {
        push_rust_hex(out, c);
    } else {
        out.push(c);
    }
}

/// A literal character outside a class, for JavaScript.
pub(super) fn js_char(out: &mut String, c: char) {
    if is_js_meta(c) {
        out.push('\\');
        out.push(c);
    } else if (' '..='~').contains(&c) {
        out.push(c);
    } else {
        let mut units = [0u16; 2];
        let units = c.encode_utf16(&mut units);
        if units.len() == 1 {
            push_js_unit(out, units[0]);
        } else {
            out.push_str("(?:");
            for &u in units.iter() {
                push_js_unit(out, u);
            }
            out.push(')');
        }
    }
}

fn rust_class_char(out: &mut String, c: char) {
    push_rust_literal(out, c, is_class_meta);
}

/// A class member for JavaScript. Callers only pass BMP characters; anything
/// larger is clamped to U+FFFF rather than written wrong.
fn js_class_char(out: &mut String, c: char) {
    if is_class_meta(c) {
        out.push('\\');
        out.push(c);
    } else if (' '..='~').contains(&c) {
        out.push(c);
    } else {
        let unit = u16::try_from(u32::from(c)).unwrap_or(u16::MAX);
        push_js_unit(out, unit);
    }
}

/// A class for Rust.
pub(super) fn rust_class(out: &mut String, ranges: &[(char, char)], negated: bool) {
    if ranges.is_empty() {
        // An empty class matches nothing; a negated empty class anything.
        out.push_str(if negated {
            r"[\x{0}-\x{10FFFF}]"
        } else {
            r"[^\x{0}-\x{10FFFF}]"
        });
        return;
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for &(lo, hi) in ranges {
        rust_class_char(out, lo);
        if hi != lo {
            out.push('-');
            rust_class_char(out, hi);
        }
    }
    out.push(']');
}

fn js_range(out: &mut String, lo: char, hi: char) {
    js_class_char(out, lo);
    if hi != lo {
        out.push('-');
        js_class_char(out, hi);
    }
}

/// A class for JavaScript. A positive class never contains surrogates; a
/// negated one also accepts whole surrogate pairs (characters beyond U+FFFF),
/// as Rust's negated class does.
pub(super) fn js_class(out: &mut String, ranges: &[(char, char)], negated: bool) {
    if negated {
        out.push_str(r"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^");
        for &(lo, hi) in ranges {
            js_range(out, lo, hi);
        }
        out.push_str(r"\uD800-\uDFFF])");
        return;
    }
    out.push('[');
    for &(lo, hi) in ranges {
        // A range over the surrogate block is split around it.
        if lo <= '\u{d7ff}' && hi >= '\u{e000}' {
            js_range(out, lo, '\u{d7ff}');
            js_range(out, '\u{e000}', hi);
        } else {
            js_range(out, lo, hi);
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut r = String::new();
        let mut j = String::new();
        for c in ['a', '.', '/', '-', '\t', '\u{e9}', '\u{1f600}'] {
            rust_char(&mut r, c);
            js_char(&mut j, c);
        }
        assert_eq!(r, "a\\./\\-\\x{9}\u{e9}\u{1f600}");
        assert_eq!(j, "a\\.\\/-\\u0009\\u00E9(?:\\uD83D\\uDE00)");
    }

    #[test]
    fn classes() {
        let mut j = String::new();
        js_class(&mut j, &[('\0', '\u{ffff}')], false);
        assert_eq!(j, r"[\u0000-\uD7FF\uE000-\uFFFF]");
        let mut r = String::new();
        rust_class(&mut r, &[('a', 'z'), ('-', '-')], true);
        assert_eq!(r, r"[^a-z\-]");
    }
}
