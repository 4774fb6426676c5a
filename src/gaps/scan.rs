//! Reading one log: the per-line loop of `errkb gaps`, and the blocks of continuation
//! lines that an entry matching one of them explains.
//!
//! Some tools print one error as a block of lines with the same prefix (`npm ERR!` …,
//! Maven's `[ERROR]` …, `remote:` …, Terraform's `│` …). When an entry matches one line
//! of such a block, the block's other lines are its details, not errors of their own:
//! they count as covered. A block that no entry matches is reported line by line.

use std::io::BufRead;

use super::input::Input;
use super::{Example, Tally, Totals, errorish, slots, tool};
use crate::matcher::{self, Catalog};
use crate::pattern;

/// One log: `None` when it is binary data.
pub(super) fn scan_one(
    index: usize,
    input: &Input,
    catalog: &Catalog,
    cap: usize,
) -> Result<Option<(Tally, Totals)>, String> {
    let name = input.name();
    let Some(mut reader) = input.open()? else {
        return Ok(None);
    };
    let read = scan_reader(index, name, &mut reader, catalog, cap);
    read.map(Some)
        .map_err(|(line, e)| format!("{name}: reading line {line}: {e}"))
}

/// Prefixes of tools that print one error as a block of lines.
const BLOCK_PREFIXES: &[&str] = &["npm ERR!", "npm error", "[ERROR]", "remote:", "│", "➤ YN"];

/// Lines held back while a block is open; a longer block's further lines are tallied
/// as they come (memory stays bounded whatever the log).
const MAX_BLOCK: usize = 256;

fn block_key(clean: &str) -> Option<&'static str> {
    let t = clean.trim_start();
    BLOCK_PREFIXES.iter().copied().find(|p| t.starts_with(p))
}

/// An open block: its prefix, whether an entry matched one of its lines, and its
/// uncovered lines so far.
struct Block {
    key: &'static str,
    covered: bool,
    held: Vec<(String, Example, Option<&'static str>)>,
}

impl Block {
    fn close(self, tally: &mut Tally, totals: &mut Totals) {
        if self.covered {
            totals.covered_lines += self.held.len() as u64;
        } else {
            for (t, e, tool) in self.held {
                tally.add(t, e, tool);
            }
        }
    }
}

/// Streams one log into a fresh tally. The error names the line that could not be
/// read (a truncated `.gz`, a disk error).
pub fn scan_reader(
    index: usize,
    name: &str,
    reader: &mut dyn BufRead,
    catalog: &Catalog,
    cap: usize,
) -> Result<(Tally, Totals), (u64, std::io::Error)> {
    let mut tally = Tally::new(cap);
    let mut totals = Totals {
        logs: 1,
        ..Default::default()
    };
    let mut buf = Vec::with_capacity(4096);
    let mut line_number = 0u64;
    let mut last_command: Option<&'static str> = None;
    let mut seen_error = false;
    let mut block: Option<Block> = None;
    loop {
        buf.clear();
        let cut = match matcher::read_line_capped(reader, &mut buf) {
            Ok(None) => break,
            Ok(Some(c)) => c,
            Err(e) => return Err((line_number + 1, e)),
        };
        line_number += 1;
        totals.long_lines += u64::from(cut);
        let shows_command = looks_like_command(&buf);
        if !shows_command && !errorish::may_be_error(&buf) && block.is_none() {
            continue;
        }
        let raw = String::from_utf8_lossy(&buf);
        let clean = pattern::clean_line(&raw);
        let key = block_key(&clean);
        if block.as_ref().is_some_and(|b| Some(b.key) != key)
            && let Some(b) = block.take()
        {
            b.close(&mut tally, &mut totals);
        }
        if shows_command {
            if let Some(t) = tool::command_of(&raw, &clean) {
                last_command = Some(t);
            }
            if tool::is_command_echo(&raw, &clean) {
                continue;
            }
        }
        if !errorish::is_error_line(&raw, &clean) {
            continue;
        }
        totals.error_lines += 1;
        let cause_seen = seen_error;
        seen_error = true;
        if cause_seen && errorish::is_outcome(&clean) {
            totals.outcome_lines += 1;
            continue;
        }
        let covered = catalog.covers(&raw);
        if let Some(k) = key {
            let b = block.get_or_insert_with(|| Block {
                key: k,
                covered: false,
                held: Vec::new(),
            });
            b.covered |= covered;
        }
        if covered {
            totals.covered_lines += 1;
            continue;
        }
        let line = slots::cut(&clean);
        let template = slots::template(line);
        if template.is_empty() {
            continue;
        }
        let example = Example {
            source: name.to_string(),
            line_number,
            line: line.to_string(),
            order: (index, line_number),
        };
        let tool = tool::of_line(line).or(last_command);
        match block.as_mut() {
            Some(b) if !b.covered && b.held.len() < MAX_BLOCK => {
                b.held.push((template, example, tool));
            }
            Some(b) if b.covered => totals.covered_lines += 1,
            _ => tally.add(template, example, tool),
        }
    }
    if let Some(b) = block {
        b.close(&mut tally, &mut totals);
    }
    totals.lines = line_number;
    Ok((tally, totals))
}

/// Whether a raw line may show a command being run (`Run …`, `+ …`, `$ …` near its
/// start): only those are cleaned to find the tool that ran.
fn looks_like_command(raw: &[u8]) -> bool {
    let head = &raw[..raw.len().min(48)];
    memchr::memmem::find(head, b"Run ").is_some()
        || memchr::memmem::find(head, b"+ ").is_some()
        || memchr::memmem::find(head, b"$ ").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::CatalogEntry;

    fn catalog() -> Catalog {
        Catalog::new(vec![CatalogEntry {
            id: "npm/eacces".into(),
            url: "/npm/eacces/".into(),
            title: "EACCES".into(),
            summary: String::new(),
            likely_cause: "x".into(),
            patterns: vec!["npm ERR! code EACCES".into()],
            first_fix: None,
        }])
    }

    fn templates(log: &str) -> Vec<String> {
        let (tally, _) = scan_reader(0, "t", &mut log.as_bytes(), &catalog(), 100)
            .unwrap_or_else(|_| panic!("read"));
        let mut v: Vec<String> = tally.map.into_keys().collect();
        v.sort();
        v
    }

    #[test]
    fn a_covered_block_explains_its_other_lines() {
        let log = "npm ERR! syscall mkdir\nnpm ERR! code EACCES\nnpm ERR! path /usr/lib/x\nnpm ERR! errno -13\nerror: something else broke\n";
        assert_eq!(templates(log), ["error: something else broke"]);
    }

    #[test]
    fn an_uncovered_block_is_reported_line_by_line() {
        let log = "npm ERR! code EUSAGE\nnpm ERR! unknown flag --frob\ndone\n";
        assert_eq!(
            templates(log),
            ["npm ERR! code EUSAGE", "npm ERR! unknown flag --frob"]
        );
    }

    #[test]
    fn echoed_commands_and_outcomes_after_a_cause_are_left_out() {
        let log = "$ deploy || echo \"deploy failed\"\nerror: the widget cannot start\nProcess completed with exit code 1.\n";
        assert_eq!(templates(log), ["error: the widget cannot start"]);
        assert_eq!(
            templates("Process completed with exit code 1.\n"),
            ["Process completed with exit code <number>."]
        );
    }
}
