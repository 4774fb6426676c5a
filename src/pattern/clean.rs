//! Log line cleaning: [`clean_line`] gives what a human sees, [`normalize_line`]
//! the form that patterns are matched against.
//!
//! Cleaning removes terminal escape sequences, other control characters, a
//! trailing CR and the prefixes that CI systems and shells put in front of a
//! line (see the module docs of `pattern` for the list). Normalizing then folds
//! every whitespace run into one space, trims both ends and maps a few
//! characters to one spelling (typographic quotes, Unicode hyphens and dashes,
//! and the characters whose case folding differs between Rust and JavaScript).

use std::borrow::Cow;

use super::prefix::prefix_len;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// Removes escape sequences, control characters, a trailing CR and leading CI
/// and shell-prompt prefixes. The result is what a human would read in the
/// log; whitespace is kept as it is.
pub fn clean_line(line: &str) -> Cow<'_, str> {
    let line = line.trim_end_matches(['\r', '\n']);
    let stripped = strip_controls(line);
    let start = prefix_len(&stripped);
    if start == 0 {
        return stripped;
    }
    match stripped {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(start..).unwrap_or("")),
        Cow::Owned(mut s) => {
            if s.is_char_boundary(start) {
                s.drain(..start);
            } else {
                s.clear();
            }
            Cow::Owned(s)
        }
    }
}

/// Cleans a raw log line ([`clean_line`]) and normalizes it
/// ([`normalize_cleaned`]): the text that patterns are matched against.
pub fn normalize_line(line: &str) -> Cow<'_, str> {
    match clean_line(line) {
        Cow::Borrowed(s) => normalize_cleaned(s),
        Cow::Owned(s) => match normalize_cleaned(&s) {
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(n) => Cow::Owned(n),
        },
    }
}

/// Normalizes already cleaned text: every whitespace run becomes one space,
/// both ends are trimmed, and [`normalize_char`] is applied to each character.
pub fn normalize_cleaned(text: &str) -> Cow<'_, str> {
    if is_normalized_ascii(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_space(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(normalize_char(c));
        }
    }
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// Whitespace for matching: Unicode `White_Space` plus U+FEFF (the byte order
/// mark), the same set as JavaScript's `\s`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Quote characters that a template pattern treats as equivalent.
pub fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"'
            | '`'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201a}'
            | '\u{201b}'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{201e}'
            | '\u{201f}'
            | '\u{2032}'
            | '\u{2033}'
    )
}

/// The one spelling a character has in a normalized line.
///
/// - Typographic single quotes and the prime become `'`; typographic double
///   quotes and the double prime become `"`.
/// - Hyphens and dashes become `-`: U+2010 hyphen, U+2011 non-breaking hyphen,
///   the figure, en and em dashes and the horizontal bar (U+2012..U+2015), the
///   minus sign U+2212, and the small and fullwidth hyphen-minus (U+FE63,
///   U+FF0D). Word processors, chat tools and locales put these where the
///   tool printed `-` (`--force` pasted as `–force`), and the reverse.
/// - Characters that Rust's case-insensitive matching (Unicode simple case
///   folding) and JavaScript's (without `u`) treat differently get the
///   spelling both agree on: `ſ` → `s`, Kelvin sign → `K`, Angstrom sign →
///   `Å`, Ohm sign → `Ω`, `ẞ` → `ß`, `ϴ` → `Θ`, `ΐ` (U+1FD3) → U+0390, `ΰ`
///   (U+1FE3) → U+03B0, `ﬅ` → `ﬆ`, Greek capitals with prosgegrammeni
///   (`ᾈ`, `ᾼ`...) → the small letter with ypogegrammeni, U+A7CE/A7D2/A7D4 →
///   U+A7CF/A7D3/A7D5, and every cased letter beyond U+FFFF → its lower case
///   (JavaScript without `u` cannot fold those at all).
pub fn normalize_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        '\u{17f}' => 's',
        '\u{212a}' => 'K',
        '\u{212b}' => '\u{c5}',
        '\u{2126}' => '\u{3a9}',
        '\u{1e9e}' => '\u{df}',
        '\u{3f4}' => '\u{398}',
        '\u{1fd3}' => '\u{390}',
        '\u{1fe3}' => '\u{3b0}',
        '\u{fb05}' => '\u{fb06}',
        '\u{1f88}'..='\u{1f8f}' | '\u{1f98}'..='\u{1f9f}' | '\u{1fa8}'..='\u{1faf}' => {
            char::from_u32(u32::from(c) - 8).unwrap_or(c)
        }
        '\u{1fbc}' => '\u{1fb3}',
        '\u{1fcc}' => '\u{1fc3}',
        '\u{1ffc}' => '\u{1ff3}',
        '\u{a7ce}' => '\u{a7cf}',
        '\u{a7d2}' => '\u{a7d3}',
        '\u{a7d4}' => '\u{a7d5}',
        c if u32::from(c) > 0xffff && !c.is_lowercase() => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
        _ => c,
    }
}

/// The characters up to U+FFFF that [`normalize_char`] changes, in order.
pub(crate) const MAPPED_BMP: [char; 58] = [
    '\u{17f}', '\u{3f4}', '\u{1e9e}', '\u{1f88}', '\u{1f89}', '\u{1f8a}', '\u{1f8b}', '\u{1f8c}',
    '\u{1f8d}', '\u{1f8e}', '\u{1f8f}', '\u{1f98}', '\u{1f99}', '\u{1f9a}', '\u{1f9b}', '\u{1f9c}',
    '\u{1f9d}', '\u{1f9e}', '\u{1f9f}', '\u{1fa8}', '\u{1fa9}', '\u{1faa}', '\u{1fab}', '\u{1fac}',
    '\u{1fad}', '\u{1fae}', '\u{1faf}', '\u{1fbc}', '\u{1fcc}', '\u{1fd3}', '\u{1fe3}', '\u{1ffc}',
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2018}', '\u{2019}',
    '\u{201a}', '\u{201b}', '\u{201c}', '\u{201d}', '\u{201e}', '\u{201f}', '\u{2032}', '\u{2033}',
    '\u{2126}', '\u{212a}', '\u{212b}', '\u{2212}', '\u{a7ce}', '\u{a7d2}', '\u{a7d4}', '\u{fb05}',
    '\u{fe63}', '\u{ff0d}',
];

/// True when `text` is ASCII, has no whitespace but single spaces between
/// other characters, and so is its own normal form.
fn is_normalized_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut prev_space = false;
    for &b in bytes {
        if b >= 0x80 || (b.is_ascii_whitespace() && b != b' ') || b == 0x0b {
            return false;
        }
        let space = b == b' ';
        if space && prev_space {
            return false;
        }
        prev_space = space;
    }
    true
}

/// Removes escape sequences and control characters that are not whitespace.
fn strip_controls(line: &str) -> Cow<'_, str> {
    let bytes = line.as_bytes();
    let needs_work = bytes
        .iter()
        .any(|&b| (b < 0x20 && !(0x09..=0x0d).contains(&b)) || b == 0x7f || b == 0xc2);
    if !needs_work {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let skip_to = if b == ESC {
            Some(escape_end(bytes, i))
        } else if (b < 0x20 && !(0x09..=0x0d).contains(&b)) || b == 0x7f {
            Some(i + 1)
        } else if b == 0xc2 {
            // U+0080..U+009F are C1 controls: CSI and OSC start sequences;
            // the others are dropped, except U+0085 (NEL, whitespace).
            match bytes.get(i + 1) {
                Some(0x9b) => Some(csi_end(bytes, i + 2)),
                Some(0x9d) => Some(string_end(bytes, i + 2)),
                Some(&n) if (0x80..=0x9f).contains(&n) && n != 0x85 => Some(i + 2),
                _ => None,
            }
        } else {
            None
        };
        match skip_to {
            Some(end) => {
                out.push_str(line.get(copied..i).unwrap_or(""));
                i = end.min(bytes.len());
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(line.get(copied..).unwrap_or(""));
    Cow::Owned(out)
}

/// The end (exclusive) of the escape sequence that starts with ESC at `i`.
/// Every byte consumed is ASCII, so the result is a char boundary.
fn escape_end(bytes: &[u8], i: usize) -> usize {
    let at = |j: usize| bytes.get(j).copied();
    match at(i + 1) {
        // CSI: ESC [ parameters intermediates final
        Some(b'[') => csi_end(bytes, i + 2),
        // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST.
        Some(b']' | b'P' | b'X' | b'^' | b'_') => string_end(bytes, i + 2),
        // nF sequences such as ESC ( B: intermediates, then a final byte.
        Some(0x20..=0x2f) => {
            let mut j = i + 2;
            while matches!(at(j), Some(0x20..=0x2f)) {
                j += 1;
            }
            if matches!(at(j), Some(0x30..=0x7e)) {
                j += 1;
            }
            j
        }
        // Two-character escapes (ESC 7, ESC M, ESC c, ...).
        Some(0x30..=0x7e) => i + 2,
        _ => i + 1,
    }
}

/// The end of a control sequence whose parameters start at `j`: parameter
/// bytes, intermediate bytes, then one final byte.
fn csi_end(bytes: &[u8], mut j: usize) -> usize {
    let at = |j: usize| bytes.get(j).copied();
    while matches!(at(j), Some(0x30..=0x3f)) {
        j += 1;
    }
    while matches!(at(j), Some(0x20..=0x2f)) {
        j += 1;
    }
    if matches!(at(j), Some(0x40..=0x7e)) {
        j += 1;
    }
    j
}

/// The end of a control string whose text starts at `j`: after BEL, ESC \
/// or U+009C, or the end of the line when it is not terminated.
fn string_end(bytes: &[u8], mut j: usize) -> usize {
    while let Some(&b) = bytes.get(j) {
        match (b, bytes.get(j + 1)) {
            (BEL, _) => return j + 1,
            (ESC, Some(b'\\')) | (0xc2, Some(0x9c)) => return j + 2,
            _ => j += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes_and_prefixes() {
        assert_eq!(clean_line("\x1b[31merror\x1b[0m: x\r"), "error: x");
        assert_eq!(
            clean_line("2024-05-01T10:00:00.1234567Z ##[error]Process completed"),
            "Process completed"
        );
        assert_eq!(clean_line("::error file=a.js,line=1::boom"), "boom");
        assert_eq!(clean_line("#12 0.345 npm ERR! x"), "npm ERR! x");
        assert_eq!(clean_line("me@box:~/src$ cargo build"), "cargo build");
        assert_eq!(clean_line("# comment"), "# comment");
        assert_eq!(clean_line("plain"), "plain");
        assert!(matches!(clean_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize_line("  a \t\u{a0} b  "), "a b");
        assert_eq!(
            normalize_line("\u{2018}x\u{2019} \u{201c}y\u{201d}"),
            "'x' \"y\""
        );
        assert!(matches!(normalize_line("a b"), Cow::Borrowed(_)));
    }

    #[test]
    fn mapped_table_is_complete() {
        let mapped: Vec<char> = (0..=0xffff)
            .filter_map(char::from_u32)
            .filter(|&c| normalize_char(c) != c)
            .collect();
        assert_eq!(mapped, MAPPED_BMP);
        assert_eq!(normalize_char('\u{10400}'), '\u{10428}');
        assert_eq!(normalize_char('\u{10428}'), '\u{10428}');
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "\x1b",
            "\x1b[",
            "\x1b]",
            "\x1b]0;t",
            "\x1b(",
            "\u{9b}x",
            "\x1b\u{e9}",
            "##[",
            "::error",
            "::error x",
            "#1 2.",
            "[2024-01-01T00:00",
            "a@b:",
            "[a@b c]",
            "\u{c2}",
            "é\x1b[1mé",
        ] {
            let _ = normalize_line(s);
        }
    }
}
