//! The position automaton (Glushkov) of a `regex:` pattern, built from its AST for the
//! backtracking analysis in `backtrack`: one state per character-reading leaf, with the
//! set of characters it reads, and labelled edges, so that two ways of repeating the same
//! text (an inner and an outer loop) stay two edges rather than merging into one.
//!
//! It over-approximates what the browser's engine explores, never the other way round:
//! assertions are read as empty, counted repetitions of more than one as loops (except
//! the fixed part of a count of one character: `\w{3,}` is three fixed steps, then a
//! loop), and classes are case-folded when the regex is.

use regex_syntax::ast::{AssertionKind, Ast, ClassSet, ClassSetItem, Span};
use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

use super::clean::normalize_char;
use super::measure::{bounds, normalize_ranges, perl_ranges};

/// Most copies of a single character class written out for a count like `\w{3}`.
const EXPAND_LIMIT: u32 = 64;

/// A loop of the automaton: a repetition that can run more than once.
pub(super) struct Loop {
    /// The quantifier (`+`, `*`, `{2,5}`), where errors point.
    pub op: Span,
    /// The whole repetition, quoted in messages.
    pub span: Span,
    /// The states of its body: `first..end`.
    pub first: usize,
    pub end: usize,
}

/// Edge label of a step from one part of a sequence to the next.
pub(super) const SEQUENCE: usize = 0;

pub(super) struct Nfa {
    /// What each state reads.
    pub classes: Vec<ClassUnicode>,
    /// Where each state's leaf starts in the regex.
    pub spans: Vec<Span>,
    /// Edges `(target, label)`: [`SEQUENCE`], or `1 + index` of the loop that repeats.
    pub follow: Vec<Vec<(usize, usize)>>,
    /// The states a match can start with.
    pub first: Vec<usize>,
    /// States after which the rest of the regex can match empty text without an
    /// assertion: reaching one, the engine has a match and stops backtracking.
    pub clean_final: Vec<bool>,
    pub loops: Vec<Loop>,
}

/// A built sub-pattern: its entry and exit states.
#[derive(Default)]
struct Frag {
    first: Vec<usize>,
    last: Vec<usize>,
    /// Exit states reached without passing an assertion at the end.
    clean_last: Vec<usize>,
    nullable: bool,
    /// Can match empty text without an assertion.
    clean_nullable: bool,
}

impl Frag {
    fn empty(clean: bool) -> Frag {
        Frag {
            nullable: true,
            clean_nullable: clean,
            ..Frag::default()
        }
    }
}

fn union(a: &mut Vec<usize>, b: &[usize]) {
    for &x in b {
        if !a.contains(&x) {
            a.push(x);
        }
    }
}

/// Builds the automaton of a validated regex AST.
pub(super) fn build(ast: &Ast, case_insensitive: bool) -> Nfa {
    let mut b = Builder {
        nfa: Nfa {
            classes: Vec::new(),
            spans: Vec::new(),
            follow: Vec::new(),
            first: Vec::new(),
            clean_final: Vec::new(),
            loops: Vec::new(),
        },
        case_insensitive,
    };
    let whole = b.node(ast);
    let mut nfa = b.nfa;
    nfa.clean_final = vec![false; nfa.classes.len()];
    for &x in &whole.clean_last {
        nfa.clean_final[x] = true;
    }
    nfa.first = whole.first;
    nfa
}

struct Builder {
    nfa: Nfa,
    case_insensitive: bool,
}

impl Builder {
    fn edge(&mut self, from: usize, to: usize, label: usize) {
        let list = &mut self.nfa.follow[from];
        if !list.contains(&(to, label)) {
            list.push((to, label));
        }
    }

    fn leaf(&mut self, ranges: &[(char, char)], negated: bool, span: Span) -> Frag {
        let mut class =
            ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)));
        // Both engines fold a class first and then negate it: `(?i)[^a]` matches
        // neither `a` nor `A`.
        if self.case_insensitive {
            // With Unicode tables (a default feature) folding cannot fail; should it, the
            // class stays as written.
            let _ = class.try_case_fold_simple();
        }
        if negated {
            class.negate();
        }
        let id = self.nfa.classes.len();
        self.nfa.classes.push(class);
        self.nfa.spans.push(span);
        self.nfa.follow.push(Vec::new());
        Frag {
            first: vec![id],
            last: vec![id],
            clean_last: vec![id],
            nullable: false,
            clean_nullable: false,
        }
    }

    fn node(&mut self, node: &Ast) -> Frag {
        match node {
            Ast::Empty(_) | Ast::Flags(_) => Frag::empty(true),
            Ast::Assertion(_) => Frag::empty(false),
            Ast::Literal(lit) => {
                let c = normalize_char(lit.c);
                self.leaf(&[(c, c)], false, lit.span)
            }
            Ast::Dot(d) => self.leaf(&[('\n', '\n')], true, **d),
            Ast::ClassPerl(c) => self.leaf(&perl_ranges(&c.kind), c.negated, c.span),
            Ast::ClassBracketed(c) => {
                let mut ranges = Vec::new();
                set_ranges(&c.kind, &mut ranges);
                self.leaf(&normalize_ranges(&ranges), c.negated, c.span)
            }
            // Refused before the analysis runs; read as any character.
            Ast::ClassUnicode(c) => self.leaf(&[], true, c.span),
            Ast::Group(g) => self.node(&g.ast),
            Ast::Alternation(a) => {
                let mut out = Frag::default();
                for branch in &a.asts {
                    let f = self.node(branch);
                    union(&mut out.first, &f.first);
                    union(&mut out.last, &f.last);
                    union(&mut out.clean_last, &f.clean_last);
                    out.nullable |= f.nullable;
                    out.clean_nullable |= f.clean_nullable;
                }
                out
            }
            Ast::Concat(c) => {
                let mut out = Frag::empty(true);
                for item in &c.asts {
                    let f = self.node(item);
                    out = self.seq(out, f);
                }
                out
            }
            Ast::Repetition(r) => {
                let (min, max) = bounds(&r.op.kind);
                match max {
                    Some(0) => Frag::empty(true),
                    Some(1) => {
                        let mut f = self.node(&r.ast);
                        if min == 0 {
                            f.nullable = true;
                            f.clean_nullable = true;
                        }
                        f
                    }
                    // One character a fixed number of times is a chain without choices;
                    // past the limit a shorter chain reads the same way for the analysis.
                    _ if is_leaf(&r.ast) => {
                        let mut out = Frag::empty(true);
                        for _ in 0..min.min(EXPAND_LIMIT) {
                            let f = self.node(&r.ast);
                            out = self.seq(out, f);
                        }
                        if max != Some(min) {
                            let f = self.looped(r, 0);
                            out = self.seq(out, f);
                        }
                        out
                    }
                    _ => self.looped(r, min),
                }
            }
        }
    }

    /// `a` then `b`.
    fn seq(&mut self, a: Frag, b: Frag) -> Frag {
        for &x in &a.last {
            for &y in &b.first {
                self.edge(x, y, SEQUENCE);
            }
        }
        let mut first = a.first;
        if a.nullable {
            union(&mut first, &b.first);
        }
        let mut last = b.last;
        if b.nullable {
            union(&mut last, &a.last);
        }
        let mut clean_last = b.clean_last;
        if b.clean_nullable {
            union(&mut clean_last, &a.clean_last);
        }
        Frag {
            first,
            last,
            clean_last,
            nullable: a.nullable && b.nullable,
            clean_nullable: a.clean_nullable && b.clean_nullable,
        }
    }

    /// The body of `r` as a loop that runs at least `min` times (read as once or more).
    fn looped(&mut self, r: &regex_syntax::ast::Repetition, min: u32) -> Frag {
        let start = self.nfa.classes.len();
        let mut body = self.node(&r.ast);
        let label = 1 + self.nfa.loops.len();
        self.nfa.loops.push(Loop {
            op: r.op.span,
            span: r.span,
            first: start,
            end: self.nfa.classes.len(),
        });
        let (last, first) = (body.last.clone(), body.first.clone());
        for &x in &last {
            for &y in &first {
                self.edge(x, y, label);
            }
        }
        if min == 0 {
            body.nullable = true;
            body.clean_nullable = true;
        }
        body
    }
}

/// Whether every match starts at the start of the line (`^`): the engine then tries
/// one start position instead of every one.
pub(super) fn anchored(node: &Ast) -> bool {
    match node {
        Ast::Assertion(a) => a.kind == AssertionKind::StartLine,
        Ast::Group(g) => anchored(&g.ast),
        Ast::Concat(c) => c
            .asts
            .iter()
            .find(|a| !matches!(a, Ast::Empty(_) | Ast::Flags(_)))
            .is_some_and(anchored),
        Ast::Alternation(a) => a.asts.iter().all(anchored),
        _ => false,
    }
}

/// A node that reads exactly one character.
fn is_leaf(node: &Ast) -> bool {
    match node {
        Ast::Literal(_)
        | Ast::Dot(_)
        | Ast::ClassPerl(_)
        | Ast::ClassBracketed(_)
        | Ast::ClassUnicode(_) => true,
        Ast::Group(g) => is_leaf(&g.ast),
        _ => false,
    }
}

/// The characters of a bracketed class as written (validated: no set operations,
/// POSIX or Unicode classes, or negated Perl classes inside).
fn set_ranges(set: &ClassSet, out: &mut Vec<(char, char)>) {
    fn item(i: &ClassSetItem, out: &mut Vec<(char, char)>) {
        match i {
            ClassSetItem::Literal(l) => out.push((l.c, l.c)),
            ClassSetItem::Range(r) => out.push((r.start.c, r.end.c)),
            ClassSetItem::Perl(p) => out.extend(perl_ranges(&p.kind)),
            ClassSetItem::Bracketed(b) => set_ranges(&b.kind, out),
            ClassSetItem::Union(u) => u.items.iter().for_each(|x| item(x, out)),
            ClassSetItem::Empty(_) | ClassSetItem::Ascii(_) | ClassSetItem::Unicode(_) => {}
        }
    }
    match set {
        ClassSet::Item(i) => item(i, out),
        ClassSet::BinaryOp(op) => {
            set_ranges(&op.lhs, out);
            set_ranges(&op.rhs, out);
        }
    }
}

/// Whether two classes share a character.
pub(super) fn overlap(a: &ClassUnicode, b: &ClassUnicode) -> bool {
    let (mut x, mut y) = (a.ranges().iter().peekable(), b.ranges().iter().peekable());
    while let (Some(ra), Some(rb)) = (x.peek(), y.peek()) {
        if ra.end() < rb.start() {
            x.next();
        } else if rb.end() < ra.start() {
            y.next();
        } else {
            return true;
        }
    }
    false
}

/// Strongly connected components (iterative Tarjan): the component of each node, and
/// whether each component has a cycle (more than one node, or an edge to itself).
pub(super) fn components(succ: &[Vec<usize>]) -> (Vec<usize>, Vec<bool>) {
    let n = succ.len();
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![NONE; n];
    let mut cyclic = Vec::new();
    let mut stack = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let id = cyclic.len();
                let mut size = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = id;
                    size += 1;
                    if w == v {
                        break;
                    }
                }
                cyclic.push(size > 1 || succ[v].contains(&v));
            }
        }
    }
    (comp, cyclic)
}
