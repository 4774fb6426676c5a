//! Refuses `regex:` patterns that JavaScript's backtracking `RegExp` could take far more
//! than linear time on. Rust's `regex` is linear whatever the pattern, so `check` and
//! `errkb match` never show it; the browser runs the same pattern on every pasted line of
//! every reader, where one bad pattern freezes the search page.
//!
//! A backtracking engine is slow exactly where the regex is ambiguous: where it can
//! read the same text along many paths, it tries each of them before it gives up. On
//! the position automaton ([`nfa`]) the classic criteria (Weber and Seidl) tell the
//! kinds apart, and each gets its own message:
//!
//! - **Exponential**: a state with two different loops through it on the same text,
//!   as in `(a|a)*`, `(a|aa)+` or `(?:ab|a|b)*` ("can match the same text in more than
//!   one way"). Found in the product of each loop's states with themselves.
//! - **Polynomial**: two loops, one after the other, that can both read the same text
//!   and be joined by it, as in `\w+\s?\w+` or `.*x.*y` ("can split the same text in
//!   many ways"): each extra such loop multiplies the work by the line's length, and so
//!   does trying every start position. The square of the length is allowed (2,000
//!   characters: milliseconds), so an unanchored regex may have one loop that
//!   backtracks, and one anchored with `^` a chain of two.
//! - **Bounded but huge**: many optional or alternative parts that overlap, as in
//!   `a?a?a?…aaa…`: a fan of paths that has no loop but still doubles at every step.
//!
//! Nested unbounded repetition (`(a+)+`) is refused earlier by `subset` with its own
//! message. A loop is harmless when the regex matches as soon as it is reached (nothing
//! but empty text may follow it, as in `error: .*`): the engine then never backtracks
//! into it. A single loop that backtracks costs at most the line's length per start.
//!
//! [`nfa`]: super::nfa

use std::collections::HashMap;
use std::rc::Rc;

use regex_syntax::ast::Ast;
use regex_syntax::hir::ClassUnicode;

use super::nfa::{self, Nfa, components, overlap};

/// Most pairs of states, and steps between them, examined for one loop before the regex
/// counts as too complex.
const PAIR_LIMIT: usize = 200_000;
const EDGE_LIMIT: usize = 1_000_000;
/// Most steps of the loop-to-loop searches before the regex counts as too complex.
const STEP_LIMIT: usize = 2_000_000;
/// Most paths over the same text through the optional and alternative parts.
pub(super) const PATH_LIMIT: f64 = 1024.0;

/// A class as its ranges, to key memos by.
type CharSet = Vec<(char, char)>;

/// Why a regex is refused: a message, the byte offset of the construct in the regex
/// body, and a hint.
#[derive(Debug)]
pub(super) struct Refusal {
    pub offset: usize,
    pub message: String,
    pub hint: &'static str,
}

/// Checks a validated regex AST; `body` is the regex text the AST's spans point into.
pub(super) fn check(ast: &Ast, body: &str, case_insensitive: bool) -> Result<(), Refusal> {
    let nfa = nfa::build(ast, case_insensitive);
    let succ: Vec<Vec<usize>> = nfa
        .follow
        .iter()
        .map(|f| {
            let mut v: Vec<usize> = f.iter().map(|&(t, _)| t).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let (comp, cyclic) = components(&succ);
    let text = |span: &regex_syntax::ast::Span| {
        body.get(span.start.offset..span.end.offset)
            .unwrap_or("")
            .to_string()
    };
    for (c, _) in cyclic.iter().enumerate().filter(|(_, cyc)| **cyc) {
        if let Some(states) = exponential(&nfa, &comp, c)? {
            let lp = enclosing_loop(&nfa, &states);
            let (offset, quoted) =
                lp.map_or((0, String::new()), |l| (l.op.start.offset, text(&l.span)));
            return Err(Refusal {
                offset,
                message: format!(
                    "the repeated part `{quoted}` can match the same text in more than one way (like `(a|a)*`), which takes exponential time in the browser's regex engine"
                ),
                hint: "make the alternatives start with different characters (`(?:ab|cd)+`), repeat one class (`[ab]+`), or do not repeat a repeated part",
            });
        }
    }
    // A chain of k loops costs the line's length to the k-th power per start, and an
    // unanchored regex is tried at every start: allow the square of the length, which a
    // line of 2,000 characters keeps to a few milliseconds.
    let loops = chain(&nfa, &succ, &comp, &cyclic)?;
    let allowed = if nfa::anchored(ast) { 2 } else { 1 };
    if loops.len() > allowed {
        let named: Vec<String> = loops
            .iter()
            .map(|states| {
                enclosing_loop(&nfa, states).map_or(String::from("a repetition"), |l| {
                    format!("`{}`", text(&l.span))
                })
            })
            .collect();
        let offset = loops
            .get(allowed)
            .and_then(|states| enclosing_loop(&nfa, states))
            .map_or(0, |l| l.op.start.offset);
        let (last, rest) = named
            .split_last()
            .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
        return Err(Refusal {
            offset,
            message: format!(
                "the repetitions {} and {last} can split the same text in many ways (like `\\w+\\s?\\w+`), which takes polynomial time in the browser's regex engine",
                rest.join(", ")
            ),
            hint: if allowed == 1 {
                "put text between them that the first cannot match (`[^:]+: `), or anchor the regex at the start of the line with `^`"
            } else {
                "put text between them that the first cannot match (`[^:]+: `), or give one of them a fixed count"
            },
        });
    }
    if let Some(state) = fan_out(&nfa) {
        return Err(Refusal {
            offset: nfa.spans[state].start.offset,
            message: format!(
                "too many optional or alternative parts can match the same text (over {PATH_LIMIT} ways), which takes exponential time in the browser's regex engine"
            ),
            hint: "drop optional parts that overlap (`a?a?a?`), or write the count: `a{0,3}`",
        });
    }
    Ok(())
}

fn too_complex(what: &str) -> Refusal {
    Refusal {
        offset: 0,
        message: format!(
            "the regular expression is too complex to check for slow matching ({what})"
        ),
        hint: "split it into several simpler patterns",
    }
}

/// The innermost loop whose body holds every state of `states`; of loops around the
/// same states (`(?:(?:ab){1,3})+`), the outer one, which repeats a repeated part.
fn enclosing_loop<'a>(nfa: &'a Nfa, states: &[usize]) -> Option<&'a nfa::Loop> {
    let lo = states.iter().copied().min()?;
    let hi = states.iter().copied().max()?;
    // Inner loops are numbered first: on a tie, the later one is the outer one.
    nfa.loops
        .iter()
        .enumerate()
        .filter(|(_, l)| l.first <= lo && hi < l.end)
        .min_by_key(|(i, l)| (l.end - l.first, std::cmp::Reverse(*i)))
        .map(|(_, l)| l)
}

/// Looks for two different cycles over the same text through one state of component
/// `c`: in the product of its states with themselves, a component that holds a pair
/// `(q, q)` and either a pair of two different states or a step where the two copies
/// take different edges (an inner and an outer loop) between the same states. Returns
/// the states involved.
fn exponential(nfa: &Nfa, comp: &[usize], c: usize) -> Result<Option<Vec<usize>>, Refusal> {
    let inside = |s: usize| comp[s] == c;
    let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut succ: Vec<Vec<usize>> = Vec::new();
    let mut split: Vec<(usize, usize)> = Vec::new();
    let mut queue = Vec::new();
    let mut edges = 0usize;
    for q in (0..nfa.classes.len()).filter(|&q| inside(q) && !nfa.classes[q].ranges().is_empty()) {
        ids.insert((q, q), pairs.len());
        pairs.push((q, q));
        succ.push(Vec::new());
        queue.push(pairs.len() - 1);
    }
    while let Some(id) = queue.pop() {
        let (p1, p2) = pairs[id];
        for &(r1, l1) in nfa.follow[p1].iter().filter(|e| inside(e.0)) {
            for &(r2, l2) in nfa.follow[p2].iter().filter(|e| inside(e.0)) {
                if !overlap(&nfa.classes[r1], &nfa.classes[r2]) {
                    continue;
                }
                let target = match ids.get(&(r1, r2)) {
                    Some(&t) => t,
                    None => {
                        if pairs.len() >= PAIR_LIMIT {
                            return Err(too_complex(
                                "a repeated part with many overlapping alternatives",
                            ));
                        }
                        ids.insert((r1, r2), pairs.len());
                        pairs.push((r1, r2));
                        succ.push(Vec::new());
                        queue.push(pairs.len() - 1);
                        pairs.len() - 1
                    }
                };
                edges += 1;
                if edges > EDGE_LIMIT {
                    return Err(too_complex(
                        "a repeated part with many overlapping alternatives",
                    ));
                }
                succ[id].push(target);
                if p1 == p2 && r1 == r2 && l1 != l2 {
                    split.push((id, target));
                }
            }
        }
    }
    for list in &mut succ {
        list.sort_unstable();
        list.dedup();
    }
    let (pcomp, _) = components(&succ);
    let groups = pcomp.iter().copied().max().map_or(0, |m| m + 1);
    let mut diagonal = vec![false; groups];
    let mut diverges = vec![false; groups];
    for (id, &(p1, p2)) in pairs.iter().enumerate() {
        let g = pcomp[id];
        if p1 == p2 && !nfa.clean_final[p1] {
            diagonal[g] = true;
        }
        if p1 != p2 {
            diverges[g] = true;
        }
    }
    for &(a, b) in &split {
        if pcomp[a] == pcomp[b] {
            diverges[pcomp[a]] = true;
        }
    }
    let Some(g) = (0..groups).find(|&g| diagonal[g] && diverges[g]) else {
        return Ok(None);
    };
    let mut states: Vec<usize> = pairs
        .iter()
        .enumerate()
        .filter(|(id, _)| pcomp[*id] == g)
        .flat_map(|(_, &(a, b))| [a, b])
        .collect();
    states.sort_unstable();
    states.dedup();
    Ok(Some(states))
}

/// The longest chain of loops, each reachable from the one before, where each pair
/// can repeat some text and be joined by it, and the last can still fail after it: on
/// a failing line the engine tries every way of sharing that text among them, which is
/// the line's length to the power of the chain's length, per start position. Returns
/// the states of each loop of the chain.
///
/// For a pair, both loops and the way between them must read characters of `C`, the
/// characters both loops read, and only the parts of each loop that cycle within `C`
/// count. For loops of one class each (`\w+`, `.*`, `[^:]+`), which is nearly every
/// pattern, this is exact.
fn chain(
    nfa: &Nfa,
    succ: &[Vec<usize>],
    comp: &[usize],
    cyclic: &[bool],
) -> Result<Vec<Vec<usize>>, Refusal> {
    let n = nfa.classes.len();
    let loops: Vec<Vec<usize>> = (0..cyclic.len())
        .filter(|&c| cyclic[c])
        .map(|c| (0..n).filter(|&s| comp[s] == c).collect())
        .collect();
    let reads = |states: &[usize]| {
        let mut all = ClassUnicode::empty();
        for &s in states {
            all.union(&nfa.classes[s]);
        }
        all
    };
    let read: Vec<ClassUnicode> = loops.iter().map(|l| reads(l)).collect();
    let mut steps = 0usize;
    // The states that read some character of a class, and the parts of each loop that
    // cycle through them, computed once per class: most pairs share one (`\d`, `\w`).
    let mut usable_by: HashMap<CharSet, Rc<Vec<bool>>> = HashMap::new();
    let mut cycling_by: HashMap<(usize, CharSet), Rc<Vec<usize>>> = HashMap::new();
    // joins[i]: the loops that loop i shares text with, in the order above.
    let mut joins: Vec<Vec<usize>> = vec![Vec::new(); loops.len()];
    for i in 0..loops.len() {
        for j in 0..loops.len() {
            if i == j {
                continue;
            }
            let mut common = read[i].clone();
            common.intersect(&read[j]);
            if common.ranges().is_empty() {
                continue;
            }
            let key: CharSet = common
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            let usable = usable_by
                .entry(key.clone())
                .or_insert_with(|| {
                    Rc::new((0..n).map(|s| overlap(&nfa.classes[s], &common)).collect())
                })
                .clone();
            let mut cycle = |l: usize| {
                cycling_by
                    .entry((l, key.clone()))
                    .or_insert_with(|| Rc::new(cycling(succ, &loops[l], &usable)))
                    .clone()
            };
            let (from, to) = (cycle(i), cycle(j));
            if from.is_empty() || to.iter().all(|&s| nfa.clean_final[s]) {
                continue;
            }
            // Breadth-first from the first loop through usable states.
            let mut seen = vec![false; n];
            let mut queue: Vec<usize> = from.to_vec();
            for &s in from.iter() {
                seen[s] = true;
            }
            while let Some(s) = queue.pop() {
                steps += 1;
                if steps > STEP_LIMIT {
                    return Err(too_complex("many repetitions"));
                }
                for &t in &succ[s] {
                    if usable[t] && !seen[t] {
                        seen[t] = true;
                        queue.push(t);
                    }
                }
            }
            if to.iter().any(|&s| seen[s] && !nfa.clean_final[s]) {
                joins[i].push(j);
            }
        }
    }
    // Longest path: the joins follow the automaton's order of components, so they have
    // no cycle; memoized depth-first search.
    let mut best: Vec<Option<Vec<usize>>> = vec![None; loops.len()];
    fn longest(i: usize, joins: &[Vec<usize>], best: &mut Vec<Option<Vec<usize>>>) -> Vec<usize> {
        if let Some(b) = &best[i] {
            return b.clone();
        }
        let mut tail = Vec::new();
        for &j in &joins[i] {
            let t = longest(j, joins, best);
            if t.len() > tail.len() {
                tail = t;
            }
        }
        let mut path = vec![i];
        path.extend(tail);
        best[i] = Some(path.clone());
        path
    }
    let mut top = Vec::new();
    for i in 0..loops.len() {
        let p = longest(i, &joins, &mut best);
        if p.len() > top.len() {
            top = p;
        }
    }
    Ok(top.into_iter().map(|i| loops[i].clone()).collect())
}

/// The states of `states` that lie on a cycle made only of `usable` states of `states`.
fn cycling(succ: &[Vec<usize>], states: &[usize], usable: &[bool]) -> Vec<usize> {
    let keep: Vec<usize> = states.iter().copied().filter(|&s| usable[s]).collect();
    let local: HashMap<usize, usize> = keep.iter().enumerate().map(|(i, &s)| (s, i)).collect();
    let sub: Vec<Vec<usize>> = keep
        .iter()
        .map(|s| {
            succ[*s]
                .iter()
                .filter_map(|t| local.get(t).copied())
                .collect()
        })
        .collect();
    let (comp, cyclic) = components(&sub);
    keep.iter()
        .enumerate()
        .filter(|(i, _)| cyclic[comp[*i]])
        .map(|(_, &s)| s)
        .collect()
}

/// Bounds the number of paths over one text through the parts that do not loop: at each
/// state (and at the start) the engine may have several next states that read the same
/// character; the product of those fans is an upper bound on the ways to read a text.
/// Returns the state where the bound passes [`PATH_LIMIT`].
fn fan_out(nfa: &Nfa) -> Option<usize> {
    let fan = |next: &mut dyn Iterator<Item = usize>| -> f64 {
        let next: Vec<usize> = next.collect();
        let widest = next
            .iter()
            .map(|&a| {
                next.iter()
                    .filter(|&&b| overlap(&nfa.classes[a], &nfa.classes[b]))
                    .count()
            })
            .max()
            .unwrap_or(1);
        widest.max(1) as f64
    };
    let mut ways = fan(&mut nfa.first.iter().copied());
    for (s, follow) in nfa.follow.iter().enumerate() {
        let mut targets: Vec<usize> = follow.iter().map(|&(t, _)| t).collect();
        targets.sort_unstable();
        targets.dedup();
        ways *= fan(&mut targets.into_iter());
        if ways > PATH_LIMIT {
            return Some(s);
        }
    }
    None
}
