//! `errkb new <tool>/<slug>`: a skeleton entry with every required key.

use std::path::PathBuf;

use super::exit;
use crate::fsutil;
use crate::load::reserved_tool;
use crate::model::{segment_problem, suggest_segment};
use crate::term;
use crate::validate::schema;
use crate::yaml::quote;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new entry's id, `tool/slug` (e.g. docker/exec-format-error)
    pub id: String,
    /// The error message, exactly as the tool prints it
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// The site's root folder
    #[arg(long, short = 'r', value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

pub(super) fn run(a: &Args) -> u8 {
    match create(a) {
        Ok(path) => {
            eprintln!("created {}", term::line(&path.display().to_string()));
            eprintln!("fill in every `TODO:`; `errkb check` refuses the entry until none is left");
            exit::OK
        }
        Err(m) => {
            eprintln!("error: {}", term::text(&m));
            exit::USAGE
        }
    }
}

fn create(a: &Args) -> Result<PathBuf, String> {
    let id = a.id.trim().trim_matches('/');
    let (tool, slug) = check_id(id)?;
    let content = a.root.join(crate::load::CONTENT_DIR);
    if !content.is_dir() {
        return Err(format!(
            "no content/ folder in {}; run `errkb init` first or pass --root",
            a.root.display()
        ));
    }
    // The content folder or the tool folder may be symbolic links: never write through
    // one that leads out of the site.
    let boundary = fsutil::Boundary::new(&a.root);
    let dir = content.join(tool);
    for p in [&content, &dir] {
        boundary
            .check_if_link(p)
            .map_err(|m| format!("{}: {m}", p.display()))?;
    }
    for ext in ["md", "yaml", "yml"] {
        let p = dir.join(format!("{slug}.{ext}"));
        if p.exists() {
            return Err(format!(
                "{} already exists; not overwriting it",
                p.display()
            ));
        }
    }
    if !dir.exists() {
        fsutil::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let name = tool_display_name(tool);
        let meta = format!(
            "# How the tool is shown on the site.\nname: {}\ndescription: {}\n# homepage: https://…\n",
            quote(&name),
            quote(&format!("Errors from {name}."))
        );
        fsutil::write_new(&dir.join("_tool.yaml"), meta.as_bytes()).map_err(|e| e.to_string())?;
    }
    let path = dir.join(format!("{slug}.md"));
    // A broken errkb.yaml is `check`'s to report; the skeleton still gets a schema line.
    let config = crate::config::Config::load(&a.root).unwrap_or_default();
    let url = schema::editor_url(&config, schema::ENTRY_PATH, 2);
    fsutil::write_new(&path, skeleton(a.title.as_deref(), &url).as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(path)
}

/// The id's tool and slug, or why `check` would refuse an entry with that id: the same
/// segment rule ([`segment_problem`]) and the same reserved tool folders, worded as
/// `check` words them.
fn check_id(id: &str) -> Result<(&str, &str), String> {
    let Some((tool, slug)) = id.split_once('/') else {
        return Err(format!(
            "`{id}` is not an entry id: write it as tool/slug, e.g. `{}/{}`",
            suggest_segment(id),
            "error-message"
        ));
    };
    for (what, seg) in [("tool", tool), ("slug", slug)] {
        if let Some(problem) = segment_problem(seg) {
            return Err(format!(
                "`{id}` is not a valid id: its {what} {problem}; did you mean `{}/{}`?",
                suggest_segment(tool),
                suggest_segment(slug)
            ));
        }
    }
    if let Some(m) = reserved_tool(tool) {
        return Err(format!("{m} (rename the tool, e.g. to `{tool}-tool`)"));
    }
    Ok((tool, slug))
}

fn tool_display_name(tool: &str) -> String {
    tool.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The skeleton: every required key, a comment saying what it is for, `TODO:` markers,
/// and first the line that points an editor at the entry schema `schema_url`.
pub(super) fn skeleton(title: Option<&str>, schema_url: &str) -> String {
    let title_q = title.map_or_else(
        || quote("TODO: the error message exactly as printed"),
        quote,
    );
    let pattern_q = title.map_or_else(|| quote("TODO: text from the error output"), quote);
    format!(
        r#"---
{modeline}# The error message exactly as the tool prints it: the page's heading.
title: {title_q}
# One or two sentences: what failed and why.
summary: "TODO: what failed and why"
# The single most likely cause, shown first.
likely_cause: "TODO: the most likely cause"
# Text that identifies this error in a log. <name> stands for a part that varies
# (a host, a path, a user); use every wording the tool prints.
patterns:
  - {pattern_q}
# Real log excerpts with this error; `errkb check` proves the patterns match them.
examples:
  - |
    TODO: paste a real log excerpt here
# Each <name> slot used in a command: an example value and a short help.
# placeholders:
#   host: {{ example: "db.example.org", help: "The server you connect to" }}
# Steps: a Markdown string, or a map with title, run (a command), text, expect.
fix:
  - title: "TODO: the first safe step"
    run: "TODO: the command"
    expect: "TODO: what the reader sees when it worked"
# Tempting shortcuts that make things worse, and the harm each does.
unsafe:
  - do_not: "TODO: a tempting shortcut"
    why: "TODO: the harm it does"
# How to prove the fix worked.
verify:
  - title: "TODO: check the fix"
    run: "TODO: the command"
    expect: "TODO: what success looks like"
# Optional: confirm, check, causes, related, aliases, links, tags, applies_to.
tags: []
updated: {today}
---

## Why it happens

TODO: explain the mechanism behind the error.

## How to prevent it

TODO: what keeps it from coming back.
"#,
        today = crate::timing::today(),
        modeline = schema::modeline(schema_url)
    )
}
