//! `errkb gaps`: the errors in CI logs that no entry of the knowledge base covers yet,
//! as templates ranked by how many logs show them.
//!
//! Each log is streamed line by line (memory does not grow with its size): a cheap
//! byte search ([`errorish::may_be_error`]) skips nearly every line; the rest are
//! cleaned as `errkb match` cleans them, kept when they look like errors
//! ([`errorish`]) and no entry matches them ([`Catalog::covers`]), and turned into a
//! template ([`slots`]). Templates are counted per log in a [`Tally`] that keeps at most
//! a fixed number of them (the rarest are dropped first and counted), logs are read in
//! parallel and their tallies merged, and at the end near-identical templates are
//! clustered ([`cluster`]) and ranked: by logs, then lines.

pub mod cluster;
pub mod draft;
pub mod errorish;
pub mod input;
pub mod kinds;
pub mod report;
mod scan;
pub mod slots;
pub mod tool;

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::matcher::Catalog;
use input::Input;
use scan::scan_one;
pub use scan::scan_reader;

/// Templates kept by default (per log while reading it, and in total).
pub const DEFAULT_MAX_TEMPLATES: usize = 10_000;

/// Real lines kept per template.
pub const MAX_EXAMPLES: usize = 3;

/// One real line of a template.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The log it comes from, as named on the command line (or `<stdin>`).
    pub source: String,
    pub line_number: u64,
    /// The line cleaned as `errkb match` cleans it, cut like the template.
    pub line: String,
    /// Which log (in the order given) and line: the examples kept are the first ones,
    /// however the parallel reading was scheduled.
    #[serde(skip)]
    pub(crate) order: (usize, u64),
}

/// What is known of one template.
#[derive(Debug, Clone, Default)]
pub struct Stat {
    /// Logs that show it.
    pub logs: u64,
    /// Lines that show it, in all logs.
    pub lines: u64,
    /// The first [`MAX_EXAMPLES`] lines, distinct.
    pub examples: Vec<Example>,
    /// Tools guessed for its lines, with how many lines each.
    pub tools: Vec<(&'static str, u64)>,
    /// Which logs show it (indexes in input order), while there are at most
    /// [`MAX_LOG_IDS`]: clustering unites these, so a log that shows two merged wordings
    /// counts once. Past that, `logs` is a sum and may count such a log twice.
    log_ids: Vec<u32>,
    log_ids_full: bool,
}

/// Log indexes kept per template for exact counts when templates merge.
const MAX_LOG_IDS: usize = 1024;

impl Stat {
    fn new(log: usize) -> Stat {
        Stat {
            logs: 1,
            log_ids: vec![u32::try_from(log).unwrap_or(u32::MAX)],
            ..Default::default()
        }
    }

    /// Takes in `other`'s counts. Templates of different logs (`disjoint`) add up;
    /// merged templates unite their logs.
    fn absorb(&mut self, other: Stat, disjoint: bool) {
        if self.log_ids_full || other.log_ids_full {
            self.logs += other.logs;
            self.log_ids_full = true;
            self.log_ids = Vec::new();
        } else {
            self.log_ids.extend(other.log_ids);
            if !disjoint {
                self.log_ids.sort_unstable();
                self.log_ids.dedup();
            }
            if self.log_ids.len() > MAX_LOG_IDS {
                self.logs += other.logs;
                self.log_ids_full = true;
                self.log_ids = Vec::new();
            } else {
                self.logs = self.log_ids.len() as u64;
            }
        }
        self.lines += other.lines;
        for (t, n) in other.tools {
            self.vote(t, n);
        }
        self.add_examples(other.examples);
    }

    fn vote(&mut self, tool: &'static str, n: u64) {
        match self.tools.iter_mut().find(|(t, _)| *t == tool) {
            Some((_, c)) => *c += n,
            None => self.tools.push((tool, n)),
        }
    }

    fn add_examples(&mut self, more: Vec<Example>) {
        self.examples.extend(more);
        self.examples.sort_by_key(|e| e.order);
        let mut seen: Vec<String> = Vec::new();
        self.examples.retain(|e| {
            let fresh = !seen.contains(&e.line) && seen.len() < MAX_EXAMPLES;
            if fresh {
                seen.push(e.line.clone());
            }
            fresh
        });
    }

    /// The tool most lines were guessed to come from.
    pub fn tool(&self) -> Option<&'static str> {
        self.tools
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|&(t, _)| t)
    }
}

/// Templates and their counts, at most `cap` of them (past that the rarest are dropped
/// and counted).
#[derive(Debug)]
pub struct Tally {
    pub map: HashMap<String, Stat>,
    cap: usize,
    /// Templates dropped to keep within the cap, and the lines they had.
    pub dropped_templates: u64,
    pub dropped_lines: u64,
}

impl Tally {
    pub fn new(cap: usize) -> Tally {
        Tally {
            map: HashMap::new(),
            cap: cap.max(1),
            dropped_templates: 0,
            dropped_lines: 0,
        }
    }

    pub(crate) fn add(&mut self, template: String, example: Example, tool: Option<&'static str>) {
        let log = example.order.0;
        let stat = self.map.entry(template).or_insert_with(|| Stat::new(log));
        stat.lines += 1;
        if let Some(t) = tool {
            stat.vote(t, 1);
        }
        if stat.examples.len() < MAX_EXAMPLES
            && !stat.examples.iter().any(|e| e.line == example.line)
        {
            stat.examples.push(example);
        }
        self.trim();
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.dropped_templates += other.dropped_templates;
        self.dropped_lines += other.dropped_lines;
        for (k, v) in other.map {
            match self.map.get_mut(&k) {
                Some(s) => s.absorb(v, true),
                None => {
                    self.map.insert(k, v);
                }
            }
        }
        self.trim();
        self
    }

    /// Past half again the cap, keeps the `cap` templates seen in most logs and lines
    /// and counts the others as dropped: memory stays flat however varied the logs are,
    /// and a sort happens once per `cap / 2` new templates, not per line.
    fn trim(&mut self) {
        if self.map.len() <= self.cap + self.cap / 2 {
            return;
        }
        let mut all: Vec<(String, Stat)> = self.map.drain().collect();
        all.sort_by(|a, b| {
            (b.1.logs, b.1.lines)
                .cmp(&(a.1.logs, a.1.lines))
                .then_with(|| a.0.cmp(&b.0))
        });
        for (_, s) in all.drain(self.cap..) {
            self.dropped_templates += 1;
            self.dropped_lines += s.lines;
        }
        self.map = all.into_iter().collect();
    }
}

/// An input that was not read as a log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

/// Counts over all logs read.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Totals {
    pub logs: u64,
    pub lines: u64,
    pub error_lines: u64,
    pub covered_lines: u64,
    /// Error lines that only said how a step ended, after another error line of the
    /// same log ([`errorish::is_outcome`]).
    pub outcome_lines: u64,
    /// Lines longer than the 1 MiB that is read of a line.
    pub long_lines: u64,
    /// Inputs not read as logs, with why (binary files).
    pub skipped: Vec<Skipped>,
}

impl Totals {
    fn merge(mut self, o: Totals) -> Totals {
        self.logs += o.logs;
        self.lines += o.lines;
        self.error_lines += o.error_lines;
        self.covered_lines += o.covered_lines;
        self.outcome_lines += o.outcome_lines;
        self.long_lines += o.long_lines;
        self.skipped.extend(o.skipped);
        self
    }
}

/// Everything read: the tally, the totals, and the inputs that failed.
pub struct Scan {
    pub tally: Tally,
    pub totals: Totals,
    /// `(input index, message naming the input)`, in input order.
    pub errors: Vec<(usize, String)>,
}

impl Scan {
    fn new(cap: usize) -> Scan {
        Scan {
            tally: Tally::new(cap),
            totals: Totals::default(),
            errors: Vec::new(),
        }
    }

    fn merge(mut self, o: Scan) -> Scan {
        self.tally = self.tally.merge(o.tally);
        self.totals = self.totals.merge(o.totals);
        self.errors.extend(o.errors);
        self
    }
}

/// Reads every input (in parallel) and tallies the uncovered error lines.
pub fn scan(inputs: &[Input], catalog: &Catalog, cap: usize) -> Scan {
    let mut out = inputs
        .par_iter()
        .enumerate()
        .fold(
            || Scan::new(cap),
            |mut acc, (i, input)| {
                match scan_one(i, input, catalog, cap) {
                    Ok(Some((tally, totals))) => {
                        acc.tally = acc.tally.merge(tally);
                        acc.totals = acc.totals.merge(totals);
                    }
                    Ok(None) => {
                        acc.totals.skipped.push(Skipped {
                            source: input.name().to_string(),
                            reason: "binary data, not a log".into(),
                        });
                    }
                    Err(m) => acc.errors.push((i, m)),
                }
                acc
            },
        )
        .reduce(|| Scan::new(cap), Scan::merge);
    out.errors.sort();
    out.totals.skipped.sort();
    out
}
