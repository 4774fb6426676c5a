//! Measures of a regex AST that the subset check and ranking need: how a repetition is
//! bounded, whether a node can match empty text or repeats without bound, what it costs
//! once compiled, how specific it is, and the literal skeleton used for prefilters.

use regex_syntax::ast::{
    Ast, ClassPerlKind, ClassSet, ClassSetItem, RepetitionKind, RepetitionRange,
};

use super::clean::{MAPPED_BMP, normalize_char};
use super::emit::{self, Ranges};
use super::literal::Atom;

/// `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}`, with nothing else in the braces.
pub(super) fn is_plain_quantifier(op: &str) -> bool {
    if matches!(op, "*" | "+" | "?") {
        return true;
    }
    let Some(inner) = op.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
        return false;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match inner.split_once(',') {
        None => all_digits(inner),
        Some((lo, hi)) => all_digits(lo) && (hi.is_empty() || all_digits(hi)),
    }
}

pub(super) fn bounds(kind: &RepetitionKind) -> (u32, Option<u32>) {
    match kind {
        RepetitionKind::ZeroOrOne => (0, Some(1)),
        RepetitionKind::ZeroOrMore => (0, None),
        RepetitionKind::OneOrMore => (1, None),
        RepetitionKind::Range(RepetitionRange::Exactly(n)) => (*n, Some(*n)),
        RepetitionKind::Range(RepetitionRange::AtLeast(n)) => (*n, None),
        RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (*m, Some(*n)),
    }
}

pub(super) fn has_unbounded_repeat(node: &Ast) -> bool {
    match node {
        Ast::Repetition(r) => bounds(&r.op.kind).1.is_none() || has_unbounded_repeat(&r.ast),
        Ast::Group(g) => has_unbounded_repeat(&g.ast),
        Ast::Alternation(a) => a.asts.iter().any(has_unbounded_repeat),
        Ast::Concat(c) => c.asts.iter().any(has_unbounded_repeat),
        _ => false,
    }
}

/// A class read like a normalized line: each character that a line never
/// contains (see `normalize_char`) is replaced by the one it becomes.
pub(super) fn normalize_ranges(ranges: &[(char, char)]) -> Ranges {
    let mut out = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges {
        let mut start = Some(lo);
        for &s in MAPPED_BMP.iter().filter(|&&s| lo <= s && s <= hi) {
            if let Some(from) = start.filter(|&from| from < s) {
                let to = char::from_u32(u32::from(s) - 1).unwrap_or(from);
                out.push((from, to));
            }
            let n = normalize_char(s);
            out.push((n, n));
            start = char::from_u32(u32::from(s) + 1);
        }
        if let Some(from) = start.filter(|&from| from <= hi) {
            out.push((from, hi));
        }
    }
    out
}

/// An upper estimate of the compiled size in bytes, measured on `regex`
/// 1.x: a case-insensitive literal takes up to 170 bytes, a positive class
/// about 200 plus 200 per range, `.` and negated classes (which hold most of
/// Unicode) about 1,100; repetitions copy their operand.
pub(super) fn cost(node: &Ast) -> u64 {
    const LITERAL: u64 = 170;
    const CLASS: u64 = 200;
    const RANGE: u64 = 200;
    const ANY: u64 = 1100;
    const GROUP: u64 = 16;
    let class = |negated: bool, ranges: u64| {
        (if negated { ANY } else { CLASS }).saturating_add(RANGE.saturating_mul(ranges))
    };
    match node {
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => 0,
        Ast::Literal(_) => LITERAL,
        Ast::Dot(_) | Ast::ClassUnicode(_) => ANY,
        Ast::ClassPerl(c) => class(c.negated, 3),
        Ast::ClassBracketed(c) => class(c.negated, class_size(&c.kind)),
        Ast::Repetition(r) => {
            let (min, max) = bounds(&r.op.kind);
            let copies = u64::from(max.unwrap_or(min.saturating_add(1)).max(1));
            cost(&r.ast).saturating_mul(copies)
        }
        Ast::Group(g) => cost(&g.ast).saturating_add(GROUP),
        Ast::Alternation(a) => a
            .asts
            .iter()
            .map(|x| cost(x).saturating_add(GROUP))
            .fold(0, u64::saturating_add),
        Ast::Concat(c) => c.asts.iter().map(cost).fold(0, u64::saturating_add),
    }
}

/// Number of ranges a class is written with (`\w` counts as three).
fn class_size(set: &ClassSet) -> u64 {
    fn item(i: &ClassSetItem) -> u64 {
        match i {
            ClassSetItem::Empty(_) => 0,
            ClassSetItem::Perl(_) => 3,
            ClassSetItem::Union(u) => u.items.iter().map(item).fold(0, u64::saturating_add),
            ClassSetItem::Bracketed(b) => class_size(&b.kind),
            _ => 1,
        }
    }
    match set {
        ClassSet::Item(i) => item(i),
        ClassSet::BinaryOp(op) => class_size(&op.lhs).saturating_add(class_size(&op.rhs)),
    }
}

/// Whether a sub-pattern can match the empty string.
pub(super) fn can_be_empty(node: &Ast) -> bool {
    match node {
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => true,
        Ast::Literal(_)
        | Ast::Dot(_)
        | Ast::ClassUnicode(_)
        | Ast::ClassPerl(_)
        | Ast::ClassBracketed(_) => false,
        Ast::Repetition(r) => bounds(&r.op.kind).0 == 0 || can_be_empty(&r.ast),
        Ast::Group(g) => can_be_empty(&g.ast),
        Ast::Alternation(a) => a.asts.iter().any(can_be_empty),
        Ast::Concat(c) => c.asts.iter().all(can_be_empty),
    }
}

pub(super) use super::is_slot_name;

pub(super) fn perl_ranges(kind: &ClassPerlKind) -> Ranges {
    match kind {
        ClassPerlKind::Digit => emit::perl_digit(),
        ClassPerlKind::Word => emit::perl_word(),
        ClassPerlKind::Space => emit::perl_space(),
    }
}

/// Literal characters every match must contain; an alternation counts as
/// its least specific branch.
pub(super) fn specificity(node: &Ast) -> usize {
    match node {
        Ast::Literal(_) => 1,
        Ast::Concat(c) => c
            .asts
            .iter()
            .map(specificity)
            .fold(0, usize::saturating_add),
        Ast::Group(g) => specificity(&g.ast),
        Ast::Repetition(r) if bounds(&r.op.kind).0 >= 1 => specificity(&r.ast),
        Ast::Alternation(a) => a.asts.iter().map(specificity).min().unwrap_or(0),
        _ => 0,
    }
}

/// The required skeleton (see `literal`): literals in order, `Wild` for
/// anything that is not a fixed run of text.
pub(super) fn skeleton(node: &Ast, out: &mut Vec<Atom>) {
    match node {
        Ast::Literal(lit) => out.push(Atom::Char(normalize_char(lit.c))),
        Ast::Concat(c) => c.asts.iter().for_each(|a| skeleton(a, out)),
        Ast::Group(g) => skeleton(&g.ast, out),
        Ast::Repetition(r) => match bounds(&r.op.kind) {
            (1, Some(1)) => skeleton(&r.ast, out),
            (0, _) => out.push(Atom::Wild),
            _ => {
                out.push(Atom::Wild);
                skeleton(&r.ast, out);
                out.push(Atom::Wild);
            }
        },
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => {}
        _ => out.push(Atom::Wild),
    }
}
