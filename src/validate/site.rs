//! Rules that span entries: related ids and aliases here; shared patterns and examples
//! in `overlap`.

use std::collections::HashMap;

use super::keys;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::RawEntry;
use crate::model::{EntryId, Site};

pub(super) fn check(
    site: &Site,
    raws: &[RawEntry],
    _config: &Config,
    opts: super::Options,
    diags: &mut Vec<Diagnostic>,
    session: &crate::memo::Session,
) {
    let raw_of: super::FastMap<(&str, &str), &RawEntry> = raws
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
    let texts: super::Texts = site
        .entries
        .iter()
        .filter_map(|e| {
            raw_of
                .get(&(e.id.tool.as_str(), e.id.slug.as_str()))
                .map(|r| (&e.id, &*r.text))
        })
        .collect();
    let external = super::links::check(site, &texts, diags, session);
    crate::timing::report_memory("links");
    if opts.external_links {
        super::external::check(site, &external, &texts, diags);
    }
    let live: std::collections::BTreeSet<&EntryId> = site.entries.iter().map(|e| &e.id).collect();
    // Entries that exist as files but failed validation: no cascade of "does not exist".
    let on_disk = |id: &EntryId| raw_of.contains_key(&(id.tool.as_str(), id.slug.as_str()));
    let mut alias_owner: HashMap<&EntryId, &EntryId> = HashMap::new();
    for e in &site.entries {
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
    }
    super::overlap::check(site, &at, diags, session);
}

fn nearest<'a>(
    id: &EntryId,
    live: &std::collections::BTreeSet<&'a EntryId>,
) -> Option<&'a EntryId> {
    let names: Vec<(String, &EntryId)> = live.iter().map(|l| (l.to_string(), *l)).collect();
    let best = crate::diag::nearest(
        &id.to_string(),
        names.iter().map(|(s, _)| s.as_str()),
        |_| 3,
    )?;
    names.iter().find(|(s, _)| s == best).map(|(_, l)| *l)
}
