//! Stage 4: the knowledge base as data: `api/entries.json` (every entry's essentials,
//! for tools and chat bots; `errkb match --catalog` reads it) and `api/<tool>/<slug>.json`
//! (one entry, every key).

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{ApiEntries, Config};
use crate::memo::{KeyBuilder, Session};
use crate::model::{Entry, Site};
use crate::output::OutFile;

/// Version of the JSON API's shape; bumped on incompatible changes.
pub const API_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
struct Summary<'a> {
    id: String,
    url: String,
    title: &'a str,
    summary: &'a str,
    likely_cause: &'a str,
    patterns: &'a [String],
    tool: &'a str,
    tool_name: &'a str,
    tags: &'a [String],
    updated: Option<&'a str>,
    /// The first fix command, so terminal tools can print it without the full entry.
    first_fix: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Catalog<'a> {
    version: u32,
    title: &'a str,
    base_url: String,
    entries: Vec<Summary<'a>>,
}

#[derive(Debug, Serialize)]
struct Full<'a> {
    version: u32,
    url: String,
    tool_name: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
}

fn url(config: &Config, e: &Entry) -> String {
    config.link(&e.id.path())
}

/// One entry's part of the catalog, with a hash of its bytes.
#[derive(Clone)]
struct Piece {
    bytes: Arc<Vec<u8>>,
    hash: crate::memo::Key,
}

pub fn api(site: &Site, config: &Config, session: &Session) -> Vec<OutFile> {
    let summaries = session.memo::<Piece>("index.api_summaries");
    let catalogs = session.memo::<Arc<Vec<u8>>>("index.api_catalog");
    let entry_files = session.memo::<Arc<Vec<u8>>>("index.api_entries");
    let tool_name = |e: &Entry| site.tool(&e.id.tool).map_or("", |t| t.name.as_str());
    // The catalog is the head of a `Catalog` followed by each entry's `Summary`, so it is
    // written from per-entry pieces that `serve` keeps between rebuilds.
    let head = Catalog {
        version: API_VERSION,
        title: &config.title,
        base_url: config.base_url(),
        entries: Vec::new(),
    };
    let head = serde_json::to_vec(&head).unwrap_or_default();
    // An entry's piece reads the entry (its fingerprint, which covers its id), its URL
    // (the base URL and the id) and its tool's name: the key is made without building
    // the piece, which only a miss does.
    let around = KeyBuilder::new("api_around")
        .bytes(config.base_url().as_bytes())
        .json(&site.tools)
        .key();
    let pieces: Vec<Piece> = site
        .entries
        .par_iter()
        .map(|e| {
            let key = summaries.key(|| {
                KeyBuilder::new("api_summary")
                    .bytes(&e.fingerprint)
                    .bytes(&around)
                    .key()
            });
            summaries.get_or(key, || {
                let summary = Summary {
                    id: e.id.to_string(),
                    url: url(config, e),
                    title: &e.title,
                    summary: &e.summary,
                    likely_cause: &e.likely_cause,
                    patterns: &e.patterns,
                    tool: &e.id.tool,
                    tool_name: tool_name(e),
                    tags: &e.tags,
                    updated: e.updated.as_deref(),
                    first_fix: e.fix.iter().find_map(|s| s.run.as_deref()),
                };
                let bytes = serde_json::to_vec(&summary).unwrap_or_default();
                let hash = catalogs.key(|| *blake3::hash(&bytes).as_bytes());
                Piece {
                    bytes: Arc::new(bytes),
                    hash,
                }
            })
        })
        .collect();
    // The catalog is the same when its pieces are (an edit to an entry's body changes
    // none), whatever changed in the entries.
    let mut key = blake3::Hasher::new();
    key.update(&head);
    for p in &pieces {
        key.update(&p.hash);
    }
    let catalog = catalogs.get_or(*key.finalize().as_bytes(), || {
        // `…,"entries":[]}` with the pieces between the brackets.
        let open = head.len().saturating_sub(2);
        let size = head.len() + pieces.iter().map(|p| p.bytes.len() + 1).sum::<usize>();
        let mut catalog = Vec::with_capacity(size);
        catalog.extend_from_slice(&head[..open]);
        for (i, p) in pieces.iter().enumerate() {
            if i > 0 {
                catalog.push(b',');
            }
            catalog.extend_from_slice(&p.bytes);
        }
        catalog.extend_from_slice(&head[open..]);
        Arc::new(catalog)
    });
    drop(pieces);
    let mut out = vec![OutFile {
        path: "api/entries.json".into(),
        bytes: catalog,
    }];
    let mode = config.api.entries;
    if mode == ApiEntries::Off {
        return out;
    }
    let files: Vec<OutFile> = site
        .entries
        .par_iter()
        .map(|e| {
            let key = entry_files.key(|| {
                KeyBuilder::new("api_entry")
                    .bytes(&[mode as u8])
                    .bytes(&e.fingerprint)
                    .bytes(&around)
                    .key()
            });
            OutFile {
                path: format!("api/{}/{}.json", e.id.tool, e.id.slug),
                bytes: entry_files.get_or(key, || {
                    let full = Full {
                        version: API_VERSION,
                        url: url(config, e),
                        tool_name: tool_name(e),
                        entry: e,
                    };
                    Arc::new(entry_json(&full, mode).unwrap_or_default())
                }),
            }
        })
        .collect();
    out.extend(files);
    out
}

/// One entry's file: every key (`full`), or without the body and empty values
/// (`compact`). Absent and empty mean the same to readers of the API (`errkb explain`
/// included); `version`, `url`, `id` and `title` are always there.
fn entry_json(full: &Full<'_>, mode: ApiEntries) -> serde_json::Result<Vec<u8>> {
    if mode == ApiEntries::Full {
        return serde_json::to_vec(full);
    }
    let mut value = serde_json::to_value(full)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.remove("body");
        map.retain(|_, v| !is_empty(v));
    }
    serde_json::to_vec(&value)
}

fn is_empty(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    }
}
