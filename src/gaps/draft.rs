//! Drafting entries for the top templates through the same code as `errkb new`
//! ([`scaffold`]): the template as the first pattern, up to three real lines as
//! `examples`, the tool folder guessed from the logs (or `unsorted/`), `TODO:` markers
//! for what a person must write. A template that would not make a valid, specific
//! pattern is left out, with the reason.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::cluster::Cluster;
use crate::model::{MAX_SEGMENT_LEN, is_valid_segment, suggest_segment};
use crate::pattern::{self, PatternKind};
use crate::scaffold;

/// The folder of drafts whose tool could not be guessed.
pub const UNSORTED: &str = "unsorted";

/// Longest slug a draft gets (cut at a dash): the template's words, not all of them.
const MAX_SLUG: usize = 60;

/// What became of one template.
#[derive(Debug)]
pub struct Outcome {
    pub template: String,
    /// The file written, or why none was.
    pub result: Result<PathBuf, String>,
}

/// Drafts an entry under `root` (a site: `content/` inside) for each cluster.
pub fn draft_all(root: &Path, clusters: &[Cluster]) -> Vec<Outcome> {
    let mut used = HashSet::new();
    clusters
        .iter()
        .map(|c| Outcome {
            template: c.template.clone(),
            result: draft_one(root, c, &mut used),
        })
        .collect()
}

fn draft_one(root: &Path, c: &Cluster, used: &mut HashSet<String>) -> Result<PathBuf, String> {
    let template = &c.template;
    check_pattern(template, c)?;
    let tool = c
        .stat
        .tool()
        .filter(|t| is_valid_segment(t) && crate::load::reserved_tool(t).is_none())
        .unwrap_or(UNSORTED);
    let base = slug(template);
    let mut id = format!("{tool}/{base}");
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{tool}/{base}-{n}");
        n += 1;
    }
    let examples: Vec<String> = c.stat.examples.iter().map(|e| e.line.clone()).collect();
    let sources: Vec<String> = c
        .stat
        .examples
        .iter()
        .map(|e| format!("{}:{}", e.source, e.line_number))
        .collect();
    let note = format!(
        "Drafted by `errkb gaps` from {} log{} ({} line{}), e.g. {}.\nThe tool folder `{tool}/` was {}; move the file if it is wrong.",
        c.stat.logs,
        if c.stat.logs == 1 { "" } else { "s" },
        c.stat.lines,
        if c.stat.lines == 1 { "" } else { "s" },
        one_line(&sources.join(", ")),
        if tool == UNSORTED {
            "not guessed from the logs"
        } else {
            "guessed from the logs"
        },
    );
    let draft = scaffold::Draft {
        title: Some(template.clone()),
        patterns: vec![template.clone()],
        examples,
        note: Some(note),
    };
    scaffold::create(root, &id, &draft)
}

/// A comment line cannot hold a line break (a log name may).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Why the template cannot be an entry's pattern: not a plain template, too generic
/// by `check`'s rule, or not matching its own lines.
fn check_pattern(template: &str, c: &Cluster) -> Result<(), String> {
    let p = pattern::compile(template).map_err(|e| format!("not a valid pattern: {e}"))?;
    if p.kind() != PatternKind::Template || p.is_context() {
        return Err(
            "it reads as a `regex:` or `context:` pattern; write this entry by hand".into(),
        );
    }
    if let Some(why) = pattern::too_generic(&p) {
        return Err(format!("too generic for `errkb check`: {why}"));
    }
    for e in &c.stat.examples {
        if !p.is_match(&pattern::normalize_line(&e.line)) {
            return Err(format!(
                "the template does not match its own line {}:{}",
                e.source, e.line_number
            ));
        }
    }
    Ok(())
}

/// The slug: the template's literal words, dashed, cut at a dash near [`MAX_SLUG`].
fn slug(template: &str) -> String {
    let mut words = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some((len, _)) = crate::model::slot_at(rest) {
            words.push(' ');
            rest = &rest[len..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            words.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    let mut s = suggest_segment(&words);
    let limit = MAX_SLUG.min(MAX_SEGMENT_LEN);
    if s.len() > limit {
        let cut = match s[..=limit].rfind('-') {
            Some(i) if i >= limit / 2 => i,
            _ => limit,
        };
        s.truncate(cut);
    }
    if is_valid_segment(&s) {
        s
    } else {
        "error".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ids_from_the_words() {
        assert_eq!(
            slug("error: cannot reach <host>:<port>"),
            "error-cannot-reach"
        );
        assert_eq!(slug("../../etc/passwd <path>"), "etc-passwd");
        assert!(is_valid_segment(&slug("<path> <number>")));
        assert_eq!(slug("ÉCHEC: données"), suggest_segment("ÉCHEC: données"));
        let long = slug(&"word ".repeat(40));
        assert!(long.len() <= MAX_SLUG && is_valid_segment(&long), "{long}");
    }
}
