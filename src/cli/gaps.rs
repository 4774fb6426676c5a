//! `errkb gaps`: the errors in CI logs that no entry covers yet, ranked, and drafts of
//! their entries (the engine is [`crate::gaps`]).

use std::io::Write;
use std::path::PathBuf;

use super::exit;
use super::source::{self, SourceArgs};
use crate::gaps::{self, cluster, draft, input, report};
use crate::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GapsFormat {
    #[default]
    Human,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Logs to read: files, folders (read recursively), `.gz` files; `-` or nothing
    /// reads standard input
    #[arg(value_name = "FILE|DIR")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// `human` (a table), `json`, or `markdown` (for a pull-request comment)
    #[arg(long, value_enum, default_value_t = GapsFormat::Human)]
    pub format: GapsFormat,
    /// How many templates to list (and to draft with --new)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Draft an entry for each of the top templates in this site (its content/ folder);
    /// existing files are never overwritten
    #[arg(long = "new", value_name = "DIR")]
    pub new_dir: Option<PathBuf>,
    /// The most distinct templates kept in memory; rarer ones are dropped and counted
    #[arg(long, value_name = "N", default_value_t = gaps::DEFAULT_MAX_TEMPLATES)]
    pub max_templates: usize,
}

pub(super) fn run(a: &Args) -> u8 {
    let loaded = match source::load_or_report(&a.source) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Drafts need a site to go into: say so before reading gigabytes of logs.
    if let Some(dir) = &a.new_dir
        && !dir.join(crate::load::CONTENT_DIR).is_dir()
    {
        eprintln!(
            "error: --new {}: no content/ folder there; give a site's root folder (run `errkb init` to make one)",
            term::line(&dir.display().to_string())
        );
        return exit::USAGE;
    }
    let (inputs, errors) = input::expand(&a.files);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {}", term::line(e));
        }
        return exit::USAGE;
    }
    let scan = gaps::scan(&inputs, loaded.catalog(), a.max_templates);
    if !scan.errors.is_empty() {
        // A report from part of the logs would look complete: none at all.
        for (_, e) in &scan.errors {
            eprintln!("error: {}", term::line(e));
        }
        return exit::USAGE;
    }
    for s in &scan.totals.skipped {
        eprintln!("note: {}: {}; skipped", term::line(&s.source), s.reason);
    }
    if scan.totals.long_lines > 0 {
        eprintln!(
            "note: {} line(s) longer than 1 MiB; only their start was read",
            scan.totals.long_lines
        );
    }
    let dropped = (scan.tally.dropped_templates, scan.tally.dropped_lines);
    let totals = scan.totals;
    let clusters = cluster::cluster(scan.tally);
    let rep = report::Report::new(&clusters, &totals, dropped, a.top);
    let text = match a.format {
        GapsFormat::Human => report::human(&rep),
        GapsFormat::Json => report::json(&rep) + "\n",
        GapsFormat::Markdown => report::markdown(&rep),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if a.format == GapsFormat::Human {
        eprintln!("{}", report::summary(&rep));
    }
    match &a.new_dir {
        Some(dir) => write_drafts(dir, &clusters[..clusters.len().min(a.top)]),
        None => exit::OK,
    }
}

fn write_drafts(dir: &std::path::Path, top: &[cluster::Cluster]) -> u8 {
    let mut written = 0;
    for o in draft::draft_all(dir, top) {
        match o.result {
            Ok(path) => {
                written += 1;
                eprintln!("drafted {}", term::line(&path.display().to_string()));
            }
            Err(why) => eprintln!(
                "skipped `{}`: {}",
                term::line(&o.template),
                term::line(&why)
            ),
        }
    }
    if written > 0 {
        eprintln!(
            "{written} draft(s) written; fill in every `TODO:` (`errkb check` refuses them until none is left)"
        );
    }
    exit::OK
}
