//! `regex:` patterns: validation of the subset of regular expressions that
//! Rust's `regex` and JavaScript's `RegExp` (without the `u` flag) read the
//! same way, and translation of it to both.
//!
//! The pattern is parsed with `regex-syntax`'s AST parser and walked; each
//! node is either rejected with a message naming the construct, or written
//! out again for both engines. `\d \w \s \b` become their ASCII meaning on the
//! Rust side, as in JavaScript without `u`; `.` and negated classes never
//! split a surrogate pair on the JavaScript side (see `emit`).

use regex_syntax::ast::parse::ParserBuilder;
use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassBracketed, ClassSet, ClassSetBinaryOpKind, ClassSetItem,
    GroupKind, HexLiteralKind, LiteralKind, Repetition, RepetitionKind, RepetitionRange, Span,
    SpecialLiteralKind,
};

use super::backtrack;
use super::clean::normalize_char;
use super::emit::{self, JS_ANY, Ranges};
use super::measure::{
    bounds, can_be_empty, cost, has_unbounded_repeat, is_plain_quantifier, is_slot_name,
    normalize_ranges, perl_ranges, skeleton, specificity,
};
use super::{PatternError, Translation};

/// Deepest nesting of groups, classes and repetitions accepted.
const NEST_LIMIT: u32 = 40;
/// Largest count in `{n}`, `{n,}`, `{n,m}`.
const MAX_REPEAT: u32 = 1000;
/// Largest estimated compiled size in bytes (see `cost`): two thirds of the
/// compiled-size limit, so that a regex that passes this check always builds.
const MAX_COST: u64 = 1_400_000;

/// Compiles the body of a `regex:` pattern (trimmed, after the prefix);
/// `base` is its byte offset in the pattern source.
pub(super) fn translate(body: &str, base: usize) -> Result<Translation, PatternError> {
    let (case_insensitive, body, base) = match body.strip_prefix("(?i)") {
        Some(rest) => (true, rest, base + 4),
        None => (false, body, base),
    };
    if body.is_empty() {
        return Err(PatternError::new("the regular expression is empty")
            .at(base)
            .hint("write the text to match after `regex:`"));
    }
    let ast = ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .octal(false)
        .ignore_whitespace(false)
        .empty_min_range(false)
        .build()
        .parse(body)
        .map_err(|e| parse_error(&e, body, base))?;

    let estimate = cost(&ast);
    if estimate > MAX_COST {
        return Err(PatternError::new(format!(
            "the regular expression is too large once compiled (about {} KB, the limit is {} KB)",
            estimate / 1000,
            MAX_COST / 1000
        ))
        .at(base)
        .hint("use smaller repetition counts, e.g. `.{1,200}` or `.+?` instead of `.{1,5000}`"));
    }
    let mut walker = Walker {
        body,
        base,
        rust: String::new(),
        js: String::new(),
        slots: Vec::new(),
        repeat_depth: 0,
    };
    if case_insensitive {
        walker.rust.push_str("(?i)");
    }
    walker.walk(&ast)?;
    backtrack::check(&ast, body, case_insensitive).map_err(|r| {
        PatternError::new(r.message)
            .at(base + r.offset)
            .hint(r.hint)
    })?;
    let mut atoms = Vec::new();
    skeleton(&ast, &mut atoms);
    Ok(Translation {
        rust: walker.rust,
        js: walker.js,
        case_insensitive,
        slots: walker.slots,
        atoms,
        specificity: specificity(&ast),
    })
}

/// Turns a parse error of `regex-syntax` into one that names the construct.
fn parse_error(e: &ast::Error, body: &str, base: usize) -> PatternError {
    let span = e.span();
    let text = body.get(span.start.offset..span.end.offset).unwrap_or("");
    let err = |msg: String| PatternError::new(msg).at(base + span.start.offset);
    match e.kind() {
        ast::ErrorKind::UnsupportedLookAround => {
            err("look-around (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported".into())
                .hint("match the surrounding text itself instead")
        }
        ast::ErrorKind::UnsupportedBackreference => {
            err(format!("backreference `{text}` is not supported"))
                .hint("repeat the sub-pattern instead of referring back to it")
        }
        ast::ErrorKind::EscapeUnrecognized => {
            let e = err(format!("unrecognized escape `{text}`"));
            match text {
                "\\Z" => e.hint("use `$` for the end of the line"),
                "\\k" => e.hint("backreferences are not supported"),
                "\\Q" | "\\E" => e.hint("quote each special character with `\\` instead"),
                "\\e" => e.hint("use `\\x1B`"),
                _ => e,
            }
        }
        ast::ErrorKind::NestLimitExceeded(_) => {
            err("the regular expression is nested too deeply".into())
        }
        ast::ErrorKind::FlagUnrecognized if text == "P" || text == "=" => {
            err("`(?P...)` syntax is not supported".into())
                .hint("write a named group as `(?<name>...)`; backreferences are not supported")
        }
        kind => err(format!("invalid regular expression: {kind}")),
    }
}

struct Walker<'a> {
    body: &'a str,
    base: usize,
    rust: String,
    js: String,
    slots: Vec<String>,
    repeat_depth: usize,
}

impl Walker<'_> {
    fn err(&self, span: &Span, msg: impl Into<String>) -> PatternError {
        PatternError::new(msg).at(self.base + span.start.offset)
    }

    fn text(&self, span: &Span) -> &str {
        self.body
            .get(span.start.offset..span.end.offset)
            .unwrap_or("")
    }

    fn both(&mut self, s: &str) {
        self.rust.push_str(s);
        self.js.push_str(s);
    }

    fn walk(&mut self, node: &Ast) -> Result<(), PatternError> {
        match node {
            Ast::Empty(_) => {}
            Ast::Flags(f) => {
                return Err(self
                    .err(
                        &f.span,
                        format!("inline flags `{}` are not supported", self.text(&f.span)),
                    )
                    .hint("only a single `(?i)` at the very start of the regex is allowed"));
            }
            Ast::Literal(lit) => {
                let c = self.literal(lit)?;
                if c.is_whitespace() && c != ' ' {
                    return Err(self
                        .err(&lit.span, format!("`{}` never occurs in a cleaned line", self.text(&lit.span)))
                        .hint("lines are matched with every whitespace run folded to one space: use ` ` or `\\s`"));
                }
                let c = normalize_char(c);
                emit::rust_char(&mut self.rust, c);
                emit::js_char(&mut self.js, c);
            }
            Ast::Dot(_) => {
                self.rust.push('.');
                self.js.push_str(JS_ANY);
            }
            Ast::Assertion(a) => self.assertion(a)?,
            Ast::ClassUnicode(c) => {
                return Err(self
                    .err(&c.span, format!("Unicode class `{}` is not supported", self.text(&c.span)))
                    .hint("JavaScript reads `\\p` as `p` without the `u` flag; list the characters in `[...]`"));
            }
            Ast::ClassPerl(c) => {
                let ranges = perl_ranges(&c.kind);
                emit::rust_class(&mut self.rust, &ranges, c.negated);
                emit::js_class(&mut self.js, &ranges, c.negated);
            }
            Ast::ClassBracketed(c) => self.class(c)?,
            Ast::Repetition(r) => self.repetition(r)?,
            Ast::Group(g) => self.group(g)?,
            Ast::Alternation(alt) => {
                for (i, branch) in alt.asts.iter().enumerate() {
                    if i > 0 {
                        self.both("|");
                    }
                    self.walk(branch)?;
                }
            }
            Ast::Concat(c) => {
                for item in &c.asts {
                    self.walk(item)?;
                }
            }
        }
        Ok(())
    }

    /// The character of a literal, if its escape means the same in both.
    fn literal(&self, lit: &ast::Literal) -> Result<char, PatternError> {
        match &lit.kind {
            LiteralKind::Verbatim | LiteralKind::Meta | LiteralKind::Superfluous => Ok(lit.c),
            LiteralKind::HexFixed(HexLiteralKind::X | HexLiteralKind::UnicodeShort) => Ok(lit.c),
            LiteralKind::HexFixed(HexLiteralKind::UnicodeLong) => Err(self
                .err(
                    &lit.span,
                    format!("escape `{}` is not supported", self.text(&lit.span)),
                )
                .hint("JavaScript has no `\\U`; write the character itself")),
            LiteralKind::HexBrace(_) => Err(self
                .err(
                    &lit.span,
                    format!("braced escape `{}` is not supported", self.text(&lit.span)),
                )
                .hint("use `\\xHH` or `\\uHHHH`, or write the character itself")),
            LiteralKind::Octal => Err(self.err(&lit.span, "octal escapes are not supported")),
            LiteralKind::Special(SpecialLiteralKind::Bell) => Err(self
                .err(&lit.span, "escape `\\a` is not supported")
                .hint("JavaScript reads `\\a` as `a`; use `\\x07`")),
            LiteralKind::Special(SpecialLiteralKind::Space) => Ok(' '),
            LiteralKind::Special(_) => Ok(lit.c),
        }
    }

    fn assertion(&mut self, a: &ast::Assertion) -> Result<(), PatternError> {
        let (rust, js) = match a.kind {
            AssertionKind::StartLine => ("^", "^"),
            AssertionKind::EndLine => ("$", "$"),
            AssertionKind::WordBoundary => (r"(?-u:\b)", r"\b"),
            // Between the two halves of a surrogate pair JavaScript sees a
            // non-boundary; Rust never looks inside a character.
            AssertionKind::NotWordBoundary => (r"(?-u:\B)", r"\B(?![\uDC00-\uDFFF])"),
            AssertionKind::StartText | AssertionKind::EndText => {
                return Err(self
                    .err(
                        &a.span,
                        format!("anchor `{}` is not supported", self.text(&a.span)),
                    )
                    .hint("use `^` for the start and `$` for the end of the line"));
            }
            _ => {
                return Err(self
                    .err(
                        &a.span,
                        format!("word boundary `{}` is not supported", self.text(&a.span)),
                    )
                    .hint("use `\\b`"));
            }
        };
        self.rust.push_str(rust);
        self.js.push_str(js);
        Ok(())
    }

    fn class(&mut self, c: &ClassBracketed) -> Result<(), PatternError> {
        let text = self.body.get(c.span.start.offset..).unwrap_or("");
        if text.starts_with("[]") || text.starts_with("[^]") {
            return Err(self
                .err(
                    &c.span,
                    "`]` right after `[` or `[^` is read differently by JavaScript",
                )
                .hint("escape it: `[\\]...]`"));
        }
        let mut ranges = Vec::new();
        match &c.kind {
            ClassSet::BinaryOp(op) => {
                let name = match op.kind {
                    ClassSetBinaryOpKind::Intersection => "&&",
                    ClassSetBinaryOpKind::Difference => "--",
                    ClassSetBinaryOpKind::SymmetricDifference => "~~",
                };
                return Err(self
                    .err(&op.span, format!("class operation `{name}` is not supported"))
                    .hint("list the characters of the class; escape a literal `&`, `-` or `~` with `\\`"));
            }
            ClassSet::Item(item) => self.class_item(item, &mut ranges)?,
        }
        let ranges = normalize_ranges(&ranges);
        emit::rust_class(&mut self.rust, &ranges, c.negated);
        emit::js_class(&mut self.js, &ranges, c.negated);
        Ok(())
    }

    fn class_item(&self, item: &ClassSetItem, out: &mut Ranges) -> Result<(), PatternError> {
        match item {
            ClassSetItem::Empty(_) => {}
            ClassSetItem::Literal(lit) => {
                let c = normalize_char(self.literal(lit)?);
                self.check_bmp(&lit.span, c)?;
                out.push((c, c));
            }
            ClassSetItem::Range(r) => {
                let lo = self.literal(&r.start)?;
                let hi = self.literal(&r.end)?;
                self.check_bmp(&r.span, hi)?;
                out.push((lo, hi));
            }
            ClassSetItem::Ascii(a) => {
                return Err(self
                    .err(
                        &a.span,
                        format!("POSIX class `{}` is not supported", self.text(&a.span)),
                    )
                    .hint("write the ranges, e.g. `[a-zA-Z]` for `[[:alpha:]]`"));
            }
            ClassSetItem::Unicode(u) => {
                return Err(self
                    .err(
                        &u.span,
                        format!("Unicode class `{}` is not supported", self.text(&u.span)),
                    )
                    .hint(
                        "JavaScript reads `\\p` as `p` without the `u` flag; list the characters",
                    ));
            }
            ClassSetItem::Perl(p) => {
                if p.negated {
                    return Err(self
                        .err(
                            &p.span,
                            format!("`{}` inside `[...]` is not supported", self.text(&p.span)),
                        )
                        .hint("write a negated class instead, e.g. `[^0-9]`"));
                }
                out.extend(perl_ranges(&p.kind));
            }
            ClassSetItem::Bracketed(b) => {
                return Err(self
                    .err(&b.span, "nested class `[...[...]...]` is not supported")
                    .hint("escape a literal `[` inside a class as `\\[`"));
            }
            ClassSetItem::Union(u) => {
                for it in &u.items {
                    self.class_item(it, out)?;
                }
            }
        }
        Ok(())
    }

    fn check_bmp(&self, span: &Span, c: char) -> Result<(), PatternError> {
        if u32::from(c) > 0xffff {
            return Err(self
                .err(span, "a class cannot hold characters beyond U+FFFF")
                .hint("JavaScript without `u` sees such a character as two units; use an alternation `(?:x|y)`"));
        }
        Ok(())
    }

    fn repetition(&mut self, r: &Repetition) -> Result<(), PatternError> {
        let op_text = self.text(&r.op.span);
        let core = if r.greedy {
            op_text
        } else {
            op_text.strip_suffix('?').unwrap_or(op_text)
        };
        if !is_plain_quantifier(core) {
            return Err(self
                .err(&r.op.span, format!("quantifier `{op_text}` is not supported"))
                .hint("JavaScript reads it as literal text; write `{n}`, `{n,}` or `{n,m}` without spaces"));
        }
        match &*r.ast {
            Ast::Repetition(_) => {
                return Err(self
                    .err(&r.op.span, format!("stacked quantifier `{op_text}` is not supported"))
                    .hint("possessive and doubled quantifiers (`a*+`, `a**`) are errors in JavaScript; use one quantifier"));
            }
            Ast::Assertion(_) | Ast::Empty(_) | Ast::Flags(_) => {
                return Err(self.err(
                    &r.op.span,
                    format!("quantifier `{op_text}` has nothing to repeat"),
                ));
            }
            _ => {}
        }
        if can_be_empty(&r.ast) {
            return Err(self
                .err(&r.op.span, format!("quantifier `{op_text}` repeats something that can match empty text"))
                .hint("JavaScript and Rust repeat it differently; make the repeated part take at least one character"));
        }
        let (min, max) = bounds(&r.op.kind);
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(self.err(
                &r.op.span,
                format!("repetition count in `{op_text}` is over {MAX_REPEAT}"),
            ));
        }
        if max.is_none_or(|m| m > 1) && has_unbounded_repeat(&r.ast) {
            return Err(self
                .err(&r.op.span, "a repeated part that itself repeats without bound (like `(a+)+`) is not supported")
                .hint("the browser's regex engine can take exponential time on it; repeat only once"));
        }
        self.repeat_depth += 1;
        let inner = self.walk(&r.ast);
        self.repeat_depth -= 1;
        inner?;
        let mut op = match r.op.kind {
            RepetitionKind::ZeroOrOne => "?".to_string(),
            RepetitionKind::ZeroOrMore => "*".to_string(),
            RepetitionKind::OneOrMore => "+".to_string(),
            RepetitionKind::Range(RepetitionRange::Exactly(n)) => format!("{{{n}}}"),
            RepetitionKind::Range(RepetitionRange::AtLeast(n)) => format!("{{{n},}}"),
            RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => format!("{{{m},{n}}}"),
        };
        if !r.greedy {
            op.push('?');
        }
        self.both(&op);
        Ok(())
    }

    fn group(&mut self, g: &ast::Group) -> Result<(), PatternError> {
        match &g.kind {
            GroupKind::CaptureIndex(_) => self.both("(?:"),
            GroupKind::CaptureName {
                starts_with_p,
                name,
            } => {
                if *starts_with_p {
                    return Err(self
                        .err(&g.span, format!("`(?P<{}>` is not supported", name.name))
                        .hint(format!("write `(?<{}>...)`", name.name)));
                }
                if !is_slot_name(&name.name) {
                    return Err(self
                        .err(
                            &name.span,
                            format!("group name `{}` is not a valid slot name", name.name),
                        )
                        .hint("use lower-case letters, digits and `_`, starting with a letter"));
                }
                if self.repeat_depth > 0 {
                    return Err(self
                        .err(&g.span, format!("named group `{}` inside a repetition is not supported", name.name))
                        .hint("JavaScript and Rust report different values for it; name a group outside the repetition"));
                }
                self.slots.push(name.name.clone());
                let open = format!("(?<{}>", name.name);
                self.both(&open);
            }
            GroupKind::NonCapturing(flags) => {
                if !flags.items.is_empty() {
                    return Err(self
                        .err(
                            &flags.span,
                            format!(
                                "inline flags `{}` are not supported",
                                self.text(&flags.span)
                            ),
                        )
                        .hint("only a single `(?i)` at the very start of the regex is allowed"));
                }
                self.both("(?:");
            }
        }
        self.walk(&g.ast)?;
        self.both(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(p: &str) -> String {
        match translate(p, 0) {
            Ok(t) => panic!("{p} was accepted as {}", t.rust),
            Err(e) => e.message,
        }
    }

    #[test]
    fn translates_classes_to_ascii() {
        let t = translate(r"\d+ \w\s\b\D", 0).expect("valid test input");
        assert_eq!(t.rust, r"[0-9]+ [0-9A-Z_a-z][\x{9}-\x{D} ](?-u:\b)[^0-9]");
        assert!(t.js.starts_with(r"[0-9]+ [0-9A-Z_a-z][\u0009-\u000D ]\b(?:"));
    }

    #[test]
    fn names_the_construct() {
        assert!(err("a(?=b)").contains("look-around"));
        assert!(err(r"(a)\1").contains("backreference"));
        assert!(err("(?P<x>a)").contains("(?P<x>"));
        assert!(err("a(?i)b").contains("inline flags"));
        assert!(err(r"\Aa").contains(r"\A"));
        assert!(err(r"\pL").contains(r"\pL"));
        assert!(err("[[:alpha:]]").contains("POSIX"));
        assert!(err("[a&&b]").contains("&&"));
        assert!(err("a{2, 3}").contains("{2, 3}"));
        assert!(err("a**").contains("stacked"));
        assert!(err("(a+)+").contains("(a+)+"));
        assert!(err("[]a]").contains("`]`"));
    }

    #[test]
    fn classes_are_normalized() {
        assert_eq!(normalize_ranges(&[('a', 'z')]), [('a', 'z')]);
        assert_eq!(
            normalize_ranges(&[('\u{2100}', '\u{2130}')]),
            [
                ('\u{2100}', '\u{2125}'),
                ('\u{3a9}', '\u{3a9}'),
                ('\u{2127}', '\u{2129}'),
                ('K', 'K'),
                ('\u{c5}', '\u{c5}'),
                ('\u{212c}', '\u{2130}')
            ]
        );
        assert_eq!(
            normalize_ranges(&[('\u{2019}', '\u{2019}')]),
            [('\'', '\'')]
        );
    }

    #[test]
    fn counts_and_skeleton() {
        let t = translate("(?i)conn(ection)? (?:refused|reset) by <peer>", 0)
            .expect("valid test input");
        assert!(t.case_insensitive);
        assert_eq!(t.specificity, 4 + 1 + 5 + 10);
        let lits = super::super::literal::required_literals(&t.atoms);
        assert_eq!(lits, ["conn", " ", " by <peer>"]);
    }
}
