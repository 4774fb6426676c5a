//! Links inside Markdown bodies: site links must reach a page errkb generates, and
//! `#anchors` a heading that exists. External links are left to `--external-links`.

use std::collections::BTreeSet;

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::memo::{KeyBuilder, Session};

use crate::diag::Diagnostic;
use crate::markdown::{self, Scan};
use crate::model::{Entry, EntryId, Site};
use crate::theme::ENTRY_PAGE_IDS;

/// Files at the site root that are always generated.
const ROOT_FILES: &[&str] = &[
    "404.html",
    "sitemap.xml",
    "robots.txt",
    "atom.xml",
    "opensearch.xml",
    "api/entries.json",
    "api/schema/entry.json",
    "api/schema/config.json",
];

/// What one body links to, for the external checker.
pub struct External {
    pub url: String,
    pub entry: usize,
    pub line: usize,
}

pub fn check(
    site: &Site,
    texts: &super::Texts,
    diags: &mut Vec<Diagnostic>,
    session: &Session,
) -> Vec<External> {
    let memo = session.memo::<Arc<Scan>>("validate.scans");
    let scans: Vec<Arc<Scan>> = site
        .entries
        .par_iter()
        .map(|e| {
            let key = memo.key(|| KeyBuilder::new("scan").bytes(&e.fingerprint).key());
            memo.get_or(key, || Arc::new(markdown::scan(&e.body, ENTRY_PAGE_IDS)))
        })
        .collect();
    // An entry's heading ids, gathered only for the entries links point at.
    let anchors = |id: &EntryId| -> Option<BTreeSet<&str>> {
        let i = site.entries.binary_search_by(|e| e.id.cmp(id)).ok()?;
        Some(
            scans[i]
                .anchors
                .iter()
                .map(String::as_str)
                .chain(ENTRY_PAGE_IDS.iter().copied())
                .collect(),
        )
    };
    let sets = Sets {
        site,
        tags: OnceLock::new(),
        aliases: OnceLock::new(),
    };
    // Each entry's links on its own (in parallel: `serve` runs this on every edit);
    // the results keep the entries' order.
    let per_entry: Vec<(Vec<External>, Vec<Diagnostic>)> = site
        .entries
        .par_iter()
        .zip(&scans)
        .enumerate()
        .map(|(i, (e, s))| {
            let mut external = Vec::new();
            let mut found = Vec::new();
            for (dest, line) in &s.links {
                let file_line = e.body_line + line - 1;
                let refused = crate::url::check(dest).err();
                if refused.is_none() && is_external(dest) {
                    if dest.starts_with("http://") || dest.starts_with("https://") {
                        external.push(External {
                            url: dest.clone(),
                            entry: i,
                            line: file_line,
                        });
                    }
                    continue;
                }
                let problem = match refused {
                    Some(why) => Some((why.to_string(), Some(super::entry::URL_HINT.to_string()))),
                    None => resolve(e, dest, site, &anchors, &sets),
                };
                if let Some((msg, hint)) = problem {
                    let text = texts.get(&e.id).copied();
                    let col = text
                        .and_then(|t| t.lines().nth(file_line - 1))
                        .and_then(|l| l.find(dest.as_str()).map(|b| l[..b].chars().count() + 1));
                    let mut d = Diagnostic::error(msg)
                        .file(&e.source)
                        .at(file_line, col, text)
                        .span(dest.chars().count());
                    if let Some(h) = hint {
                        d = d.hint(h);
                    }
                    found.push(d);
                }
            }
            (external, found)
        })
        .collect();
    let mut external = Vec::new();
    for (x, d) in per_entry {
        external.extend(x);
        diags.extend(d);
    }
    external
}

/// The site's tags and former ids, gathered the first time a link needs them (most
/// bodies link to none, and `serve` checks the links on every edit).
struct Sets<'a> {
    site: &'a Site,
    tags: OnceLock<BTreeSet<&'a str>>,
    aliases: OnceLock<BTreeSet<String>>,
}

impl<'a> Sets<'a> {
    fn tags(&self) -> &BTreeSet<&'a str> {
        self.tags.get_or_init(|| {
            self.site
                .entries
                .iter()
                .flat_map(|e| e.tags.iter().map(String::as_str))
                .collect()
        })
    }

    fn aliases(&self) -> &BTreeSet<String> {
        self.aliases.get_or_init(|| {
            self.site
                .entries
                .iter()
                .flat_map(|e| e.aliases.iter().map(EntryId::to_string))
                .collect()
        })
    }
}

fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !scheme.contains('/')
        })
}

/// Why `dest` (written in `from`'s body) does not resolve, if it does not.
fn resolve<'a>(
    from: &Entry,
    dest: &str,
    site: &Site,
    anchors: &dyn Fn(&EntryId) -> Option<BTreeSet<&'a str>>,
    sets: &Sets<'a>,
) -> Option<(String, Option<String>)> {
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        let f = frag.unwrap_or("");
        let own = anchors(&from.id);
        if f.is_empty() || own.as_ref().is_some_and(|a| a.contains(f)) {
            return None;
        }
        return Some((
            format!("link to `#{f}`: no heading with that id on this page"),
            nearest(f, own.as_ref()),
        ));
    }
    let abs = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{}{path}", from.id.path())
    };
    let segs = normalize(&abs);
    let joined = segs.join("/");
    if let Some(last) = segs.last()
        && last.contains('.')
        && !ROOT_FILES.contains(&joined.as_str())
        && !(segs.len() == 3 && segs[0] == "api" && last.ends_with(".json"))
    {
        // A static file (image, download): not something the link checker can see.
        return None;
    }
    let bad = |what: &str| Some((format!("link to `{dest}`: {what}"), None));
    match segs.as_slice() {
        [] => None,
        [f] if ROOT_FILES.contains(&f.as_str()) => None,
        [a, b] if a == "api" && b == "entries.json" => None,
        [t] if t == "tags" => None,
        [t, tag] if t == "tags" => {
            if sets.tags().contains(tag.as_str()) {
                None
            } else {
                bad(&format!("no entry has the tag `{tag}`"))
            }
        }
        [a, tool, file] if a == "api" => {
            let slug = file.trim_end_matches(".json");
            let id = EntryId {
                tool: tool.clone(),
                slug: slug.to_string(),
            };
            if site.entry(&id).is_some() {
                None
            } else {
                bad(&format!("no entry `{id}`"))
            }
        }
        [tool] => {
            if site.tool(tool).is_some() {
                None
            } else {
                bad(&format!("no tool `{tool}` in content/"))
            }
        }
        [tool, slug] | [tool, slug, _] if segs.len() == 2 || segs[2] == "index.html" => {
            let id = EntryId {
                tool: tool.clone(),
                slug: slug.clone(),
            };
            match anchors(&id) {
                Some(a) => match frag {
                    Some(f) if !f.is_empty() && !a.contains(f) => Some((
                        format!("link to `{dest}`: entry `{id}` has no heading with the id `{f}`"),
                        nearest(f, Some(&a)),
                    )),
                    _ => None,
                },
                None if sets.aliases().contains(&id.to_string()) => None,
                None => Some((
                    format!("link to `{dest}`: no entry `{id}`"),
                    Some(
                        "site links look like /tool/slug/ (folder and file name of the entry)"
                            .into(),
                    ),
                )),
            }
        }
        _ => bad("no page errkb generates has this path"),
    }
}

/// Path segments with `.` and `..` resolved and `index.html` kept.
fn normalize(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s.to_string()),
        }
    }
    out
}

fn nearest(word: &str, set: Option<&BTreeSet<&str>>) -> Option<String> {
    crate::diag::nearest(word, set?.iter().copied(), |_| 3).map(|a| format!("did you mean `#{a}`?"))
}
