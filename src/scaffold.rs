//! Writing a new entry file: the one code path behind `errkb new` (a skeleton) and
//! `errkb gaps --new` (a draft filled from logs). Ids are checked with the rules `check`
//! applies, nothing is written through a link that leads out of the site, and an
//! existing entry is never overwritten.

use std::path::{Path, PathBuf};

use crate::fsutil;
use crate::load::reserved_tool;
use crate::model::{segment_problem, suggest_segment};
use crate::validate::schema;
use crate::yaml::quote;

/// What is known of the entry to write; everything else gets a `TODO:` marker.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The error message (also the first pattern when `patterns` is empty).
    pub title: Option<String>,
    /// Patterns; empty means the title, or a `TODO:` when there is no title either.
    pub patterns: Vec<String>,
    /// Real log excerpts; empty means a `TODO:` to paste one.
    pub examples: Vec<String>,
    /// A YAML comment put at the top of the front matter (e.g. where a draft came from).
    pub note: Option<String>,
}

/// Writes `content/<tool>/<slug>.md` under `root` (and the tool folder's `_tool.yaml`
/// when the folder is new). Returns the path written, or why nothing was.
pub fn create(root: &Path, id: &str, draft: &Draft) -> Result<PathBuf, String> {
    let id = id.trim().trim_matches('/');
    let (tool, slug) = check_id(id)?;
    let content = root.join(crate::load::CONTENT_DIR);
    if !content.is_dir() {
        return Err(format!(
            "no content/ folder in {}; run `errkb init` first or pass --root",
            root.display()
        ));
    }
    // The content folder or the tool folder may be symbolic links: never write through
    // one that leads out of the site.
    let boundary = fsutil::Boundary::new(root);
    let dir = content.join(tool);
    for p in [&content, &dir] {
        boundary
            .check_if_link(p)
            .map_err(|m| format!("{}: {m}", p.display()))?;
    }
    for ext in ["md", "yaml", "yml"] {
        let p = dir.join(format!("{slug}.{ext}"));
        if p.exists() || p.is_symlink() {
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
    let config = crate::config::Config::load(root).unwrap_or_default();
    let url = schema::editor_url(&config, schema::ENTRY_PATH, 2);
    // `write_new` refuses an existing file, so a race with another writer cannot
    // overwrite one either.
    fsutil::write_new(&path, skeleton(draft, &url).as_bytes()).map_err(|e| e.to_string())?;
    Ok(path)
}

/// The id's tool and slug, or why `check` would refuse an entry with that id: the same
/// segment rule ([`segment_problem`]) and the same reserved tool folders, worded as
/// `check` words them.
pub fn check_id(id: &str) -> Result<(&str, &str), String> {
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

/// A YAML block scalar (`|`) holding `text` indented under a list item, or a quoted
/// string when a block cannot hold it exactly (leading blanks, trailing spaces).
fn block_item(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with([' ', '\t'])
        && text.lines().all(|l| l == l.trim_end() && !l.contains('\t'));
    if plain {
        let mut s = String::from("  - |\n");
        for l in text.lines() {
            s.push_str("    ");
            s.push_str(l);
            s.push('\n');
        }
        s
    } else {
        format!("  - {}\n", quote(text))
    }
}

/// The entry's text: first the line that points an editor at the entry schema
/// `schema_url`, then every required key, a comment saying what it is for, `TODO:`
/// markers where a human must write.
pub fn skeleton(d: &Draft, schema_url: &str) -> String {
    let title_q = d.title.as_deref().map_or_else(
        || quote("TODO: the error message exactly as printed"),
        quote,
    );
    let patterns = if d.patterns.is_empty() {
        let p = d
            .title
            .as_deref()
            .map_or_else(|| quote("TODO: text from the error output"), quote);
        format!("  - {p}\n")
    } else {
        d.patterns
            .iter()
            .map(|p| format!("  - {}\n", quote(p)))
            .collect()
    };
    let examples = if d.examples.is_empty() {
        block_item("TODO: paste a real log excerpt here")
    } else {
        d.examples.iter().map(|e| block_item(e)).collect()
    };
    let note = d.note.as_deref().map_or_else(String::new, |n| {
        n.lines().map(|l| format!("# {l}\n")).collect()
    });
    format!(
        r#"---
{modeline}{note}# The error message exactly as the tool prints it: the page's heading.
title: {title_q}
# One or two sentences: what failed and why.
summary: "TODO: what failed and why"
# The single most likely cause, shown first.
likely_cause: "TODO: the most likely cause"
# Text that identifies this error in a log. <name> stands for a part that varies
# (a host, a path, a user); use every wording the tool prints.
patterns:
{patterns}# Real log excerpts with this error; `errkb check` proves the patterns match them.
examples:
{examples}# Each <name> slot used in a command: an example value and a short help.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_that_a_block_cannot_hold_are_quoted() {
        assert_eq!(block_item("a\nb"), "  - |\n    a\n    b\n");
        assert_eq!(block_item("  indented"), "  - \"  indented\"\n");
        assert_eq!(block_item("trailing "), "  - \"trailing \"\n");
    }

    #[test]
    fn a_skeleton_without_a_draft_is_what_new_always_wrote() {
        let s = skeleton(&Draft::default(), "../x.json");
        assert!(
            s.starts_with("---\n# yaml-language-server: $schema=../x.json\n# The error message"),
            "{s}"
        );
        assert!(
            s.contains("  - \"TODO: text from the error output\"\n"),
            "{s}"
        );
        assert!(
            s.contains("examples:\n  - |\n    TODO: paste a real log excerpt here\n"),
            "{s}"
        );
    }
}
