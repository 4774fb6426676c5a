//! Matching a template without its regex: literal pieces found with `memchr`, in order.
//!
//! A template whose text is ASCII is a sequence of literal pieces separated by slots,
//! and a slot takes one or more characters as few as possible. Whether such a template
//! matches a line is then decided by placing each piece as early as it can go: a later
//! piece that fits after some placement also fits after an earlier one, so the earliest
//! placement is never wrong. That is a handful of `memmem` searches over a lower-cased
//! copy of the line, without building the pattern's regex (whose search caches cost tens
//! of kilobytes each, and `check` tries every pattern of a site).
//!
//! The answer is the regex's answer, byte for byte, on every line where the regex's
//! case-insensitive, quote-class view of the text agrees with a plain lower-casing:
//! [`Folded::new`] refuses the few lines where it would not (see there), and the caller
//! falls back to the regex on those.

use memchr::memmem;

use super::literal::Atom;

/// The byte every quote of a template and of a line is folded to.
const QUOTE: u8 = b'\'';

/// A template's literal pieces, each with the number of slot characters that must come
/// before it.
#[derive(Debug, Clone)]
pub(super) struct Skeleton {
    pieces: Vec<(usize, memmem::Finder<'static>)>,
    /// Slot characters required after the last piece.
    tail: usize,
}

impl Skeleton {
    /// The skeleton of a template's atoms; `None` when a character is not ASCII (its
    /// case-insensitive variants are the regex's business).
    pub(super) fn new(atoms: &[Atom]) -> Option<Skeleton> {
        let mut pieces = Vec::new();
        let mut gap = 0;
        let mut piece: Vec<u8> = Vec::new();
        for atom in atoms {
            match atom {
                Atom::Char(c) if c.is_ascii() => piece.push(fold(*c as u8)),
                Atom::Char(_) => return None,
                Atom::Quote => piece.push(QUOTE),
                Atom::Wild => {
                    if !piece.is_empty() {
                        pieces.push((gap, memmem::Finder::new(&piece).into_owned()));
                        piece.clear();
                        gap = 0;
                    }
                    gap += 1;
                }
            }
        }
        if !piece.is_empty() {
            pieces.push((gap, memmem::Finder::new(&piece).into_owned()));
            gap = 0;
        }
        (!pieces.is_empty()).then_some(Skeleton { pieces, tail: gap })
    }

    /// Whether the template matches the line.
    pub(super) fn is_match(&self, line: &Folded) -> bool {
        let mut at = 0;
        for (gap, finder) in &self.pieces {
            let Some(from) = line.skip_chars(at, *gap) else {
                return false;
            };
            let Some(found) = line.bytes.get(from..).and_then(|rest| finder.find(rest)) else {
                return false;
            };
            at = from + found + finder.needle().len();
        }
        line.skip_chars(at, self.tail).is_some()
    }
}

/// ASCII lower case, and every quote byte as [`QUOTE`] (a template's quote matches any).
fn fold(b: u8) -> u8 {
    match b {
        b'"' | b'`' => QUOTE,
        b => b.to_ascii_lowercase(),
    }
}

/// A line prepared for [`Skeleton::is_match`].
#[derive(Debug)]
pub(super) struct Folded<'a> {
    line: &'a str,
    bytes: Vec<u8>,
}

impl<'a> Folded<'a> {
    /// The folded line, or `None` when a skeleton's answer could differ from the regex's
    /// on it: a line break (a slot never crosses one), or a character that the regex
    /// treats as equal to an ASCII letter or a quote although it is not ASCII (the Kelvin
    /// sign and the long s are `k` and `s` case-insensitively; typographic quotes are in
    /// a template's quote class). A normalized line ([`super::normalize_line`]) has none
    /// of these.
    pub(super) fn new(line: &'a str) -> Option<Folded<'a>> {
        let odd = |c: char| {
            c == '\n' || c == '\u{212a}' || c == '\u{17f}' || (!c.is_ascii() && super::is_quote(c))
        };
        if line.contains(odd) {
            return None;
        }
        Some(Folded {
            line,
            bytes: line.bytes().map(fold).collect(),
        })
    }

    /// The byte offset `n` characters after `at`, if the line has them.
    fn skip_chars(&self, at: usize, n: usize) -> Option<usize> {
        if n == 0 {
            return Some(at);
        }
        let rest = self.line.get(at..)?;
        match rest.char_indices().nth(n) {
            Some((i, _)) => Some(at + i),
            None => (rest.chars().count() == n).then_some(self.line.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{compile, normalize_line};
    use super::*;

    fn skeleton(p: &str) -> Skeleton {
        Skeleton::new(compile(p).expect("valid test input").atoms()).expect("ASCII template")
    }

    fn matches(p: &str, line: &str) -> bool {
        skeleton(p).is_match(&Folded::new(line).expect("plain line"))
    }

    #[test]
    fn pieces_in_order_with_slot_widths() {
        assert!(matches("can't open <file>", "Can\"t OPEN x"));
        assert!(
            !matches("can't open <file>", "can't open"),
            "a slot takes a character"
        );
        assert!(
            !matches("can't open <file>", "can't open "),
            "…after the space"
        );
        assert!(matches("<a><b>x", "12x"));
        assert!(!matches("<a><b>x", "1x"), "two slots take two characters");
        assert!(matches("<a><b>x", "éêx"), "characters, not bytes");
        assert!(matches("a <x> b <y> c", "a 1 b b 2 c"));
        assert!(!matches("a <x> b <y> c", "a 1 c b 2"));
        assert!(matches("x<a>", "xé"));
        assert!(!matches("x<a>", "é x"));
    }

    #[test]
    fn not_for_non_ascii_templates_or_odd_lines() {
        let p = compile("ÉCHEC de <x>").expect("valid test input");
        assert!(Skeleton::new(p.atoms()).is_none());
        assert!(Folded::new("a\nb").is_none());
        assert!(Folded::new("\u{212a}ey").is_none());
        assert!(Folded::new("it\u{2019}s").is_none());
        assert!(Folded::new("ünïcode is fine").is_some());
    }

    /// The only characters outside ASCII that the regex engine's case-insensitive
    /// matching takes for an ASCII letter are the two [`Folded::new`] refuses.
    #[test]
    fn only_kelvin_and_long_s_fold_to_ascii() {
        use regex_syntax::hir::{Class, HirKind};
        let mut odd = Vec::new();
        for c in ('a'..='z').chain('A'..='Z') {
            let hir = regex_syntax::parse(&format!("(?i){c}")).expect("a letter");
            let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
                panic!("{c}: {hir:?}");
            };
            for r in class.ranges() {
                odd.extend((r.start()..=r.end()).filter(|c| !c.is_ascii()));
            }
        }
        odd.sort_unstable();
        odd.dedup();
        assert_eq!(odd, ['\u{17f}', '\u{212a}']);
    }

    /// The skeleton agrees with the regex on random templates and lines over an alphabet
    /// chosen to make them meet: letters in both cases, quotes, spaces, slots, non-ASCII.
    #[test]
    fn agrees_with_the_regex() {
        const PATTERN: [&str; 10] = ["a", "B", "ab", " ", "'", "\"", "<x>", "<y>", ":", "c"];
        const LINE: [&str; 14] = [
            "a", "A", "b", "B", "c", " ", "'", "`", "\"", ":", "é", "ab", "\u{131}", "\u{2019}",
        ];
        let mut next = crate::pattern::tests::rng(0x9e37_79b9_7f4a_7c15);
        let mut checked = 0;
        for _ in 0..3000 {
            let len = 1 + next(6);
            let src: String = (0..len).map(|_| PATTERN[next(PATTERN.len())]).collect();
            let Ok(p) = compile(&src) else { continue };
            let Some(s) = Skeleton::new(p.atoms()) else {
                continue;
            };
            for _ in 0..20 {
                let len = next(14);
                let raw: String = (0..len).map(|_| LINE[next(LINE.len())]).collect();
                let line = normalize_line(&raw);
                let folded = Folded::new(&line).expect("normalized");
                assert_eq!(
                    s.is_match(&folded),
                    p.is_match(&line),
                    "pattern {src:?} on line {line:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 20_000, "{checked}");
    }
}
