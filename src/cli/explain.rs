//! `errkb explain <id | "error text">`: an entry, readable in a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use super::exit;
use super::source::{self, Loaded, SourceArgs};
use crate::model::EntryId;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An entry id (docker/exec-format-error) or error text to look up
    pub query: String,
    #[command(flatten)]
    pub source: SourceArgs,
}

pub fn run(a: &Args) -> u8 {
    let loaded = match source::load_or_report(&a.source) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let catalog = loaded.catalog();
    let by_id = EntryId::parse(a.query.trim().trim_matches('/'))
        .and_then(|id| catalog.entries.iter().position(|e| e.id == id.to_string()));
    let (index, matched_line) = match by_id {
        Some(i) => (i, None),
        None => match catalog.best(&a.query) {
            Some((i, line)) => (i, Some(line)),
            None => {
                eprintln!(
                    "no entry matches that text; try part of the error message as printed, or an id like docker/exec-format-error"
                );
                return exit::CONTENT;
            }
        },
    };
    let id = catalog.entries[index].id.clone();
    let entry: Value = match &loaded {
        Loaded::Site(site, _) => EntryId::parse(&id)
            .and_then(|i| site.entry(&i))
            .and_then(|e| serde_json::to_value(e).ok())
            .unwrap_or(Value::Null),
        Loaded::Built { location, .. } => {
            let loc = source::entry_json_location(location, &id);
            match source::fetch(&loc)
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("{loc}: {e}")))
            {
                Ok(v) => v,
                Err(m) => {
                    eprintln!("error: {m}");
                    return exit::USAGE;
                }
            }
        }
    };
    let url = &catalog.entries[index].url;
    let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
    if let Some(line) = &matched_line {
        let dim = Style::new().dimmed();
        let _ = writeln!(out, "{dim}Best match for: {line}{dim:#}\n");
    }
    let _ = print(&mut out, &entry, url);
    exit::OK
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn print(out: &mut impl Write, e: &Value, url: &str) -> std::io::Result<()> {
    let bold = Style::new().bold();
    let title = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let head = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let code = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let dim = Style::new().dimmed();
    writeln!(out, "{title}{}{title:#}", text(&e["title"]))?;
    writeln!(out, "{}\n", text(&e["summary"]))?;
    writeln!(
        out,
        "{bold}Most likely:{bold:#} {}\n",
        text(&e["likely_cause"])
    )?;
    let mut section = 0;
    for (key, name) in [
        ("confirm", "Confirm it is this error"),
        ("check", "Check the cause"),
        ("fix", "Apply the safe fix"),
        ("verify", "Verify it works"),
    ] {
        let Some(steps) = e[key].as_array().filter(|s| !s.is_empty()) else {
            continue;
        };
        if key == "verify" {
            unsafe_block(out, e, warn)?;
        }
        section += 1;
        writeln!(out, "{head}{section}. {name}{head:#}")?;
        for (n, s) in steps.iter().enumerate() {
            let t = s["title"]
                .as_str()
                .or_else(|| s["text"].as_str())
                .unwrap_or("");
            writeln!(out, "  {bold}{}.{bold:#} {}", n + 1, t.trim())?;
            if s["title"].is_string()
                && let Some(t) = s["text"].as_str()
            {
                for l in t.trim().lines() {
                    writeln!(out, "     {l}")?;
                }
            }
            if let Some(run) = s["run"].as_str() {
                for l in run.trim_end().lines() {
                    writeln!(out, "     {code}{l}{code:#}")?;
                }
            }
            if let Some(x) = s["expect"].as_str() {
                writeln!(out, "     {dim}expect: {}{dim:#}", x.trim())?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "{dim}{url}{dim:#}")
}

fn unsafe_block(out: &mut impl Write, e: &Value, warn: Style) -> std::io::Result<()> {
    let Some(items) = e["unsafe"].as_array().filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    writeln!(out, "{warn}! Don't use unsafe shortcuts{warn:#}")?;
    for u in items {
        writeln!(out, "  {warn}don't:{warn:#} {}", text(&u["do_not"]))?;
        writeln!(out, "         {}", text(&u["why"]))?;
    }
    writeln!(out)
}
