//! Stage 2: raw files → typed [`Site`]. Checks keys, types, ids and every per-entry rule
//! of ENTRY-FORMAT.md, then the rules that span entries (`site`). Entries are parsed in
//! parallel; every problem becomes a diagnostic pointing at the file and line.

mod entry;
mod external;
pub mod keys;
pub mod links;
pub mod lint;
mod overlap;
mod safety;
pub mod schema;
mod site;

#[cfg(test)]
mod proptests;

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::load::Loaded;
use crate::memo::{KeyBuilder, Session};
use crate::model::{Site, Tool, ToolMeta};
use crate::yaml;

pub use entry::{is_real_date, is_valid_tag, validate_entry};

type Validated = (Option<Arc<crate::model::Entry>>, Vec<Diagnostic>);

/// Maps the checks across entries build over the whole site on every run (`serve`: on
/// every edit); foldhash hashes their keys several times faster than SipHash.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Each entry's whole file text, by id, to place diagnostics.
type Texts<'a> = FastMap<&'a crate::model::EntryId, &'a str>;

/// What validation should let through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep entries marked `draft: true`.
    pub drafts: bool,
    /// Fetch external links in bodies (`check --external-links`).
    pub external_links: bool,
}

/// The rules between entries' patterns, titles and examples (no shared patterns; each
/// example matched by its own entry first), alone and without positions: what the
/// micro-benchmark times. [`validate`] runs them as part of the site checks.
pub fn overlaps(site: &Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    overlap::check(site, &|_, _, _, d| d, &mut diags, &Session::one_shot());
    diags
}

/// Validates everything `load` read. The site holds every entry that parsed (minus
/// drafts unless asked); diagnostics say what is wrong with the rest.
pub fn validate(
    loaded: Loaded,
    config: &Config,
    opts: Options,
    session: &Session,
) -> (Site, Vec<Diagnostic>) {
    let mut diags = loaded.diagnostics;
    let memo = session.memo::<Validated>("validate.entries");
    // Unchanged files are not parsed again (see `memo`): the key is the file and the
    // configuration it is checked against.
    let config_key = KeyBuilder::new("config").json(config).key();
    let results: Vec<_> = loaded
        .entries
        .par_iter()
        .map(|raw| {
            // The key is the entry's fingerprint, which other caches key on: made when
            // the session keeps its caches, whatever this one does.
            let key = if session.keeps() {
                KeyBuilder::new("validate_entry")
                    .bytes(raw.path.to_string_lossy().as_bytes())
                    .bytes(&raw.hash)
                    .bytes(&config_key)
                    .key()
            } else {
                [0; 32]
            };
            memo.get_or(key, || {
                let (entry, diags) = validate_entry(raw, config);
                let entry = entry.map(|mut e| {
                    e.fingerprint = key;
                    Arc::new(e)
                });
                (entry, diags)
            })
        })
        .collect();
    let mut entries = Vec::with_capacity(results.len());
    for (entry, mut d) in results {
        diags.append(&mut d);
        if let Some(e) = entry {
            entries.push(e);
        }
    }
    entries.retain(|e| opts.drafts || !e.draft);
    entries.sort_by(|a, b| a.id.cmp(&b.id));

    let mut tools = Vec::new();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &entries {
        *used.entry(e.id.tool.as_str()).or_default() += 1;
    }
    for (id, raw) in &loaded.tools {
        let meta = match &raw.meta {
            Some((path, text)) => match yaml::from_str::<Option<ToolMeta>>(text) {
                Ok(m) => m.unwrap_or_default(),
                Err(e) => {
                    let mut d = Diagnostic::error(e.message.clone()).file(path);
                    if let Some(l) = e.line {
                        d = d.at(l, e.col, Some(text));
                    }
                    diags.push(d.hint("_tool.yaml keys: name, description, homepage"));
                    ToolMeta::default()
                }
            },
            None => ToolMeta::default(),
        };
        if let (Some(url), Some((path, text))) = (&meta.homepage, &raw.meta)
            && let Err(why) = crate::url::check(url)
        {
            let line = keys::key_line(text, "homepage").unwrap_or(1);
            diags.push(
                Diagnostic::error(why.to_string())
                    .file(path)
                    .at(line, None, Some(text))
                    .hint(entry::URL_HINT),
            );
        }
        if !used.contains_key(id.as_str()) {
            continue;
        }
        let from_entry = entries
            .iter()
            .find(|e| e.id.tool == *id && e.tool.is_some())
            .and_then(|e| e.tool.clone());
        tools.push(Tool {
            id: id.clone(),
            name: meta.name.or(from_entry).unwrap_or_else(|| id.clone()),
            description: meta.description,
            homepage: meta.homepage,
        });
    }

    let site = Site {
        intro: loaded.intro,
        tools,
        entries,
    };
    crate::timing::report_memory("entries");
    site::check(&site, &loaded.entries, config, opts, &mut diags, session);
    crate::timing::report_memory("site checks");
    (site, diags)
}
