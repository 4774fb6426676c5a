//! `errkb match`: name the knowledge-base entries a log shows.

use std::io::{BufReader, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::exit;
use super::source::{self, SourceArgs};
use crate::diag;
use crate::matcher::{Catalog, Found};

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

pub fn run(a: &Args) -> u8 {
    let loaded = match source::load_or_report(&a.source) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let catalog = loaded.catalog();
    if a.print_regexes {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for re in catalog.regexes() {
            if writeln!(out, "{re}").is_err() {
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
                    eprintln!("error: cannot read {name}: {e}");
                    return exit::USAGE;
                }
            }
        };
        let found = match found {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: reading {name}: {e}");
                return exit::USAGE;
            }
        };
        let shown = if name == "-" {
            "<stdin>"
        } else {
            name.as_str()
        };
        for f in &found {
            any = true;
            let _ = print(&mut out, a.format, catalog, f, shown);
        }
    }
    if !any && a.format == MatchFormat::Human {
        eprintln!("no known error found");
    }
    if any { exit::OK } else { exit::CONTENT }
}

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
            writeln!(out, "{}", serde_json::to_string(&j).unwrap_or_default())
        }
        MatchFormat::Github => {
            let mut msg = format!(
                "{source}:{}: {}\nMost likely: {}",
                f.line_number, f.line, e.likely_cause
            );
            if let Some(fix) = &e.first_fix {
                msg.push_str(&format!("\nFix: {}", fix.lines().next().unwrap_or("")));
            }
            msg.push_str(&format!("\nSee {}", e.url));
            writeln!(
                out,
                "::error title={}::{}",
                diag::gh_escape_prop(&e.title),
                diag::gh_escape_data(&msg)
            )
        }
        MatchFormat::Human => {
            let bold = Style::new().bold();
            let dim = Style::new().dimmed();
            let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
            let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
            writeln!(out, "{dim}{source}:{}:{dim:#} {}", f.line_number, f.line)?;
            writeln!(out, "  {red}{}{red:#}  {dim}[{}]{dim:#}", e.title, e.id)?;
            writeln!(out, "  {bold}Most likely:{bold:#} {}", e.likely_cause)?;
            if let Some(fix) = &e.first_fix {
                let mut lines = fix.lines();
                writeln!(out, "  {bold}Fix:{bold:#} {}", lines.next().unwrap_or(""))?;
                for l in lines {
                    writeln!(out, "       {l}")?;
                }
            }
            writeln!(out, "  {cyan}{}{cyan:#}\n", e.url)
        }
    }
}
