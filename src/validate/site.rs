//! Rules that span entries: related ids, aliases, shared patterns, examples.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::keys;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::RawEntry;
use crate::memo::{KeyBuilder, Memo};
use crate::model::{EntryId, Site};
use crate::pattern::{self, PatternSet};

pub fn check(
    site: &Site,
    raws: &[RawEntry],
    _config: &Config,
    opts: super::Options,
    diags: &mut Vec<Diagnostic>,
) {
    let raw_of: HashMap<(&str, &str), &RawEntry> = raws
        .iter()
        .map(|r| ((r.tool.as_str(), r.slug.as_str()), r))
        .collect();
    let at = |id: &EntryId, key: &str, needle: &str, d: Diagnostic| -> Diagnostic {
        let Some(raw) = raw_of.get(&(id.tool.as_str(), id.slug.as_str())) else {
            return d;
        };
        let from = keys::key_line(raw.front(), key).unwrap_or(1);
        let (line, col) =
            keys::find(raw.front(), from, needle).map_or((from, None), |(l, c)| (l, Some(c)));
        d.file(&raw.path)
            .at(raw.front_line + line - 1, col, Some(&raw.text))
            .span(needle.chars().count())
    };
    let texts: BTreeMap<&EntryId, &str> = site
        .entries
        .iter()
        .filter_map(|e| {
            raw_of
                .get(&(e.id.tool.as_str(), e.id.slug.as_str()))
                .map(|r| (&e.id, &*r.text))
        })
        .collect();
    let external = super::links::check(site, &texts, diags);
    if opts.external_links {
        super::external::check(site, &external, &texts, diags);
    }
    let live: std::collections::BTreeSet<&EntryId> = site.entries.iter().map(|e| &e.id).collect();
    // Entries that exist as files but failed validation: no cascade of "does not exist".
    let on_disk = |id: &EntryId| raw_of.contains_key(&(id.tool.as_str(), id.slug.as_str()));
    let mut alias_owner: HashMap<&EntryId, &EntryId> = HashMap::new();
    let mut pattern_owner: HashMap<&str, &EntryId> = HashMap::new();
    let identities: Vec<Arc<Vec<String>>> = {
        use rayon::prelude::*;
        let ids = site
            .entries
            .par_iter()
            .map(|e| {
                let key = KeyBuilder::new("identity").bytes(&e.fingerprint).key();
                IDENTITIES.get_or(key, || {
                    Arc::new(
                        e.patterns
                            .iter()
                            .map(|p| pattern::identity_key(p))
                            .collect(),
                    )
                })
            })
            .collect();
        IDENTITIES.finish_run();
        ids
    };
    for (e, identity) in site.entries.iter().zip(&identities) {
        for r in &e.related {
            if !live.contains(r) && !on_disk(r) {
                let hint = if *r == e.id {
                    "an entry cannot relate to itself".to_string()
                } else {
                    nearest(r, &live).map_or_else(
                        || "check the id: tool folder / file name without extension".into(),
                        |s| format!("did you mean `{s}`?"),
                    )
                };
                diags.push(at(
                    &e.id,
                    "related",
                    &r.to_string(),
                    Diagnostic::error(format!("related entry `{r}` does not exist")).hint(hint),
                ));
            }
        }
        for a in &e.aliases {
            if live.contains(a) {
                diags.push(at(
                    &e.id,
                    "aliases",
                    &a.to_string(),
                    Diagnostic::error(format!("alias `{a}` is the id of a live entry"))
                        .hint("an alias is a former id; remove it or rename one of the entries"),
                ));
            } else if let Some(other) = alias_owner.insert(a, &e.id) {
                diags.push(at(
                    &e.id,
                    "aliases",
                    &a.to_string(),
                    Diagnostic::error(format!("alias `{a}` is also an alias of `{other}`")),
                ));
            }
        }
        for (p, key) in e.patterns.iter().zip(identity.iter()) {
            if let Some(other) = pattern_owner.get(key.as_str()) {
                if *other != &e.id {
                    diags.push(at(
                        &e.id,
                        "patterns",
                        p,
                        Diagnostic::error(format!("pattern `{p}` is also a pattern of `{other}`"))
                            .hint("two entries must not share a pattern: make one of them more specific"),
                    ));
                }
            } else {
                pattern_owner.insert(key, &e.id);
            }
        }
    }
    examples(site, &at, diags);
}

/// What the examples check found: (entry index, key, the text to point at, the
/// diagnostic without its position).
type Findings = Arc<Vec<(usize, &'static str, String, Diagnostic)>>;

static EXAMPLES: std::sync::LazyLock<Memo<Findings>> = std::sync::LazyLock::new(Memo::new);

/// Each entry's pattern identities (see [`pattern::identity_key`]), by fingerprint.
static IDENTITIES: std::sync::LazyLock<Memo<Arc<Vec<String>>>> =
    std::sync::LazyLock::new(Memo::new);

/// Every example (and the title) must be matched by its own entry, and ranked first:
/// this is how `check` proves that the patterns work on real logs. The result depends
/// only on every entry's id, patterns, examples and title, so `serve` redoes it only
/// when one of those changed (positions are found afresh each time).
fn examples(
    site: &Site,
    at: &(dyn Fn(&EntryId, &str, &str, Diagnostic) -> Diagnostic + Sync),
    diags: &mut Vec<Diagnostic>,
) {
    let mut key = KeyBuilder::new("examples");
    for e in &site.entries {
        key = key
            .bytes(e.id.tool.as_bytes())
            .bytes(e.id.slug.as_bytes())
            .bytes(e.title.as_bytes());
        key = key
            .bytes(&(e.patterns.len() as u64).to_le_bytes())
            .bytes(&(e.examples.len() as u64).to_le_bytes());
        for text in e.patterns.iter().chain(&e.examples) {
            key = key.bytes(text.as_bytes());
        }
    }
    let found = EXAMPLES.get_or(key.key(), || Arc::new(find_example_problems(site)));
    EXAMPLES.finish_run();
    diags.extend(
        found
            .iter()
            .map(|(i, key, needle, d)| at(&site.entries[*i].id, key, needle, d.clone())),
    );
}

/// Every entry's patterns in a few [`PatternSet`]s built side by side: one automaton
/// over twenty thousand literals takes most of a second to build on one core.
struct Chunked {
    /// Each set with the number of patterns before it.
    sets: Vec<(usize, PatternSet)>,
}

/// Fewest patterns per set: smaller sets are not worth an automaton of their own.
const MIN_CHUNK: usize = 4096;

impl Chunked {
    fn new(patterns: Vec<(usize, pattern::Pattern)>) -> Chunked {
        use rayon::prelude::*;
        // Two sets per core: enough to keep every core busy building, while every line
        // is scanned by a number of automata that does not grow with the site.
        let sets = (2 * rayon::current_num_threads()).max(1);
        let size = patterns.len().div_ceil(sets).max(MIN_CHUNK);
        let mut chunks: Vec<(usize, Vec<(usize, pattern::Pattern)>)> = Vec::new();
        let mut rest = patterns.into_iter();
        let mut offset = 0;
        loop {
            let chunk: Vec<_> = rest.by_ref().take(size).collect();
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            chunks.push((offset, chunk));
            offset += n;
        }
        Chunked {
            sets: chunks
                .into_par_iter()
                .map(|(offset, c)| (offset, PatternSet::new(c)))
                .collect(),
        }
    }

    /// Scratch space for [`Chunked::matches_in`]: one map per set.
    fn scratch(&self) -> Vec<std::collections::HashMap<usize, pattern::Pattern>> {
        vec![Default::default(); self.sets.len()]
    }

    /// [`PatternSet::matches_in`] over all the sets, in the same order.
    fn matches_in(
        &self,
        normalized_line: &str,
        scratch: &mut [std::collections::HashMap<usize, pattern::Pattern>],
    ) -> Vec<pattern::Hit> {
        let mut hits = Vec::new();
        for ((offset, set), scratch) in self.sets.iter().zip(scratch.iter_mut()) {
            hits.extend(
                set.matches_in(normalized_line, scratch)
                    .into_iter()
                    .map(|h| pattern::Hit {
                        pattern: h.pattern + offset,
                        ..h
                    }),
            );
        }
        pattern::rank(&mut hits);
        hits
    }
}

fn find_example_problems(site: &Site) -> Vec<(usize, &'static str, String, Diagnostic)> {
    use rayon::prelude::*;
    let compiled: Vec<(usize, pattern::Pattern)> = site
        .entries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            e.patterns
                .iter()
                .filter_map(move |p| pattern::compile(p).ok().map(|c| (i, c)))
        })
        .collect();
    let set = Chunked::new(compiled);
    site.entries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            let mut out = Vec::new();
            // Regexes built for this entry's lines live only while it is checked.
            let mut scratch = set.scratch();
            let n = e.examples.len();
            let texts = e.examples.iter().enumerate().map(|(k, ex)| (Some(k), ex.as_str()));
            for (k, text) in texts.chain(std::iter::once((None, e.title.as_str()))) {
                let what = match k {
                    Some(k) if n > 1 => format!("example {}", k + 1),
                    Some(_) => "the example".to_string(),
                    None => "the title".to_string(),
                };
                let (key, needle) = match k {
                    Some(_) => ("examples", text.lines().find(|l| !l.trim().is_empty()).unwrap_or("")),
                    None => ("title", text),
                };
                let mut push = |d: Diagnostic| out.push((i, key, needle.to_string(), d));
                let mut own = false;
                for line in text.lines() {
                    let norm = pattern::normalize_line(line);
                    let hits = set.matches_in(&norm, &mut scratch);
                    let Some(best_own) = hits.iter().find(|h| h.entry == i) else {
                        for h in &hits {
                            let other = &site.entries[h.entry].id;
                            push(Diagnostic::warning(format!(
                                "{what} is also matched by `{other}`, on the line `{}`", line.trim()
                            )).hint("tighten one of the two entries' patterns"));
                        }
                        continue;
                    };
                    own = true;
                    for h in hits.iter().filter(|h| h.entry != i) {
                        let other = &site.entries[h.entry].id;
                        let d = if h.specificity > best_own.specificity {
                            Diagnostic::error(format!(
                                "{what}: `{other}` ranks above this entry on the line `{}`", line.trim()
                            ))
                            .hint("a more specific pattern of another entry wins this line: make this entry's pattern more specific")
                        } else {
                            Diagnostic::warning(format!(
                                "{what} is also matched by `{other}`, on the line `{}`", line.trim()
                            ))
                            .hint("tighten one of the two entries' patterns")
                        };
                        push(d);
                    }
                }
                if !own {
                    let d = match k {
                        Some(_) => Diagnostic::error(format!("{what} is not matched by any pattern of this entry")),
                        None => Diagnostic::warning("the title is not matched by any pattern of this entry"),
                    };
                    push(d.hint("add a pattern for the wording this text shows"));
                }
            }
            out
        })
        .collect()
}

fn nearest<'a>(
    id: &EntryId,
    live: &std::collections::BTreeSet<&'a EntryId>,
) -> Option<&'a EntryId> {
    let s = id.to_string();
    live.iter()
        .map(|l| (strsim::levenshtein(&s, &l.to_string()), *l))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, l)| l)
}
