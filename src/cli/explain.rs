//! `errkb explain <id | "error text">`: an entry, readable in a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use super::exit;
use super::source::{self, Loaded, SourceArgs};
use crate::json_shape::Obj;
use crate::model::EntryId;
use crate::term;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An entry id (docker/exec-format-error) or error text to look up
    pub query: String,
    #[command(flatten)]
    pub source: SourceArgs,
}

pub(super) fn run(a: &Args) -> u8 {
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
                if let Some((candidates, line)) = catalog.generic(&a.query) {
                    // A family's summary line: naming one entry would print its fix for
                    // the others' errors.
                    let ids: Vec<_> = candidates
                        .iter()
                        .map(|&i| term::line(&catalog.entries[i].id))
                        .collect();
                    eprintln!(
                        "generic: `{}` alone does not say which error it is; see: {}\nexplain one of these ids, or give the lines printed around it",
                        term::line(&line),
                        ids.join(", ")
                    );
                } else {
                    eprintln!(
                        "no entry matches that text; try part of the error message as printed, or an id like docker/exec-format-error"
                    );
                }
                return exit::CONTENT;
            }
        },
    };
    let id = catalog.entries[index].id.clone();
    let (entry, loc): (Value, String) = match &loaded {
        Loaded::Site(site, _) => (
            EntryId::parse(&id)
                .and_then(|i| site.entry(&i))
                .and_then(|e| serde_json::to_value(e).ok())
                .unwrap_or(Value::Null),
            id.clone(),
        ),
        Loaded::Built { location, .. } => {
            let loc = source::entry_json_location(location, &id);
            match source::fetch(&loc) {
                Ok(bytes) => match serde_json::from_slice(&bytes) {
                    Ok(v) => (v, loc),
                    Err(e) => {
                        eprintln!(
                            "error: {}: {}",
                            term::line(&loc),
                            term::text(&e.to_string())
                        );
                        return exit::USAGE;
                    }
                },
                Err(m) => {
                    // Sites build no per-entry files unless `api.entries` asks for them:
                    // the catalog's own summary is still worth printing.
                    eprintln!(
                        "note: {}; showing the catalog's summary (a site writes every step to api/<tool>/<slug>.json when its errkb.yaml sets api.entries: compact)",
                        term::text(&m)
                    );
                    (from_catalog(&catalog.entries[index]), loc)
                }
            }
        }
    };
    let shown = match Shown::read(&entry) {
        Ok(s) => s,
        Err(m) => {
            eprintln!(
                "error: {}: not an errkb entry: {}",
                term::line(&loc),
                term::text(&m)
            );
            return exit::USAGE;
        }
    };
    let url = &catalog.entries[index].url;
    let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
    if let Some(line) = &matched_line {
        let dim = Style::new().dimmed();
        let _ = writeln!(out, "{dim}Best match for: {}{dim:#}\n", term::line(line));
    }
    let _ = print(&mut out, &shown, url);
    exit::OK
}

/// What the catalog knows of an entry, shaped like an entry file: the first fix command
/// is the one step it has.
fn from_catalog(e: &crate::matcher::CatalogEntry) -> Value {
    let fix: Vec<Value> = e
        .first_fix
        .iter()
        .map(|run| serde_json::json!({ "run": run }))
        .collect();
    serde_json::json!({
        "title": e.title,
        "summary": e.summary,
        "likely_cause": e.likely_cause,
        "fix": fix,
    })
}

/// The parts of an entry that `explain` prints, their types checked: an entry file may
/// come from anyone's server, and a wrong type must be an error, not a blank.
struct Shown<'a> {
    title: &'a str,
    summary: &'a str,
    likely_cause: &'a str,
    /// `(section name, steps)` in the order a reader follows them.
    sections: Vec<(&'static str, &'static str, Vec<Step<'a>>)>,
    unsafe_: Vec<(&'a str, &'a str)>,
}

struct Step<'a> {
    title: Option<&'a str>,
    text: Option<&'a str>,
    run: Option<&'a str>,
    expect: Option<&'a str>,
}

impl<'a> Shown<'a> {
    fn read(v: &'a Value) -> Result<Shown<'a>, String> {
        let e = Obj::root(v, "entry")?;
        let mut sections = Vec::new();
        for (key, name) in [
            ("confirm", "Confirm it is this error"),
            ("check", "Check the cause"),
            ("fix", "Apply the safe fix"),
            ("verify", "Verify it works"),
        ] {
            let steps = e
                .objects(key, false)?
                .iter()
                .map(|s| {
                    Ok(Step {
                        title: s.opt_string("title")?,
                        text: s.opt_string("text")?,
                        run: s.opt_string("run")?,
                        expect: s.opt_string("expect")?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            sections.push((key, name, steps));
        }
        let unsafe_ = e
            .objects("unsafe", false)?
            .iter()
            .map(|u| Ok((u.string("do_not")?, u.string("why")?)))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Shown {
            title: e.string("title")?,
            summary: e.string("summary")?,
            likely_cause: e.string("likely_cause")?,
            sections,
            unsafe_,
        })
    }
}

/// The entry as text; every string from it passes through [`term`].
fn print(out: &mut impl Write, e: &Shown, url: &str) -> std::io::Result<()> {
    let bold = Style::new().bold();
    let title = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let head = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let code = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let dim = Style::new().dimmed();
    writeln!(out, "{title}{}{title:#}", term::line(e.title))?;
    writeln!(out, "{}\n", term::text(e.summary))?;
    writeln!(
        out,
        "{bold}Most likely:{bold:#} {}\n",
        term::text(e.likely_cause)
    )?;
    let mut section = 0;
    for (key, name, steps) in &e.sections {
        if steps.is_empty() {
            continue;
        }
        if *key == "verify" {
            unsafe_block(out, e, warn)?;
        }
        section += 1;
        writeln!(out, "{head}{section}. {name}{head:#}")?;
        for (n, s) in steps.iter().enumerate() {
            let t = s.title.or(s.text).unwrap_or("");
            writeln!(out, "  {bold}{}.{bold:#} {}", n + 1, term::text(t.trim()))?;
            if let (Some(_), Some(t)) = (s.title, s.text) {
                for l in t.trim().lines() {
                    writeln!(out, "     {}", term::text(l))?;
                }
            }
            if let Some(run) = s.run {
                for l in run.trim_end().lines() {
                    writeln!(out, "     {code}{}{code:#}", term::command(l))?;
                }
            }
            if let Some(x) = s.expect {
                writeln!(out, "     {dim}expect: {}{dim:#}", term::text(x.trim()))?;
            }
        }
        writeln!(out)?;
    }
    writeln!(out, "{dim}{}{dim:#}", term::line(url))
}

fn unsafe_block(out: &mut impl Write, e: &Shown, warn: Style) -> std::io::Result<()> {
    if e.unsafe_.is_empty() {
        return Ok(());
    }
    writeln!(out, "{warn}! Don't use unsafe shortcuts{warn:#}")?;
    for (do_not, why) in &e.unsafe_ {
        writeln!(out, "  {warn}don't:{warn:#} {}", term::text(do_not))?;
        writeln!(out, "         {}", term::text(why))?;
    }
    writeln!(out)
}
