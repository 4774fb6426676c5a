//! `errkb match`: name the knowledge-base entries a log shows.

use std::io::{BufReader, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::exit;
use super::source::{self, SourceArgs};
use crate::diag;
use crate::matcher::{Catalog, Found, Generic};
use crate::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MatchFormat {
    #[default]
    Human,
    Json,
    Github,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Log files to read; `-` or nothing reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// `human`, `json` (one object per match) or `github` (annotations for a CI job)
    #[arg(long, value_enum, default_value_t = MatchFormat::Human)]
    pub format: MatchFormat,
    /// Print the regular expression each pattern compiles to, one per line (Rust `regex`
    /// syntax, as ripgrep and grep -P read), and exit without reading logs
    #[arg(long)]
    pub print_regexes: bool,
}

#[derive(Serialize)]
struct JsonMatch<'a> {
    id: &'a str,
    title: &'a str,
    url: &'a str,
    likely_cause: &'a str,
    first_fix: Option<&'a str>,
    source: &'a str,
    line_number: u64,
    line: &'a str,
}

/// A line only `context:` patterns match: candidates, no cause or fix.
#[derive(Serialize)]
struct JsonGeneric<'a> {
    generic: bool,
    candidates: Vec<&'a str>,
    source: &'a str,
    line_number: u64,
    line: &'a str,
}

pub(super) fn run(a: &Args) -> u8 {
    let loaded = match source::load_or_report(&a.source) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let catalog = loaded.catalog();
    if a.print_regexes {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        // `\u{…}` is Rust regex syntax: a printed pattern keeps its meaning.
        for re in catalog.regexes() {
            if writeln!(out, "{}", term::line(&re)).is_err() {
                break;
            }
        }
        return exit::OK;
    }
    let inputs: Vec<String> = if a.files.is_empty() {
        vec!["-".into()]
    } else {
        a.files.clone()
    };
    let mut any = false;
    let stdout = std::io::stdout();
    let mut out = anstream::AutoStream::auto(stdout.lock());
    for name in &inputs {
        let found = if name == "-" {
            catalog.scan(std::io::stdin().lock())
        } else {
            match std::fs::File::open(name) {
                Ok(f) => catalog.scan(BufReader::with_capacity(256 * 1024, f)),
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", term::line(name));
                    return exit::USAGE;
                }
            }
        };
        let shown = if name == "-" {
            "<stdin>".into()
        } else {
            term::line(name)
        };
        let scanned = match found {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: reading {shown}: {e}");
                return exit::USAGE;
            }
        };
        // Found entries and generic lines, in line order.
        let mut generic = scanned.generic.iter().peekable();
        for f in &scanned.found {
            while let Some(g) = generic.next_if(|g| g.line_number < f.line_number) {
                let _ = print_generic(&mut out, a.format, catalog, g, &shown);
            }
            let _ = print(&mut out, a.format, catalog, f, &shown);
        }
        for g in generic {
            let _ = print_generic(&mut out, a.format, catalog, g, &shown);
        }
        // A generic line is a finding too: the log shows a known family of errors.
        any |= !scanned.found.is_empty() || !scanned.generic.is_empty();
        if let Some(n) = scanned.first_long_line {
            let _ = out.flush();
            let count = scanned.long_lines;
            eprintln!(
                "note: {shown}: line {n} is longer than 1 MiB; only the first 1 MiB of such a line is matched ({count} line{})",
                if count == 1 { "" } else { "s" }
            );
        }
    }
    if !any && a.format == MatchFormat::Human {
        eprintln!("no known error found");
    }
    if any { exit::OK } else { exit::CONTENT }
}

/// A generic line: which entries it may be, and that the line alone cannot tell.
fn print_generic(
    out: &mut impl Write,
    format: MatchFormat,
    c: &Catalog,
    g: &Generic,
    source: &str,
) -> std::io::Result<()> {
    let ids: Vec<&str> = g
        .candidates
        .iter()
        .map(|&i| c.entries[i].id.as_str())
        .collect();
    const ALONE: &str = "this line alone does not say which error it is";
    match format {
        MatchFormat::Json => {
            let j = JsonGeneric {
                generic: true,
                candidates: ids,
                source,
                line_number: g.line_number,
                line: &g.line,
            };
            let json = serde_json::to_string(&j).unwrap_or_default();
            writeln!(out, "{}", term::json(json))
        }
        MatchFormat::Github => {
            let mut msg = format!(
                "{source}:{}: {}\n{ALONE}; see the one that fits:",
                g.line_number,
                term::line(&g.line)
            );
            for &i in &g.candidates {
                let e = &c.entries[i];
                msg.push_str(&format!(
                    "\n- {}: {}",
                    term::line(&e.title),
                    term::line(&e.url)
                ));
            }
            writeln!(
                out,
                "::notice title=Generic error line::{}",
                diag::gh_escape_data(&msg)
            )
        }
        MatchFormat::Human => {
            let bold = Style::new().bold();
            let dim = Style::new().dimmed();
            let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
            let line = term::line(&g.line);
            writeln!(out, "{dim}{source}:{}:{dim:#} {line}", g.line_number)?;
            writeln!(
                out,
                "  {bold}generic:{bold:#} {ALONE}; see the one that fits ({}):",
                ids.len()
            )?;
            for &i in &g.candidates {
                let e = &c.entries[i];
                let (title, id) = (term::line(&e.title), term::line(&e.id));
                writeln!(
                    out,
                    "    {title}  {dim}[{id}]{dim:#}  {cyan}{}{cyan:#}",
                    term::line(&e.url)
                )?;
            }
            writeln!(out)
        }
    }
}

/// One match, every string from the catalog and the log made inert ([`term`]): the
/// catalog may come from anyone's server, the log from anyone's pull request.
fn print(
    out: &mut impl Write,
    format: MatchFormat,
    c: &Catalog,
    f: &Found,
    source: &str,
) -> std::io::Result<()> {
    let e = &c.entries[f.entry];
    match format {
        MatchFormat::Json => {
            let j = JsonMatch {
                id: &e.id,
                title: &e.title,
                url: &e.url,
                likely_cause: &e.likely_cause,
                first_fix: e.first_fix.as_deref(),
                source,
                line_number: f.line_number,
                line: &f.line,
            };
            let json = serde_json::to_string(&j).unwrap_or_else(|e| {
                serde_json::json!({ "error": format!("a match could not be written as JSON: {e}") })
                    .to_string()
            });
            writeln!(out, "{}", term::json(json))
        }
        MatchFormat::Github => {
            let mut msg = format!(
                "{source}:{}: {}\nMost likely: {}",
                f.line_number,
                term::line(&f.line),
                term::text(&e.likely_cause)
            );
            if let Some(fix) = &e.first_fix {
                let first = fix.lines().next().unwrap_or("");
                msg.push_str(&format!("\nFix: {}", term::command(first)));
            }
            msg.push_str(&format!("\nSee {}", term::line(&e.url)));
            writeln!(
                out,
                "::error title={}::{}",
                diag::gh_escape_prop(&term::line(&e.title)),
                diag::gh_escape_data(&msg)
            )
        }
        MatchFormat::Human => {
            let bold = Style::new().bold();
            let dim = Style::new().dimmed();
            let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
            let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
            let (line, title, id) = (term::line(&f.line), term::line(&e.title), term::line(&e.id));
            writeln!(out, "{dim}{source}:{}:{dim:#} {line}", f.line_number)?;
            writeln!(out, "  {red}{title}{red:#}  {dim}[{id}]{dim:#}")?;
            writeln!(
                out,
                "  {bold}Most likely:{bold:#} {}",
                term::text(&e.likely_cause)
            )?;
            if let Some(fix) = &e.first_fix {
                let mut lines = fix.lines().map(term::command);
                writeln!(
                    out,
                    "  {bold}Fix:{bold:#} {}",
                    lines.next().unwrap_or_default()
                )?;
                for l in lines {
                    writeln!(out, "       {l}")?;
                }
            }
            writeln!(out, "  {cyan}{}{cyan:#}\n", term::line(&e.url))
        }
    }
}
