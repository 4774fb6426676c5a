//! The rules between entries' patterns, titles and examples: no two entries share a
//! pattern, and every example (and title) is matched by its own entry, ranked first.
//!
//! The cost is one pass of the lines through the patterns plus the real matches, not
//! entries × patterns: every pattern is compiled once, and patterns that match exactly
//! the same lines (same [`Pattern::identity_key`]) become one *class*, tried once. Every
//! distinct line of every title and example goes once through one prefiltered set of the
//! classes ([`PatternSet::matching`], which verifies most templates without building a
//! regex). Each entry then reads the hits of its own lines. So 1,000 entries that share
//! one pattern and one example cost one line against one class, where the old check
//! tried every entry's text against every pattern. What is found is reported once per
//! (entry, class) and grouped per class (see [`report`]), so the output stays short.
//!
//! `context:` patterns (a family's summary line) follow their own rule: entries may
//! share one, another entry's context pattern over a text is no overlap, and a text
//! counts as matched by its entry only where one of the entry's specific patterns
//! matches one of its lines.

mod report;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Severity};
use crate::memo::{KeyBuilder, Session};
use crate::model::{EntryId, Site};
use crate::pattern::{self, Pattern, PatternSet};

/// The overlap check's maps are keyed by every pattern identity and every distinct line
/// of a site (125,000 lines at 50k): foldhash hashes those several times faster than
/// the default SipHash.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A diagnostic of these rules before it is placed: the entry it is about (none for the
/// line that counts what was left out), the front-matter key and the text to point at.
pub(super) type Report = (Option<usize>, &'static str, String, Diagnostic);

/// Runs the rules and adds their diagnostics, placed by `at`. The result depends only
/// on every entry's id, title, patterns and examples, so `serve` redoes the work only
/// when one of those changed (positions are found afresh each time).
pub(super) fn check(
    site: &Site,
    at: &(dyn Fn(&EntryId, &str, &str, Diagnostic) -> Diagnostic + Sync),
    diags: &mut Vec<Diagnostic>,
    session: &Session,
) {
    // Each entry's part was made with the entry (`serve` makes this key on every edit).
    let mut key = KeyBuilder::new("overlap");
    for e in &site.entries {
        key = key.bytes(&e.overlap_key);
    }
    let reports = session
        .memo::<Arc<Vec<Report>>>("validate.overlap")
        .get_or(key.key(), || Arc::new(report::reports(site, &find(site))));
    diags.extend(reports.iter().map(|(entry, key, needle, d)| match entry {
        Some(i) => at(&site.entries[*i].id, key, needle, d.clone()),
        None => d.clone(),
    }));
}

/// The entry with its part of [`check`]'s cache key: everything of it the rules read.
pub(super) fn keyed(mut e: crate::model::Entry) -> crate::model::Entry {
    let mut key = KeyBuilder::new("overlap entry")
        .bytes(e.id.tool.as_bytes())
        .bytes(e.id.slug.as_bytes())
        .bytes(e.title.as_bytes())
        .bytes(&(e.patterns.len() as u64).to_le_bytes())
        .bytes(&(e.examples.len() as u64).to_le_bytes());
    for text in e.patterns.iter().chain(&e.examples) {
        key = key.bytes(text.as_bytes());
    }
    e.overlap_key = key.key();
    e
}

/// Patterns, of one entry or several, that match exactly the same lines.
#[derive(Debug)]
pub(super) struct Class {
    /// (entry, index of the pattern in the entry), in entry order.
    members: Vec<(usize, usize)>,
    /// The distinct entries of `members`, in order.
    entries: Vec<usize>,
    specificity: usize,
    /// Every member is a `context:` pattern.
    context: bool,
}

/// One text of an entry that `check` runs through the patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Text {
    /// The example at this index.
    Example(usize),
    Title,
}

/// Where an entry's text is matched by another entry's pattern: the line of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Seen {
    pub entry: usize,
    pub text: Text,
    pub line: usize,
}

/// How many entries' texts one class matches with one severity, and the first of them.
#[derive(Debug, Default)]
pub(super) struct Over {
    /// Distinct entries.
    pub count: usize,
    /// The first [`report::NAMED`] of them, by entry.
    pub first: Vec<Seen>,
    pub titles: bool,
    pub examples: bool,
}

impl Over {
    /// One more entry.
    fn add(&mut self, seen: Seen, titles: bool, examples: bool) {
        self.count += 1;
        if self.first.len() < report::NAMED || self.first.last().is_some_and(|l| seen < *l) {
            let at = self.first.partition_point(|s| *s < seen);
            self.first.insert(at, seen);
            self.first.truncate(report::NAMED);
        }
        self.titles |= titles;
        self.examples |= examples;
    }

    fn merge(&mut self, other: Over) {
        self.count += other.count;
        self.first.extend(other.first);
        self.first.sort_unstable();
        self.first.truncate(report::NAMED);
        self.titles |= other.titles;
        self.examples |= other.examples;
    }
}

/// Everything the rules found, before it is worded.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub classes: Vec<Class>,
    /// Per class and severity (errors first), the entries whose texts it matches.
    pub overlaps: Vec<(usize, Severity, Over)>,
    /// Texts that no pattern of their own entry matches, in entry order.
    pub unmatched: Vec<(usize, Text)>,
}

/// Each entry's texts, in order: examples, then the title.
fn texts(e: &crate::model::Entry) -> impl Iterator<Item = (Text, &str)> {
    let examples = e.examples.iter().enumerate();
    examples
        .map(|(k, x)| (Text::Example(k), x.as_str()))
        .chain(std::iter::once((Text::Title, e.title.as_str())))
}

fn find(site: &Site) -> Found {
    // Every pattern compiled once, with its identity.
    let compiled: Vec<(usize, usize, Pattern, String)> = site
        .entries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            e.compiled.iter().enumerate().map(move |(k, p)| {
                let id = p.identity_key();
                (i, k, p.clone(), id)
            })
        })
        .collect();
    crate::timing::report_memory("overlap: compile");
    // Sized for every pattern being its own class (the unique shape): grown by doubling,
    // these moved tens of megabytes at 50k entries on one core.
    let n = compiled.len();
    let mut class_of: FastMap<String, usize> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    let mut classes: Vec<Class> = Vec::with_capacity(n);
    let mut representatives: Vec<(usize, Pattern)> = Vec::with_capacity(n);
    // Per entry, the classes of its specific (not `context:`) patterns.
    let mut own: Vec<Vec<usize>> = vec![Vec::new(); site.entries.len()];
    for (i, k, p, id) in compiled {
        let context = p.is_context();
        let c = *class_of.entry(id).or_insert_with(|| {
            classes.push(Class {
                members: Vec::new(),
                entries: Vec::new(),
                specificity: p.specificity(),
                context: true,
            });
            representatives.push((classes.len() - 1, p));
            classes.len() - 1
        });
        let class = &mut classes[c];
        class.context &= context;
        class.members.push((i, k));
        if class.entries.last() != Some(&i) {
            class.entries.push(i);
        }
        if !context && !own[i].contains(&c) {
            own[i].push(c);
        }
    }
    crate::timing::report_memory("overlap: classes");
    // Every distinct line once: families of entries repeat their wording. The lines stay
    // where they are (an unchanged line is the entry's own text) and the table points
    // into them: copying 125,000 lines at 50k into a growing map made this one-core step
    // grow 14 times for 5 times the entries.
    let normalized: Vec<Vec<(Text, Vec<std::borrow::Cow<'_, str>>)>> = site
        .entries
        .par_iter()
        .map(|e| {
            texts(e)
                .map(|(t, s)| (t, s.lines().map(pattern::normalize_line).collect()))
                .collect()
        })
        .collect();
    // The table of lines is made on one core: beside the automata, which take the other.
    let (set, (lines, per_entry)) = rayon::join(
        || Chunked::new(representatives),
        || distinct_lines(&normalized),
    );
    crate::timing::report_memory("overlap: automata and lines");
    let hits: Vec<Vec<usize>> = lines.par_iter().map(|l| set.matching(l)).collect();
    drop(lines);
    drop(normalized);
    drop(set);
    crate::timing::report_memory("overlap: matches");

    let acc = per_entry
        .par_iter()
        .enumerate()
        .fold(Acc::default, |mut acc, (i, texts)| {
            acc.entry(i, texts, &hits, &classes, &own[i]);
            acc
        })
        .reduce(Acc::default, Acc::merge);
    let mut overlaps: Vec<(usize, Severity, Over)> = acc
        .over
        .into_iter()
        .map(|((c, error), o)| {
            let severity = if error {
                Severity::Error
            } else {
                Severity::Warning
            };
            (c, severity, o)
        })
        .collect();
    overlaps.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut unmatched = acc.unmatched;
    unmatched.sort_unstable();
    Found {
        classes,
        overlaps,
        unmatched,
    }
}

/// Every distinct line of `normalized` once, and each text's lines as their numbers.
#[allow(clippy::type_complexity)]
fn distinct_lines<'a>(
    normalized: &'a [Vec<(Text, Vec<std::borrow::Cow<'_, str>>)>],
) -> (Vec<&'a str>, Vec<Vec<(Text, Vec<usize>)>>) {
    let total: usize = normalized
        .iter()
        .flat_map(|texts| texts.iter().map(|(_, ls)| ls.len()))
        .sum();
    let mut line_of: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(total, Default::default());
    let mut lines: Vec<&str> = Vec::with_capacity(total);
    let per_entry = normalized
        .iter()
        .map(|texts| {
            texts
                .iter()
                .map(|(t, ls)| {
                    let ids = ls
                        .iter()
                        .map(|l| {
                            let next = lines.len();
                            *line_of.entry(l).or_insert_with(|| {
                                lines.push(l);
                                next
                            })
                        })
                        .collect();
                    (*t, ids)
                })
                .collect()
        })
        .collect();
    (lines, per_entry)
}

/// What a share of the entries found, merged pairwise into the whole.
#[derive(Default)]
struct Acc {
    /// By class and whether the severity is an error.
    over: FastMap<(usize, bool), Over>,
    unmatched: Vec<(usize, Text)>,
}

impl Acc {
    /// Entry `i`'s texts against the hits of their lines.
    fn entry(
        &mut self,
        i: usize,
        texts: &[(Text, Vec<usize>)],
        hits: &[Vec<usize>],
        classes: &[Class],
        own: &[usize],
    ) {
        // Per class of other entries: the worst severity, where first seen, and what.
        let mut by_class: FastMap<usize, (Severity, Seen, bool, bool)> = FastMap::default();
        for (text, ids) in texts {
            let mut matched = false;
            for (line, &id) in ids.iter().enumerate() {
                let Some(hits) = hits.get(id) else {
                    continue;
                };
                let best_own = own
                    .iter()
                    .filter(|c| hits.binary_search(c).is_ok())
                    .map(|&c| classes[c].specificity)
                    .max();
                matched |= best_own.is_some();
                for &c in hits {
                    let class = &classes[c];
                    // Its own patterns, and summary lines that only say "one of these".
                    if class.entries == [i] || class.context {
                        continue;
                    }
                    // Another entry's pattern. It wins the line when it is more specific
                    // than the best of this entry's own patterns there.
                    let severity = match best_own {
                        Some(best) if class.specificity > best => Severity::Error,
                        _ => Severity::Warning,
                    };
                    let seen = Seen {
                        entry: i,
                        text: *text,
                        line,
                    };
                    let is_title = *text == Text::Title;
                    let slot = by_class
                        .entry(c)
                        .or_insert((severity, seen, is_title, !is_title));
                    if severity > slot.0 {
                        (slot.0, slot.1) = (severity, seen);
                    }
                    slot.2 |= is_title;
                    slot.3 |= !is_title;
                }
            }
            if !matched {
                self.unmatched.push((i, *text));
            }
        }
        for (c, (severity, seen, titles, examples)) in by_class {
            let key = (c, severity == Severity::Error);
            self.over
                .entry(key)
                .or_default()
                .add(seen, titles, examples);
        }
    }

    fn merge(mut self, other: Acc) -> Acc {
        for (k, o) in other.over {
            self.over.entry(k).or_default().merge(o);
        }
        self.unmatched.extend(other.unmatched);
        self
    }
}

/// The classes' patterns in one [`PatternSet`] per core, built side by side: one
/// automaton for 50,000 entries' patterns takes about 350 ms to build on one core.
struct Chunked {
    sets: Vec<PatternSet>,
}

/// Fewest patterns per set: smaller sets are not worth an automaton of their own.
const MIN_CHUNK: usize = 4096;

impl Chunked {
    /// From (class, pattern) pairs; [`Chunked::matching`] answers with the classes.
    fn new(patterns: Vec<(usize, Pattern)>) -> Chunked {
        // One set per core. Every line is scanned by every automaton, so each set more
        // costs a scan of all lines (the matching step, at 50k families entries: 110 ms
        // with one set, 160-190 with two, 310-400 with four), while building them side
        // by side gains only up to the number of cores (one set: 350 ms on one core).
        Chunked::in_sets(patterns, rayon::current_num_threads(), MIN_CHUNK)
    }

    /// In `sets` sets of at least `min` patterns (fewer sets when there are not enough).
    fn in_sets(patterns: Vec<(usize, Pattern)>, sets: usize, min: usize) -> Chunked {
        let size = patterns.len().div_ceil(sets.max(1)).max(min.max(1));
        let mut chunks: Vec<Vec<(usize, Pattern)>> = Vec::new();
        let mut rest = patterns.into_iter().peekable();
        while rest.peek().is_some() {
            chunks.push(rest.by_ref().take(size).collect());
        }
        Chunked {
            sets: chunks.into_par_iter().map(PatternSet::new).collect(),
        }
    }

    /// The classes whose pattern matches the line, in increasing order.
    fn matching(&self, normalized_line: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for set in &self.sets {
            out.extend(
                set.matching(normalized_line)
                    .into_iter()
                    .filter_map(|i| set.get(i).map(|(class, _)| class)),
            );
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests;
